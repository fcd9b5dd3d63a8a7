//! Volunteer duty through the server: approved hours locked at push, the monthly duty
//! report as JSON (`GET /api/reports/duty`) and the hours sheet
//! (`GET /api/export/duty-hours.csv`), and their refused queries. The city-sized check
//! of the same endpoints is `duty_city.rs`.

mod common;

use chrono::{DateTime, Duration, FixedOffset};
use common::{version, TestApp};
use gatewatch_model::duty::{Activity, Approval, DutySession, Participation};
use gatewatch_model::{AckOutcome, Record, RecordBody};
use uuid::Uuid;

fn at(text: &str) -> DateTime<FixedOffset> {
    DateTime::parse_from_rfc3339(text).unwrap()
}

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
    // Voiding it, un-approving or dropping the volunteer: refused too.
    let void = first.voided(version(210), "重复".into());
    let unapproved = edited(&first, 220, |s| {
        s.participants[0].approval = Approval::Pending
    });
    let dropped = edited(&first, 230, |s| {
        s.participants.remove(0);
    });
    let pushed = t.push(&[void, unapproved, dropped]).await;
    assert!(pushed.acks.is_empty(), "{:?}", pushed.acks);
    assert_eq!(pushed.rejected.len(), 3);
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
