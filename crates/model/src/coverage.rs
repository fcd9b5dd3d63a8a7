//! Coverage (落实率): for each school × day × peak window, was the gate staffed with an
//! officer, a car and lights before the window opened?
//!
//! The same functions run on the phone (offline, from its own records) and on the
//! server, so both show the same rate. The classification is a pure function of the
//! set of arrivals: order and repetition of records do not change it.

use std::collections::HashMap;
use std::ops::RangeInclusive;

use chrono::{DateTime, Duration, FixedOffset, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::record::{CheckInEvent, Presence, Record, RecordBody};
use crate::school::{School, WindowKind, WindowOnDay};

/// The earliest an arrival may be before a window opens and still count for it.
pub const EARLIEST_ARRIVAL: Duration = Duration::hours(2);

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// On post by the due time with officer, car and lights.
    Covered,
    /// Officer, car and lights, but after the due time (before the window closed).
    Late,
    /// On post before the window closed, but without all three.
    Partial,
    /// Nobody arrived before the window closed.
    Missed,
    /// Not decided yet: the window has not closed and no full arrival is recorded.
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

/// An arrival, as coverage needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Arrival {
    /// What it counts for: a school id (coverage per school) or a post id (the board,
    /// per gate).
    pub place: String,
    pub at: DateTime<FixedOffset>,
    pub presence: Presence,
}

/// The arrivals among `records`, each mapped from its post id to the place it counts
/// for (`None`: it counts for nothing). Departures, incidents and voided records do not
/// count.
pub fn arrivals<'a>(
    records: impl IntoIterator<Item = &'a Record>,
    place_of_post: impl Fn(&str) -> Option<String>,
) -> Vec<Arrival> {
    records
        .into_iter()
        .filter_map(|r| match &r.body {
            RecordBody::CheckIn(c) if c.event == CheckInEvent::Arrival && r.counts() => {
                Some(Arrival {
                    place: place_of_post(&c.post_id)?,
                    at: c.device_time,
                    presence: c.presence,
                })
            }
            _ => None,
        })
        .collect()
}

/// A departure (离岗) at a post, as the board needs it: it ends the officer's time on
/// duty there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Departure {
    pub post_id: String,
    pub at: DateTime<FixedOffset>,
}

/// The departures among `records` (voided ones do not count).
pub fn departures<'a>(records: impl IntoIterator<Item = &'a Record>) -> Vec<Departure> {
    records
        .into_iter()
        .filter_map(|r| match &r.body {
            RecordBody::CheckIn(c) if c.event == CheckInEvent::Departure && r.counts() => {
                Some(Departure {
                    post_id: c.post_id.clone(),
                    at: c.device_time,
                })
            }
            _ => None,
        })
        .collect()
}

/// Classifies one window from the arrivals that fall in its span.
///
/// `counted_from` is the earliest instant an arrival counts for this window (two hours
/// before it opens, but never before the previous window of the day closed).
pub fn classify(
    window: &WindowOnDay,
    counted_from: DateTime<FixedOffset>,
    arrivals: &[&Arrival],
    now: DateTime<Utc>,
) -> Status {
    // One pass, no allocation: this runs for every window of a city-year.
    let (mut any, mut full, mut full_in_time) = (false, false, false);
    for a in arrivals
        .iter()
        .filter(|a| a.at >= counted_from && a.at < window.closes)
    {
        any = true;
        if a.presence.all() {
            full = true;
            full_in_time |= a.at <= window.due;
        }
    }
    if full_in_time {
        Status::Covered
    } else if full {
        Status::Late
    } else if now < window.closes {
        // Someone may still arrive, or complete the flags, before it closes.
        Status::Upcoming
    } else if any {
        Status::Partial
    } else {
        Status::Missed
    }
}

/// One classified window (borrowing the school id from the schools passed in).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cell<'a> {
    pub school_id: &'a str,
    pub date: NaiveDate,
    pub kind: WindowKind,
    pub status: Status,
}

/// Classifies every window of every school on every day in `days`.
pub fn coverage<'a>(
    schools: &'a [School],
    arrivals: &[Arrival],
    days: RangeInclusive<NaiveDate>,
    now: DateTime<Utc>,
) -> Vec<Cell<'a>> {
    // Index arrivals per school, sorted by instant, so each window looks at a slice.
    let mut by_school: HashMap<&str, Vec<&Arrival>> = HashMap::new();
    for a in arrivals {
        by_school.entry(a.place.as_str()).or_default().push(a);
    }
    for list in by_school.values_mut() {
        list.sort_by_key(|a| a.at);
    }
    let day_count = (*days.end() - *days.start()).num_days().max(0) as usize + 1;
    let mut cells = Vec::with_capacity(schools.len() * day_count * 3);
    for school in schools {
        let list = by_school
            .get(school.id.as_str())
            .map(Vec::as_slice)
            .unwrap_or(&[]);
        let (first, last) = (*days.start(), *days.end());
        for date in first.iter_days().take_while(|d| *d <= last) {
            let mut previous_close: Option<DateTime<FixedOffset>> = None;
            for window in school.windows_on(date) {
                let earliest = window.opens - EARLIEST_ARRIVAL;
                let counted_from = previous_close.map_or(earliest, |c| c.max(earliest));
                let start = list.partition_point(|a| a.at < counted_from);
                let end = list.partition_point(|a| a.at < window.closes);
                let status = classify(&window, counted_from, &list[start..end.max(start)], now);
                previous_close = Some(window.closes);
                cells.push(Cell {
                    school_id: &school.id,
                    date,
                    kind: window.kind,
                    status,
                });
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

    fn at(s: &str) -> DateTime<FixedOffset> {
        DateTime::parse_from_rfc3339(s).unwrap()
    }

    fn arrival(school: &str, when: &str, flags: u8) -> Arrival {
        Arrival {
            place: school.into(),
            at: at(when),
            presence: Presence::from_bits(flags),
        }
    }

    fn day() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 25).unwrap()
    }

    fn end_of_day() -> DateTime<Utc> {
        at("2026-11-25T23:59:59+08:00").with_timezone(&Utc)
    }

    fn morning(arrivals: &[Arrival], now: DateTime<Utc>) -> Status {
        let one_school = [school("s1")];
        let cells = coverage(&one_school, arrivals, day()..=day(), now);
        cells
            .iter()
            .find(|c| c.kind == WindowKind::Morning)
            .unwrap()
            .status
    }

    #[test]
    fn voided_check_ins_and_incidents_are_not_arrivals() {
        let good = crate::record::tests::sample(1, 1);
        let void = good.voided(good.version.clone(), "录错岗位".into());
        let incident = crate::record::tests::sample_incident(3, 1);
        let place = |p: &str| Some(p.to_string());
        assert_eq!(arrivals([&good], place).len(), 1);
        assert_eq!(arrivals([&void, &incident], place), vec![]);
    }

    #[test]
    fn morning_window_edges() {
        // Morning window 07:20–08:00 (+08:00), lead 15 min: due 07:05.
        let cases = [
            ("2026-11-25T07:05:00+08:00", 7, Status::Covered), // exactly at due
            ("2026-11-25T05:20:00+08:00", 7, Status::Covered), // earliest counted
            ("2026-11-25T05:19:59+08:00", 7, Status::Missed),  // too early to count
            ("2026-11-25T07:05:00.001+08:00", 7, Status::Late),
            ("2026-11-25T07:59:59+08:00", 7, Status::Late),
            ("2026-11-25T08:00:00+08:00", 7, Status::Missed), // at close: too late
            ("2026-11-25T06:50:00+08:00", 3, Status::Partial), // no lights
            ("2026-11-25T07:30:00+08:00", 0, Status::Partial),
            // The same instants from a phone set to UTC: the offset does not matter.
            ("2026-11-24T23:05:00+00:00", 7, Status::Covered),
            ("2026-11-24T23:06:00+00:00", 7, Status::Late),
            // Another day's arrival does not count today.
            ("2026-11-24T07:00:00+08:00", 7, Status::Missed),
        ];
        for (when, flags, want) in cases {
            assert_eq!(
                morning(&[arrival("s1", when, flags)], end_of_day()),
                want,
                "{when} flags {flags}"
            );
        }
        assert_eq!(morning(&[], end_of_day()), Status::Missed);
        // Another school's arrival does not cover this one.
        assert_eq!(
            morning(
                &[arrival("s2", "2026-11-25T07:00:00+08:00", 7)],
                end_of_day()
            ),
            Status::Missed
        );
    }

    #[test]
    fn a_full_arrival_beats_a_partial_one_and_the_earliest_full_one_decides() {
        let partial_then_full = [
            arrival("s1", "2026-11-25T06:50:00+08:00", 1),
            arrival("s1", "2026-11-25T07:10:00+08:00", 7),
        ];
        assert_eq!(morning(&partial_then_full, end_of_day()), Status::Late);
        let two_full = [
            arrival("s1", "2026-11-25T07:10:00+08:00", 7),
            arrival("s1", "2026-11-25T07:00:00+08:00", 7),
        ];
        assert_eq!(morning(&two_full, end_of_day()), Status::Covered);
    }

    #[test]
    fn undecided_windows_are_upcoming_and_not_counted_in_the_rate() {
        let early = at("2026-11-25T06:00:00+08:00").with_timezone(&Utc);
        assert_eq!(morning(&[], early), Status::Upcoming);
        let open_now = at("2026-11-25T07:30:00+08:00").with_timezone(&Utc);
        assert_eq!(
            morning(&[arrival("s1", "2026-11-25T07:25:00+08:00", 1)], open_now),
            Status::Upcoming
        );
        // Covered is final even before the window closes.
        assert_eq!(
            morning(&[arrival("s1", "2026-11-25T07:00:00+08:00", 7)], early),
            Status::Covered
        );
        let one_school = [school("s1")];
        let cells = coverage(
            &one_school,
            &[arrival("s1", "2026-11-25T07:00:00+08:00", 7)],
            day()..=day(),
            open_now,
        );
        assert_eq!(
            Rate::of(&cells),
            Rate {
                covered: 1,
                decided: 1
            }
        );
        assert_eq!(Rate::of(&cells).percent(), Some(100.0));
    }

    #[test]
    fn an_arrival_counts_for_one_window_only() {
        // 08:30 is after the morning window closed and more than two hours before noon
        // opens (11:40): it counts for neither.
        let one_school = [school("s1")];
        let cells = coverage(
            &one_school,
            &[arrival("s1", "2026-11-25T08:30:00+08:00", 7)],
            day()..=day(),
            end_of_day(),
        );
        assert!(
            cells.iter().all(|c| c.status == Status::Missed),
            "{cells:?}"
        );
        // 11:00 counts for noon (covered: due 11:25).
        let one_school = [school("s1")];
        let cells = coverage(
            &one_school,
            &[arrival("s1", "2026-11-25T11:00:00+08:00", 7)],
            day()..=day(),
            end_of_day(),
        );
        let noon = cells.iter().find(|c| c.kind == WindowKind::Noon).unwrap();
        assert_eq!(noon.status, Status::Covered);
    }

    #[test]
    fn rates_grouped_by_day_and_window_add_up_to_the_total() {
        let schools = [school("s1"), school("s2")];
        let next = day().succ_opt().unwrap();
        let arrivals = [
            arrival("s1", "2026-11-25T07:00:00+08:00", 7),
            arrival("s2", "2026-11-26T11:20:00+08:00", 7),
        ];
        let cells = coverage(
            &schools,
            &arrivals,
            day()..=next,
            end_of_day() + Duration::days(1),
        );
        let by_day = Rate::by(&cells, |c| c.date);
        assert_eq!(
            by_day[&day()],
            Rate {
                covered: 1,
                decided: 6
            }
        );
        assert_eq!(
            by_day[&next],
            Rate {
                covered: 1,
                decided: 6
            }
        );
        let by_window = Rate::by(&cells, |c| c.kind);
        assert_eq!(
            by_window[&WindowKind::Morning],
            Rate {
                covered: 1,
                decided: 4
            }
        );
        assert_eq!(
            by_window[&WindowKind::Noon],
            Rate {
                covered: 1,
                decided: 4
            }
        );
        let total = by_window.values().fold(Rate::default(), |a, r| Rate {
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
    }

    #[test]
    fn rate_over_schools_and_windows() {
        let schools = [school("s1"), school("s2")];
        let arrivals = [arrival("s1", "2026-11-25T07:00:00+08:00", 7)];
        let cells = coverage(&schools, &arrivals, day()..=day(), end_of_day());
        assert_eq!(cells.len(), 6);
        let morning: Vec<&Cell> = cells
            .iter()
            .filter(|c| c.kind == WindowKind::Morning)
            .collect();
        assert_eq!(Rate::of(morning.iter().copied()).percent(), Some(50.0));
        assert_eq!(
            Rate::of(&cells),
            Rate {
                covered: 1,
                decided: 6
            }
        );
        assert_eq!(Rate::default().percent(), None);
    }

    proptest! {
        #[test]
        fn coverage_is_a_pure_function_of_the_set_of_arrivals(
            raw in proptest::collection::vec((0usize..2, 0i64..(3 * 24 * 60), 0u8..8), 0..30),
            rotate in 0usize..30,
            now_min in 0i64..(4 * 24 * 60),
        ) {
            let base = at("2026-11-24T00:00:00+08:00");
            let schools = [school("s0"), school("s1")];
            let mut list: Vec<Arrival> = raw.iter().map(|(s, m, f)| Arrival {
                place: format!("s{s}"),
                at: base + Duration::minutes(*m),
                presence: Presence::from_bits(*f),
            }).collect();
            let days = day().pred_opt().unwrap()..=day().succ_opt().unwrap();
            let now = (base + Duration::minutes(now_min)).with_timezone(&Utc);
            let first = coverage(&schools, &list, days.clone(), now);
            // Reordered and with every arrival repeated: the same cells.
            if !list.is_empty() { let k = rotate % list.len(); list.rotate_left(k); }
            let doubled: Vec<Arrival> = list.iter().chain(list.iter()).cloned().collect();
            prop_assert_eq!(coverage(&schools, &doubled, days.clone(), now), first.clone());
            prop_assert_eq!(first.len(), 2 * 3 * 3);
        }
    }
}
