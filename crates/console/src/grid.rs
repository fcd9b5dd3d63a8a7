//! The 排班 week grid as plain data: rows = the school's gates × windows, columns =
//! Monday–Sunday, each cell the slot, whether the calendar has it due
//! (`Calendar::due_windows`, the rule coverage uses) and who is assigned. Pure, so it
//! is tested natively; `pages::roster` only draws it.

use std::collections::BTreeMap;

use chrono::{Datelike, Duration, NaiveDate};
use gatewatch_model::calendar::Calendar;
use gatewatch_model::roster::{Assignment, Person, Slot};
use gatewatch_model::school::{School, WindowKind};
use gatewatch_model::Post;
use uuid::Uuid;

/// The Monday of `date`'s week (weeks run Monday–Sunday, as a 值班表 does).
pub fn monday_of(date: NaiveDate) -> NaiveDate {
    date - Duration::days(i64::from(date.weekday().num_days_from_monday()))
}

/// The seven dates of the week starting `monday`.
pub fn week_of(monday: NaiveDate) -> [NaiveDate; 7] {
    std::array::from_fn(|i| monday + Duration::days(i as i64))
}

/// One cell: a slot, due or not, and its assignments.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cell {
    pub slot: Slot,
    /// The calendar has this window due at this school on this date.
    pub due: bool,
    /// The assigned officers, in the roster's order.
    pub officers: Vec<Uuid>,
    /// The car of the slot (the first assignment that names one).
    pub car: Option<String>,
}

impl Cell {
    /// Assigned on a day the calendar has no such window: shown, but it does not count.
    pub fn assigned_but_not_due(&self) -> bool {
        !self.due && !self.officers.is_empty()
    }
}

/// One row: a gate in one window, across the week.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    pub post_id: String,
    pub gate: String,
    pub window: WindowKind,
    pub cells: Vec<Cell>,
}

/// The week of one school.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WeekGrid {
    pub days: [NaiveDate; 7],
    pub rows: Vec<Row>,
}

/// The grid of `school` for the week starting `monday`: its gates (`posts` of other
/// schools are ignored) × the windows it has (its usual ones, a special day's, and any
/// window someone is assigned to, so no assignment is hidden), in the order of the day.
pub fn week_grid(
    school: &School,
    posts: &[Post],
    calendar: &Calendar,
    assignments: &[Assignment],
    monday: NaiveDate,
) -> WeekGrid {
    let days = week_of(monday);
    let due: Vec<Vec<WindowKind>> = days
        .iter()
        .map(|d| {
            calendar
                .due_windows(school, *d)
                .iter()
                .map(|w| w.kind)
                .collect()
        })
        .collect();
    let mut gates: Vec<&Post> = posts.iter().filter(|p| p.school_id == school.id).collect();
    gates.sort_by(|a, b| (&a.gate, &a.id).cmp(&(&b.gate, &b.id)));
    let mut by_slot: BTreeMap<Slot, Vec<&Assignment>> = BTreeMap::new();
    for a in assignments.iter().filter(|a| days.contains(&a.date)) {
        by_slot.entry(a.slot()).or_default().push(a);
    }
    let mut rows = Vec::new();
    for post in gates {
        let mut windows: Vec<WindowKind> = school.windows.iter().map(|w| w.kind).collect();
        windows.extend(due.iter().flatten());
        windows.extend(
            by_slot
                .keys()
                .filter(|s| s.post_id == post.id)
                .map(|s| s.window),
        );
        windows.sort();
        windows.dedup();
        for window in windows {
            let cells = days
                .iter()
                .zip(&due)
                .map(|(date, due_kinds)| {
                    let slot = Slot {
                        post_id: post.id.clone(),
                        date: *date,
                        window,
                    };
                    let held = by_slot.get(&slot).map(Vec::as_slice).unwrap_or_default();
                    Cell {
                        due: due_kinds.contains(&window),
                        officers: held.iter().map(|a| a.officer).collect(),
                        car: held.iter().find_map(|a| a.car.clone()),
                        slot,
                    }
                })
                .collect();
            rows.push(Row {
                post_id: post.id.clone(),
                gate: post.gate.clone(),
                window,
                cells,
            });
        }
    }
    WeekGrid { days, rows }
}

/// Names people by their account id: the roster's `people` and the officer list.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Names(BTreeMap<Uuid, Person>);

impl Names {
    pub fn new<'a>(people: impl IntoIterator<Item = &'a Person>) -> Names {
        Names(people.into_iter().map(|p| (p.user, p.clone())).collect())
    }

    /// The display name; an account the server did not name shows its id's start.
    pub fn display_name(&self, user: Uuid) -> String {
        match self.0.get(&user) {
            Some(p) => p.display_name.clone(),
            None => user.to_string()[..8].to_string(),
        }
    }

    /// These names and `more` (a roster's people the officer list lacked).
    pub fn and<'a>(mut self, more: impl IntoIterator<Item = &'a Person>) -> Names {
        self.0.extend(more.into_iter().map(|p| (p.user, p.clone())));
        self
    }

    pub fn person(&self, user: Uuid) -> Option<&Person> {
        self.0.get(&user)
    }

    /// Everyone, by display name then username: the picker's order.
    pub fn sorted(&self) -> Vec<&Person> {
        let mut all: Vec<&Person> = self.0.values().collect();
        all.sort_by(|a, b| (&a.display_name, &a.username).cmp(&(&b.display_name, &b.username)));
        all
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use gatewatch_model::calendar::{CalendarEntry, DayRule, EntryScope};
    use gatewatch_model::school::demo_schools;

    fn d(s: &str) -> NaiveDate {
        gatewatch_model::timefmt::parse_date(s).unwrap()
    }

    fn gate(id: &str, school: &str, gate: &str) -> Post {
        Post {
            id: id.into(),
            school_id: school.into(),
            school: String::new(),
            gate: gate.into(),
            location: None,
        }
    }

    fn national(from: &str, to: &str, rule: DayRule) -> CalendarEntry {
        CalendarEntry {
            scope: EntryScope::National,
            from: d(from),
            to: d(to),
            rule,
            windows: Vec::new(),
            name: String::new(),
        }
    }

    fn assign(post: &str, date: &str, window: WindowKind, officer: u128) -> Assignment {
        Assignment {
            post_id: post.into(),
            date: d(date),
            window,
            officer: Uuid::from_u128(officer),
            car: None,
        }
    }

    #[test]
    fn weeks_start_on_monday() {
        // 2026-10-01 is a Thursday.
        assert_eq!(monday_of(d("2026-10-01")), d("2026-09-28"));
        assert_eq!(monday_of(d("2026-09-28")), d("2026-09-28"));
        assert_eq!(monday_of(d("2026-10-04")), d("2026-09-28"));
        assert_eq!(week_of(d("2026-09-28"))[6], d("2026-10-04"));
    }

    /// The National Day week of 2026: Thursday 1 to Sunday 4 off; the 调休 Saturday is
    /// the next week's (10-10), so a week with one is also checked.
    #[test]
    fn cells_are_due_as_the_calendar_says() {
        let school = demo_schools().remove(0);
        let posts = [
            gate("s01-g2", "s01", "北门"),
            gate("s01-g1", "s01", "南门"),
            gate("s02-g1", "s02", "东门"),
        ];
        let calendar = Calendar::new([
            national("2026-10-01", "2026-10-07", DayRule::Off),
            national("2026-10-10", "2026-10-10", DayRule::On),
        ]);
        let grid = week_grid(&school, &posts, &calendar, &[], d("2026-09-28"));
        // Two gates of s01 (北门 before 南门 by name) × three windows.
        let labels: Vec<(&str, WindowKind)> = grid
            .rows
            .iter()
            .map(|r| (r.gate.as_str(), r.window))
            .collect();
        assert_eq!(labels.len(), 6);
        assert_eq!(labels[0], ("北门", WindowKind::Morning));
        assert_eq!(labels[3], ("南门", WindowKind::Morning));
        let due: Vec<bool> = grid.rows[0].cells.iter().map(|c| c.due).collect();
        assert_eq!(due, [true, true, true, false, false, false, false]);
        let next = week_grid(&school, &posts, &calendar, &[], d("2026-10-05"));
        let due: Vec<bool> = next.rows[0].cells.iter().map(|c| c.due).collect();
        assert_eq!(
            due,
            [false, false, false, true, true, true, false],
            "调休 Saturday due"
        );
    }

    #[test]
    fn assignments_fill_their_cells_and_one_on_a_holiday_is_shown_as_not_due() {
        let school = demo_schools().remove(0);
        let posts = [gate("s01-g1", "s01", "南门")];
        let calendar = Calendar::new([national("2026-10-01", "2026-10-07", DayRule::Off)]);
        let mut with_car = assign("s01-g1", "2026-09-29", WindowKind::Noon, 2);
        with_car.car = Some("苏A·12345".into());
        let roster = [
            assign("s01-g1", "2026-09-29", WindowKind::Noon, 1),
            with_car,
            assign("s01-g1", "2026-10-01", WindowKind::Morning, 3),
            // Another week: not in this grid.
            assign("s01-g1", "2026-10-06", WindowKind::Morning, 4),
        ];
        let grid = week_grid(&school, &posts, &calendar, &roster, d("2026-09-28"));
        let noon = &grid.rows[1].cells[1];
        assert_eq!(noon.officers, [Uuid::from_u128(1), Uuid::from_u128(2)]);
        assert_eq!(noon.car.as_deref(), Some("苏A·12345"));
        let holiday = &grid.rows[0].cells[3];
        assert!(holiday.assigned_but_not_due());
        let all: usize = grid
            .rows
            .iter()
            .flat_map(|r| &r.cells)
            .map(|c| c.officers.len())
            .sum();
        assert_eq!(all, 3);
    }

    #[test]
    fn people_are_named_by_display_name() {
        let zhang = Person {
            user: Uuid::from_u128(1),
            username: "zhang.wei".into(),
            display_name: "张伟".into(),
        };
        let names = Names::new([&zhang]);
        assert_eq!(names.display_name(zhang.user), "张伟");
        assert_eq!(names.display_name(Uuid::from_u128(2)), "00000000");
    }
}
