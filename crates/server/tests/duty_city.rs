//! The duty report over a whole generated city (`gatewatch_model::fixtures::DutyCity`),
//! seeded through push: the endpoint's totals and the hours sheet equal what
//! `gatewatch_model::report` gives from the same records directly. Debug builds (plain
//! `cargo test`) use a smaller city to keep the suite fast (a full city's month alone
//! takes ~20 s to seed there); release builds the full one:
//! `cargo test --profile server -p gatewatch-server --test duty_city`.

mod common;

use std::collections::BTreeMap;

use axum::http::StatusCode;
use common::TestApp;
use gatewatch_model::duty::DEFAULT_OPEN_LIMIT;
use gatewatch_model::fixtures::{DutyCity, DutyCitySize};
use gatewatch_model::report::{self, hours_text, DutyReport, Month, Roster};
use gatewatch_model::{PushRequest, PushResponse, Record, MAX_PUSH_BATCH};
use serde_json::Value;
use uuid::Uuid;

/// The newest month of sessions: long past, so sessions left open are closed at the
/// limit and `now` (the server's clock) does not change the figures.
const LAST: Month = Month {
    year: 2025,
    month: 11,
};

fn size() -> DutyCitySize {
    if cfg!(debug_assertions) {
        DutyCitySize {
            teams: 40,
            volunteers: 1_586,
            sessions_per_team_month: 12,
            months: 2,
        }
    } else {
        DutyCitySize::CITY
    }
}

/// Pushes `records` in batches under the body limit; every one must be stored.
async fn seed(t: &TestApp, records: &[&Record]) {
    for batch in records.chunks(MAX_PUSH_BATCH.min(200)) {
        let request = PushRequest {
            device: common::device(),
            records: batch.iter().map(|r| (*r).clone()).collect(),
        };
        let response = t
            .post_json("/api/sync/push", serde_json::to_vec(&request).unwrap())
            .await;
        assert_eq!(response.status, StatusCode::OK, "{}", response.text());
        let pushed: PushResponse = response.json();
        assert!(pushed.rejected.is_empty(), "{:?}", pushed.rejected[0]);
        assert_eq!(pushed.acks.len(), batch.len());
    }
}

/// The report the phone would make from every record: the month's sessions, optionally
/// of one team.
fn direct(city: &DutyCity, month: Month, team: Option<Uuid>) -> DutyReport {
    let now = chrono::Utc::now().fixed_offset();
    let sessions = report::duty_sessions(&city.sessions)
        .filter(|s| Month::of(s.start) == month && team.is_none_or(|t| s.team == t));
    report::report(sessions, now, DEFAULT_OPEN_LIMIT)
}

/// Checks the JSON report against the direct one, row by row.
fn assert_same(json: &Value, expected: &DutyReport, roster: &Roster<'_>) {
    assert_eq!(json["sessions"], expected.sessions);
    assert_eq!(json["to_confirm"], expected.to_confirm);
    assert_eq!(json["audience"], expected.audience);
    let activities: BTreeMap<String, u32> =
        serde_json::from_value(json["activities"].clone()).unwrap();
    let want: BTreeMap<String, u32> = expected
        .activities
        .iter()
        .map(|(a, n)| (a.as_str().to_owned(), *n))
        .collect();
    assert_eq!(activities, want);

    let volunteers = json["volunteers"].as_array().unwrap();
    assert_eq!(volunteers.len(), expected.volunteers.len());
    for row in volunteers {
        let id: Uuid = serde_json::from_value(row["id"].clone()).unwrap();
        let h = expected.volunteers[&id];
        assert_hours(row, h);
        let v = roster.volunteer(id).unwrap();
        assert_eq!(row["name"], v.name.as_str());
        assert_eq!(row["team_name"], roster.team_name(v.team).unwrap());
    }
    let teams = json["teams"].as_array().unwrap();
    assert_eq!(teams.len(), expected.teams.len());
    for row in teams {
        let id: Uuid = serde_json::from_value(row["id"].clone()).unwrap();
        let h = expected.teams[&id];
        assert_hours(row, h);
        assert_eq!(
            row["school_id"],
            roster.team(id).unwrap().school_id.as_str()
        );
    }
}

#[tokio::test]
async fn a_city_month_report_and_sheet_equal_the_models_from_the_same_records() {
    let t = TestApp::new().await;
    let city = DutyCity::new(size(), LAST);
    seed(&t, &city.records().collect::<Vec<_>>()).await;
    let roster = Roster::of(city.records());

    for month in &city.months {
        let expected = direct(&city, *month, None);
        assert!(expected.sessions > 0 && expected.to_confirm > 0);
        let json: Value = t
            .get(&format!("/api/reports/duty?month={month}"))
            .await
            .json();
        assert_same(&json, &expected, &roster);
    }
    let team = city.teams[3].id;
    let expected = direct(&city, LAST, Some(team));
    let json: Value = t
        .get(&format!("/api/reports/duty?month={LAST}&team={team}"))
        .await
        .json();
    assert_same(&json, &expected, &roster);
    assert_eq!(json["teams"].as_array().unwrap().len(), 1);

    // The hours sheet of the same seeded city.
    hours_sheet_parses_with_a_row_per_volunteer_and_team_totals(&t, &city, &roster).await;
}

async fn hours_sheet_parses_with_a_row_per_volunteer_and_team_totals(
    t: &TestApp,
    city: &DutyCity,
    roster: &Roster<'_>,
) {
    let expected = direct(city, LAST, None);

    let response = t
        .get(&format!("/api/export/duty-hours.csv?month={LAST}&lang=en"))
        .await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.text());
    // Byte for byte the phone's sheet from the same records.
    assert_eq!(
        response.text(),
        roster.hours_sheet(&expected, &LAST.to_string(), gatewatch_model::csv::Lang::En)
    );
    let bom = b"\xEF\xBB\xBF";
    assert!(response.body.starts_with(bom));
    let rows: Vec<csv::StringRecord> = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(&response.body[bom.len()..])
        .records()
        .map(Result::unwrap)
        .collect();
    assert_eq!(
        rows[0].iter().collect::<Vec<_>>(),
        [
            "month",
            "team",
            "volunteer_id",
            "name",
            "phone",
            "sessions",
            "approved_hours",
            "pending_hours"
        ]
    );
    let (members, totals): (Vec<_>, Vec<_>) = rows[1..].iter().partition(|r| &r[3] != "team total");
    assert_eq!(members.len(), expected.volunteers.len());
    assert_eq!(totals.len(), expected.teams.len());
    for row in members {
        let id: Uuid = row[2].parse().unwrap();
        let h = expected.volunteers[&id];
        let v = roster.volunteer(id).unwrap();
        assert_eq!(&row[0], LAST.to_string());
        assert_eq!(&row[1], roster.team_name(v.team).unwrap());
        assert_eq!(&row[3], v.name.as_str());
        assert!(row[4].contains("****"), "masked: {}", &row[4]);
        assert_eq!(
            (&row[5], &row[6], &row[7]),
            (
                h.sessions.to_string().as_str(),
                hours_text(h.approved).as_str(),
                hours_text(h.pending).as_str()
            )
        );
    }
    for row in totals {
        let id: Uuid = row[2].parse().unwrap();
        let h = expected.teams[&id];
        assert_eq!(&row[1], roster.team_name(id).unwrap());
        assert_eq!(
            (&row[5], &row[6], &row[7]),
            (
                h.sessions.to_string().as_str(),
                hours_text(h.approved).as_str(),
                hours_text(h.pending).as_str()
            )
        );
    }
}

/// A report row's sessions and minutes are the model's `h`.
fn assert_hours(row: &Value, h: report::Hours) {
    assert_eq!(
        (
            &row["sessions"],
            &row["approved_minutes"],
            &row["pending_minutes"]
        ),
        (&h.sessions.into(), &h.approved.into(), &h.pending.into()),
        "{row}"
    );
}
