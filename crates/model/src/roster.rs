//! The duty roster (排班): which officer is due at which gate, in which window, on which
//! day — and the accountable names records and reports show (docs/duty-roster.md, §3–4).

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::ops::RangeInclusive;

use chrono::{DateTime, FixedOffset, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::access::UserRole;
use crate::calendar::Calendar;
use crate::coverage::{
    counted_windows, judge, CountedWindow, Rate, Status, Verdict, Visit, Visits, Walk,
};
use crate::post::Post;
use crate::school::{School, WindowKind};
use crate::sorting;

/// One slot: a gate (post) × date × window.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Slot {
    pub post_id: String,
    #[serde(deserialize_with = "crate::timefmt::date")]
    pub date: NaiveDate,
    pub window: WindowKind,
}

/// One officer due at one slot, optionally with a police car (its plate). Flat on the
/// wire (no `#[serde(flatten)]`: its buffering decoder would cost the phone wasm).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Assignment {
    pub post_id: String,
    #[serde(deserialize_with = "crate::timefmt::date")]
    pub date: NaiveDate,
    pub window: WindowKind,
    pub officer: Uuid,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub car: Option<String>,
}

impl Assignment {
    pub fn slot(&self) -> Slot {
        Slot {
            post_id: self.post_id.clone(),
            date: self.date,
            window: self.window,
        }
    }
}

/// The assignments at one slot (gate × date × window), in roster order.
pub fn at_slot<'a>(
    assignments: &'a [Assignment],
    post_id: &'a str,
    date: NaiveDate,
    window: WindowKind,
) -> impl Iterator<Item = &'a Assignment> + 'a {
    assignments
        .iter()
        .filter(move |a| a.post_id == post_id && a.date == date && a.window == window)
}

/// The gates `officer` is assigned to on `date`, each once, in roster order: the posts
/// their phone shows first.
pub fn posts_of(assignments: &[Assignment], officer: Uuid, date: NaiveDate) -> Vec<&str> {
    let mut posts: Vec<&str> = Vec::new();
    for a in assignments
        .iter()
        .filter(|a| a.officer == officer && a.date == date)
    {
        if !posts.contains(&a.post_id.as_str()) {
            posts.push(&a.post_id);
        }
    }
    posts
}

/// `officer`'s assignments in `days`, by date then window: the coming duties their
/// phone lists, each a slot they may ask to swap.
pub fn duties_of(
    assignments: &[Assignment],
    officer: Uuid,
    days: RangeInclusive<NaiveDate>,
) -> Vec<&Assignment> {
    let mut duties: Vec<&Assignment> = assignments
        .iter()
        .filter(|a| a.officer == officer && days.contains(&a.date))
        .collect();
    sorting::sort_by_key(&mut duties, |a| (a.date, a.window));
    duties
}

/// Who could take `officer`'s place at `post_id`: everyone else the roster puts at a
/// gate of the same school (a substitute must be an officer of the slot's school, and
/// the phone knows no other list of them), each once, in roster order.
pub fn substitutes_for(
    assignments: &[Assignment],
    posts: &[Post],
    post_id: &str,
    officer: Uuid,
) -> Vec<Uuid> {
    let school_of = |post: &str| {
        posts
            .iter()
            .find(|p| p.id == post)
            .map(|p| p.school_id.as_str())
    };
    let Some(school) = school_of(post_id) else {
        return Vec::new();
    };
    let mut people = Vec::new();
    for a in assignments {
        if a.officer != officer
            && !people.contains(&a.officer)
            && school_of(&a.post_id) == Some(school)
        {
            people.push(a.officer);
        }
    }
    people
}

/// A roster read (`GET /api/roster`): the assignments of a range and every person they
/// name. Phones keep the last one offline.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RosterPage {
    pub assignments: Vec<Assignment>,
    pub people: Vec<Person>,
}

/// An account as records and reports name it: who made a record (the author the server
/// recorded), who is assigned.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Person {
    pub user: Uuid,
    pub username: String,
    pub display_name: String,
}

impl Person {
    /// How screens and sheets name a person: `张伟 (zhang.wei)`.
    pub fn label(&self) -> String {
        format!("{} ({})", self.display_name, self.username)
    }
}

/// An assignment judged: the assigned officer's own verdict at the slot, the gate's,
/// and who came instead. `None` when the calendar has no such window due that day (or
/// the gate or its school is unknown): shown as not due, never counted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AssignmentVerdict<'a> {
    pub assignment: &'a Assignment,
    pub due: Option<DueVerdict>,
}

/// A due assignment's verdicts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DueVerdict {
    /// The slot's on-post time D (what lateness is measured from).
    pub on_post_by: DateTime<FixedOffset>,
    /// From the assigned officer's own visits at that gate only.
    pub own: Verdict,
    /// From everyone's visits: was anyone there (the gate's coverage; its reason is
    /// the coverage cell's).
    pub gate: Status,
    /// The other people with visits counted for the slot (`None`: an author not
    /// known), in a fixed order.
    pub instead: Vec<Option<Uuid>>,
}

/// Judges each of `assignments` (in their order) by the presence rule, from the same
/// visits and calendar coverage uses.
pub fn assignment_verdicts<'a>(
    calendar: &Calendar,
    schools: &[School],
    posts: &[Post],
    visits: &Visits,
    assignments: &'a [Assignment],
    now: DateTime<Utc>,
) -> Vec<AssignmentVerdict<'a>> {
    let school_of: HashMap<&str, &School> = schools.iter().map(|s| (s.id.as_str(), s)).collect();
    // Per gate, its school and a walk through its visits (assignments usually come in
    // date order, so each look-up continues from the last).
    let mut gates: HashMap<&str, (&School, Walk)> = posts
        .iter()
        .filter_map(|p| {
            let school = *school_of.get(p.school_id.as_str())?;
            Some((p.id.as_str(), (school, visits.walk(&p.id))))
        })
        .collect();
    // One calendar look-up per school × day: a slot's assignments come together.
    let mut day: Option<(&str, NaiveDate, Vec<CountedWindow>)> = None;
    assignments
        .iter()
        .map(|assignment| {
            let due = gates
                .get_mut(assignment.post_id.as_str())
                .and_then(|(school, walk)| {
                    let same_day = day.as_ref().is_some_and(|(id, date, _)| {
                        (*id, *date) == (school.id.as_str(), assignment.date)
                    });
                    if !same_day {
                        let windows = counted_windows(calendar, school, assignment.date);
                        day = Some((school.id.as_str(), assignment.date, windows));
                    }
                    let windows = day.as_ref().map_or(&[][..], |(_, _, w)| w.as_slice());
                    let counted = windows
                        .iter()
                        .find(|c| c.window.kind == assignment.window)?;
                    Some(judge_assignment(
                        assignment,
                        counted,
                        walk.counted(counted),
                        now,
                    ))
                });
            AssignmentVerdict { assignment, due }
        })
        .collect()
}

fn judge_assignment(
    assignment: &Assignment,
    counted: &CountedWindow,
    here: &[Visit],
    now: DateTime<Utc>,
) -> DueVerdict {
    let officer = Some(assignment.officer);
    let mut instead: Vec<Option<Uuid>> = here
        .iter()
        .map(|v| v.person)
        .filter(|p| *p != officer)
        .collect();
    sorting::sort(&mut instead);
    instead.dedup();
    DueVerdict {
        on_post_by: counted.window.due,
        own: judge(counted, here, |v| v.person == officer, now),
        gate: judge(counted, here, |_| true, now).status,
        instead,
    }
}

/// One officer's assigned due windows over a range, counted by their own verdicts.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct OfficerTally {
    pub officer: Uuid,
    pub assigned: u32,
    pub covered: u32,
    pub late: u32,
    pub partial: u32,
    pub missed: u32,
    pub upcoming: u32,
}

impl OfficerTally {
    /// Covered over decided (upcoming windows not counted), like every 落实率.
    pub fn rate(&self) -> Rate {
        Rate {
            covered: self.covered,
            decided: self.assigned - self.upcoming,
        }
    }

    fn add(&mut self, status: Status) {
        self.assigned += 1;
        let count = match status {
            Status::Covered => &mut self.covered,
            Status::Late => &mut self.late,
            Status::Partial => &mut self.partial,
            Status::Missed => &mut self.missed,
            Status::Upcoming => &mut self.upcoming,
        };
        *count += 1;
    }
}

/// Per officer (by id), their assignments dated in `days` that were due, by their own
/// verdict; assignments not due are not counted.
pub fn officer_report(
    verdicts: &[AssignmentVerdict<'_>],
    days: RangeInclusive<NaiveDate>,
) -> Vec<OfficerTally> {
    let mut tallies: BTreeMap<Uuid, OfficerTally> = BTreeMap::new();
    for v in verdicts
        .iter()
        .filter(|v| days.contains(&v.assignment.date))
    {
        let Some(due) = &v.due else { continue };
        let officer = v.assignment.officer;
        tallies
            .entry(officer)
            .or_insert(OfficerTally {
                officer,
                ..OfficerTally::default()
            })
            .add(due.own.status);
    }
    tallies.into_values().collect()
}

/// Two assignments that put one officer in one date × window twice (at two gates, or
/// the same slot named twice): indices into the list given, `first < second`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Overlap {
    pub first: usize,
    pub second: usize,
}

/// Every assignment that repeats an officer's date × window, paired with the first
/// one that had it, in the order of `second` (the line an import refuses).
pub fn overlaps(assignments: &[Assignment]) -> Vec<Overlap> {
    let mut first_of: HashMap<(Uuid, NaiveDate, WindowKind), usize> = HashMap::new();
    let mut out = Vec::new();
    for (n, a) in assignments.iter().enumerate() {
        match first_of.entry((a.officer, a.date, a.window)) {
            std::collections::hash_map::Entry::Occupied(e) => out.push(Overlap {
                first: *e.get(),
                second: n,
            }),
            std::collections::hash_map::Entry::Vacant(e) => {
                e.insert(n);
            }
        }
    }
    out
}

/// How far ahead the roster may reach: a year (and a leap day). Further is a typo.
pub const MAX_DAYS_AHEAD: i64 = 366;

/// Why the roster of a date may not change (docs/duty-roster.md §3).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unchangeable {
    /// Before today: a day gone is kept as it was, so the per-officer figures of that
    /// day stay what they were (there is no history of roster rows to say otherwise).
    Past,
    /// More than `MAX_DAYS_AHEAD` after today.
    TooFar,
}

/// Whether the roster of `date` may change on `today` (the roster's day, `today`):
/// from today (swaps on the day are normal) to `MAX_DAYS_AHEAD` after it, whoever
/// asks. Only the demo city's seed writes past days, and no route reaches it.
pub fn changeable(date: NaiveDate, today: NaiveDate) -> Result<(), Unchangeable> {
    if date < today {
        Err(Unchangeable::Past)
    } else if (date - today).num_days() > MAX_DAYS_AHEAD {
        Err(Unchangeable::TooFar)
    } else {
        Ok(())
    }
}

/// Why an account cannot be put on a slot; `code` is the word the copy-week answer
/// gives for an assignment it skipped (docs/duty-roster.md §7).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unassignable {
    /// No account has that id.
    NoAccount,
    /// The account is not an officer's (a lead's, a supervisor's, an admin's).
    NotOfficer,
    /// An admin disabled the account.
    Disabled,
    /// The officer does not serve the slot's school (any more).
    NotOfSchool,
    /// The officer is already in another slot of that date and window.
    Overlap,
}

impl Unassignable {
    pub fn code(self) -> &'static str {
        match self {
            Unassignable::NoAccount => "no_account",
            Unassignable::NotOfficer => "not_officer",
            Unassignable::Disabled => "disabled",
            Unassignable::NotOfSchool => "not_of_school",
            Unassignable::Overlap => "overlap",
        }
    }
}

/// Whether an account of `role`, `disabled` or not, serving `schools`, may be put on a
/// slot of `school`: only an active officer of that school.
pub fn assignable(
    role: UserRole,
    disabled: bool,
    schools: &BTreeSet<String>,
    school: &str,
) -> Result<(), Unassignable> {
    if role != UserRole::Officer {
        Err(Unassignable::NotOfficer)
    } else if disabled {
        Err(Unassignable::Disabled)
    } else if !schools.contains(school) {
        Err(Unassignable::NotOfSchool)
    } else {
        Ok(())
    }
}

/// An assignment a week's copy left out, and why (`Unassignable::code`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Skipped {
    pub post_id: String,
    #[serde(deserialize_with = "crate::timefmt::date")]
    pub date: NaiveDate,
    pub window: WindowKind,
    pub officer: Uuid,
    /// The officer's username (empty for an account that does not exist).
    pub username: String,
    pub why: String,
}

/// The answer of `POST /api/roster/copy-week`: how many assignments were copied, and
/// those left out (in roster order), each with why.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct WeekCopied {
    pub copied: usize,
    #[serde(default)]
    pub skipped: Vec<Skipped>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calendar::{CalendarEntry, DayRule, EntryScope};
    use crate::coverage::Check;
    use crate::post::demo_posts;
    use crate::record::{CheckInEvent, Presence};
    use crate::school::demo_schools;
    use chrono::DateTime;

    const ZHANG: Uuid = Uuid::from_u128(1);
    const LI: Uuid = Uuid::from_u128(2);
    const WANG: Uuid = Uuid::from_u128(3);

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn assign(post: &str, date: &str, window: WindowKind, officer: Uuid) -> Assignment {
        Assignment {
            post_id: post.into(),
            date: d(date),
            window,
            officer,
            car: None,
        }
    }

    fn check(who: Option<Uuid>, event: CheckInEvent, when: &str, flags: u8) -> Check {
        Check {
            post_id: "s01-g1".into(),
            person: who,
            event,
            at: DateTime::parse_from_rfc3339(when).unwrap(),
            presence: Presence::from_bits(flags),
        }
    }

    fn arrive(who: Uuid, when: &str) -> Check {
        check(Some(who), CheckInEvent::Arrival, when, 7)
    }

    #[test]
    fn whose_slots_and_posts() {
        use WindowKind::{Afternoon, Morning};
        let roster = [
            assign("s01-g1", "2026-11-25", Morning, ZHANG),
            assign("s01-g1", "2026-11-25", Morning, LI),
            assign("s02-g1", "2026-11-25", Afternoon, ZHANG),
            assign("s01-g1", "2026-11-25", Afternoon, ZHANG),
            assign("s03-g1", "2026-11-26", Morning, ZHANG),
        ];
        let at: Vec<Uuid> = at_slot(&roster, "s01-g1", d("2026-11-25"), Morning)
            .map(|a| a.officer)
            .collect();
        assert_eq!(at, [ZHANG, LI]);
        assert_eq!(
            at_slot(&roster, "s01-g1", d("2026-11-26"), Morning).count(),
            0
        );
        assert_eq!(
            posts_of(&roster, ZHANG, d("2026-11-25")),
            ["s01-g1", "s02-g1"]
        );
        assert_eq!(posts_of(&roster, WANG, d("2026-11-25")), Vec::<&str>::new());
    }

    #[test]
    fn coming_duties_by_day_and_who_could_stand_in() {
        use WindowKind::{Afternoon, Morning};
        let roster = [
            assign("s01-g2", "2026-11-27", Morning, ZHANG),
            assign("s01-g1", "2026-11-26", Afternoon, ZHANG),
            assign("s01-g1", "2026-11-26", Morning, ZHANG),
            assign("s01-g1", "2026-11-26", Morning, LI),
            assign("s01-g2", "2026-11-20", Morning, WANG),
            assign("s02-g1", "2026-11-26", Morning, WANG),
            assign("s01-g1", "2026-12-30", Morning, ZHANG),
        ];
        let days = d("2026-11-26")..=d("2026-12-09");
        let duties: Vec<(NaiveDate, WindowKind)> = duties_of(&roster, ZHANG, days)
            .iter()
            .map(|a| (a.date, a.window))
            .collect();
        assert_eq!(
            duties,
            [
                (d("2026-11-26"), Morning),
                (d("2026-11-26"), Afternoon),
                (d("2026-11-27"), Morning)
            ]
        );
        // At 实验小学 (s01): 李娜 and 王芳 (once, whatever the day); not 张伟 himself,
        // not someone only at another school.
        let posts = demo_posts();
        assert_eq!(
            substitutes_for(&roster, &posts, "s01-g1", ZHANG),
            [LI, WANG]
        );
        assert_eq!(
            substitutes_for(&roster, &posts, "s02-g1", WANG),
            Vec::<Uuid>::new()
        );
        assert_eq!(
            substitutes_for(&roster, &posts, "nowhere", ZHANG),
            Vec::<Uuid>::new()
        );
    }

    /// A holiday on Monday 11-23 and a 调休 Saturday 11-28 (made up for the test).
    fn calendar() -> Calendar {
        let entry = |date: &str, rule| CalendarEntry {
            scope: EntryScope::National,
            from: d(date),
            to: d(date),
            rule,
            windows: Vec::new(),
            name: String::new(),
        };
        Calendar::new([
            entry("2026-11-23", DayRule::Off),
            entry("2026-11-28", DayRule::On),
        ])
    }

    fn verdicts<'a>(checks: &[Check], assignments: &'a [Assignment]) -> Vec<AssignmentVerdict<'a>> {
        let now = DateTime::parse_from_rfc3339("2026-11-30T00:00:00+08:00")
            .unwrap()
            .to_utc();
        let visits = Visits::new(checks);
        assignment_verdicts(
            &calendar(),
            &demo_schools(),
            &demo_posts(),
            &visits,
            assignments,
            now,
        )
    }

    #[test]
    fn an_assignment_is_judged_by_its_officers_own_visits() {
        use Status::*;
        use WindowKind::Morning;
        let day = "2026-11-25";
        let assignments = [
            assign("s01-g1", day, Morning, ZHANG),
            assign("s01-g1", day, Morning, LI),
            assign("s01-g1", day, Morning, WANG),
        ];
        // 张 on time, left early; 李 late and stayed; 王 never came; someone unknown came.
        let checks = [
            arrive(ZHANG, "2026-11-25T07:00:00+08:00"),
            check(
                Some(ZHANG),
                CheckInEvent::Departure,
                "2026-11-25T07:30:00+08:00",
                0,
            ),
            arrive(LI, "2026-11-25T07:20:00+08:00"),
            check(None, CheckInEvent::Arrival, "2026-11-25T07:40:00+08:00", 1),
        ];
        let v = verdicts(&checks, &assignments);
        let own: Vec<Status> = v
            .iter()
            .map(|v| v.due.as_ref().unwrap().own.status)
            .collect();
        assert_eq!(own, [Partial, Late, Missed]);
        // The gate: 张 then 李 without a gap.
        assert!(v.iter().all(|v| v.due.as_ref().unwrap().gate == Covered));
        let wang = v[2].due.as_ref().unwrap();
        assert_eq!(wang.instead, vec![None, Some(ZHANG), Some(LI)]);
        assert_eq!(v[0].due.as_ref().unwrap().instead, vec![None, Some(LI)]);
        let left = v[0].due.as_ref().unwrap().own.why.left.unwrap();
        assert_eq!(
            (left.person, left.at.to_rfc3339()),
            (Some(ZHANG), "2026-11-25T07:30:00+08:00".into())
        );
    }

    #[test]
    fn assignments_on_days_not_due_are_not_counted() {
        use WindowKind::*;
        let assignments = [
            assign("s01-g1", "2026-11-23", Morning, ZHANG), // the holiday
            assign("s01-g1", "2026-11-28", Morning, ZHANG), // the 调休 Saturday
            assign("s01-g1", "2026-11-29", Morning, ZHANG), // a Sunday
            assign("nowhere", "2026-11-24", Morning, ZHANG), // an unknown gate
            assign("s01-g1", "2026-11-24", Afternoon, ZHANG), // due, missed
        ];
        let checks = [
            arrive(ZHANG, "2026-11-23T07:00:00+08:00"),
            arrive(ZHANG, "2026-11-28T07:00:00+08:00"),
        ];
        let v = verdicts(&checks, &assignments);
        let due: Vec<Option<Status>> = v
            .iter()
            .map(|v| v.due.as_ref().map(|d| d.own.status))
            .collect();
        assert_eq!(
            due,
            [
                None,
                Some(Status::Covered),
                None,
                None,
                Some(Status::Missed)
            ]
        );
        let report = officer_report(&v, d("2026-11-01")..=d("2026-11-30"));
        assert_eq!(
            report,
            vec![OfficerTally {
                officer: ZHANG,
                assigned: 2,
                covered: 1,
                missed: 1,
                ..Default::default()
            }]
        );
        assert_eq!(report[0].rate().whole_percent(), Some(50));
    }

    #[test]
    fn the_officer_report_counts_each_officers_own_verdicts_in_the_range() {
        use WindowKind::*;
        let assignments = [
            assign("s01-g1", "2026-11-24", Morning, ZHANG),
            assign("s01-g1", "2026-11-24", Noon, ZHANG),
            assign("s01-g1", "2026-11-25", Morning, ZHANG),
            assign("s01-g1", "2026-11-25", Morning, LI),
            assign("s01-g1", "2026-12-01", Morning, LI), // after the range
        ];
        let checks = [
            arrive(ZHANG, "2026-11-24T07:00:00+08:00"),
            arrive(ZHANG, "2026-11-24T11:30:00+08:00"), // noon due 11:25: late
            arrive(LI, "2026-11-25T07:00:00+08:00"),
            check(
                Some(LI),
                CheckInEvent::Departure,
                "2026-11-25T07:10:00+08:00",
                0,
            ),
        ];
        let v = verdicts(&checks, &assignments);
        let report = officer_report(&v, d("2026-11-24")..=d("2026-11-30"));
        assert_eq!(
            report,
            vec![
                OfficerTally {
                    officer: ZHANG,
                    assigned: 3,
                    covered: 1,
                    late: 1,
                    missed: 1,
                    ..Default::default()
                },
                OfficerTally {
                    officer: LI,
                    assigned: 1,
                    partial: 1,
                    ..Default::default()
                },
            ]
        );
        // 1 of 3 is 33 %, rounded as every rate.
        assert_eq!(report[0].rate().whole_percent(), Some(33));
    }

    #[test]
    fn upcoming_windows_are_assigned_but_not_decided() {
        let assignments = [assign("s01-g1", "2026-11-25", WindowKind::Afternoon, ZHANG)];
        let visits = Visits::default();
        let noon = DateTime::parse_from_rfc3339("2026-11-25T12:00:00+08:00")
            .unwrap()
            .to_utc();
        let v = assignment_verdicts(
            &calendar(),
            &demo_schools(),
            &demo_posts(),
            &visits,
            &assignments,
            noon,
        );
        let tally = officer_report(&v, d("2026-11-25")..=d("2026-11-25"))[0];
        assert_eq!(
            (tally.assigned, tally.upcoming, tally.rate().decided),
            (1, 1, 0)
        );
    }

    #[test]
    fn overlaps_name_the_second_assignment_of_an_officers_date_and_window() {
        use WindowKind::*;
        let assignments = [
            assign("s01-g1", "2026-11-25", Morning, ZHANG),
            assign("s01-g2", "2026-11-25", Noon, ZHANG), // another window: fine
            assign("s02-g1", "2026-11-25", Morning, LI), // another officer: fine
            assign("s02-g1", "2026-11-25", Morning, ZHANG), // two gates at once
            assign("s01-g1", "2026-11-26", Morning, ZHANG), // another day: fine
            assign("s01-g1", "2026-11-25", Morning, ZHANG), // the same slot twice
        ];
        assert_eq!(
            overlaps(&assignments),
            vec![
                Overlap {
                    first: 0,
                    second: 3
                },
                Overlap {
                    first: 0,
                    second: 5
                }
            ]
        );
        assert!(overlaps(&assignments[..3]).is_empty());
    }

    #[test]
    fn a_day_gone_and_a_year_ahead_are_not_changed() {
        let today = d("2026-12-01");
        for (date, want) in [
            ("2026-11-30", Err(Unchangeable::Past)),
            ("2025-12-01", Err(Unchangeable::Past)),
            ("2026-12-01", Ok(())),
            ("2027-12-02", Ok(())),
            ("2027-12-03", Err(Unchangeable::TooFar)),
        ] {
            assert_eq!(changeable(d(date), today), want, "{date}");
        }
    }

    #[test]
    fn only_an_active_officer_of_the_school_is_assignable() {
        let s01: BTreeSet<String> = ["s01".to_string()].into();
        let none = BTreeSet::new();
        for (role, disabled, schools, want) in [
            (UserRole::Officer, false, &s01, Ok(())),
            (UserRole::Officer, true, &s01, Err(Unassignable::Disabled)),
            (
                UserRole::Officer,
                false,
                &none,
                Err(Unassignable::NotOfSchool),
            ),
            (
                UserRole::Supervisor,
                false,
                &s01,
                Err(Unassignable::NotOfficer),
            ),
            (UserRole::Lead, false, &s01, Err(Unassignable::NotOfficer)),
        ] {
            assert_eq!(assignable(role, disabled, schools, "s01"), want, "{role:?}");
        }
    }
}
