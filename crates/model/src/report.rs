//! Reports of volunteer duty: hours per volunteer, per team and per month, activity
//! counts and anti-fraud audience totals.
//!
//! The phone builds them offline from its own records and the server from everyone's,
//! with these same functions, so a lead's monthly sheet and the office's agree.

use std::collections::BTreeMap;
use std::fmt;

use chrono::{DateTime, Datelike, Duration, FixedOffset};
use uuid::Uuid;

use crate::csv::Member;
use crate::duty::{merged_minutes, Activity, Approval, DutySession};
use crate::record::{Record, RecordBody};
use crate::sorting;
use crate::team::{Team, Volunteer};

/// A calendar month, as a session's start reads on its own clock.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Month {
    pub year: i32,
    /// 1-12.
    pub month: u32,
}

impl Month {
    pub fn of(t: DateTime<FixedOffset>) -> Month {
        Month {
            year: t.year(),
            month: t.month(),
        }
    }

    /// `2026-11`.
    pub fn parse(s: &str) -> Option<Month> {
        let (y, m) = s.split_once('-')?;
        let all_digits = |p: &str| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit());
        if y.len() != 4 || m.len() != 2 || !all_digits(y) || !all_digits(m) {
            return None;
        }
        let month = Month {
            year: y.parse().ok()?,
            month: m.parse().ok()?,
        };
        (1..=12).contains(&month.month).then_some(month)
    }

    pub fn previous(self) -> Month {
        if self.month == 1 {
            Month {
                year: self.year - 1,
                month: 12,
            }
        } else {
            Month {
                month: self.month - 1,
                ..self
            }
        }
    }

    /// This month and the `n - 1` before it, oldest first.
    pub fn last(self, n: usize) -> Vec<Month> {
        let mut months: Vec<Month> = std::iter::successors(Some(self), |m| Some(m.previous()))
            .take(n)
            .collect();
        months.reverse();
        months
    }
}

impl fmt::Display for Month {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}", self.year, self.month)
    }
}

/// Minutes of duty, split by the lead's decision (rejected hours are not counted).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Hours {
    pub approved: i64,
    pub pending: i64,
    /// Sessions counted: a volunteer's sessions with counted time, or a team's sessions.
    pub sessions: u32,
}

impl Hours {
    pub fn total(&self) -> i64 {
        self.approved + self.pending
    }

    fn add(&mut self, other: Hours) {
        self.approved += other.approved;
        self.pending += other.pending;
    }
}

/// A duration as whole hours and the minutes left over: how every screen shows hours
/// (`1小时5分钟`, `1 h 5 min`). Screens add minutes and split the sum with this, never
/// add rounded hours: four rows of 1 minute total 4 minutes, not 4 × 0.02 = 0.07 h.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct HoursMinutes {
    pub hours: i64,
    /// 0-59.
    pub minutes: i64,
}

/// `minutes` as hours and minutes (negative counts as none).
pub fn format_duration(minutes: i64) -> HoursMinutes {
    let minutes = minutes.max(0);
    HoursMinutes {
        hours: minutes / 60,
        minutes: minutes % 60,
    }
}

/// Minutes as hours with two decimals, rounded half up in integers (`90` → `1.50`),
/// so the phone and the server print the same digits.
pub fn hours_text(minutes: i64) -> String {
    let hundredths = (minutes.max(0) * 100 + 30) / 60;
    format!("{}.{:02}", hundredths / 100, hundredths % 100)
}

/// What a set of duty sessions adds up to.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DutyReport {
    pub volunteers: BTreeMap<Uuid, Hours>,
    /// Per team: the sum of its members' time on the team's sessions.
    pub teams: BTreeMap<Uuid, Hours>,
    /// Sessions per activity.
    pub activities: BTreeMap<Activity, u32>,
    /// People reached by anti-fraud talks.
    pub audience: u64,
    pub sessions: u32,
    /// Sessions left open past the limit, waiting for the lead to confirm their end.
    pub to_confirm: u32,
}

/// The duty sessions among `records` that count (not voided).
pub fn duty_sessions<'a>(
    records: impl IntoIterator<Item = &'a Record>,
) -> impl Iterator<Item = &'a DutySession> {
    records.into_iter().filter_map(|r| match &r.body {
        RecordBody::Duty(d) if r.counts() => Some(d),
        _ => None,
    })
}

/// Counted and approved spans of one volunteer, merged separately.
#[derive(Default)]
struct Spans {
    counted: Vec<(DateTime<FixedOffset>, DateTime<FixedOffset>)>,
    approved: Vec<(DateTime<FixedOffset>, DateTime<FixedOffset>)>,
    sessions: u32,
}

impl Spans {
    fn hours(self) -> Hours {
        let counted = merged_minutes(self.counted);
        let approved = merged_minutes(self.approved);
        Hours {
            approved,
            pending: counted - approved,
            sessions: self.sessions,
        }
    }
}

/// Adds up `sessions` as of `now`; sessions still open count up to `now`, or to the
/// open limit. A volunteer's overlapping time (two sessions at once) counts once.
pub fn report<'a>(
    sessions: impl IntoIterator<Item = &'a DutySession>,
    now: DateTime<FixedOffset>,
    limit: Duration,
) -> DutyReport {
    let mut out = DutyReport::default();
    let mut per_volunteer: BTreeMap<Uuid, Spans> = BTreeMap::new();
    let mut per_team_member: BTreeMap<(Uuid, Uuid), Spans> = BTreeMap::new();
    for session in sessions {
        out.sessions += 1;
        *out.activities.entry(session.activity).or_default() += 1;
        if session.activity == Activity::AntiFraud {
            out.audience += u64::from(session.audience);
        }
        if session.end_at(now, limit).needs_confirmation() {
            out.to_confirm += 1;
        }
        out.teams.entry(session.team).or_default().sessions += 1;
        for span in session.spans(now, limit) {
            if span.approval == Approval::Rejected {
                continue;
            }
            for spans in [
                per_volunteer.entry(span.volunteer).or_default(),
                per_team_member
                    .entry((session.team, span.volunteer))
                    .or_default(),
            ] {
                spans.counted.push((span.from, span.to));
                if span.approval == Approval::Approved {
                    spans.approved.push((span.from, span.to));
                }
                spans.sessions += 1;
            }
        }
    }
    out.volunteers = sorting::map_of(
        per_volunteer
            .into_iter()
            .map(|(who, spans)| (who, spans.hours())),
    );
    for ((team, _), spans) in per_team_member {
        out.teams.entry(team).or_default().add(spans.hours());
    }
    out
}

/// Total counted minutes of a report (every volunteer's, overlaps counted once each).
pub fn total_minutes(report: &DutyReport) -> Hours {
    let mut total = Hours::default();
    for h in report.volunteers.values() {
        total.add(*h);
    }
    total.sessions = report.sessions;
    total
}

/// Who the teams and volunteers of a report are, from their records, for sheets and
/// screens. Voided records still name them: hours already served keep their names.
#[derive(Debug, Clone, Default)]
pub struct Roster<'a> {
    teams: BTreeMap<Uuid, &'a Team>,
    volunteers: BTreeMap<Uuid, &'a Volunteer>,
}

impl<'a> Roster<'a> {
    /// The teams and volunteers among `records` (other kinds are skipped).
    pub fn of(records: impl IntoIterator<Item = &'a Record>) -> Self {
        let mut roster = Roster::default();
        for r in records {
            match &r.body {
                RecordBody::Team(t) => {
                    roster.teams.insert(r.id, t);
                }
                RecordBody::Volunteer(v) => {
                    roster.volunteers.insert(r.id, v);
                }
                _ => {}
            }
        }
        roster
    }

    pub fn team(&self, id: Uuid) -> Option<&'a Team> {
        self.teams.get(&id).copied()
    }

    pub fn volunteer(&self, id: Uuid) -> Option<&'a Volunteer> {
        self.volunteers.get(&id).copied()
    }

    /// A volunteer as the hours sheet names them: with their own team's name (empty
    /// when that team is unknown), whichever team's sessions they served on.
    pub fn member(&self, id: Uuid) -> Option<Member<'a>> {
        let v = self.volunteer(id)?;
        Some(Member {
            team: self.team(v.team).map_or("", |t| t.name.as_str()),
            name: &v.name,
            phone: &v.phone,
        })
    }

    pub fn team_name(&self, id: Uuid) -> Option<&'a str> {
        self.team(id).map(|t| t.name.as_str())
    }

    /// The hours sheet of `report` (`crate::csv::duty_hours`) named by this roster.
    pub fn hours_sheet(&self, report: &DutyReport, label: &str, lang: crate::csv::Lang) -> String {
        crate::csv::duty_hours(
            report,
            label,
            |id| self.member(id),
            |id| self.team_name(id),
            lang,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::duty::tests::{arb_session, crew, part, session, t, vol};
    use crate::duty::DEFAULT_OPEN_LIMIT;
    use proptest::prelude::*;

    #[test]
    fn months_parse_and_step() {
        let nov = Month::parse("2026-11").unwrap();
        assert_eq!(nov.to_string(), "2026-11");
        assert_eq!(nov.previous().to_string(), "2026-10");
        assert_eq!(
            Month::parse("2026-01").unwrap().previous().to_string(),
            "2025-12"
        );
        for bad in [
            "2026-13", "2026-00", "2026-1", "26-11", "2026/11", "", "2026-1a",
        ] {
            assert_eq!(Month::parse(bad), None, "{bad}");
        }
        let last3: Vec<String> = nov.last(3).iter().map(|m| m.to_string()).collect();
        assert_eq!(last3, ["2026-09", "2026-10", "2026-11"]);
        // A session at 00:30 on Dec 1st in Beijing is December's, though UTC says November.
        let t = DateTime::parse_from_rfc3339("2026-12-01T00:30:00+08:00").unwrap();
        assert_eq!(Month::of(t).to_string(), "2026-12");
    }

    #[test]
    fn hours_are_printed_with_two_decimals() {
        assert_eq!(hours_text(0), "0.00");
        assert_eq!(hours_text(90), "1.50");
        assert_eq!(hours_text(1), "0.02");
        assert_eq!(hours_text(20), "0.33");
        assert_eq!(hours_text(40), "0.67");
        assert_eq!(hours_text(600), "10.00");
    }

    #[test]
    fn durations_split_into_hours_and_minutes() {
        let hm = |hours, minutes| HoursMinutes { hours, minutes };
        let cases = [
            (0, hm(0, 0)),
            (1, hm(0, 1)),
            (59, hm(0, 59)),
            (60, hm(1, 0)),
            (65, hm(1, 5)),
            (375, hm(6, 15)),
            (-5, hm(0, 0)),
        ];
        for (minutes, want) in cases {
            assert_eq!(format_duration(minutes), want, "{minutes}");
        }
    }

    #[test]
    fn four_rows_of_a_minute_total_four_minutes() {
        // The defect: rows of 0.02 h each summed to a total shown as 0.07 h.
        let s = session(
            "07:00",
            Some("07:01"),
            (1..=4).map(|n| part(n, "07:00", None)).collect(),
        );
        let r = report([&s], t("23:00"), DEFAULT_OPEN_LIMIT);
        let rows: Vec<HoursMinutes> = r
            .volunteers
            .values()
            .map(|h| format_duration(h.total()))
            .collect();
        assert_eq!(
            rows,
            [HoursMinutes {
                hours: 0,
                minutes: 1
            }; 4]
        );
        assert_eq!(
            format_duration(total_minutes(&r).total()),
            HoursMinutes {
                hours: 0,
                minutes: 4
            }
        );
    }

    #[test]
    fn report_table() {
        let now = t("23:00");
        let limit = DEFAULT_OPEN_LIMIT;
        let mut patrol = crew("07:00", Some("08:00"), ["07:00", "07:30", "07:00"]);
        patrol.participants[0].approval = Approval::Approved;
        patrol.participants[2].approval = Approval::Rejected;
        let mut talk = session("15:00", Some("16:00"), vec![part(1, "15:00", None)]);
        talk.activity = Activity::AntiFraud;
        talk.audience = 120;
        let mut other_team = session("07:30", Some("08:30"), vec![part(1, "07:30", None)]);
        other_team.team = Uuid::from_u128(901);
        let forgotten = session("09:00", None, vec![part(2, "09:00", None)]);

        let r = report([&patrol, &talk, &other_team, &forgotten], now, limit);
        assert_eq!(r.sessions, 4);
        assert_eq!(r.audience, 120);
        assert_eq!(r.to_confirm, 1);
        assert_eq!(r.activities.get(&Activity::Patrol), Some(&3));
        assert_eq!(r.activities.get(&Activity::AntiFraud), Some(&1));
        // Volunteer 1: 07:00-08:00 approved, 07:30-08:30 elsewhere overlaps (counted
        // once: 30 more pending), 15:00-16:00 pending.
        let v1 = r.volunteers[&vol(1)];
        assert_eq!((v1.approved, v1.pending, v1.sessions), (60, 90, 3));
        // Volunteer 2: 30 min, then 6 h of a session left open.
        assert_eq!(r.volunteers[&vol(2)].pending, 30 + 360);
        // Rejected: not there at all.
        assert!(!r.volunteers.contains_key(&vol(3)));
        // Per team: overlaps only merge within a team.
        let home = r.teams[&Uuid::from_u128(900)];
        assert_eq!(
            (home.approved, home.pending, home.sessions),
            (60, 60 + 390, 3)
        );
        let away = r.teams[&Uuid::from_u128(901)];
        assert_eq!((away.approved, away.pending, away.sessions), (0, 60, 1));
        assert_eq!(total_minutes(&r).total(), 150 + 390);
    }

    #[test]
    fn the_roster_names_volunteers_with_their_own_team() {
        use crate::record::tests::sample;
        use crate::team::{MemberStatus, Role};
        let at = |n| sample(n, 1);
        let team = |n: u128, name: &str| {
            at(n).corrected(
                at(n).version,
                RecordBody::Team(Team {
                    school_id: "s01".into(),
                    name: name.into(),
                    device_time: t("07:00"),
                }),
            )
        };
        let volunteer = |n: u128, team: u128, name: &str| {
            at(n).corrected(
                at(n).version,
                RecordBody::Volunteer(Volunteer {
                    team: Uuid::from_u128(team),
                    name: name.into(),
                    phone: "13812341234".into(),
                    role: Role::Member,
                    joined: t("07:00").date_naive(),
                    status: MemberStatus::Active,
                    device_time: t("07:00"),
                }),
            )
        };
        let records = [
            team(900, "实验小学护学队"),
            volunteer(1, 900, "王芳"),
            // Left by mistake and voided: still named for hours already served.
            volunteer(2, 900, "李强").voided(at(3).version, "重复".into()),
            // Their team's record is not known here.
            volunteer(3, 901, "张伟"),
            at(4),
        ];
        let roster = Roster::of(&records);
        let m = roster.member(vol(1)).unwrap();
        assert_eq!((m.team, m.name), ("实验小学护学队", "王芳"));
        assert_eq!(roster.member(vol(2)).unwrap().name, "李强");
        assert_eq!(roster.member(vol(3)).unwrap().team, "");
        assert!(roster.member(vol(4)).is_none(), "a check-in is nobody");
        assert_eq!(
            roster.team_name(Uuid::from_u128(900)),
            Some("实验小学护学队")
        );

        // Volunteer 1 serves on team 901's session: named with their own team.
        let mut away = session("07:00", Some("08:00"), vec![part(1, "07:00", None)]);
        away.team = Uuid::from_u128(901);
        let r = report([&away], t("23:00"), DEFAULT_OPEN_LIMIT);
        let sheet = roster.hours_sheet(&r, "2026-11", crate::csv::Lang::Zh);
        let lines: Vec<&str> = sheet.lines().collect();
        assert!(
            lines[1].starts_with("2026-11,实验小学护学队,00000000-0000-0000-0000-000000000001,王芳,138****1234,1,0.00,1.00"),
            "{sheet}"
        );
        assert!(lines[2].starts_with("2026-11,,"), "{sheet}");
    }

    proptest! {
        #[test]
        fn totals_add_up_and_split_cleanly(
            sessions in proptest::collection::vec(arb_session(), 0..8),
        ) {
            let now = t("23:00");
            let r = report(&sessions, now, DEFAULT_OPEN_LIMIT);
            // The volunteer totals are the hours function's.
            let minutes = crate::duty::minutes_per_volunteer(&sessions, now, DEFAULT_OPEN_LIMIT);
            for (who, h) in &r.volunteers {
                prop_assert_eq!(h.total(), minutes[who]);
                prop_assert!(h.approved >= 0 && h.pending >= 0);
            }
            // A team's hours are never fewer than its members' merged hours (one team
            // here: equal).
            let team_total: i64 = r.teams.values().map(Hours::total).sum();
            prop_assert_eq!(team_total, total_minutes(&r).total());
        }

        #[test]
        fn the_total_shown_is_the_rows_shown_added_up(
            sessions in proptest::collection::vec(arb_session(), 0..8),
        ) {
            let r = report(&sessions, t("23:00"), DEFAULT_OPEN_LIMIT);
            let total = total_minutes(&r);
            let approved: i64 = r.volunteers.values().map(|h| h.approved).sum();
            let pending: i64 = r.volunteers.values().map(|h| h.pending).sum();
            prop_assert_eq!((approved, pending), (total.approved, total.pending));
            // What the screen prints for the total is what its rows print, added up:
            // each row's hours and minutes read back to its minutes exactly.
            let shown = |m: i64| {
                let d = format_duration(m);
                prop_assert!(d.minutes < 60);
                Ok(d.hours * 60 + d.minutes)
            };
            let mut rows = Hours::default();
            for h in r.volunteers.values() {
                rows.approved += shown(h.approved)?;
                rows.pending += shown(h.pending)?;
            }
            prop_assert_eq!(rows.approved, shown(total.approved)?);
            prop_assert_eq!(rows.pending, shown(total.pending)?);
        }
    }
}
