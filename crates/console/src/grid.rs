//! The 排班 week grid as plain data: rows = the school's gates × windows, columns =
//! Monday–Sunday, each cell the slot, whether the calendar has it due
//! (`Calendar::due_windows`, the rule coverage uses) and who is assigned. Pure, so it
//! is tested natively; `pages::roster` only draws it.

use std::collections::BTreeMap;

use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};
use gatewatch_model::calendar::Calendar;
use gatewatch_model::roster::{Assignment, Person, Slot};
use gatewatch_model::roster_edit::{Officer, OnSlot, SlotChange};
use gatewatch_model::school::{School, WindowKind, DEFAULT_UTC_OFFSET_MINUTES};
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
    /// The slot's date has not passed: the server takes changes to it (today included).
    pub editable: bool,
    /// The assigned officers, each with their own car, in the roster's order.
    pub assigned: Vec<OnSlot>,
}

impl Cell {
    /// Assigned on a day the calendar has no such window: shown, but it does not count.
    pub fn assigned_but_not_due(&self) -> bool {
        !self.due && !self.assigned.is_empty()
    }

    /// The officers the cell shows, which a change names as `expected`: if the slot
    /// holds others by the time it arrives, it is refused as stale instead of undoing
    /// someone else's change.
    pub fn officers(&self) -> Vec<Uuid> {
        self.assigned.iter().map(|a| a.officer).collect()
    }

    /// The slot with `officers` (each with their car) instead of what the cell shows.
    pub fn change(&self, officers: Vec<OnSlot>) -> SlotChange {
        SlotChange {
            post_id: self.slot.post_id.clone(),
            date: self.slot.date,
            window: self.slot.window,
            officers,
            expected: Some(self.officers()),
        }
    }

    /// The slot without `officer`; the others keep their cars.
    pub fn without(&self, officer: Uuid) -> SlotChange {
        let rest = self
            .assigned
            .iter()
            .filter(|a| a.officer != officer)
            .cloned()
            .collect();
        self.change(rest)
    }

    /// The slot as the editor leaves it: the cell's officers with the cars typed for
    /// them (`cars`, by officer; one not named keeps its own), and `added`, if any,
    /// after them.
    pub fn edited(&self, cars: &BTreeMap<Uuid, String>, added: Option<OnSlot>) -> SlotChange {
        let mut officers: Vec<OnSlot> = self
            .assigned
            .iter()
            .map(|a| OnSlot {
                officer: a.officer,
                car: match cars.get(&a.officer) {
                    Some(typed) => plate(typed),
                    None => a.car.clone(),
                },
            })
            .collect();
        officers.extend(added.filter(|a| !self.officers().contains(&a.officer)));
        self.change(officers)
    }
}

/// A typed plate: trimmed, none when blank.
pub fn plate(typed: &str) -> Option<String> {
    Some(typed.trim().to_owned()).filter(|p| !p.is_empty())
}

/// The date the roster counts as today: the server's (mainland China time), before
/// which a slot can no longer be changed.
pub fn roster_today(now: DateTime<Utc>) -> NaiveDate {
    (now + Duration::minutes(i64::from(DEFAULT_UTC_OFFSET_MINUTES))).date_naive()
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
/// Days before `today` are read-only.
pub fn week_grid(
    school: &School,
    posts: &[Post],
    calendar: &Calendar,
    assignments: &[Assignment],
    (monday, today): (NaiveDate, NaiveDate),
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
                        editable: *date >= today,
                        assigned: held
                            .iter()
                            .map(|a| OnSlot {
                                officer: a.officer,
                                car: a.car.clone(),
                            })
                            .collect(),
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
}

/// The officers a manager may put on the roster, each with the schools they serve
/// (`GET /api/officers`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Staff(Vec<Officer>);

impl Staff {
    pub fn new(officers: Vec<Officer>) -> Staff {
        Staff(officers)
    }

    /// Their names, for the cells and cards.
    pub fn names(&self) -> Names {
        let people: Vec<Person> = self.0.iter().map(Officer::person).collect();
        Names::new(&people)
    }

    /// Whom a picker of a slot at `school_id` offers: the officers of that school (the
    /// server refuses any other), but not those of `except` (already on the slot, or
    /// asking to be relieved), by display name then username.
    pub fn serving(&self, school_id: &str, except: &[Uuid]) -> Vec<Person> {
        let mut people: Vec<Person> = self
            .0
            .iter()
            .filter(|o| o.serves(school_id) && !except.contains(&o.user))
            .map(Officer::person)
            .collect();
        people.sort_by(|a, b| (&a.display_name, &a.username).cmp(&(&b.display_name, &b.username)));
        people
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
        let grid = week_grid(
            &school,
            &posts,
            &calendar,
            &[],
            (d("2026-09-28"), d("2026-09-01")),
        );
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
        let next = week_grid(
            &school,
            &posts,
            &calendar,
            &[],
            (d("2026-10-05"), d("2026-09-01")),
        );
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
        let grid = week_grid(
            &school,
            &posts,
            &calendar,
            &roster,
            (d("2026-09-28"), d("2026-09-01")),
        );
        let noon = &grid.rows[1].cells[1];
        assert_eq!(noon.officers(), [Uuid::from_u128(1), Uuid::from_u128(2)]);
        let cars: Vec<Option<&str>> = noon.assigned.iter().map(|a| a.car.as_deref()).collect();
        assert_eq!(cars, [None, Some("苏A·12345")], "each officer's own car");
        let holiday = &grid.rows[0].cells[3];
        assert!(holiday.assigned_but_not_due());
        let all: usize = grid
            .rows
            .iter()
            .flat_map(|r| &r.cells)
            .map(|c| c.assigned.len())
            .sum();
        assert_eq!(all, 3);
    }

    /// The server refuses changes to a day before today; today stays editable.
    #[test]
    fn days_before_today_are_read_only() {
        let school = demo_schools().remove(0);
        let posts = [gate("s01-g1", "s01", "南门")];
        let thursday = d("2026-10-01");
        let grid = week_grid(
            &school,
            &posts,
            &Calendar::default(),
            &[],
            (d("2026-09-28"), thursday),
        );
        let editable: Vec<bool> = grid.rows[0].cells.iter().map(|c| c.editable).collect();
        assert_eq!(editable, [false, false, false, true, true, true, true]);
        // 2026-10-01 00:30 in China is still 09-30 in UTC.
        let now = DateTime::parse_from_rfc3339("2026-09-30T16:30:00Z").unwrap();
        assert_eq!(roster_today(now.to_utc()), thursday);
    }

    fn on(officer: u128, car: Option<&str>) -> OnSlot {
        OnSlot {
            officer: Uuid::from_u128(officer),
            car: car.map(str::to_owned),
        }
    }

    fn cell_of(assigned: Vec<OnSlot>) -> Cell {
        Cell {
            slot: Slot {
                post_id: "s01-g1".into(),
                date: d("2026-12-07"),
                window: WindowKind::Morning,
            },
            due: true,
            editable: true,
            assigned,
        }
    }

    /// Finding 4 of review 14b: adding or removing one officer keeps the others' cars;
    /// the editor changes one officer's car only. Every change names what the cell
    /// showed (finding 7).
    #[test]
    fn an_edit_keeps_each_officers_own_car() {
        let cell = cell_of(vec![on(1, Some("苏A·11111")), on(2, Some("苏A·22222"))]);
        let removed = cell.without(Uuid::from_u128(1));
        assert_eq!(removed.officers, [on(2, Some("苏A·22222"))]);
        assert_eq!(removed.expected, Some(cell.officers()));

        let added = cell.edited(&BTreeMap::new(), Some(on(3, None)));
        assert_eq!(
            added.officers,
            [
                on(1, Some("苏A·11111")),
                on(2, Some("苏A·22222")),
                on(3, None)
            ]
        );
        let recarred = cell.edited(
            &[(Uuid::from_u128(2), " 苏A·99999 ".to_owned())].into(),
            None,
        );
        assert_eq!(
            recarred.officers,
            [on(1, Some("苏A·11111")), on(2, Some("苏A·99999"))]
        );
        let cleared = cell.edited(&[(Uuid::from_u128(1), " ".to_owned())].into(), None);
        assert_eq!(cleared.officers[0], on(1, None));
        // Someone already on the cell is not added twice.
        let again = cell.edited(&BTreeMap::new(), Some(on(2, Some("x"))));
        assert_eq!(again.officers.len(), 2);
        assert_eq!(
            again.expected,
            Some(vec![Uuid::from_u128(1), Uuid::from_u128(2)])
        );
    }

    /// Finding 11 of review 14b: a cell offers only its own school's officers, and not
    /// those already on it.
    #[test]
    fn a_picker_offers_its_schools_officers_only() {
        let officer = |n: u128, name: &str, schools: &[&str]| Officer {
            user: Uuid::from_u128(n),
            username: format!("user{n}"),
            display_name: name.into(),
            schools: schools.iter().map(|s| s.to_string()).collect(),
        };
        let staff = Staff::new(vec![
            officer(1, "张伟", &["s01"]),
            officer(2, "王强", &["s02"]),
            officer(3, "李娜", &["s01", "s02"]),
            officer(4, "赵磊", &["s01"]),
        ]);
        let names = |people: Vec<Person>| -> Vec<String> {
            people.into_iter().map(|p| p.display_name).collect()
        };
        assert_eq!(
            names(staff.serving("s01", &[Uuid::from_u128(4)])),
            ["张伟", "李娜"]
        );
        assert_eq!(names(staff.serving("s02", &[])), ["李娜", "王强"]);
        assert!(staff.serving("s09", &[]).is_empty());
        assert_eq!(staff.names().display_name(Uuid::from_u128(2)), "王强");
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
