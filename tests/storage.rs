//! Browser tests of the storage module (wasm-bindgen-test in headless Chromium):
//! round trips, corrupt values, a full quota, the durable journal. Run: `cargo test-web`.
#![cfg(target_arch = "wasm32")]

use chrono::DateTime;
use gatewatch::storage::{self, journal, Key, Saved, StorageError};
use gatewatch_model::account::SessionEnd;
use gatewatch_model::stored::StoredError;
use gatewatch_model::stored::{LocalRecord, SCHEMA_VERSION};
use gatewatch_model::{CheckIn, CheckInEvent, DeviceId, Hlc, Presence, Record, RecordBody};
use gloo_storage::{LocalStorage, Storage};
use uuid::Uuid;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn record(n: u128, wall_ms: u64) -> LocalRecord {
    LocalRecord::new_unsynced(Record::new(
        Uuid::from_u128(n),
        Hlc {
            wall_ms,
            counter: 0,
            device: DeviceId::new("test1").unwrap(),
        },
        RecordBody::CheckIn(CheckIn {
            post_id: "s01-g1".into(),
            event: CheckInEvent::Arrival,
            presence: Presence::default(),
            note: format!("记录 {n}"),
            officer_name: "张警官".into(),
            device_time: DateTime::parse_from_rfc3339("2026-11-25T07:12:33+08:00").unwrap(),
            gate_code: None,
            position: None,
        }),
    ))
}

/// Every test starts from an empty origin: localStorage and the journal.
async fn fresh() {
    LocalStorage::clear();
    storage::load().unwrap();
    LocalStorage::clear();
    for (key, _) in journal::entries().await.unwrap() {
        journal::delete(&key).await.unwrap();
    }
}

#[wasm_bindgen_test]
async fn saved_records_load_back_exactly() {
    fresh().await;
    let (a, b) = (record(1, 10), record(2, 20));
    storage::save_record(&a).unwrap();
    storage::save_record(&b).unwrap();
    let mut loaded = storage::load().unwrap().records;
    loaded.sort_by_key(|r| r.record.id);
    assert_eq!(loaded, vec![a, b]);
    assert_eq!(
        LocalStorage::raw()
            .get_item("gw:schema")
            .unwrap()
            .as_deref(),
        Some(SCHEMA_VERSION.to_string().as_str())
    );
}

#[wasm_bindgen_test]
async fn a_phone_with_schema_1_data_upgrades_in_place() {
    fresh().await;
    // Exactly what the version 1 app wrote for a check-in.
    let id = Uuid::from_u128(7);
    let raw = LocalStorage::raw();
    raw.set_item("gw:schema", "1").unwrap();
    raw.set_item(
        &format!("gw:r:{id}"),
        r#"{"v":"000000000010-0000-test1","s":true,"k":"c","p":"s01-g1","e":"a","f":7,"o":"张警官","t":"2026-11-25T07:12:33+08:00"}"#,
    )
    .unwrap();
    let loaded = storage::load().unwrap();
    assert!(loaded.quarantined.is_empty(), "{:?}", loaded.quarantined);
    let [r] = loaded.records.as_slice() else {
        panic!("{:?}", loaded.records)
    };
    assert_eq!(
        (r.record.id, r.synced, r.record.body.post_id()),
        (id, true, "s01-g1")
    );
    assert_eq!(
        raw.get_item("gw:schema").unwrap(),
        Some(SCHEMA_VERSION.to_string())
    );
}

#[wasm_bindgen_test]
async fn a_phone_with_schema_3_data_upgrades_in_place_and_keeps_swaps() {
    fresh().await;
    // Exactly what the version 3 app wrote for a duty session.
    let raw = LocalStorage::raw();
    raw.set_item("gw:schema", "3").unwrap();
    let session = Uuid::from_u128(8);
    raw.set_item(
        &format!("gw:r:{session}"),
        r#"{"v":"000000000011-0000-test1","s":true,"k":"s","p":"s01-g1","t":"2026-11-25T07:00:00+08:00","bs":{"team":"00000000-0000-0000-0000-000000000005","post_id":"s01-g1","activity":"patrol","place":"","start":"2026-11-25T07:00:00+08:00","participants":[],"device_time":"2026-11-25T07:00:00+08:00"}}"#,
    )
    .unwrap();
    // Its pull cursor: what it pulled came without authors, so it pulls all again.
    raw.set_item("gw:cursor", "42").unwrap();
    let loaded = storage::load().unwrap();
    assert!(loaded.quarantined.is_empty(), "{:?}", loaded.quarantined);
    assert_eq!(loaded.cursor, gatewatch_model::Cursor(0));
    assert_eq!(loaded.records.len(), 1);
    assert_eq!(loaded.records[0].record.body.kind(), "duty");
    assert_eq!(
        raw.get_item("gw:schema").unwrap(),
        Some(SCHEMA_VERSION.to_string())
    );
    // Once upgraded, the cursor is kept again.
    storage::save_cursor(gatewatch_model::Cursor(43)).unwrap();
    assert_eq!(storage::load().unwrap().cursor, gatewatch_model::Cursor(43));
    // A swap request, new in schema 4, saves and loads back.
    let mut swap = record(9, 30);
    swap.record.body = RecordBody::Swap(gatewatch_model::swap::SwapRequest {
        post_id: "s01-g1".into(),
        date: chrono::NaiveDate::from_ymd_opt(2026, 12, 7).unwrap(),
        window: gatewatch_model::school::WindowKind::Morning,
        officer: Uuid::from_u128(1),
        substitute: None,
        reason: "孩子发烧".into(),
        decision: None,
        device_time: DateTime::parse_from_rfc3339("2026-12-06T20:15:00+08:00").unwrap(),
    });
    storage::save_record(&swap).unwrap();
    let mut loaded = storage::load().unwrap().records;
    loaded.sort_by_key(|r| r.record.id);
    assert_eq!(loaded[1], swap);
}

#[wasm_bindgen_test]
async fn saving_one_record_writes_one_key() {
    fresh().await;
    for n in 1..=50 {
        storage::save_record(&record(n, n as u64)).unwrap();
    }
    let before = LocalStorage::raw()
        .get_item(&Key::Record(Uuid::from_u128(1)).name())
        .unwrap();
    let mut edited = record(1, 99);
    edited.synced = true;
    storage::save_record(&edited).unwrap();
    // Only the edited key changed; the other 49 are untouched and there is no index.
    let after = LocalStorage::raw()
        .get_item(&Key::Record(Uuid::from_u128(1)).name())
        .unwrap();
    assert_ne!(before, after);
    // 50 records and nothing else: saving wrote no index or other key.
    assert_eq!(LocalStorage::length(), 50);
}

#[wasm_bindgen_test]
async fn corrupt_values_are_moved_aside_not_deleted_and_the_app_still_starts() {
    fresh().await;
    let good = record(1, 10);
    storage::save_record(&good).unwrap();
    let bad_key = Key::Record(Uuid::from_u128(2)).name();
    let raw = LocalStorage::raw();
    raw.set_item(&bad_key, "{not json").unwrap();
    raw.set_item(&Key::Settings.name(), "[1,2,").unwrap();

    let loaded = storage::load().expect("a corrupt value must not stop the app");
    assert_eq!(loaded.records, vec![good]);
    assert_eq!(loaded.quarantined.len(), 2);
    let moved = loaded
        .quarantined
        .iter()
        .find(|q| q.key == bad_key)
        .and_then(|q| q.moved_to.clone())
        .expect("the bad record was moved");
    assert!(moved.starts_with("gw:bad:") && moved.ends_with(&bad_key));
    assert_eq!(raw.get_item(&moved).unwrap().as_deref(), Some("{not json"));
    assert_eq!(raw.get_item(&bad_key).unwrap(), None);

    // A second bad value under the same key is moved too, never over the first.
    raw.set_item(&bad_key, "second bad").unwrap();
    let again = storage::load().unwrap();
    assert_eq!(again.quarantined.len(), 1);
    let moved_again = again.quarantined[0].moved_to.clone().expect("moved");
    assert_ne!(moved_again, moved);
    assert_eq!(raw.get_item(&moved).unwrap().as_deref(), Some("{not json"));
    assert_eq!(
        raw.get_item(&moved_again).unwrap().as_deref(),
        Some("second bad")
    );
}

#[wasm_bindgen_test]
async fn data_from_a_newer_app_is_refused_and_left_untouched() {
    fresh().await;
    let raw = LocalStorage::raw();
    raw.set_item("gw:schema", &(SCHEMA_VERSION + 1).to_string())
        .unwrap();
    let err = storage::load().unwrap_err();
    assert_eq!(
        err,
        StorageError::Schema(StoredError::NewerSchema(SCHEMA_VERSION + 1))
    );
    // Nothing may be written into the newer app's data, not even a new record.
    assert_eq!(
        storage::save_record(&record(1, 1)),
        Err(StorageError::ReadOnly)
    );
    assert_eq!(
        storage::save_durably(&record(1, 1)).await,
        Err(StorageError::ReadOnly)
    );
    assert_eq!(
        raw.get_item("gw:schema").unwrap(),
        Some((SCHEMA_VERSION + 1).to_string())
    );
    assert_eq!(LocalStorage::length(), 1);
}

/// Fills localStorage with filler values until the browser refuses more.
fn fill_quota() -> usize {
    let raw = LocalStorage::raw();
    let mut chunk = 1 << 20;
    let mut n = 0;
    while chunk >= 16 {
        if raw
            .set_item(&format!("filler:{n}"), &"x".repeat(chunk))
            .is_ok()
        {
            n += 1;
        } else {
            chunk /= 2;
        }
    }
    n
}

#[wasm_bindgen_test]
async fn a_full_quota_is_a_clear_error_and_loses_nothing_stored() {
    fresh().await;
    let kept = record(1, 10);
    storage::save_record(&kept).unwrap();
    let fillers = fill_quota();
    assert!(fillers > 0);

    let new = record(2, 20);
    assert_eq!(storage::save_record(&new), Err(StorageError::QuotaFull));
    // The durable save still puts it in the journal, and says localStorage refused it.
    assert_eq!(storage::save_durably(&new).await, Ok(Saved::JournalOnly));
    let journaled = journal::entries().await.unwrap();
    assert!(journaled
        .iter()
        .any(|(k, _)| *k == new.record.id.to_string()));

    let loaded = storage::load().unwrap();
    assert_eq!(loaded.records, vec![kept]);

    // A restart while still full: the replay hands the record back instead of dropping it.
    let replayed = storage::replay_journal(&loaded.records).await.unwrap();
    assert_eq!(replayed.not_stored, vec![new.clone()]);
    assert!(replayed.recovered.is_empty());

    // Once space is freed, the journal replay brings the new record in.
    for i in 0..fillers {
        LocalStorage::delete(format!("filler:{i}"));
    }
    let replayed = storage::replay_journal(&loaded.records).await.unwrap();
    assert_eq!(replayed.recovered, vec![new.clone()]);
    assert_eq!(storage::load().unwrap().records.len(), 2);
}

#[wasm_bindgen_test]
async fn the_journal_brings_back_a_record_localstorage_lost() {
    fresh().await;
    let r = record(7, 70);
    storage::save_durably(&r).await.unwrap();
    // What a browser kill before localStorage's flush looks like on the next start.
    LocalStorage::delete(Key::Record(r.record.id).name());
    let loaded = storage::load().unwrap();
    assert!(loaded.records.is_empty());
    let replayed = storage::replay_journal(&loaded.records).await.unwrap();
    assert_eq!(replayed.recovered, vec![r.clone()]);
    assert_eq!(storage::load().unwrap().records, vec![r]);
}

#[wasm_bindgen_test]
async fn an_acknowledged_record_leaves_the_journal() {
    fresh().await;
    let r = record(8, 80);
    storage::save_durably(&r).await.unwrap();
    assert_eq!(journal::entries().await.unwrap().len(), 1);
    storage::forget_journal(&r).await.unwrap();
    assert!(journal::entries().await.unwrap().is_empty());

    // An acknowledgement of an older version leaves a newer journaled edit alone.
    let newer = record(8, 81);
    storage::save_durably(&newer).await.unwrap();
    storage::forget_journal(&r).await.unwrap();
    assert_eq!(journal::entries().await.unwrap().len(), 1);
    storage::forget_journal(&newer).await.unwrap();
    assert!(journal::entries().await.unwrap().is_empty());
    // And a journal entry already in localStorage as synced is cleaned up at replay.
    storage::save_durably(&r).await.unwrap();
    let mut synced = r.clone();
    synced.synced = true;
    storage::save_record(&synced).unwrap();
    let replayed = storage::replay_journal(&[synced]).await.unwrap();
    assert_eq!(replayed, storage::Replayed::default());
    assert!(journal::entries().await.unwrap().is_empty());
}

fn profile() -> gatewatch_model::account::Profile {
    gatewatch_model::account::Profile {
        user: Uuid::from_u128(7),
        username: "wang.li".into(),
        display_name: "王力".into(),
        role: gatewatch_model::access::UserRole::Officer,
        schools: vec!["s01".to_string()],
        teams: Vec::new(),
    }
}

#[wasm_bindgen_test]
async fn the_profile_survives_losing_localstorage_through_the_journal() {
    fresh().await;
    storage::save_profile(&profile()).await.unwrap();
    assert_eq!(storage::load().unwrap().profile, Some(profile()));
    // A kill right after login: localStorage never reached the disk.
    LocalStorage::delete(Key::Profile.name());
    assert_eq!(storage::load().unwrap().profile, None);
    let replayed = storage::replay_journal(&[]).await.unwrap();
    assert_eq!(replayed.profile, Some(profile()));
    assert!(replayed.unreadable.is_empty(), "{:?}", replayed.unreadable);
}

#[wasm_bindgen_test]
async fn logging_out_wipes_the_persons_data_and_keeps_the_phones() {
    fresh().await;
    let rec = record(1, 10);
    storage::save_durably(&rec).await.unwrap();
    storage::save_profile(&profile()).await.unwrap();
    storage::save_cursor(gatewatch_model::Cursor(42)).unwrap();
    storage::save_followed_teams(&[Uuid::from_u128(9)]).unwrap();
    storage::save_gate_secret("s01-g1", "00ff").unwrap();
    let settings = storage::Settings {
        lang: gatewatch::i18n::Lang::En,
        my_posts: vec!["s01-g1".into()],
    };
    storage::save_settings(&settings).unwrap();
    // An older version kept a typed officer name in the settings: it must go too.
    LocalStorage::raw()
        .set_item(
            "gw:settings",
            r#"{"officer_name":"王力","lang":"en","my_posts":["s01-g1"]}"#,
        )
        .unwrap();
    let device = storage::new_device_id();
    let clock = gatewatch_model::Clock::new(device.clone());
    storage::save_clock(&clock).unwrap();
    // A value set aside unreadable: offered as a file before the logout takes it.
    LocalStorage::raw()
        .set_item("gw:r:00000000-0000-0000-0000-000000000002", "{broken")
        .unwrap();
    storage::load().unwrap();
    let set_aside = storage::quarantined_values();
    assert_eq!(set_aside.len(), 1);
    assert_eq!(set_aside[0].1, "{broken");

    // Another user logging in was not offered them: they stay.
    storage::forget_personal_data(storage::SetAside::Kept)
        .await
        .unwrap();
    assert_eq!(storage::quarantined_values(), set_aside);
    storage::forget_personal_data(storage::SetAside::Offered)
        .await
        .unwrap();
    let loaded = storage::load().unwrap();
    assert!(loaded.records.is_empty());
    assert_eq!(loaded.profile, None);
    assert_eq!(loaded.cursor, gatewatch_model::Cursor(0));
    assert!(loaded.followed_teams.is_empty());
    assert_eq!(storage::gate_secret("s01-g1"), None);
    assert!(journal::entries().await.unwrap().is_empty());
    assert!(storage::quarantined_values().is_empty());
    // Who the officer was goes; the phone's own settings and device id stay.
    assert_eq!(loaded.settings, settings);
    let raw = LocalStorage::raw()
        .get_item("gw:settings")
        .unwrap()
        .unwrap();
    assert!(!raw.contains("王力"), "{raw}");
    assert_eq!(loaded.clock.map(|c| c.device), Some(device));
}

#[wasm_bindgen_test]
async fn a_locked_phone_keeps_only_what_the_server_never_got() {
    fresh().await;
    let synced = LocalRecord {
        synced: true,
        ..record(1, 10)
    };
    let unsynced = record(2, 10);
    storage::save_record(&synced).unwrap();
    storage::save_durably(&unsynced).await.unwrap();
    storage::save_profile(&profile()).await.unwrap();
    storage::save_cursor(gatewatch_model::Cursor(42)).unwrap();
    storage::save_followed_teams(&[Uuid::from_u128(9)]).unwrap();
    storage::save_gate_secret("s01-g1", "00ff").unwrap();
    storage::save_posts(&gatewatch_model::demo_posts()).unwrap();

    storage::lock(SessionEnd::Revoked).unwrap();
    let loaded = storage::load().unwrap();
    assert_eq!(loaded.locked, Some(SessionEnd::Revoked));
    assert_eq!(storage::gate_secret("s01-g1"), None);
    assert_eq!(loaded.cursor, gatewatch_model::Cursor(0));
    assert!(loaded.followed_teams.is_empty() && loaded.posts.is_none());
    // Kept, hidden, for the same user: the unsynced record, its journal entry, who.
    assert!(loaded
        .records
        .iter()
        .any(|r| r.record.id == unsynced.record.id));
    assert_eq!(
        journal::entries().await.unwrap().len(),
        2,
        "the record and the profile"
    );
    assert_eq!(loaded.profile, Some(profile()));
    storage::unlock().unwrap();
    assert_eq!(storage::load().unwrap().locked, None);
}
