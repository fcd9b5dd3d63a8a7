//! One team's month as the lead's phone shows it: the month's duty report and the
//! hours of the months before it (the chart). Kept here, pure, so the app screen and
//! the phone benchmark (benches/duty_wasm.rs, target ≤ 50 ms) run the same code.

use chrono::{DateTime, Duration, FixedOffset};
use uuid::Uuid;

use crate::duty::{Activity, DutySession, SessionEnd};
use crate::record::Record;
use crate::report::{duty_sessions, report, total_minutes, DutyReport, Month};
use crate::sorting;

/// A team's report for one month, and counted minutes per month for a chart.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TeamMonth {
    pub report: DutyReport,
    /// (month, counted minutes), `chart_months` of them ending with the month, oldest
    /// first.
    pub chart: Vec<(Month, i64)>,
    /// The month's sessions, oldest first: the report's activity list.
    pub activities: Vec<ActivityLine>,
}

/// One session of the month as the report lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActivityLine {
    pub start: DateTime<FixedOffset>,
    pub end: SessionEnd,
    pub activity: Activity,
    /// The place in words, else the post's id.
    pub place: String,
    /// Volunteers with counted time (rejected hours left out).
    pub people: u32,
    /// Their counted minutes, added up.
    pub minutes: i64,
    pub audience: u32,
}

impl ActivityLine {
    fn of(s: &DutySession, now: DateTime<FixedOffset>, limit: Duration) -> ActivityLine {
        let counted: Vec<i64> = s
            .spans(now, limit)
            .iter()
            .filter(|c| c.approval != crate::duty::Approval::Rejected)
            .map(|c| c.minutes())
            .collect();
        let place = if s.place.is_empty() {
            &s.post_id
        } else {
            &s.place
        };
        ActivityLine {
            start: s.start,
            end: s.end_at(now, limit),
            activity: s.activity,
            place: place.clone(),
            people: u32::try_from(counted.len()).unwrap_or(u32::MAX),
            minutes: counted.iter().sum(),
            audience: s.audience,
        }
    }
}

/// Builds `team`'s `month` from every record the phone holds (other teams' and other
/// kinds are skipped, voided sessions do not count).
///
/// Month by month through `report`, each month a filter over the few sessions kept: a
/// map of reports per month cost the phone ~7 KB of wasm for a dozen small passes.
pub fn team_month<'a>(
    records: impl IntoIterator<Item = &'a Record>,
    team: Uuid,
    month: Month,
    chart_months: usize,
    now: DateTime<FixedOffset>,
    limit: Duration,
) -> TeamMonth {
    let months = month.last(chart_months);
    let first = months.first().copied().unwrap_or(month);
    let sessions: Vec<&DutySession> = duty_sessions(records)
        .filter(|s| s.team == team && (first..=month).contains(&Month::of(s.start)))
        .collect();
    let of_month = |m: Month| {
        report(
            sessions.iter().copied().filter(|s| Month::of(s.start) == m),
            now,
            limit,
        )
    };
    let mut activities: Vec<ActivityLine> = sessions
        .iter()
        .filter(|s| Month::of(s.start) == month)
        .map(|s| ActivityLine::of(s, now, limit))
        .collect();
    sorting::sort_by_key(&mut activities, |a| a.start);
    TeamMonth {
        activities,
        chart: months
            .into_iter()
            .map(|m| (m, total_minutes(&of_month(m)).total()))
            .collect(),
        report: of_month(month),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::duty::tests::{crew, part, session, t};
    use crate::duty::Approval;
    use crate::duty::DEFAULT_OPEN_LIMIT;
    use crate::record::tests::sample;
    use crate::record::RecordBody;

    #[test]
    fn one_team_one_month_and_its_chart() {
        let as_record =
            |n: u128, s| sample(n, 1).corrected(sample(n, 2).version, RecordBody::Duty(s));
        let ours = session("07:00", Some("08:00"), vec![part(1, "07:00", None)]);
        let mut theirs = ours.clone();
        theirs.team = Uuid::from_u128(901);
        let mut october = ours.clone();
        october.start -= Duration::days(31);
        october.end = october.end.map(|e| e - Duration::days(31));
        october.participants[0].joined = october.start;
        let records = [
            as_record(1, ours.clone()),
            as_record(2, theirs),
            as_record(3, october),
        ];
        let nov = Month::of(t("07:00"));
        let got = team_month(&records, ours.team, nov, 3, t("23:00"), DEFAULT_OPEN_LIMIT);
        assert_eq!(got.report.sessions, 1);
        let listed: Vec<(DateTime<FixedOffset>, u32, i64)> = got
            .activities
            .iter()
            .map(|a| (a.start, a.people, a.minutes))
            .collect();
        assert_eq!(listed, [(t("07:00"), 1, 60)], "November's own session only");
        assert_eq!(total_minutes(&got.report).total(), 60);
        let chart: Vec<(String, i64)> =
            got.chart.iter().map(|(m, v)| (m.to_string(), *v)).collect();
        assert_eq!(
            chart,
            [
                ("2026-09".into(), 0),
                ("2026-10".into(), 60),
                ("2026-11".into(), 60)
            ]
        );
    }

    #[test]
    fn the_activity_list_names_each_session_oldest_first() {
        let as_record =
            |n: u128, s| sample(n, 1).corrected(sample(n, 2).version, RecordBody::Duty(s));
        let mut talk = session("15:00", Some("16:00"), vec![part(1, "15:00", None)]);
        talk.activity = Activity::AntiFraud;
        talk.audience = 120;
        talk.place = "礼堂".into();
        let mut patrol = crew("07:00", Some("08:00"), ["07:00", "07:30", "07:00"]);
        patrol.post_id = "s01-g1".into();
        patrol.participants[2].approval = Approval::Rejected;
        let open = session("20:00", None, vec![part(1, "20:00", None)]);
        let records = [as_record(1, talk), as_record(2, patrol), as_record(3, open)];
        let got = team_month(
            &records,
            Uuid::from_u128(900),
            Month::of(t("07:00")),
            1,
            t("21:00"),
            DEFAULT_OPEN_LIMIT,
        );
        let lines: Vec<(Activity, &str, u32, i64, u32, bool)> = got
            .activities
            .iter()
            .map(|a| {
                (
                    a.activity,
                    a.place.as_str(),
                    a.people,
                    a.minutes,
                    a.audience,
                    matches!(a.end, SessionEnd::Running(_)),
                )
            })
            .collect();
        assert_eq!(
            lines,
            [
                (Activity::Patrol, "s01-g1", 2, 90, 0, false),
                (Activity::AntiFraud, "礼堂", 1, 60, 120, false),
                (Activity::Patrol, "", 1, 60, 0, true),
            ]
        );
    }

    #[test]
    fn a_session_belongs_to_the_month_of_its_start_on_its_own_clock() {
        let as_record =
            |n: u128, s| sample(n, 1).corrected(sample(n, 2).version, RecordBody::Duty(s));
        // 23:30 on Oct 31st in Beijing: October's, though it ends in November.
        let mut late_october = session("07:00", Some("08:00"), vec![part(1, "07:00", None)]);
        late_october.start = DateTime::parse_from_rfc3339("2026-10-31T23:30:00+08:00").unwrap();
        late_october.end = Some(late_october.start + Duration::hours(1));
        late_october.participants[0].joined = late_october.start;
        let november = session("07:00", Some("08:00"), vec![part(1, "07:00", None)]);
        let team = november.team;
        let records = [as_record(1, late_october), as_record(2, november)];
        let got = team_month(
            &records,
            team,
            Month::of(t("07:00")),
            2,
            t("23:00"),
            DEFAULT_OPEN_LIMIT,
        );
        let chart: Vec<(String, i64)> =
            got.chart.iter().map(|(m, v)| (m.to_string(), *v)).collect();
        assert_eq!(chart, [("2026-10".into(), 60), ("2026-11".into(), 60)]);
        assert_eq!(got.report.sessions, 1);
    }
}
