//! Browser tests of the app state's sync bookkeeping (wasm-bindgen-test in headless
//! Chromium): what leaves the outbox, what a pull may overwrite, and that a full quota
//! never advances the cursor past changes that were not stored; voids and corrections
//! are new versions of own records only. Run: `cargo test-web`.
#![cfg(target_arch = "wasm32")]

use chrono::{DateTime, Utc};
use gatewatch::state::{IncidentDraft, SaveResult};
use gatewatch::storage::{self, Replayed};
use gatewatch_model::stored::LocalRecord;
use gatewatch_model::{
    Ack, AckOutcome, Change, CheckIn, CheckInEvent, Cursor, DeviceId, FollowUp, Hlc,
    IncidentCategory, Presence, Record, RecordBody, Severity,
};
use gloo_storage::{LocalStorage, Storage};
use leptos::prelude::*;
use uuid::Uuid;
use wasm_bindgen_test::*;

mod common;
use common::fresh_state;

wasm_bindgen_test_configure!(run_in_browser);

fn record(n: u128, wall_ms: u64) -> Record {
    Record::new(
        Uuid::from_u128(n),
        Hlc {
            wall_ms,
            counter: 0,
            device: DeviceId::new("other").unwrap(),
        },
        RecordBody::CheckIn(CheckIn {
            post_id: "s01-g1".into(),
            event: CheckInEvent::Arrival,
            presence: Presence::default(),
            note: format!("v{wall_ms}"),
            officer_name: String::new(),
            device_time: DateTime::parse_from_rfc3339("2026-11-25T07:00:00+08:00").unwrap(),
            gate_code: None,
            position: None,
        }),
    )
}

fn change(seq: u64, r: Record) -> Change {
    Change {
        seq: Cursor(seq),
        received_at: Utc::now(),
        record: r,
        proof: None,
        author: None,
    }
}

#[wasm_bindgen_test]
async fn only_the_acknowledged_version_leaves_the_outbox() {
    let owner = Owner::new();
    let v1 = LocalRecord::new_unsynced(record(1, 10));
    let other = LocalRecord::new_unsynced(record(2, 10));
    let state = fresh_state(&owner, vec![v1.clone(), other]).await;
    assert_eq!(state.outbox().len(), 2);

    // An ack for an older version (the record was edited meanwhile) changes nothing.
    let stale = Ack {
        id: v1.record.id,
        version: Hlc {
            wall_ms: 5,
            ..v1.record.version.clone()
        },
        outcome: AckOutcome::Stored,
    };
    assert!(state.acknowledge_all(&[stale]).is_empty());
    assert_eq!(state.pending_count(), 2);

    let exact = Ack {
        id: v1.record.id,
        version: v1.record.version.clone(),
        outcome: AckOutcome::Duplicate,
    };
    assert_eq!(state.acknowledge_all(&[exact]).len(), 1);
    assert_eq!(state.pending_count(), 1);
    assert_eq!(
        state.outbox().iter().map(|r| r.id).collect::<Vec<_>>(),
        vec![Uuid::from_u128(2)]
    );
    // And it was written: a reload still knows it is on the server.
    let reloaded = storage::load().unwrap();
    assert!(reloaded
        .records
        .iter()
        .any(|r| r.record.id == v1.record.id && r.synced));
}

#[wasm_bindgen_test]
async fn a_pull_never_rolls_a_record_back_and_advances_the_cursor() {
    let owner = Owner::new();
    let newer = LocalRecord::new_unsynced(record(1, 50));
    let state = fresh_state(&owner, vec![newer.clone()]).await;
    // The server still has an older version of it, and a new record.
    state.apply_changes(
        vec![change(1, record(1, 20)), change(2, record(3, 30))],
        Cursor(2),
    );
    let held = state.records.get_untracked();
    assert_eq!(
        held[&newer.record.id].record.version.wall_ms, 50,
        "the local edit stays"
    );
    assert!(
        !held[&newer.record.id].synced,
        "and still waits in the outbox"
    );
    assert!(held[&Uuid::from_u128(3)].synced);
    assert_eq!(state.cursor(), Cursor(2));
    assert_eq!(storage::load().unwrap().cursor, Cursor(2));
}

#[wasm_bindgen_test]
async fn a_full_quota_holds_the_cursor_until_the_changes_are_stored() {
    let owner = Owner::new();
    let state = fresh_state(&owner, vec![]).await;
    state.apply_changes(vec![change(1, record(1, 10))], Cursor(1));
    assert_eq!(state.cursor(), Cursor(1));

    // Fill the quota, then pull one more change: it cannot be stored.
    let raw = LocalStorage::raw();
    let (mut chunk, mut n) = (1 << 20, 0);
    while chunk >= 16 {
        if raw
            .set_item(&format!("filler:{n}"), &"x".repeat(chunk))
            .is_ok()
        {
            n += 1
        } else {
            chunk /= 2
        }
    }
    state.apply_changes(vec![change(2, record(2, 20))], Cursor(2));
    assert_eq!(
        state.cursor(),
        Cursor(1),
        "the cursor must not pass a change that was not stored"
    );
    assert!(
        state
            .records
            .get_untracked()
            .contains_key(&Uuid::from_u128(2)),
        "it is shown meanwhile"
    );
    assert!(state.unsaved.get_untracked().contains(&Uuid::from_u128(2)));

    // Room again: the retry stores it; the next pull of the same page moves the cursor.
    for i in 0..n {
        LocalStorage::delete(format!("filler:{i}"));
    }
    state.retry_unsaved();
    assert!(state.unsaved.get_untracked().is_empty());
    state.apply_changes(vec![change(2, record(2, 20))], Cursor(2));
    assert_eq!(state.cursor(), Cursor(2));
    assert_eq!(storage::load().unwrap().records.len(), 2);
}

#[wasm_bindgen_test]
async fn a_replayed_journal_entry_never_overwrites_a_newer_state() {
    let owner = Owner::new();
    let synced_newer = LocalRecord {
        synced: true,
        ..LocalRecord::new_unsynced(record(1, 90))
    };
    let state = fresh_state(&owner, vec![synced_newer.clone()]).await;
    let older = LocalRecord::new_unsynced(record(1, 40));
    let lost = LocalRecord::new_unsynced(record(2, 40));
    state.add_replayed(Replayed {
        recovered: vec![older, lost.clone()],
        ..Default::default()
    });
    let held = state.records.get_untracked();
    assert_eq!(held[&synced_newer.record.id], synced_newer);
    assert_eq!(held[&lost.record.id], lost);
    assert_eq!(state.pending_count(), 1);
}

#[wasm_bindgen_test]
async fn a_void_is_a_new_version_of_an_own_record_and_survives_reload() {
    let owner = Owner::new();
    let foreign = LocalRecord {
        synced: true,
        ..LocalRecord::new_unsynced(record(9, 10))
    };
    let state = fresh_state(&owner, vec![foreign]).await;
    assert!(
        state
            .void(Uuid::from_u128(9), "不是我的".into())
            .await
            .is_err(),
        "another phone's record cannot be voided here"
    );

    let draft = IncidentDraft {
        post_id: "s01-g1".into(),
        category: IncidentCategory::Traffic,
        severity: Severity::Low,
        description: "校门口违停".into(),
        people: String::new(),
        status: FollowUp::Open,
        position: None,
    };
    let SaveResult::Saved(id) = owner.with(|| state.record_incident(draft)).await.unwrap() else {
        panic!("not saved")
    };
    let first = state.records.get_untracked()[&id].record.clone();
    assert!(
        state.void(id, "  ".into()).await.is_err(),
        "a void needs a reason"
    );
    state.void(id, "重复上报".into()).await.unwrap();
    let voided = state.records.get_untracked()[&id].record.clone();
    assert!(voided.version > first.version);
    assert_eq!(voided.voided.as_deref(), Some("重复上报"));
    assert_eq!(voided.body, first.body, "the report itself is kept");

    // The report was never pushed: both states go up, the earlier one first, so the
    // server's history has both. They survive a reload until acknowledged.
    let versions = |records: &[Record]| -> Vec<Hlc> {
        records
            .iter()
            .filter(|r| r.id == id)
            .map(|r| r.version.clone())
            .collect()
    };
    assert_eq!(
        versions(&state.outbox()),
        vec![first.version.clone(), voided.version.clone()]
    );
    assert_eq!(
        state.pending_count(),
        2,
        "the foreign record is synced; two versions wait"
    );
    let reloaded = storage::load().unwrap();
    assert_eq!(reloaded.superseded.len(), 1);
    assert_eq!(reloaded.superseded[0].record, first);

    // The first version's ack takes only that version out of the outbox.
    let ack = Ack {
        id,
        version: first.version.clone(),
        outcome: AckOutcome::Stored,
    };
    assert!(
        state.acknowledge_all(&[ack]).is_empty(),
        "the void is not on the server: its journal entry stays"
    );
    assert_eq!(versions(&state.outbox()), vec![voided.version.clone()]);
    assert!(
        state.records.get_untracked()[&id].server_has_earlier,
        "the void is now a correction of what the server has"
    );
    let reloaded = storage::load().unwrap();
    assert!(reloaded.superseded.is_empty());
    let back = reloaded.records.iter().find(|r| r.record.id == id).unwrap();
    assert_eq!(back.record, voided);
    assert!(!back.synced);
}

/// An incident made on this phone (so its own), as the form would save it.
async fn own_incident(owner: &Owner, state: gatewatch::state::AppState) -> Uuid {
    let draft = IncidentDraft {
        post_id: "s01-g1".into(),
        category: IncidentCategory::Traffic,
        severity: Severity::Low,
        description: "校门口违停".into(),
        people: String::new(),
        status: FollowUp::Open,
        position: None,
    };
    match owner.with(|| state.record_incident(draft)).await.unwrap() {
        SaveResult::Saved(id) | SaveResult::HeldInMemory(id) => id,
    }
}

/// The server acknowledges the version of `id` the phone holds now.
fn acknowledge_current(state: gatewatch::state::AppState, id: Uuid) {
    let version = state.records.get_untracked()[&id].record.version.clone();
    state.acknowledge_all(&[Ack {
        id,
        version,
        outcome: AckOutcome::Stored,
    }]);
}

fn out_of_scope(version: &Hlc) -> gatewatch_model::outbox::Refusal {
    gatewatch_model::outbox::Refusal {
        version: version.clone(),
        code: gatewatch_model::RejectCode::OutOfScope,
        reason: "school s02 is not in your scope".into(),
    }
}

#[wasm_bindgen_test]
async fn a_refused_record_is_not_pending_and_stays_refused_after_a_reload() {
    use gatewatch_model::outbox::SyncStatus;
    let owner = Owner::new();
    let state = fresh_state(&owner, vec![]).await;
    let id = own_incident(&owner, state).await;
    let version = state.records.get_untracked()[&id].record.version.clone();
    assert_eq!(state.pending_count(), 1);
    state.reject(id, out_of_scope(&version));
    assert_eq!(state.pending_count(), 0, "refused is not pending");
    assert_eq!(state.tally().refused, 1);
    assert!(
        state.outbox().is_empty(),
        "a refused version is not pushed again"
    );

    // A reload keeps it refused (not pending, not pushed), with the reason.
    let reloaded = owner.with(|| gatewatch::state::AppState::new(storage::load()));
    assert_eq!(reloaded.pending_count(), 0);
    assert!(reloaded.outbox().is_empty());
    let local = reloaded.records.get_untracked()[&id].clone();
    assert_eq!(reloaded.sync_status(&local), SyncStatus::Refused);
    assert_eq!(reloaded.refused_records().len(), 1);

    // Voiding it does not put the refused version back in the outbox (today's count 2).
    state.void(id, "走错学校".into()).await.unwrap();
    assert_eq!(
        state.pending_count(),
        1,
        "only the void waits, not the refused state"
    );
    assert!(state.superseded.get_untracked().is_empty());
}

#[wasm_bindgen_test]
async fn a_discarded_refused_record_leaves_the_phone_and_the_journal() {
    let owner = Owner::new();
    let state = fresh_state(&owner, vec![]).await;
    let id = own_incident(&owner, state).await;
    let kept = own_incident(&owner, state).await;
    assert!(
        state.discard_refused(id).await.is_err(),
        "a record the server may still take is never discarded"
    );
    let version = state.records.get_untracked()[&id].record.version.clone();
    state.reject(id, out_of_scope(&version));
    state.discard_refused(id).await.unwrap();
    assert!(!state.records.get_untracked().contains_key(&id));
    assert_eq!(state.tally().refused, 0);
    assert_eq!(state.pending_count(), 1, "the other record still waits");
    let reloaded = storage::load().unwrap();
    assert!(reloaded.records.iter().all(|r| r.record.id != id));
    assert!(reloaded.refusals.is_empty());
    let replayed = storage::replay_journal(&reloaded.records).await.unwrap();
    assert!(
        replayed.recovered.iter().all(|r| r.record.id != id),
        "not brought back by the journal"
    );
    assert!(reloaded.records.iter().any(|r| r.record.id == kept));
}

#[wasm_bindgen_test]
async fn correcting_a_synced_record_keeps_it_shown_as_on_the_server() {
    use gatewatch_model::outbox::SyncStatus;
    let owner = Owner::new();
    let state = fresh_state(&owner, vec![]).await;
    let id = own_incident(&owner, state).await;
    acknowledge_current(state, id);
    state.void(id, "重复上报".into()).await.unwrap();
    let local = state.records.get_untracked()[&id].clone();
    assert_eq!(state.sync_status(&local), SyncStatus::CorrectionPending);
    // Still so after a reload.
    let reloaded = storage::load().unwrap();
    let stored = reloaded.records.iter().find(|r| r.record.id == id).unwrap();
    assert!(stored.server_has_earlier && !stored.synced);
}

#[wasm_bindgen_test]
async fn a_refused_earlier_version_is_answered_when_a_later_one_is_acknowledged() {
    let owner = Owner::new();
    let state = fresh_state(&owner, vec![]).await;
    let id = own_incident(&owner, state).await;
    let v1 = state.records.get_untracked()[&id].record.version.clone();
    // Corrected before any sync: v1 waits as an earlier version, v2 is current.
    state.void(id, "走错岗位".into()).await.unwrap();
    let v2 = state.records.get_untracked()[&id].record.version.clone();
    assert_eq!(state.pending_count(), 2);
    // One answer refuses v1 and stores v2 (as sync.rs applies it: refusals, then acks).
    state.reject(id, out_of_scope(&v1));
    state.acknowledge_all(&[Ack {
        id,
        version: v2,
        outcome: AckOutcome::Stored,
    }]);
    assert_eq!(
        state.tally(),
        gatewatch_model::outbox::Tally::default(),
        "nothing waits, nothing refused"
    );
    assert!(state.superseded.get_untracked().is_empty());
    assert!(
        storage::load().unwrap().refusals.is_empty(),
        "not refused after a reload either"
    );
}

#[wasm_bindgen_test]
async fn discarding_a_refused_correction_reads_the_servers_state_again() {
    use gatewatch_model::outbox::SyncStatus;
    let owner = Owner::new();
    let state = fresh_state(&owner, vec![]).await;
    let id = own_incident(&owner, state).await;
    acknowledge_current(state, id);
    state.apply_changes(vec![], Cursor(40));
    assert_eq!(state.cursor(), Cursor(40));
    state.void(id, "改到外校".into()).await.unwrap();
    let v2 = state.records.get_untracked()[&id].record.version.clone();
    state.reject(id, out_of_scope(&v2));
    let local = state.records.get_untracked()[&id].clone();
    assert_eq!(state.sync_status(&local), SyncStatus::Refused);
    state.discard_refused(id).await.unwrap();
    // The refused correction is gone; the version the server has comes back with the
    // next pull, read from the start of the feed.
    assert_eq!(state.cursor(), Cursor::default());
    assert_eq!(storage::load().unwrap().cursor, Cursor::default());
}

#[wasm_bindgen_test]
async fn a_page_pulled_before_the_feed_restarted_does_not_move_the_cursor_back_up() {
    let owner = Owner::new();
    let state = fresh_state(&owner, vec![]).await;
    state.apply_changes(vec![], Cursor(40));
    let since = state.cursor();
    // Meanwhile a discard reads the feed again from the start.
    state.reset_cursor();
    state.apply_changes_since(since, vec![change(41, record(1, 10))], Cursor(41));
    assert!(
        state
            .records
            .get_untracked()
            .contains_key(&Uuid::from_u128(1)),
        "the page is applied"
    );
    assert_eq!(state.cursor(), Cursor::default(), "the restart stands");
    assert_eq!(storage::load().unwrap().cursor, Cursor::default());
}

#[wasm_bindgen_test]
async fn a_stored_device_id_the_server_keeps_for_itself_is_replaced() {
    let owner = Owner::new();
    fresh_state(&owner, vec![]).await;
    for own in ["server", "admin"] {
        let clock = gatewatch_model::Clock::new(DeviceId::new(own).unwrap());
        storage::save_clock(&clock).unwrap();
        let state = owner.with(|| gatewatch::state::AppState::new(storage::load()));
        assert!(!state.device().is_reserved(), "{own}");
    }
}

/// An incident with id `n` at version `wall_ms` (of another phone).
fn incident(n: u128, wall_ms: u64) -> Record {
    let RecordBody::CheckIn(c) = record(n, wall_ms).body else {
        unreachable!("record() makes check-ins")
    };
    let body = RecordBody::Incident(gatewatch_model::Incident {
        post_id: c.post_id,
        category: IncidentCategory::Bullying,
        severity: Severity::High,
        description: "校门外推搡".into(),
        people: "两名学生".into(),
        status: FollowUp::Open,
        officer_name: c.officer_name,
        device_time: c.device_time,
        position: None,
    });
    Record::new(Uuid::from_u128(n), record(n, wall_ms).version, body)
}

#[wasm_bindgen_test]
async fn a_leads_phone_keeps_no_incident_it_may_no_longer_read() {
    let owner = Owner::new();
    let synced = |r: Record| LocalRecord {
        synced: true,
        ..LocalRecord::new_unsynced(r)
    };
    let pulled_earlier = synced(incident(1, 10));
    let check_in = synced(record(2, 10));
    let not_sent = LocalRecord::new_unsynced(incident(3, 10));
    let state = fresh_state(&owner, vec![pulled_earlier, check_in, not_sent]).await;
    let lead = gatewatch_model::account::Profile {
        user: Uuid::from_u128(77),
        username: "lead1".into(),
        display_name: "李队长".into(),
        role: gatewatch_model::access::UserRole::Lead,
        schools: vec!["s01".into()],
        teams: vec![],
    };
    owner.with(|| state.profile_restored(lead));
    let held = |ids: Vec<Uuid>| {
        let mut ids: Vec<u128> = ids.into_iter().map(|id| id.as_u128()).collect();
        ids.sort();
        ids
    };
    let in_memory = held(state.records.get_untracked().into_keys().collect());
    assert_eq!(
        in_memory,
        [2, 3],
        "the unsynced one stays, to push or export"
    );
    let stored = held(
        storage::load()
            .unwrap()
            .records
            .into_iter()
            .map(|l| l.record.id)
            .collect(),
    );
    assert_eq!(stored, [2, 3]);
}

#[wasm_bindgen_test]
async fn a_revoked_device_drops_what_the_server_has_and_hides_the_rest() {
    use gatewatch_model::account::SessionEnd;
    let owner = Owner::new();
    let on_server = LocalRecord {
        synced: true,
        ..LocalRecord::new_unsynced(record(1, 10))
    };
    let not_sent = LocalRecord::new_unsynced(record(2, 10));
    let state = fresh_state(&owner, vec![on_server, not_sent]).await;
    state.apply_changes(vec![], Cursor(40));

    // A plain expiry changes nothing on the phone.
    owner.with(|| state.session_has_ended(SessionEnd::Expired));
    assert_eq!(state.records.get_untracked().len(), 2);
    assert_eq!(state.locked.get_untracked(), None);

    owner.with(|| state.session_has_ended(SessionEnd::Revoked));
    let ids: Vec<u128> = state
        .records
        .get_untracked()
        .keys()
        .map(|id| id.as_u128())
        .collect();
    assert_eq!(ids, [2], "the unsynced record stays (hidden)");
    assert_eq!(state.locked.get_untracked(), Some(SessionEnd::Revoked));
    assert_eq!(
        state.cursor(),
        Cursor::default(),
        "the next login pulls it all again"
    );
    // A restart stays locked, with the same record kept.
    let again = owner.with(|| gatewatch::state::AppState::new(storage::load()));
    assert_eq!(again.locked.get_untracked(), Some(SessionEnd::Revoked));
    assert!(again.session_ended.get_untracked());
    let ids: Vec<u128> = again
        .records
        .get_untracked()
        .keys()
        .map(|id| id.as_u128())
        .collect();
    assert_eq!(ids, [2]);
}
