//! Coverage (落实率): for each gate × day × due peak window, was someone on post with an
//! officer, a car and lights from the on-post time until the window's end?
//! (docs/duty-roster.md §2, the presence rule.)
//!
//! Check-ins become *visits* — one person's presence at one gate, from an arrival until
//! that person's next 离岗 or next arrival there — and each due window of each gate is
//! judged from the visits that arrived in its span, with a typed reason (`Why`) the
//! screens and sheets word in either language. Which windows are due comes only from
//! `Calendar::due_windows`. The same functions run on the phone (offline, from its own
//! records) and on the server, so both show the same rate; the verdicts are a pure
//! function of the *set* of check-ins: order and repetition do not change them.

use std::collections::HashMap;
use std::ops::RangeInclusive;

use chrono::{DateTime, Duration, FixedOffset, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::calendar::Calendar;
use crate::post::Post;
use crate::record::{CheckInEvent, Presence, Record, RecordBody};
use crate::school::{School, WindowKind, WindowOnDay};
use crate::sorting;

/// The earliest an arrival may be before a window opens and still count for it.
pub const EARLIEST_ARRIVAL: Duration = Duration::hours(2);

type Instant = DateTime<FixedOffset>;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Officer, car and lights on post from the on-post time until the window's end.
    Covered,
    /// Officer, car and lights from a first arrival after the on-post time until the end.
    Late,
    /// Someone was there during the window, but it was neither of the above: left
    /// before the end, a flag missing, or a gap.
    Partial,
    /// Nobody was there during the window (an early touch-and-go included).
    Missed,
    /// The window has not closed yet: nothing is decided.
    Upcoming,
}

impl Status {
    /// The wire name (as serde writes it).
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Covered => "covered",
            Status::Late => "late",
            Status::Partial => "partial",
            Status::Missed => "missed",
            Status::Upcoming => "upcoming",
        }
    }
}

/// A check-in as coverage needs it: who, at which gate, arrival or 离岗, when, which
/// flags. `person` is the record's author (the account the server recorded); `None`
/// when it is not known, and such check-ins pair among themselves.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Check {
    pub post_id: String,
    pub person: Option<Uuid>,
    pub event: CheckInEvent,
    pub at: Instant,
    pub presence: Presence,
}

/// The check-ins among `records` (voided ones and incidents do not count), each with
/// its author as `author` tells it.
pub fn checks<'a>(
    records: impl IntoIterator<Item = &'a Record>,
    author: impl Fn(&Record) -> Option<Uuid>,
) -> Vec<Check> {
    records
        .into_iter()
        .filter_map(|r| match &r.body {
            RecordBody::CheckIn(c) if r.counts() => Some(Check {
                post_id: c.post_id.clone(),
                person: author(r),
                event: c.event,
                at: c.device_time,
                presence: c.presence,
            }),
            _ => None,
        })
        .collect()
}

/// How a visit ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VisitEnd {
    /// No 离岗 or later arrival by the person at the gate (yet).
    Open,
    /// The person's 离岗 at this instant.
    Left(Instant),
    /// The person's next arrival at the gate (a new visit, say with the car now).
    NextArrival(Instant),
}

/// One person's presence at one gate: from an arrival until their next 离岗 or next
/// arrival there, or open-ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Visit {
    pub person: Option<Uuid>,
    pub arrived: Instant,
    pub presence: Presence,
    pub end: VisitEnd,
}

impl Visit {
    /// When the visit ended, if it did.
    pub fn until(&self) -> Option<Instant> {
        match self.end {
            VisitEnd::Open => None,
            VisitEnd::Left(at) | VisitEnd::NextArrival(at) => Some(at),
        }
    }

    /// Still there after `t` (an open visit always is).
    fn lasts_beyond(&self, t: Instant) -> bool {
        self.until().is_none_or(|end| end > t)
    }

    /// The 离岗 that ended it, if one did.
    pub fn left_at(&self) -> Option<Instant> {
        match self.end {
            VisitEnd::Left(at) => Some(at),
            _ => None,
        }
    }
}

/// Every gate's visits, sorted by arrival: what coverage, the board and the roster's
/// verdicts read.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Visits {
    by_post: HashMap<String, Vec<Visit>>,
}

/// One check-in of one person at one gate, in the order visits are built from: by
/// instant; at one instant a 离岗 before an arrival (it ends the earlier visit), then
/// by flags, so the result does not depend on the order records came in.
type PersonCheck = (Option<Uuid>, Instant, bool, u8);

impl Visits {
    /// The visits `checks` make. A 离岗 with no visit open before it ends nothing.
    pub fn new<'c>(checks: impl IntoIterator<Item = &'c Check>) -> Visits {
        let mut per_post: HashMap<String, Vec<PersonCheck>> = HashMap::new();
        for c in checks {
            let check = (
                c.person,
                c.at,
                c.event == CheckInEvent::Arrival,
                c.presence.bits(),
            );
            // Look up before inserting: one allocation per gate, not per check.
            match per_post.get_mut(c.post_id.as_str()) {
                Some(list) => list.push(check),
                None => {
                    per_post.insert(c.post_id.clone(), vec![check]);
                }
            }
        }
        let by_post = per_post
            .into_iter()
            .map(|(post, mut list)| {
                sorting::sort(&mut list);
                list.dedup();
                (post, visits_of(&list))
            })
            .collect();
        Visits { by_post }
    }

    /// The visits `records` make (see `checks`).
    pub fn of_records<'a>(
        records: impl IntoIterator<Item = &'a Record>,
        author: impl Fn(&Record) -> Option<Uuid>,
    ) -> Visits {
        Visits::new(&checks(records, author))
    }

    /// Every visit at `post_id`, by arrival.
    pub fn at(&self, post_id: &str) -> &[Visit] {
        self.by_post.get(post_id).map_or(&[], Vec::as_slice)
    }

    /// The visits at `post_id` that count for `window`: those arriving in [F, C).
    pub fn counted(&self, post_id: &str, window: &CountedWindow) -> &[Visit] {
        self.walk(post_id).counted(window)
    }

    /// A walk through the visits at `post_id`, for windows asked about in time order.
    pub fn walk(&self, post_id: &str) -> Walk<'_> {
        Walk {
            visits: self.at(post_id),
            next: 0,
        }
    }
}

/// One gate's visits, read window by window: asked in time order (a city-year's days),
/// each look-up starts where the last one did instead of searching the year again.
#[derive(Debug, Clone, Copy)]
pub struct Walk<'v> {
    visits: &'v [Visit],
    /// Every visit before it arrived before the last window's counting start.
    next: usize,
}

impl<'v> Walk<'v> {
    /// The visits that count for `window`: those arriving in [F, C).
    pub fn counted(&mut self, window: &CountedWindow) -> &'v [Visit] {
        let (from, to) = (window.counted_from, window.window.closes);
        let all = self.visits;
        let in_order = self.next == 0 || all[self.next - 1].arrived < from;
        let mut start = if in_order {
            self.next
        } else {
            all.partition_point(|v| v.arrived < from)
        };
        while start < all.len() && all[start].arrived < from {
            start += 1;
        }
        let mut end = start;
        while end < all.len() && all[end].arrived < to {
            end += 1;
        }
        self.next = start;
        &all[start..end]
    }
}

/// One gate's check-ins, sorted per person (`PersonCheck` order), as visits sorted by
/// arrival (then person and flags, for a fixed order).
fn visits_of(sorted: &[PersonCheck]) -> Vec<Visit> {
    let mut out = Vec::new();
    let mut open: Option<Visit> = None;
    let mut person_of_open = None;
    for &(person, at, is_arrival, bits) in sorted {
        if person_of_open != Some(person) {
            out.extend(open.take());
            person_of_open = Some(person);
        }
        if let Some(mut visit) = open.take() {
            visit.end = if is_arrival {
                VisitEnd::NextArrival(at)
            } else {
                VisitEnd::Left(at)
            };
            out.push(visit);
        }
        if is_arrival {
            open = Some(Visit {
                person,
                arrived: at,
                presence: Presence::from_bits(bits),
                end: VisitEnd::Open,
            });
        }
    }
    out.extend(open);
    // Unique keys: one person's arrivals at one instant differ in flags (checks are
    // deduplicated).
    sorting::sort_by_key(&mut out, |v| (v.arrived, v.person, v.presence.bits()));
    out
}

/// A due window with the instant arrivals start counting for it (F: two hours before it
/// opens, but not before the previous window of that day closed).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CountedWindow {
    pub window: WindowOnDay,
    pub counted_from: Instant,
}

/// The windows of `school` due on `date` (`Calendar::due_windows`), each with F.
pub fn counted_windows(
    calendar: &Calendar,
    school: &School,
    date: NaiveDate,
) -> Vec<CountedWindow> {
    let mut previous_close: Option<Instant> = None;
    calendar
        .due_windows(school, date)
        .into_iter()
        .map(|window| {
            let earliest = window.opens - EARLIEST_ARRIVAL;
            let counted_from = previous_close.map_or(earliest, |c| c.max(earliest));
            previous_close = Some(window.closes);
            CountedWindow {
                window,
                counted_from,
            }
        })
        .collect()
}

/// Someone at a gate at an instant: who (the author, if known), when, with which flags.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Seen {
    pub person: Option<Uuid>,
    pub at: Instant,
    pub presence: Presence,
}

impl Seen {
    fn arrival(v: &Visit) -> Seen {
        Seen {
            person: v.person,
            at: v.arrived,
            presence: v.presence,
        }
    }
}

/// A stretch of a window with nobody on post with all three flags.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Gap {
    pub from: Instant,
    pub to: Instant,
}

/// Why a slot has its verdict, for screens and sheets to word (all of it computed
/// while a window runs too; only the status waits for the close).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Why {
    /// The first arrival that counts for the window, whatever its flags.
    pub first: Option<Seen>,
    /// The first arrival with all three flags (after D: late).
    pub first_full: Option<Seen>,
    /// The 离岗 that opened `gap`; or, when nobody was on post at the on-post time D,
    /// the last 离岗 at or before D (an early touch-and-go). `presence` is the flags
    /// that visit had.
    pub left: Option<Seen>,
    /// The first stretch within [D, C] with nobody on post with all three flags, once
    /// a full-flag arrival was counted (a late arrival's wait before it is not a gap).
    pub gap: Option<Gap>,
}

/// A slot's status and its reason.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Verdict {
    pub status: Status,
    pub why: Why,
}

/// Full-flag presence over [from, to], swept over visits in arrival order.
struct Sweep<'v> {
    /// The first visit on post after `from`, and when its presence counts from
    /// (its arrival, or `from` if it came earlier).
    first: Option<(&'v Visit, Instant)>,
    /// The end of the unbroken presence that began there, and the visit that reached it.
    reach: Option<(&'v Visit, Instant)>,
    /// The first stretch after presence began with nobody there, up to `to`.
    hole: Option<Gap>,
}

fn sweep<'v>(visits: impl Iterator<Item = &'v Visit>, from: Instant, to: Instant) -> Sweep<'v> {
    let mut s = Sweep {
        first: None,
        reach: None,
        hole: None,
    };
    for v in visits {
        // An open visit lasts to the end of what is asked about.
        let end = v.until().map_or(to, |e| e.min(to));
        if end <= from || v.arrived > to {
            continue; // over by `from` (a touch-and-go), or not begun by `to`
        }
        let start = v.arrived.max(from);
        match s.reach {
            None => {
                s.first = Some((v, start));
                s.reach = Some((v, end));
            }
            Some((_, reach)) if start > reach => {
                s.hole = Some(Gap {
                    from: reach,
                    to: start,
                });
                return s;
            }
            Some((_, reach)) if end > reach => s.reach = Some((v, end)),
            Some(_) => {}
        }
    }
    if let Some((_, reach)) = s.reach.filter(|(_, reach)| *reach < to) {
        s.hole = Some(Gap { from: reach, to });
    }
    s
}

/// Whether the visits with all three flags kept someone on post over [from, to]
/// without a gap (a visit not begun by `to` does not count).
pub fn fully_present(visits: &[Visit], from: Instant, to: Instant) -> bool {
    let s = sweep(visits.iter().filter(|v| v.presence.all()), from, to);
    s.hole.is_none() && s.first.is_some_and(|(_, start)| start <= from)
}

/// Judges one due window from `visits` (those counted for it, `Visits::counted`),
/// keeping only those `whose` accepts (everyone's for a gate, the assigned officer's
/// for an assignment). Nothing is decided before the window closes.
///
/// Covered: the full-flag visits cover [D, C]. Late: not covered, the first full-flag
/// arrival A is after D and they cover [A, C]. Partial: someone (any flags) was still
/// there after D. Missed: nobody was (an early touch-and-go is missed).
pub fn judge(
    counted: &CountedWindow,
    visits: &[Visit],
    whose: impl Fn(&Visit) -> bool,
    now: DateTime<Utc>,
) -> Verdict {
    let (due, closes) = (counted.window.due, counted.window.closes);
    let mine = || visits.iter().filter(|v| whose(v));
    let first_full = mine().find(|v| v.presence.all());
    let on_post = sweep(mine().filter(|v| v.presence.all()), due, closes);
    let unbroken = on_post.first.is_some() && on_post.hole.is_none();
    let came_late = first_full.is_some_and(|v| v.arrived > due);
    // What the window's close decides (the reason does not depend on the clock).
    let at_close = if unbroken && on_post.first.is_some_and(|(_, start)| start <= due) {
        Status::Covered
    } else if unbroken && came_late {
        Status::Late
    } else if mine().any(|v| v.lasts_beyond(due)) {
        Status::Partial
    } else {
        Status::Missed
    };
    let gap = match (first_full, on_post.first) {
        (None, _) => None,
        (Some(_), _) if came_late => on_post.hole,
        // Came in time, but nobody fully there at D: the gap starts at D.
        (Some(_), Some((_, start))) if start > due => Some(Gap {
            from: due,
            to: start,
        }),
        (Some(_), None) => Some(Gap {
            from: due,
            to: closes,
        }),
        (Some(_), Some(_)) => on_post.hole,
    };
    let touch_and_go = gap.is_some_and(|g| g.from == due) || at_close == Status::Missed;
    let left = match gap {
        // Whoever's 离岗 opened the gap (not a new arrival with fewer flags).
        Some(g) if g.from > due => on_post.reach.and_then(|(v, _)| {
            Some(Seen {
                at: v.left_at()?,
                ..Seen::arrival(v)
            })
        }),
        // Nobody (fully) there at D: the last to leave before it, an early touch-and-go.
        _ if touch_and_go => mine()
            .filter(|v| gap.is_none() || v.presence.all())
            .filter_map(|v| Some((v.left_at().filter(|at| *at <= due)?, v)))
            .max_by_key(|(at, v)| (*at, v.person))
            .map(|(at, v)| Seen {
                at,
                ..Seen::arrival(v)
            }),
        _ => None,
    };
    Verdict {
        status: if now < closes {
            Status::Upcoming
        } else {
            at_close
        },
        why: Why {
            first: mine().next().map(Seen::arrival),
            first_full: first_full.map(Seen::arrival),
            left,
            gap,
        },
    }
}

/// One gate's due window, judged (borrowing ids from the schools and posts passed in).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cell<'a> {
    pub school_id: &'a str,
    pub post_id: &'a str,
    pub date: NaiveDate,
    pub kind: WindowKind,
    /// The on-post time D (what lateness is measured from).
    pub due: Instant,
    pub status: Status,
    pub why: Why,
}

/// Judges every due window of every gate in `posts` on every day in `days`: by school
/// (in `schools`' order), day, window, then gate (in `posts`' order). Posts of unknown
/// schools are left out; a school's figures are its gates'.
pub fn coverage<'a>(
    calendar: &Calendar,
    schools: &'a [School],
    posts: &'a [Post],
    visits: &Visits,
    days: RangeInclusive<NaiveDate>,
    now: DateTime<Utc>,
) -> Vec<Cell<'a>> {
    let mut gates: HashMap<&str, Vec<&'a Post>> = HashMap::new();
    for post in posts {
        gates.entry(post.school_id.as_str()).or_default().push(post);
    }
    let day_count = (*days.end() - *days.start()).num_days().max(0) as usize + 1;
    let mut cells = Vec::with_capacity(posts.len() * day_count * 3);
    let (first, last) = (*days.start(), *days.end());
    for school in schools {
        let Some(gates) = gates.get(school.id.as_str()) else {
            continue;
        };
        let mut walks: Vec<(&'a Post, Walk)> =
            gates.iter().map(|p| (*p, visits.walk(&p.id))).collect();
        for date in first.iter_days().take_while(|d| *d <= last) {
            for counted in counted_windows(calendar, school, date) {
                for (post, walk) in &mut walks {
                    let verdict = judge(&counted, walk.counted(&counted), |_| true, now);
                    cells.push(Cell {
                        school_id: &school.id,
                        post_id: &post.id,
                        date,
                        kind: counted.window.kind,
                        due: counted.window.due,
                        status: verdict.status,
                        why: verdict.why,
                    });
                }
            }
        }
    }
    cells
}

/// Covered windows over decided ones (upcoming windows are not counted).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rate {
    pub covered: u32,
    pub decided: u32,
}

impl Rate {
    pub fn of<'a, 'b: 'a>(cells: impl IntoIterator<Item = &'a Cell<'b>>) -> Rate {
        Rate::of_statuses(cells.into_iter().map(|c| c.status))
    }

    /// The rate of windows with these statuses (a board's rows, say).
    pub fn of_statuses(statuses: impl IntoIterator<Item = Status>) -> Rate {
        statuses.into_iter().fold(Rate::default(), |mut r, status| {
            if status != Status::Upcoming {
                r.decided += 1;
            }
            if status == Status::Covered {
                r.covered += 1;
            }
            r
        })
    }

    /// The rate in whole percent, rounded half up like `tenths_of_percent`.
    pub fn whole_percent(&self) -> Option<u32> {
        (self.decided > 0).then(|| {
            let (c, d) = (u64::from(self.covered), u64::from(self.decided));
            ((c * 200 + d) / (2 * d)) as u32
        })
    }

    /// The rate in percent, or `None` before any window is decided.
    /// The rate in tenths of a percent, rounded half up (integer maths: no float
    /// formatting on the phone, the same digits everywhere).
    pub fn tenths_of_percent(&self) -> Option<u32> {
        (self.decided > 0).then(|| {
            let (c, d) = (u64::from(self.covered), u64::from(self.decided));
            ((c * 2000 + d) / (2 * d)) as u32
        })
    }

    pub fn percent(&self) -> Option<f64> {
        (self.decided > 0).then(|| f64::from(self.covered) * 100.0 / f64::from(self.decided))
    }

    /// The rate of each group of cells, groups keyed by `key` (a day, a window kind, a
    /// school…), in key order.
    pub fn by<'a, 'b: 'a, K: Ord>(
        cells: impl IntoIterator<Item = &'a Cell<'b>>,
        key: impl Fn(&Cell<'b>) -> K,
    ) -> std::collections::BTreeMap<K, Rate> {
        let mut groups: std::collections::BTreeMap<K, Rate> = std::collections::BTreeMap::new();
        for cell in cells {
            let rate = groups.entry(key(cell)).or_default();
            rate.decided += u32::from(cell.status != Status::Upcoming);
            rate.covered += u32::from(cell.status == Status::Covered);
        }
        groups
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calendar::{CalendarEntry, DayRule, EntryScope};
    use crate::school::default_windows;
    use proptest::prelude::*;

    fn school(id: &str) -> School {
        School {
            id: id.into(),
            name: "实验小学".into(),
            windows: default_windows(),
            lead_minutes: 15,
            utc_offset_minutes: 480,
            district: String::new(),
            counted_from: None,
        }
    }

    fn gate(id: &str, school: &str) -> Post {
        Post {
            id: id.into(),
            school_id: school.into(),
            school: "实验小学".into(),
            gate: id.into(),
            location: None,
        }
    }

    fn at(s: &str) -> Instant {
        DateTime::parse_from_rfc3339(s).unwrap()
    }

    /// `07:00`, `07:00:01` or `07:00:00.001` on the test day (a Wednesday) in Beijing
    /// time, or a whole RFC 3339 instant.
    fn hm(hhmm: &str) -> Instant {
        match hhmm.len() {
            5 => at(&format!("2026-11-25T{hhmm}:00+08:00")),
            8 | 12 => at(&format!("2026-11-25T{hhmm}+08:00")),
            _ => at(hhmm),
        }
    }

    fn person(n: u128) -> Option<Uuid> {
        (n > 0).then(|| Uuid::from_u128(n))
    }

    /// Person `who` (0: author unknown) arrives at gate g1 with `flags`.
    fn arrive(who: u128, when: &str, flags: u8) -> Check {
        Check {
            post_id: "g1".into(),
            person: person(who),
            event: CheckInEvent::Arrival,
            at: hm(when),
            presence: Presence::from_bits(flags),
        }
    }

    fn leave(who: u128, when: &str) -> Check {
        Check {
            event: CheckInEvent::Departure,
            presence: Presence::from_bits(0),
            ..arrive(who, when, 0)
        }
    }

    fn day() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 25).unwrap()
    }

    fn end_of_day() -> DateTime<Utc> {
        at("2026-11-25T23:59:59+08:00").with_timezone(&Utc)
    }

    /// The morning verdict at g1 (07:20–08:00, lead 15 min: D = 07:05, C = 08:00,
    /// counted from 05:20).
    fn morning_at(checks: &[Check], now: DateTime<Utc>) -> Cell<'static> {
        let schools: &'static [School] = Box::leak(Box::new([school("s1")]));
        let posts: &'static [Post] = Box::leak(Box::new([gate("g1", "s1")]));
        let visits = Visits::new(checks);
        coverage(
            &Calendar::default(),
            schools,
            posts,
            &visits,
            day()..=day(),
            now,
        )
        .into_iter()
        .find(|c| c.kind == WindowKind::Morning)
        .unwrap()
    }

    fn morning(checks: &[Check]) -> Status {
        morning_at(checks, end_of_day()).status
    }

    #[test]
    fn the_presence_rule_table() {
        use Status::*;
        let cases: Vec<(&str, Vec<Check>, Status)> = vec![
            ("nobody", vec![], Missed),
            (
                "on post before D, never left",
                vec![arrive(1, "07:00", 7)],
                Covered,
            ),
            ("on post exactly at D", vec![arrive(1, "07:05", 7)], Covered),
            (
                "a millisecond after D",
                vec![arrive(1, "07:05:00.001", 7)],
                Late,
            ),
            (
                "the earliest counted arrival",
                vec![arrive(1, "05:20", 7)],
                Covered,
            ),
            ("too early to count", vec![arrive(1, "05:19:59", 7)], Missed),
            (
                "arrived at C: too late",
                vec![arrive(1, "08:00", 7)],
                Missed,
            ),
            (
                "left exactly at C",
                vec![arrive(1, "07:00", 7), leave(1, "08:00")],
                Covered,
            ),
            (
                "left after C",
                vec![arrive(1, "07:00", 7), leave(1, "08:10")],
                Covered,
            ),
            (
                "left before C",
                vec![arrive(1, "07:00", 7), leave(1, "07:40")],
                Partial,
            ),
            (
                "late, stayed to C",
                vec![arrive(1, "07:30", 7), leave(1, "08:00")],
                Late,
            ),
            (
                "late, then left early",
                vec![arrive(1, "07:30", 7), leave(1, "07:50")],
                Partial,
            ),
            (
                "handover between two officers",
                vec![
                    arrive(1, "07:00", 7),
                    leave(1, "07:30"),
                    arrive(2, "07:30", 7),
                ],
                Covered,
            ),
            (
                "a gap between two officers",
                vec![
                    arrive(1, "07:00", 7),
                    leave(1, "07:30"),
                    arrive(2, "07:35", 7),
                ],
                Partial,
            ),
            ("no lights", vec![arrive(1, "06:50", 3)], Partial),
            ("no flags at all", vec![arrive(1, "07:30", 0)], Partial),
            (
                "an early touch-and-go",
                vec![arrive(1, "06:30", 7), leave(1, "06:40")],
                Missed,
            ),
            (
                "a touch-and-go that left at D",
                vec![arrive(1, "06:30", 7), leave(1, "07:05")],
                Missed,
            ),
            (
                "a touch-and-go, then a late arrival: the first full arrival was before D",
                vec![
                    arrive(1, "06:30", 7),
                    leave(1, "06:40"),
                    arrive(2, "07:20", 7),
                ],
                Partial,
            ),
            (
                "a departure by someone else does not end P's visit",
                vec![arrive(1, "07:00", 7), leave(2, "07:30")],
                Covered,
            ),
            (
                "a 离岗 before the arrival ends nothing",
                vec![leave(1, "06:50"), arrive(1, "07:00", 7)],
                Covered,
            ),
            (
                "arriving again with fewer flags ends the full visit",
                vec![arrive(1, "07:00", 7), arrive(1, "07:30", 1)],
                Partial,
            ),
            (
                "arriving again with all flags: late from then",
                vec![arrive(1, "07:00", 1), arrive(1, "07:10", 7)],
                Late,
            ),
            (
                "a full officer beside one without a car",
                vec![
                    arrive(1, "07:00", 7),
                    arrive(2, "06:50", 1),
                    leave(2, "07:10"),
                ],
                Covered,
            ),
            (
                "unknown authors pair among themselves",
                vec![arrive(0, "07:00", 7), leave(0, "07:30")],
                Partial,
            ),
            (
                "a known author's 离岗 does not end an unknown author's visit",
                vec![arrive(0, "07:00", 7), leave(1, "07:30")],
                Covered,
            ),
            (
                "another day's arrival does not count",
                vec![arrive(1, "2026-11-24T07:00:00+08:00", 7)],
                Missed,
            ),
            (
                "the same instants from a phone set to UTC",
                vec![
                    arrive(1, "2026-11-24T23:05:00+00:00", 7),
                    leave(1, "2026-11-24T23:40:00Z"),
                ],
                Partial,
            ),
        ];
        for (name, checks, want) in cases {
            assert_eq!(morning(&checks), want, "{name}: {checks:?}");
        }
    }

    #[test]
    fn each_verdict_says_why() {
        let seen = |who, when: &str, flags| Seen {
            person: person(who),
            at: hm(when),
            presence: Presence::from_bits(flags),
        };
        let gap = |from: &str, to: &str| {
            Some(Gap {
                from: hm(from),
                to: hm(to),
            })
        };
        // Late: who came, when; no gap (the wait before is lateness).
        let why = morning_at(
            &[arrive(1, "06:50", 1), arrive(2, "07:20", 7)],
            end_of_day(),
        )
        .why;
        assert_eq!(why.first, Some(seen(1, "06:50", 1)));
        assert_eq!(why.first_full, Some(seen(2, "07:20", 7)));
        assert_eq!((why.left, why.gap), (None, None));
        // Left early: who left and when, the gap to the close.
        let why = morning_at(&[arrive(1, "07:00", 7), leave(1, "07:40")], end_of_day()).why;
        assert_eq!(why.left, Some(seen(1, "07:40", 7)));
        assert_eq!(why.gap, gap("07:40", "08:00"));
        // A gap at a handover.
        let checks = [
            arrive(1, "07:00", 7),
            leave(1, "07:30"),
            arrive(2, "07:35", 7),
        ];
        let why = morning_at(&checks, end_of_day()).why;
        assert_eq!(
            (why.left, why.gap),
            (Some(seen(1, "07:30", 7)), gap("07:30", "07:35"))
        );
        // A new arrival with fewer flags opens a gap nobody left for.
        let why = morning_at(
            &[arrive(1, "07:00", 7), arrive(1, "07:30", 1)],
            end_of_day(),
        )
        .why;
        assert_eq!((why.left, why.gap), (None, gap("07:30", "08:00")));
        // An early touch-and-go: missed, and who left when.
        let cell = morning_at(&[arrive(1, "06:30", 7), leave(1, "06:40")], end_of_day());
        assert_eq!(cell.why.first_full, Some(seen(1, "06:30", 7)));
        assert_eq!(cell.why.left, Some(seen(1, "06:40", 7)));
        assert_eq!(cell.why.gap, gap("07:05", "08:00"));
        // …and followed by someone late: partial, nobody from D until they came.
        let checks = [
            arrive(1, "06:30", 7),
            leave(1, "06:40"),
            arrive(2, "07:20", 7),
        ];
        let why = morning_at(&checks, end_of_day()).why;
        assert_eq!(
            (why.left, why.gap),
            (Some(seen(1, "06:40", 7)), gap("07:05", "07:20"))
        );
        // Flags missing: who came with what; no full arrival, no gap.
        let why = morning_at(&[arrive(1, "06:50", 3)], end_of_day()).why;
        assert_eq!(
            (why.first, why.first_full, why.gap),
            (Some(seen(1, "06:50", 3)), None, None)
        );
        // Covered: nothing missing.
        let why = morning_at(&[arrive(1, "07:00", 7), leave(1, "08:05")], end_of_day()).why;
        assert_eq!((why.left, why.gap), (None, None));
        assert_eq!(Why::default(), morning_at(&[], end_of_day()).why);
    }

    #[test]
    fn voided_check_ins_and_incidents_do_not_count() {
        let good = crate::record::tests::sample(1, 1);
        let void = good.voided(good.version.clone(), "录错岗位".into());
        let incident = crate::record::tests::sample_incident(3, 1);
        let nobody = |_: &Record| None;
        assert_eq!(checks([&good], nobody).len(), 1);
        assert_eq!(checks([&void, &incident], nobody), vec![]);
        let post = gate("s01-g1", "s1");
        let counted = |v: &Visits| {
            let window = counted_windows(&Calendar::default(), &school("s1"), day()).remove(0);
            v.counted(&post.id, &window).len()
        };
        assert_eq!(counted(&Visits::of_records([&good], nobody)), 1);
        assert_eq!(counted(&Visits::of_records([&void, &incident], nobody)), 0);
    }

    #[test]
    fn nothing_is_decided_before_the_window_closes() {
        let running = at("2026-11-25T07:30:00+08:00").with_timezone(&Utc);
        let full = [arrive(1, "07:00", 7)];
        assert_eq!(morning_at(&full, running).status, Status::Upcoming);
        assert_eq!(morning_at(&[], running).status, Status::Upcoming);
        let closed = at("2026-11-25T08:00:00+08:00").with_timezone(&Utc);
        assert_eq!(morning_at(&full, closed).status, Status::Covered);
        let schools = [school("s1")];
        let posts = [gate("g1", "s1")];
        let visits = Visits::new(&full);
        let cells = coverage(
            &Calendar::default(),
            &schools,
            &posts,
            &visits,
            day()..=day(),
            closed,
        );
        assert_eq!(
            Rate::of(&cells),
            Rate {
                covered: 1,
                decided: 1
            }
        );
    }

    #[test]
    fn only_due_windows_are_judged() {
        let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        let entry = |from: &str, rule| CalendarEntry {
            scope: EntryScope::National,
            from: d(from),
            to: d(from),
            rule,
            windows: Vec::new(),
            name: String::new(),
        };
        // Thu 10-01 a holiday, Sat 10-10 a 调休 working day, Sun 10-11 a plain Sunday.
        let calendar = Calendar::new([
            entry("2026-10-01", DayRule::Off),
            entry("2026-10-10", DayRule::On),
        ]);
        let schools = [
            School {
                counted_from: Some(d("2026-10-09")),
                ..school("s1")
            },
            school("s2"),
        ];
        let posts = [
            gate("a", "s1"),
            gate("b", "s1"),
            gate("c", "s2"),
            gate("x", "nowhere"),
        ];
        let cells = coverage(
            &calendar,
            &schools,
            &posts,
            &Visits::default(),
            d("2026-10-01")..=d("2026-10-11"),
            end_of_day(),
        );
        let count = |school: &str, date: &str| {
            cells
                .iter()
                .filter(|c| c.school_id == school && c.date == d(date))
                .count()
        };
        assert_eq!(count("s2", "2026-10-01"), 0, "a holiday");
        assert_eq!(count("s2", "2026-10-08"), 3, "a Thursday: one gate");
        assert_eq!(count("s1", "2026-10-08"), 0, "before the school is counted");
        assert_eq!(count("s1", "2026-10-09"), 6, "two gates × three windows");
        assert_eq!(count("s1", "2026-10-10"), 6, "a 调休 Saturday");
        assert_eq!(count("s1", "2026-10-11"), 0, "a Sunday");
        assert!(
            cells.iter().all(|c| c.post_id != "x"),
            "a gate of an unknown school"
        );
        assert!(cells.iter().all(|c| c.status == Status::Missed));
    }

    #[test]
    fn an_arrival_counts_for_one_window_only() {
        // 08:30 is after the morning window closed and more than two hours before noon
        // opens (11:40): it counts for neither. 11:00 counts for noon (due 11:25).
        let schools = [school("s1")];
        let posts = [gate("g1", "s1")];
        let status = |checks: &[Check], kind| {
            let visits = Visits::new(checks);
            coverage(
                &Calendar::default(),
                &schools,
                &posts,
                &visits,
                day()..=day(),
                end_of_day(),
            )
            .into_iter()
            .find(|c| c.kind == kind)
            .unwrap()
            .status
        };
        for kind in [WindowKind::Morning, WindowKind::Noon] {
            assert_eq!(status(&[arrive(1, "08:30", 7)], kind), Status::Missed);
        }
        assert_eq!(
            status(&[arrive(1, "11:00", 7)], WindowKind::Noon),
            Status::Covered
        );
        // Still there from the morning: the noon window counts only its own arrivals.
        assert_eq!(
            status(&[arrive(1, "07:00", 7)], WindowKind::Noon),
            Status::Missed
        );
    }

    #[test]
    fn a_school_is_its_gates_and_rates_add_up() {
        let schools = [school("s1"), school("s2")];
        let posts = [gate("g1", "s1"), gate("g2", "s1"), gate("h1", "s2")];
        let next = day().succ_opt().unwrap();
        let checks = [
            arrive(1, "07:00", 7),
            Check {
                post_id: "h1".into(),
                ..arrive(2, "2026-11-26T11:20:00+08:00", 7)
            },
        ];
        let visits = Visits::new(&checks);
        let cells = coverage(
            &Calendar::default(),
            &schools,
            &posts,
            &visits,
            day()..=next,
            end_of_day() + Duration::days(1),
        );
        assert_eq!(cells.len(), 3 * 3 * 2);
        let by_school = Rate::by(&cells, |c| c.school_id);
        assert_eq!(
            by_school["s1"],
            Rate {
                covered: 1,
                decided: 12
            }
        );
        assert_eq!(
            by_school["s2"],
            Rate {
                covered: 1,
                decided: 6
            }
        );
        let by_day = Rate::by(&cells, |c| c.date);
        assert_eq!(
            by_day[&day()],
            Rate {
                covered: 1,
                decided: 9
            }
        );
        let total = by_day.values().fold(Rate::default(), |a, r| Rate {
            covered: a.covered + r.covered,
            decided: a.decided + r.decided,
        });
        assert_eq!(total, Rate::of(&cells));
    }

    #[test]
    fn wire_names_match_serde() {
        for s in [
            Status::Covered,
            Status::Late,
            Status::Partial,
            Status::Missed,
            Status::Upcoming,
        ] {
            assert_eq!(serde_json::to_value(s).unwrap(), s.as_str());
        }
        for k in [WindowKind::Morning, WindowKind::Noon, WindowKind::Afternoon] {
            assert_eq!(serde_json::to_value(k).unwrap(), k.as_str());
        }
    }

    #[test]
    fn whole_percents_round_half_up_like_tenths() {
        let rate = |covered, decided| Rate { covered, decided };
        assert_eq!(rate(2, 3).whole_percent(), Some(67), "66.7 rounds up");
        assert_eq!(rate(1, 3).whole_percent(), Some(33));
        assert_eq!(rate(1, 8).whole_percent(), Some(13), "12.5 rounds half up");
        assert_eq!(rate(0, 0).whole_percent(), None);
        let statuses = [
            Status::Covered,
            Status::Late,
            Status::Upcoming,
            Status::Missed,
        ];
        assert_eq!(Rate::of_statuses(statuses), rate(1, 3));
        assert_eq!(Rate::default().percent(), None);
    }

    /// Better verdicts rank higher (upcoming is not ranked: it is not a verdict).
    fn rank(s: Status) -> u8 {
        match s {
            Status::Covered => 3,
            Status::Late => 2,
            Status::Partial => 1,
            Status::Missed | Status::Upcoming => 0,
        }
    }

    /// Check-ins of three people (one unknown) at two gates over three days.
    fn any_checks() -> impl Strategy<Value = Vec<Check>> {
        let one = (
            0usize..2,
            0u128..3,
            any::<bool>(),
            0i64..(3 * 24 * 60),
            0u8..8,
        );
        proptest::collection::vec(one, 0..40).prop_map(|raw| {
            let base = at("2026-11-24T00:00:00+08:00");
            raw.into_iter()
                .map(|(post, who, arrival, minute, flags)| Check {
                    post_id: format!("g{post}"),
                    person: person(who),
                    event: if arrival {
                        CheckInEvent::Arrival
                    } else {
                        CheckInEvent::Departure
                    },
                    at: base + Duration::minutes(minute),
                    presence: Presence::from_bits(if arrival { flags } else { 0 }),
                })
                .collect()
        })
    }

    fn city(checks: &[Check], now: DateTime<Utc>) -> Vec<Cell<'static>> {
        let schools: &'static [School] = Box::leak(Box::new([school("s0"), school("s1")]));
        let posts: &'static [Post] = Box::leak(Box::new([gate("g0", "s0"), gate("g1", "s1")]));
        let days = day().pred_opt().unwrap()..=day().succ_opt().unwrap();
        coverage(
            &Calendar::default(),
            schools,
            posts,
            &Visits::new(checks),
            days,
            now,
        )
    }

    fn after_all() -> DateTime<Utc> {
        at("2026-11-27T00:00:00+08:00").with_timezone(&Utc)
    }

    proptest! {
        #[test]
        fn verdicts_depend_on_the_set_of_check_ins_only(
            checks in any_checks(),
            rotate in 0usize..40,
            now_min in 0i64..(4 * 24 * 60),
        ) {
            let now = (at("2026-11-24T00:00:00+08:00") + Duration::minutes(now_min)).with_timezone(&Utc);
            let first = city(&checks, now);
            let mut list = checks.clone();
            if !list.is_empty() { let k = rotate % list.len(); list.rotate_left(k); }
            list.reverse();
            let doubled: Vec<Check> = list.iter().chain(checks.iter()).cloned().collect();
            prop_assert_eq!(city(&doubled, now), first.clone());
            prop_assert_eq!(first.len(), 2 * 3 * 3);
        }

        #[test]
        fn adding_a_departure_never_improves_a_verdict(
            checks in any_checks(),
            extra in any_checks(),
        ) {
            let before = city(&checks, after_all());
            let departures = extra.into_iter().map(|c| Check {
                event: CheckInEvent::Departure,
                presence: Presence::from_bits(0),
                ..c
            });
            let more: Vec<Check> = checks.iter().cloned().chain(departures.take(3)).collect();
            let after = city(&more, after_all());
            for (b, a) in before.iter().zip(&after) {
                prop_assert!(rank(a.status) <= rank(b.status), "{:?} → {:?} at {} {:?}", b.status, a.status, b.post_id, b.kind);
            }
        }

        #[test]
        fn covered_means_a_full_arrival_by_the_on_post_time(checks in any_checks()) {
            let schools = [school("s0"), school("s1")];
            for cell in city(&checks, after_all()).iter().filter(|c| c.status == Status::Covered) {
                let school = schools.iter().find(|s| s.id == cell.school_id).unwrap();
                let window = school.windows_on(cell.date).into_iter().find(|w| w.kind == cell.kind).unwrap();
                let first_full = cell.why.first_full.expect("a covered window names its first full arrival");
                prop_assert!(first_full.presence.all() && first_full.at <= window.due);
                prop_assert!(checks.iter().any(|c| c.post_id == cell.post_id
                    && c.event == CheckInEvent::Arrival && c.presence.all() && c.at <= window.due));
            }
        }

        #[test]
        fn nothing_is_decided_before_its_close(checks in any_checks(), now_min in 0i64..(4 * 24 * 60)) {
            let now = (at("2026-11-24T00:00:00+08:00") + Duration::minutes(now_min)).with_timezone(&Utc);
            let schools = [school("s0"), school("s1")];
            for cell in city(&checks, now) {
                let school = schools.iter().find(|s| s.id == cell.school_id).unwrap();
                let window = school.windows_on(cell.date).into_iter().find(|w| w.kind == cell.kind).unwrap();
                prop_assert_eq!(cell.status == Status::Upcoming, now < window.closes);
            }
        }
    }
}
