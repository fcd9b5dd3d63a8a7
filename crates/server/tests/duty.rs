//! Volunteer duty through the server: approved hours locked at push, the monthly duty
//! report as JSON (`GET /api/reports/duty`) and the hours sheet
//! (`GET /api/export/duty-hours.csv`), and their refused queries. The city-sized check
//! of the same endpoints is `duty_city.rs`.

mod common;

use axum::http::{header, StatusCode};
use chrono::{Duration, NaiveDate};
use common::{at, session, team_record, version, volunteer_record, TestApp, TestDatabase};
use gatewatch_model::duty::{Activity, Approval, DutySession, Participation, DEFAULT_OPEN_LIMIT};
use gatewatch_model::report::{self, Month, Roster};
use gatewatch_model::team::{MemberStatus, Role, Team, Volunteer};
use gatewatch_model::{AckOutcome, Record, RecordBody};
use serde_json::{json, Value};
use uuid::Uuid;

const TEAM: Uuid = Uuid::from_u128(0x7ea);

/// A session of `TEAM` from 07:00 to 08:30 on 2025-11-03 (Beijing), volunteers 1 (its
/// hours approved) and 2 (pending).
fn approved_session(n: u128, wall_ms: u64) -> Record {
    let start = at("2025-11-03T07:00:00+08:00");
    let part = |v: u128, approval| Participation {
        volunteer: Uuid::from_u128(v),
        joined: start,
        left: None,
        substitute: false,
        approval,
    };
    Record::new(
        Uuid::from_u128(n),
        version(wall_ms),
        RecordBody::Duty(DutySession {
            team: TEAM,
            activity: Activity::Patrol,
            audience: 0,
            post_id: "s01-g1".into(),
            place: String::new(),
            start,
            end: Some(start + Duration::minutes(90)),
            participants: vec![part(1, Approval::Approved), part(2, Approval::Pending)],
            note: String::new(),
            device_time: start,
        }),
    )
}

/// The next version of `record` at `wall_ms`, its session changed by `change`.
fn edited(record: &Record, wall_ms: u64, change: impl FnOnce(&mut DutySession)) -> Record {
    let RecordBody::Duty(mut session) = record.body.clone() else {
        panic!("not a duty session: {record:?}");
    };
    change(&mut session);
    record.corrected(version(wall_ms), RecordBody::Duty(session))
}

/// The newest version the server holds of `id`, from its history.
async fn held(t: &TestApp, id: Uuid) -> (usize, Record) {
    let history = t.history(id).await;
    let last = serde_json::from_value(history.last().unwrap()["record"].clone()).unwrap();
    (history.len(), last)
}

#[tokio::test]
async fn approved_hours_cannot_be_changed_by_a_later_version() {
    let t = TestApp::new().await;
    let first = approved_session(1, 100);
    assert_eq!(t.push(std::slice::from_ref(&first)).await.acks.len(), 1);

    // Shortened: volunteer 1's approved 90 minutes would become 60. Refused, with a
    // reason, in the same push as a record that is stored.
    let shorter = edited(&first, 200, |s| {
        s.end = Some(s.start + Duration::minutes(60));
    });
    let other = approved_session(2, 200);
    let pushed = t.push(&[shorter.clone(), other.clone()]).await;
    assert_eq!(pushed.acks.len(), 1, "{:?}", pushed.acks);
    assert_eq!(pushed.acks[0].id, other.id);
    assert_eq!(pushed.rejected.len(), 1);
    let rejection = &pushed.rejected[0];
    assert_eq!(
        (rejection.id, &rejection.version),
        (first.id, &shorter.version)
    );
    assert!(
        rejection.reason.contains("approved hours are locked"),
        "{}",
        rejection.reason
    );
    // With the server's approved state, for the phone to show and adopt.
    assert_eq!(rejection.current.as_ref(), Some(&first));
    // Voiding it or dropping the volunteer: refused too.
    let void = first.voided(version(210), "重复".into());
    let dropped = edited(&first, 230, |s| {
        s.participants.remove(0);
    });
    let pushed = t.push(&[void, dropped]).await;
    assert!(pushed.acks.is_empty(), "{:?}", pushed.acks);
    assert_eq!(pushed.rejected.len(), 2);
    // Nothing of the refused versions was stored, not even in the history.
    assert_eq!(held(&t, first.id).await, (1, first.clone()));
    assert_eq!(t.pull(0, None).await.changes[0].record, first);

    // Editing the note leaves approved hours alone: stored.
    let noted = edited(&first, 300, |s| s.note = "雨天，家长多".into());
    let pushed = t.push(std::slice::from_ref(&noted)).await;
    assert_eq!(pushed.acks[0].outcome, AckOutcome::Stored, "{pushed:?}");
    // Approving the other volunteer's pending hours: stored.
    let more = edited(&noted, 400, |s| {
        s.participants[1].approval = Approval::Approved
    });
    let pushed = t.push(std::slice::from_ref(&more)).await;
    assert_eq!(pushed.acks[0].outcome, AckOutcome::Stored, "{pushed:?}");
    assert_eq!(held(&t, first.id).await, (3, more.clone()));

    // Now both are locked: moving the start is refused from the new state too.
    let earlier = edited(&more, 500, |s| s.start -= Duration::minutes(10));
    let pushed = t.push(&[earlier]).await;
    assert_eq!(pushed.rejected.len(), 1, "{pushed:?}");
    assert!(pushed.rejected[0].reason.contains("locked"), "{pushed:?}");
}

#[tokio::test]
async fn hours_are_free_to_change_until_approved_and_older_versions_are_kept() {
    let t = TestApp::new().await;
    let pending = edited(&approved_session(1, 100), 100, |s| {
        s.participants[0].approval = Approval::Pending;
    });
    t.push(std::slice::from_ref(&pending)).await;
    let shorter = edited(&pending, 200, |s| {
        s.end = Some(s.start + Duration::minutes(30))
    });
    let pushed = t.push(std::slice::from_ref(&shorter)).await;
    assert_eq!(pushed.acks[0].outcome, AckOutcome::Stored, "{pushed:?}");
    let void = shorter.voided(version(300), "误建".into());
    let pushed = t.push(std::slice::from_ref(&void)).await;
    assert_eq!(pushed.acks[0].outcome, AckOutcome::Stored, "{pushed:?}");
    assert_eq!(held(&t, pending.id).await, (3, void));
}

// ---- The monthly report and the hours sheet ----

const OTHER_TEAM: Uuid = Uuid::from_u128(0x7eb);

/// Two teams, three volunteers (one, number 13, without a roster record) and a month
/// of sessions around November 2025, with the report they must give.
fn month_of_records() -> Vec<Record> {
    let mut talk = session(
        104,
        TEAM,
        "2025-11-05T16:00:00+08:00",
        Some(60),
        &[11],
        Approval::Pending,
    );
    if let RecordBody::Duty(d) = &mut talk.body {
        d.activity = Activity::AntiFraud;
        d.audience = 120;
    }
    let doubled = session(
        105,
        TEAM,
        "2025-11-04T07:00:00+08:00",
        Some(30),
        &[11],
        Approval::Pending,
    );
    vec![
        team_record(TEAM, "实验小学护学队", "s01"),
        team_record(OTHER_TEAM, "=第一中学护学队", "s02"),
        volunteer_record(11, TEAM, "王芳", "13812341234"),
        volunteer_record(12, OTHER_TEAM, "李强", "13900001111"),
        // 07:00-08:30, both approved: 90 minutes each.
        session(
            101,
            TEAM,
            "2025-11-03T07:00:00+08:00",
            Some(90),
            &[11, 12],
            Approval::Approved,
        ),
        // 60 pending minutes for 11 and for 13, who has no roster record.
        session(
            102,
            OTHER_TEAM,
            "2025-11-03T16:00:00+08:00",
            Some(60),
            &[11, 13],
            Approval::Pending,
        ),
        // Never ended: closed at six hours, to confirm.
        session(
            103,
            OTHER_TEAM,
            "2025-11-10T07:00:00+08:00",
            None,
            &[12],
            Approval::Pending,
        ),
        talk,
        // Voided: not counted.
        doubled.voided(version(200), "重复".into()),
        // October's, though November in UTC+0 it is not: by its own clock.
        session(
            106,
            TEAM,
            "2025-10-31T23:00:00+08:00",
            Some(60),
            &[11],
            Approval::Approved,
        ),
        // December's in Beijing (still November 30th in UTC).
        session(
            107,
            TEAM,
            "2025-12-01T00:30:00+08:00",
            Some(60),
            &[11],
            Approval::Approved,
        ),
    ]
}

#[tokio::test]
async fn the_month_report_adds_up_names_and_masks() {
    let t = TestApp::new().await;
    let records = month_of_records();
    let pushed = t.push(&records).await;
    assert!(pushed.rejected.is_empty(), "{:?}", pushed.rejected);

    let response = t.get("/api/reports/duty?month=2025-11").await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.text());
    let r: Value = response.json();
    assert_eq!(r["month"], "2025-11");
    assert_eq!(r["team"], Value::Null);
    assert_eq!(r["sessions"], 4);
    assert_eq!(r["to_confirm"], 1);
    assert_eq!(r["audience"], 120);
    assert_eq!(r["activities"], json!({"patrol": 3, "anti_fraud": 1}));
    let team = TEAM.to_string();
    let other = OTHER_TEAM.to_string();
    // Unknown volunteers first, then by team name and name ("=第…" sorts before "实…").
    assert_eq!(
        r["volunteers"],
        json!([
            {"id": Uuid::from_u128(13), "name": null, "team": null, "team_name": null,
             "phone": "", "sessions": 1, "approved_minutes": 0, "pending_minutes": 60},
            {"id": Uuid::from_u128(12), "name": "李强", "team": other,
             "team_name": "=第一中学护学队", "phone": "139****1111", "sessions": 2,
             "approved_minutes": 90, "pending_minutes": 360},
            {"id": Uuid::from_u128(11), "name": "王芳", "team": team,
             "team_name": "实验小学护学队", "phone": "138****1234", "sessions": 3,
             "approved_minutes": 90, "pending_minutes": 120},
        ])
    );
    assert_eq!(
        r["teams"],
        json!([
            {"id": team, "name": "实验小学护学队", "school_id": "s01", "sessions": 2,
             "approved_minutes": 180, "pending_minutes": 60},
            {"id": other, "name": "=第一中学护学队", "school_id": "s02", "sessions": 2,
             "approved_minutes": 0, "pending_minutes": 480},
        ])
    );

    // One team: its sessions only; its volunteers' names and teams as before.
    let one = t
        .get(&format!("/api/reports/duty?month=2025-11&team={other}"))
        .await
        .json::<Value>();
    assert_eq!(one["team"], json!(other));
    assert_eq!(
        (&one["sessions"], &one["to_confirm"]),
        (&json!(2), &json!(1))
    );
    let ids: Vec<&Value> = one["volunteers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| &v["id"])
        .collect();
    assert_eq!(
        ids,
        [
            &json!(Uuid::from_u128(13)),
            &json!(Uuid::from_u128(12)),
            &json!(Uuid::from_u128(11))
        ]
    );
    assert_eq!(one["volunteers"][2]["team_name"], "实验小学护学队");
    assert_eq!(one["teams"].as_array().unwrap().len(), 1);

    // A month without sessions is an empty report, not an error.
    let empty: Value = t.get("/api/reports/duty?month=2024-02").await.json();
    assert_eq!(
        (
            &empty["sessions"],
            &empty["volunteers"],
            &empty["activities"]
        ),
        (&json!(0), &json!([]), &json!({}))
    );
}

#[tokio::test]
async fn the_hours_sheet_is_the_one_the_phone_makes_from_the_same_records() {
    let t = TestApp::new().await;
    let records = month_of_records();
    t.push(&records).await;

    let response = t
        .get("/api/export/duty-hours.csv?month=2025-11&lang=en")
        .await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.text());
    assert_eq!(
        response.header(header::CONTENT_TYPE),
        Some("text/csv; charset=utf-8")
    );
    assert_eq!(
        response.header(header::CONTENT_DISPOSITION),
        Some("attachment; filename=\"hours_2025-11.csv\"")
    );
    assert_eq!(response.header(header::CACHE_CONTROL), Some("no-store"));
    // The phone: every record it holds, the month's sessions, the shared sheet. Every
    // session has ended or was closed at the limit long ago: `now` does not matter.
    let november = Month::parse("2025-11").unwrap();
    let now = chrono::Utc::now().fixed_offset();
    let sessions = report::duty_sessions(&records).filter(|s| Month::of(s.start) == november);
    let expected = Roster::of(&records).hours_sheet(
        &report::report(sessions, now, DEFAULT_OPEN_LIMIT),
        "2025-11",
        gatewatch_model::csv::Lang::En,
    );
    assert_eq!(response.text(), expected);
    assert!(response.body.starts_with(b"\xEF\xBB\xBF"));
    // Text people typed is guarded against formulas, phones masked.
    assert!(expected.contains(",'=第一中学护学队,"), "{expected}");
    assert!(expected.contains(",138****1234,"), "{expected}");
    // Without `lang`, the sheet is the phone's in Chinese.
    let chinese = t.get("/api/export/duty-hours.csv?month=2025-11").await;
    let expected_zh = Roster::of(&records).hours_sheet(
        &report::report(
            report::duty_sessions(&records).filter(|s| Month::of(s.start) == november),
            now,
            DEFAULT_OPEN_LIMIT,
        ),
        "2025-11",
        gatewatch_model::csv::Lang::Zh,
    );
    assert_eq!(chinese.text(), expected_zh);
    // 志愿时长_2025-11.csv, named for a browser in UTF-8.
    assert_eq!(
        chinese.header(header::CONTENT_DISPOSITION),
        Some(
            "attachment; filename=\"gatewatch_2025-11.csv\"; \
             filename*=UTF-8''%E5%BF%97%E6%84%BF%E6%97%B6%E9%95%BF_2025-11.csv"
        )
    );
    assert!(expected_zh.contains("月份"), "{expected_zh}");

    let team = t
        .get(&format!(
            "/api/export/duty-hours.csv?month=2025-11&team={TEAM}&lang=en"
        ))
        .await;
    assert_eq!(
        team.header(header::CONTENT_DISPOSITION),
        Some(format!("attachment; filename=\"hours_2025-11_{TEAM}.csv\"").as_str())
    );
    assert_eq!(team.text().lines().count(), 1 + 2 + 1, "{}", team.text());
}

#[tokio::test]
async fn bad_months_and_teams_are_refused_with_json_errors() {
    let t = TestApp::new().await;
    for path in ["/api/reports/duty", "/api/export/duty-hours.csv"] {
        for (query, says) in [
            ("", "required"),
            ("?month=", "2026-11"),
            ("?month=2025-13", "`2025-13`"),
            ("?month=2025-1", "`2025-1`"),
            ("?month=November", "`November`"),
            ("?month=2025-11&team=", "`team`"),
            ("?month=2025-11&team=7ea", "`team`"),
        ] {
            let response = t.get(&format!("{path}{query}")).await;
            let error = response.assert_error(StatusCode::BAD_REQUEST, "bad_query");
            assert!(
                error.detail.contains(says),
                "{path}{query}: {}",
                error.detail
            );
        }
    }
}

#[tokio::test]
async fn sessions_stored_before_the_month_column_are_found() {
    let dir = tempfile::tempdir().unwrap();
    // A database as the server before migration 0006 left it, holding a session.
    let database = TestDatabase::new(dir.path()).await;
    let db = database.migrated_to(5).await;
    let records = month_of_records();
    for (seq, r) in records.iter().enumerate() {
        sqlx::query(
            "INSERT INTO records (id, kind, version, device, body, received_at, seq)
             VALUES ($1, $2, $3, 'old', $4, '2025-11-30T00:00:00.000Z', $5)",
        )
        .bind(r.id.to_string())
        .bind(r.body.kind())
        .bind(r.version.to_string())
        .bind(serde_json::to_string(r).unwrap())
        .bind(seq as i64 + 1)
        .execute(db.pool())
        .await
        .unwrap();
    }
    db.close().await;

    let t = TestApp::open_at(dir, database).await;
    let body = t
        .get(&format!("/api/reports/duty?month=2025-11&team={TEAM}"))
        .await
        .body;
    let r: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(
        (&r["sessions"], &r["audience"]),
        (&json!(2), &json!(120)),
        "{r}"
    );
}

#[tokio::test]
async fn a_pull_brings_rosters_and_sessions_only_of_the_teams_followed() {
    let t = TestApp::new().await;
    let other_team = Uuid::from_u128(0x7eb);
    let team = |n: u128, name: &str| {
        Record::new(
            Uuid::from_u128(n),
            version(10),
            RecordBody::Team(Team {
                school_id: "sch-1".into(),
                name: name.into(),
                device_time: at("2025-11-01T09:00:00+08:00"),
            }),
        )
    };
    let member = |n: u128, of: Uuid| {
        Record::new(
            Uuid::from_u128(n),
            version(20),
            RecordBody::Volunteer(Volunteer {
                team: of,
                name: format!("队员{n}"),
                phone: "13800000000".into(),
                role: Role::Member,
                joined: NaiveDate::from_ymd_opt(2025, 9, 1).unwrap(),
                status: MemberStatus::Active,
                device_time: at("2025-11-01T09:00:00+08:00"),
            }),
        )
    };
    let ours = approved_session(30, 30);
    let theirs = edited(&approved_session(31, 30), 31, |s| s.team = other_team);
    let check_in = common::record(40, 40);
    let all = [
        team(TEAM.as_u128(), "实验小学护学队"),
        team(other_team.as_u128(), "二小护学队"),
        member(21, TEAM),
        member(22, other_team),
        ours.clone(),
        theirs,
        check_in,
    ];
    assert_eq!(t.push(&all).await.acks.len(), all.len());

    let ids = |uri: String| {
        let t = &t;
        async move {
            let resp = t.get(&uri).await;
            assert_eq!(resp.status, StatusCode::OK, "{}", resp.text());
            let page: gatewatch_model::PullResponse = resp.json();
            let mut ids: Vec<u128> = page.changes.iter().map(|c| c.record.id.as_u128()).collect();
            ids.sort();
            ids
        }
    };
    let everyone = ids("/api/sync/pull?since=0".into()).await;
    assert_eq!(
        everyone.len(),
        all.len(),
        "no filter: everything, as before"
    );
    let followed = ids(format!("/api/sync/pull?since=0&teams={TEAM}")).await;
    assert_eq!(followed, [21, 30, 40, TEAM.as_u128(), other_team.as_u128()]);
    let none = ids("/api/sync/pull?since=0&teams=".into()).await;
    assert_eq!(
        none,
        [40, TEAM.as_u128(), other_team.as_u128()],
        "teams, never their people"
    );

    for bad in ["teams=nope", "teams=1,2"] {
        t.get(&format!("/api/sync/pull?since=0&{bad}"))
            .await
            .assert_error(StatusCode::BAD_REQUEST, "bad_query");
    }
    let many = (0..51)
        .map(|n| Uuid::from_u128(n).to_string())
        .collect::<Vec<_>>()
        .join(",");
    t.get(&format!("/api/sync/pull?teams={many}"))
        .await
        .assert_error(StatusCode::BAD_REQUEST, "bad_query");
}

#[tokio::test]
async fn an_admin_may_correct_approved_hours_and_the_history_keeps_both() {
    let t = TestApp::new().await;
    let first = approved_session(1, 100);
    t.push(std::slice::from_ref(&first)).await;
    let RecordBody::Duty(mut session) = first.body.clone() else {
        unreachable!()
    };
    session.end = Some(session.start + Duration::minutes(60));
    let body = serde_json::to_string(&RecordBody::Duty(session.clone())).unwrap();
    let resp = t
        .put_json(&format!("/api/admin/records/{}", first.id), body.clone())
        .await;
    assert_eq!(resp.status, StatusCode::OK, "{}", resp.text());
    let stored: Record = resp.json();
    assert!(stored.version > first.version);
    assert_eq!(stored.version.device.as_str(), "admin");
    assert_eq!(stored.body, RecordBody::Duty(session));
    // Phones pull the correction; the history keeps what was approved before.
    let page = t.pull(0, None).await;
    assert_eq!(page.changes.last().map(|c| &c.record), Some(&stored));
    let history = t.history(first.id).await;
    assert_eq!(history.len(), 2);

    // Unknown record, wrong kind, invalid content: clear errors, nothing stored.
    t.put_json(&format!("/api/admin/records/{}", Uuid::from_u128(99)), body)
        .await
        .assert_error(StatusCode::NOT_FOUND, "not_found");
    let team = json!({"kind": "team", "data": {"school_id": "sch-1", "name": "队", "device_time": "2025-11-01T09:00:00+08:00"}});
    t.put_json(
        &format!("/api/admin/records/{}", first.id),
        team.to_string(),
    )
    .await
    .assert_error(StatusCode::UNPROCESSABLE_ENTITY, "invalid_record");
    assert_eq!(t.history(first.id).await.len(), 2);
}

#[tokio::test]
async fn two_phones_deciding_on_one_session_both_count() {
    let t = TestApp::new().await;
    // Volunteer 1 approved (the deputy's phone), volunteer 2 pending.
    let deputy = approved_session(1, 100);
    t.push(std::slice::from_ref(&deputy)).await;
    // The lead's phone had the session before that approval: it approves volunteer 2,
    // and as it knows nothing of volunteer 1's approval, sends 1 as pending.
    let lead = edited(&deputy, 200, |s| {
        s.participants[0].approval = Approval::Pending;
        s.participants[1].approval = Approval::Approved;
        s.note = "雨天".into();
    });
    let pushed = t.push(std::slice::from_ref(&lead)).await;
    assert!(pushed.rejected.is_empty(), "{pushed:?}");
    assert_eq!(pushed.acks[0].outcome, AckOutcome::Superseded);
    // The server's state has both decisions and the lead's note, in a version it made;
    // the lead's own version is in the history.
    let page = t.pull(0, None).await;
    let merged = &page.changes.last().unwrap().record;
    assert!(merged.version > lead.version);
    assert_eq!(merged.version.device.as_str(), "server");
    let RecordBody::Duty(session) = &merged.body else {
        panic!("not a session")
    };
    let decisions: Vec<Approval> = session.participants.iter().map(|p| p.approval).collect();
    assert_eq!(decisions, [Approval::Approved, Approval::Approved]);
    assert_eq!(session.note, "雨天");
    assert_eq!(t.history(deputy.id).await.len(), 3);
}
