//! The one module that owns the phone's local storage.
//!
//! Layout (all keys in `keys.rs`): one localStorage key per record, so saving a record is
//! one small write however many are stored; small keys for settings, clock, cursor and
//! posts; a schema version with an upgrade path. Records that are not yet on the server
//! are also written to an IndexedDB journal before the UI says "saved" (see journal.js),
//! because localStorage alone reaches the disk only seconds later.
//!
//! Nothing here panics and nothing is deleted that could not be read: such a value is
//! moved under a quarantine key and reported, and the app starts anyway.

pub mod journal;
mod keys;

use gatewatch_model::stored::{self, LocalRecord, StoredError, StoredRecord, SCHEMA_VERSION};
use gatewatch_model::{Clock, Cursor, DeviceId, Post};
use gloo_storage::errors::StorageError as GlooError;
use gloo_storage::{LocalStorage, Storage};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

pub use keys::Key;

use crate::i18n::Lang;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StorageError {
    #[error("local storage is full")]
    QuotaFull,
    #[error("local storage is unavailable: {0}")]
    Unavailable(String),
    #[error("could not write local storage: {0}")]
    Write(String),
    #[error("the durable journal failed: {0}")]
    Journal(String),
    #[error(transparent)]
    Schema(#[from] StoredError),
}

impl StorageError {
    pub(crate) fn journal(e: wasm_bindgen::JsValue) -> Self {
        let text = js_sys::Error::from(e)
            .message()
            .as_string()
            .unwrap_or_default();
        StorageError::Journal(text)
    }

    fn from_gloo(e: GlooError) -> Self {
        match e {
            GlooError::JsError(js) if js.name == "QuotaExceededError" => StorageError::QuotaFull,
            other => StorageError::Write(other.to_string()),
        }
    }
}

/// What the officer sets once on this phone.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Settings {
    #[serde(default)]
    pub officer_name: String,
    #[serde(default)]
    pub lang: Lang,
}

/// A stored value that could not be read and was set aside under `moved_to`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Quarantined {
    pub key: String,
    pub moved_to: Option<String>,
    pub reason: String,
}

/// Everything the app reads from local storage at start.
#[derive(Debug, Clone, Default)]
pub struct Loaded {
    pub records: Vec<LocalRecord>,
    pub clock: Option<Clock>,
    pub settings: Settings,
    pub cursor: Cursor,
    pub posts: Option<Vec<Post>>,
    pub quarantined: Vec<Quarantined>,
}

/// Whether localStorage can be used at all (it throws in some private modes and
/// sandboxed frames, where gloo-storage would panic).
pub fn available() -> Result<(), StorageError> {
    let window = web_sys::window().ok_or_else(|| StorageError::Unavailable("no window".into()))?;
    match window.local_storage() {
        Ok(Some(_)) => Ok(()),
        Ok(None) => Err(StorageError::Unavailable("no localStorage".into())),
        Err(_) => Err(StorageError::Unavailable(
            "localStorage access denied".into(),
        )),
    }
}

/// Reads everything at start: checks the schema, loads records and small values, and
/// quarantines whatever cannot be read.
pub fn load() -> Result<Loaded, StorageError> {
    available()?;
    upgrade_schema()?;
    let mut loaded = Loaded::default();
    let raw = LocalStorage::raw();
    // Collect names first: quarantining changes the key order while we walk it.
    let names: Vec<String> = (0..raw.length().unwrap_or(0))
        .filter_map(|i| raw.key(i).ok().flatten())
        .collect();
    for name in names {
        let Some(id) = Key::record_id(&name) else {
            continue;
        };
        let Ok(Some(text)) = raw.get_item(&name) else {
            continue;
        };
        match stored::decode(id, &text) {
            Ok(local) => loaded.records.push(local),
            Err(e) => loaded
                .quarantined
                .push(quarantine(&name, &text, e.to_string())),
        }
    }
    loaded.clock = read_small(&Key::Clock, &mut loaded.quarantined);
    loaded.settings = read_small(&Key::Settings, &mut loaded.quarantined).unwrap_or_default();
    loaded.cursor = read_small(&Key::Cursor, &mut loaded.quarantined).unwrap_or_default();
    loaded.posts = read_small(&Key::Posts, &mut loaded.quarantined);
    Ok(loaded)
}

fn upgrade_schema() -> Result<(), StorageError> {
    let found = LocalStorage::raw()
        .get_item(&Key::Schema.name())
        .ok()
        .flatten()
        .and_then(|s| s.trim().parse::<u32>().ok());
    // Schema 1 is the first layout, so there is no step to run yet; each later version
    // adds its rewrite here, driven by the model's plan (which refuses newer data).
    for step in stored::upgrade_plan(found)? {
        debug_assert!(step <= SCHEMA_VERSION);
    }
    if found != Some(SCHEMA_VERSION) {
        LocalStorage::set(Key::Schema.name(), SCHEMA_VERSION).map_err(StorageError::from_gloo)?;
    }
    Ok(())
}

/// Reads a small JSON value; a value that does not parse is quarantined.
fn read_small<T: DeserializeOwned>(key: &Key, quarantined: &mut Vec<Quarantined>) -> Option<T> {
    let name = key.name();
    let text = LocalStorage::raw().get_item(&name).ok().flatten()?;
    match serde_json::from_str(&text) {
        Ok(value) => Some(value),
        Err(e) => {
            quarantined.push(quarantine(&name, &text, e.to_string()));
            None
        }
    }
}

/// Moves an unreadable value aside. If even that fails (a full quota), the value stays
/// where it is: kept, reported, and skipped.
fn quarantine(name: &str, text: &str, reason: String) -> Quarantined {
    let raw = LocalStorage::raw();
    let target = Key::quarantined(name);
    let moved = raw.set_item(&target, text).is_ok();
    if moved {
        let _ = raw.remove_item(name);
    }
    Quarantined {
        key: name.to_string(),
        moved_to: moved.then_some(target),
        reason,
    }
}

/// Saves one record to localStorage (one key; nothing else is rewritten).
pub fn save_record(local: &LocalRecord) -> Result<(), StorageError> {
    LocalStorage::set(
        Key::Record(local.record.id).name(),
        StoredRecord::from_local(local),
    )
    .map_err(StorageError::from_gloo)
}

/// Saves a new or edited record so that it survives a browser kill the moment this
/// returns `Ok`: first the IndexedDB journal (strict durability), then localStorage.
///
/// If the journal is unavailable (some private modes) the localStorage write still
/// happens and decides the result. A full localStorage is reported as `QuotaFull` even
/// though the journal holds the record; the caller keeps it in memory and retries.
pub async fn save_durably(local: &LocalRecord) -> Result<(), StorageError> {
    let journaled = journal::put(&local.record.id.to_string(), &stored::encode(local)).await;
    if let Err(e) = &journaled {
        web_sys::console::warn_1(
            &format!("journal write failed, relying on localStorage: {e}").into(),
        );
    }
    save_record(local)
}

/// Replays journal entries into localStorage (after a kill, localStorage may have lost
/// them) and returns the records that were newer there than in `records`.
pub async fn replay_journal(records: &[LocalRecord]) -> Result<Vec<LocalRecord>, StorageError> {
    let held: std::collections::HashMap<Uuid, &LocalRecord> =
        records.iter().map(|r| (r.record.id, r)).collect();
    let mut recovered = Vec::new();
    for (key, text) in journal::entries().await? {
        let Ok(id) = Uuid::parse_str(&key) else {
            continue;
        };
        let Ok(local) = stored::decode(id, &text) else {
            continue;
        };
        match held.get(&id) {
            // localStorage has this version or a newer one: the journal entry is spent
            // once the server has it too.
            Some(h) if h.record.version >= local.record.version => {
                if h.synced && h.record.version == local.record.version {
                    let _ = journal::delete(&key).await;
                }
            }
            _ => {
                save_record(&local)?;
                recovered.push(local);
            }
        }
    }
    Ok(recovered)
}

/// The server has this record's current version: it no longer needs the journal.
pub async fn forget_journal(id: Uuid) -> Result<(), StorageError> {
    journal::delete(&id.to_string()).await
}

fn save_small<T: Serialize>(key: Key, value: &T) -> Result<(), StorageError> {
    LocalStorage::set(key.name(), value).map_err(StorageError::from_gloo)
}

pub fn save_clock(clock: &Clock) -> Result<(), StorageError> {
    save_small(Key::Clock, clock)
}

pub fn save_settings(settings: &Settings) -> Result<(), StorageError> {
    save_small(Key::Settings, settings)
}

pub fn save_cursor(cursor: Cursor) -> Result<(), StorageError> {
    save_small(Key::Cursor, &cursor)
}

pub fn save_posts(posts: &[Post]) -> Result<(), StorageError> {
    save_small(Key::Posts, &posts)
}

/// A new device id from the browser's random source.
pub fn new_device_id() -> DeviceId {
    DeviceId::from_random(*Uuid::new_v4().as_bytes())
}
