//! Concurrent edits through push and pull: two phones edit one record offline from the
//! same version; edits to different fields both survive, one field goes to the higher
//! version, the losing value stays in the history, a phone whose clock is hours wrong
//! converges too.

mod common;

use common::{check_in, record, session, TestApp};
use gatewatch_model::duty::Approval;
use gatewatch_model::{AckOutcome, CheckInEvent, DeviceId, Hlc, Record, RecordBody};

const HOUR_MS: u64 = 3_600_000;

/// A version of `device` at `wall_ms`.
fn at(wall_ms: u64, device: &str) -> Hlc {
    Hlc {
        wall_ms,
        counter: 0,
        device: DeviceId::new(device).unwrap(),
    }
}

/// `base` corrected on `device` at `wall_ms` by `change`.
fn edited(base: &Record, wall_ms: u64, device: &str, change: impl FnOnce(&mut Record)) -> Record {
    let mut next = base.corrected(at(wall_ms, device), base.body.clone());
    change(&mut next);
    next
}

/// The server's current state of `id` (the last of its history).
async fn current(t: &TestApp, id: uuid::Uuid) -> (Record, usize) {
    let history = t.history(id).await;
    let last = serde_json::from_value(history.last().unwrap()["record"].clone()).unwrap();
    (last, history.len())
}

#[tokio::test]
async fn edits_to_different_fields_on_two_phones_both_survive() {
    let t = TestApp::new().await;
    let now = chrono::Utc::now().timestamp_millis() as u64;
    let base = record(1, now - HOUR_MS);
    t.push(std::slice::from_ref(&base)).await;
    let note = edited(&base, now - 20_000, "phonea", |r| {
        check_in(r).note = "门口积水".into()
    });
    let post = edited(&base, now - 10_000, "phoneb", |r| {
        check_in(r).post_id = "s01-g2".into()
    });

    assert_eq!(
        t.push(std::slice::from_ref(&post)).await.acks[0].outcome,
        AckOutcome::Stored
    );
    // Phone A's edit arrives second, older and made from the same base: merged.
    let answer = t.push(std::slice::from_ref(&note)).await;
    assert_eq!(answer.acks[0].outcome, AckOutcome::Superseded);
    assert!(answer.rejected.is_empty());

    let (merged, versions) = current(&t, base.id).await;
    let RecordBody::CheckIn(c) = &merged.body else {
        panic!()
    };
    assert_eq!(
        (c.note.as_str(), c.post_id.as_str()),
        ("门口积水", "s01-g2")
    );
    assert_eq!(merged.version.device.as_str(), "server");
    assert!(merged.version > post.version && merged.version > note.version);
    assert_eq!(
        versions, 4,
        "base, both edits and the merge are in the history"
    );

    // Both phones pull the merge: it is newer than what either holds.
    let pulled = t.pull(0, None).await;
    assert_eq!(pulled.changes.len(), 1);
    assert_eq!(pulled.changes[0].record, merged);
    // Pushing either edit again changes nothing.
    assert_eq!(
        t.push(&[note]).await.acks[0].outcome,
        AckOutcome::Superseded
    );
    assert_eq!(
        t.push(&[post]).await.acks[0].outcome,
        AckOutcome::Superseded
    );
    assert_eq!(current(&t, base.id).await.0, merged);
}

#[tokio::test]
async fn one_field_edited_twice_goes_to_the_higher_version_and_the_loser_is_kept() {
    let t = TestApp::new().await;
    let now = chrono::Utc::now().timestamp_millis() as u64;
    let base = record(1, now - HOUR_MS);
    t.push(std::slice::from_ref(&base)).await;
    let early = edited(&base, now - 20_000, "phonea", |r| {
        check_in(r).note = "先写的".into()
    });
    let late = edited(&base, now - 10_000, "phoneb", |r| {
        check_in(r).note = "后写的".into();
        check_in(r).event = CheckInEvent::Departure;
    });
    // Whatever order they arrive in, the state is the same.
    for order in [[&early, &late], [&late, &early]] {
        let t = TestApp::new().await;
        t.push(std::slice::from_ref(&base)).await;
        for r in order {
            t.push(std::slice::from_ref(r)).await;
        }
        let (state, _) = current(&t, base.id).await;
        let RecordBody::CheckIn(c) = &state.body else {
            panic!()
        };
        assert_eq!(
            (c.note.as_str(), c.event),
            ("后写的", CheckInEvent::Departure)
        );
        // The losing value is on record, with who pushed it and when.
        let history = t.history(base.id).await;
        assert!(history
            .iter()
            .any(|v| v["record"]["data"]["note"] == "先写的"));
    }
}

#[tokio::test]
async fn a_phone_whose_clock_is_hours_behind_still_converges() {
    let t = TestApp::new().await;
    let now = chrono::Utc::now().timestamp_millis() as u64;
    let base = record(1, now - 10 * HOUR_MS);
    t.push(std::slice::from_ref(&base)).await;
    // Phone B edits with a right clock; phone A's clock is 5 hours slow, so its edit,
    // made later in real time, carries an older version.
    let right = edited(&base, now - 60_000, "phoneb", |r| {
        check_in(r).note = "准点".into()
    });
    let slow = edited(&base, now - 5 * HOUR_MS, "phonea", |r| {
        check_in(r).event = CheckInEvent::Departure
    });
    t.push(std::slice::from_ref(&right)).await;
    assert_eq!(
        t.push(std::slice::from_ref(&slow)).await.acks[0].outcome,
        AckOutcome::Superseded
    );
    let (state, _) = current(&t, base.id).await;
    let RecordBody::CheckIn(c) = &state.body else {
        panic!()
    };
    assert_eq!(
        (c.note.as_str(), c.event),
        ("准点", CheckInEvent::Departure)
    );
    // Its record shows the phone's own time and the server's: the history has both.
    let history = t.history(base.id).await;
    let from_slow = history
        .iter()
        .find(|v| v["version"] == slow.version.to_string())
        .unwrap();
    assert!(from_slow["received_at"].is_string());
    assert_eq!(
        from_slow["record"]["data"]["device_time"],
        "2026-11-25T07:12:33+08:00"
    );
}

#[tokio::test]
async fn two_phones_ticking_different_people_of_one_session_both_count() {
    let t = TestApp::new().await;
    let team = uuid::Uuid::from_u128(0x7ea);
    t.push(&[common::team_record(team, "护学队", "s01")]).await;
    let base = session(
        50,
        team,
        "2026-11-25T07:00:00+08:00",
        Some(60),
        &[1, 2],
        Approval::Pending,
    );
    t.push(std::slice::from_ref(&base)).await;
    let now = chrono::Utc::now().timestamp_millis() as u64;
    let edit = |wall_ms: u64, device: &str, who: usize| {
        let mut body = base.body.clone();
        if let RecordBody::Duty(d) = &mut body {
            d.participants[who].approval = Approval::Rejected;
        }
        base.revised(at(wall_ms, device), body)
    };
    t.push(&[edit(now - 2000, "phonea", 0)]).await;
    t.push(&[edit(now - 3000, "phoneb", 1)]).await;
    let (state, _) = current(&t, base.id).await;
    let RecordBody::Duty(d) = &state.body else {
        panic!()
    };
    let approvals: Vec<Approval> = d.participants.iter().map(|p| p.approval).collect();
    assert_eq!(approvals, [Approval::Rejected, Approval::Rejected]);
}

#[tokio::test]
async fn a_merge_that_breaks_a_rule_keeps_the_held_state_and_never_unlocks_hours() {
    use gatewatch_model::duty::Activity;
    let t = TestApp::new().await;
    let team = uuid::Uuid::from_u128(0x7ea);
    t.push(&[common::team_record(team, "护学队", "s01")]).await;
    let mut base = session(
        50,
        team,
        "2026-11-25T07:00:00+08:00",
        None,
        &[1],
        Approval::Pending,
    );
    if let RecordBody::Duty(d) = &mut base.body {
        d.activity = Activity::AntiFraud;
    }
    t.push(std::slice::from_ref(&base)).await;
    let now = chrono::Utc::now().timestamp_millis() as u64;
    // Phone B ends the talk with 50 listeners and approves the hours.
    let mut ended = base.body.clone();
    if let RecordBody::Duty(d) = &mut ended {
        d.end = Some(d.start + chrono::Duration::hours(1));
        d.participants[0].left = d.end;
        d.audience = 50;
        d.participants[0].approval = Approval::Approved;
    }
    let approved = base.revised(at(now - 5000, "phoneb"), ended);
    assert_eq!(
        t.push(std::slice::from_ref(&approved)).await.acks[0].outcome,
        AckOutcome::Stored
    );
    // Phone A, from the same base and with a later clock, calls it a patrol: merged,
    // that is a patrol with an audience — invalid. The approved state must stay.
    let mut patrol = base.body.clone();
    if let RecordBody::Duty(d) = &mut patrol {
        d.activity = Activity::Patrol;
    }
    let relabelled = base.revised(at(now - 1000, "phonea"), patrol);
    let answer = t.push(std::slice::from_ref(&relabelled)).await;
    assert_eq!(answer.acks[0].outcome, AckOutcome::Superseded);
    let (state, _) = current(&t, base.id).await;
    assert_eq!(state.body, approved.body, "the approved state stays");
    assert!(
        state.version > relabelled.version,
        "a later version, for phone A to pull"
    );
    let history = t.history(base.id).await;
    assert!(history
        .iter()
        .any(|v| v["version"] == relabelled.version.to_string()));
}
