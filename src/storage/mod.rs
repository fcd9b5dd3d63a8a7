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
pub mod persist;

use gatewatch_model::account::SessionEnd;
use gatewatch_model::calendar::CalendarEntry;
use gatewatch_model::roster::{Person, RosterPage};
use gatewatch_model::school::School;
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
    /// Storage holds data of a newer app version: this app must not write to it.
    #[error("local storage belongs to a newer app version; nothing is written to it")]
    ReadOnly,
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

/// What the officer sets once on this phone. (Older versions kept a typed officer name
/// here; records now carry the account's display name, and the next save drops it.)
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Settings {
    #[serde(default)]
    pub lang: Lang,
    /// Post ids the officer marked as theirs; empty means every post.
    #[serde(default)]
    pub my_posts: Vec<String>,
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
    /// Earlier versions edited before the server had them, still to be pushed.
    pub superseded: Vec<LocalRecord>,
    pub clock: Option<Clock>,
    pub settings: Settings,
    pub cursor: Cursor,
    pub posts: Option<Vec<Post>>,
    pub schools: Option<Vec<School>>,
    pub calendar: Vec<CalendarEntry>,
    pub roster: RosterPage,
    pub people: Vec<Person>,
    /// Teams this phone follows; none until the lead creates or picks one.
    pub followed_teams: Vec<uuid::Uuid>,
    /// Who last signed in on this phone (none: the login screen first).
    pub profile: Option<gatewatch_model::account::Profile>,
    /// Versions the server refused (not pushed again; shown as refused).
    pub refusals: gatewatch_model::outbox::Refusals,
    pub quarantined: Vec<Quarantined>,
    /// The server locked this phone (`Key::Locked`), and why.
    pub locked: Option<SessionEnd>,
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

thread_local! {
    /// Set when storage holds a newer app's data: from then on every write is refused,
    /// so that data stays exactly as the newer app left it.
    static READ_ONLY: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Checked before every write: gloo-storage would panic without localStorage, and a
/// newer app's data must not be touched.
fn writable() -> Result<(), StorageError> {
    if READ_ONLY.with(|r| r.get()) {
        return Err(StorageError::ReadOnly);
    }
    available()
}

/// Reads everything at start: checks the schema, loads records and small values, and
/// quarantines whatever cannot be read.
pub fn load() -> Result<Loaded, StorageError> {
    available()?;
    let newer = matches!(current_schema(), Some(v) if v > SCHEMA_VERSION);
    READ_ONLY.with(|r| r.set(newer));
    upgrade_schema()?;
    let mut loaded = Loaded::default();
    let raw = LocalStorage::raw();
    // Collect names first: quarantining changes the key order while we walk it.
    let names: Vec<String> = (0..raw.length().unwrap_or(0))
        .filter_map(|i| raw.key(i).ok().flatten())
        .collect();
    for name in names {
        let (id, superseded) = match (Key::record_id(&name), Key::superseded_id(&name)) {
            (Some(id), _) => (id, false),
            (None, Some(id)) => (id, true),
            (None, None) => continue,
        };
        let Ok(Some(text)) = raw.get_item(&name) else {
            continue;
        };
        match stored::decode(id, &text) {
            Ok(local) if superseded => loaded.superseded.push(local),
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
    loaded.schools = read_small(&Key::Schools, &mut loaded.quarantined);
    loaded.calendar = read_small(&Key::Calendar, &mut loaded.quarantined).unwrap_or_default();
    loaded.roster = read_small(&Key::Roster, &mut loaded.quarantined).unwrap_or_default();
    loaded.people = read_small(&Key::People, &mut loaded.quarantined).unwrap_or_default();
    loaded.followed_teams =
        read_small(&Key::FollowedTeams, &mut loaded.quarantined).unwrap_or_default();
    loaded.profile = read_small(&Key::Profile, &mut loaded.quarantined);
    loaded.refusals = read_small(&Key::Refusals, &mut loaded.quarantined).unwrap_or_default();
    loaded.locked = read_small(&Key::Locked, &mut loaded.quarantined);
    Ok(loaded)
}

fn current_schema() -> Option<u32> {
    LocalStorage::raw()
        .get_item(&Key::Schema.name())
        .ok()
        .flatten()
        .and_then(|s| s.trim().parse::<u32>().ok())
}

fn upgrade_schema() -> Result<(), StorageError> {
    let found = current_schema();
    // Schema 1 is the first layout; no later version has rewritten stored values yet.
    // The steps come from the model's plan (which refuses newer data).
    for step in stored::upgrade_plan(found)? {
        debug_assert!(step <= SCHEMA_VERSION);
        if stored::pulls_again(step) {
            // If removing fails, the old cursor stays: older records then lack their
            // authors until they change again, and nothing is lost.
            let _ = LocalStorage::raw().remove_item(&Key::Cursor.name());
        }
    }
    if found != Some(SCHEMA_VERSION) {
        save_small(Key::Schema, &SCHEMA_VERSION)?;
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
    // Time-stamped, so a second bad value under the same key never overwrites the first.
    let target = Key::quarantined(name, js_sys::Date::now() as u64);
    let moved =
        raw.get_item(&target).ok().flatten().is_none() && raw.set_item(&target, text).is_ok();
    if moved {
        // Copied aside already: if removing fails, the bad value is quarantined again
        // at the next start, under a new stamp, and nothing is lost.
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
    writable()?;
    LocalStorage::set(
        Key::Record(local.record.id).name(),
        StoredRecord::from_local(local),
    )
    .map_err(StorageError::from_gloo)
}

/// Removes a record the phone no longer keeps (see `gatewatch_model::retention`).
pub fn forget_record(id: uuid::Uuid) {
    if writable().is_ok() {
        LocalStorage::delete(Key::Record(id).name());
    }
}

/// Keeps an earlier, unacknowledged version of a record until the server has it.
pub fn save_superseded(local: &LocalRecord) -> Result<(), StorageError> {
    writable()?;
    let key = Key::Superseded(local.record.id, local.record.version.to_string());
    LocalStorage::set(key.name(), StoredRecord::from_local(local)).map_err(StorageError::from_gloo)
}

/// Drops an earlier version the server acknowledged.
pub fn forget_superseded(record: &gatewatch_model::Record) {
    if writable().is_ok() {
        LocalStorage::delete(Key::Superseded(record.id, record.version.to_string()).name());
    }
}

/// Where a new or edited record ended up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Saved {
    /// In the journal (durable at once) and in localStorage.
    Both,
    /// In the journal only: localStorage is full. It survives a kill and is replayed
    /// into localStorage once there is room.
    JournalOnly,
    /// In localStorage only: the journal is unavailable (some private modes), so a kill
    /// within a few seconds could lose it.
    LocalOnly,
}

/// Saves a new or edited record: first the IndexedDB journal (strict durability, on
/// disk when it resolves), then localStorage. `Err` means it is in neither and lives
/// only in memory.
pub async fn save_durably(local: &LocalRecord) -> Result<Saved, StorageError> {
    writable()?;
    let journaled = journal::put(&local.record.id.to_string(), &stored::encode(local)).await;
    match (journaled, save_record(local)) {
        (Ok(()), Ok(())) => Ok(Saved::Both),
        (Ok(()), Err(_)) => Ok(Saved::JournalOnly),
        (Err(_), Ok(())) => Ok(Saved::LocalOnly),
        (Err(_), Err(local_err)) => Err(local_err),
    }
}

/// What the journal held that localStorage did not.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Replayed {
    /// Written back into localStorage.
    pub recovered: Vec<LocalRecord>,
    /// Newer than localStorage but could not be written there (full quota): still in
    /// the journal; the app holds them in memory and retries.
    pub not_stored: Vec<LocalRecord>,
    /// Journal entries that could not be read (kept in the journal, reported).
    pub unreadable: Vec<String>,
    /// The signed-in user's profile as journaled at login: localStorage may have lost
    /// it in a kill right after, and without it the phone could not work offline.
    pub profile: Option<gatewatch_model::account::Profile>,
}

/// The journal key of the profile (record keys are UUIDs, so it cannot clash).
const JOURNAL_PROFILE: &str = "profile";

/// Replays journal entries into localStorage (after a kill, localStorage may have lost
/// them). `held` is what the app holds now; only entries newer than that are replayed.
pub async fn replay_journal(held: &[LocalRecord]) -> Result<Replayed, StorageError> {
    let held: std::collections::HashMap<Uuid, &LocalRecord> =
        held.iter().map(|r| (r.record.id, r)).collect();
    let mut out = Replayed::default();
    for (key, text) in journal::entries().await? {
        if key == JOURNAL_PROFILE {
            match serde_json::from_str(&text) {
                Ok(profile) => out.profile = Some(profile),
                Err(_) => out.unreadable.push(key),
            }
            continue;
        }
        let Some(local) = Uuid::parse_str(&key)
            .ok()
            .and_then(|id| stored::decode(id, &text).ok())
        else {
            out.unreadable.push(key);
            continue;
        };
        match held.get(&local.record.id) {
            Some(h) if h.record.version >= local.record.version => {
                // Spent once the server has exactly this version.
                if h.synced && h.record.version == local.record.version {
                    // Left in place if this fails; the next replay tries again.
                    let _ = forget_journal(h).await;
                }
            }
            _ => match save_record(&local) {
                Ok(()) => out.recovered.push(local),
                Err(_) => out.not_stored.push(local),
            },
        }
    }
    Ok(out)
}

/// The server has acknowledged `local`'s version: its journal entry is no longer
/// needed. An entry holding another (newer) version is left alone.
pub async fn forget_journal(local: &LocalRecord) -> Result<(), StorageError> {
    journal::delete_version(
        &local.record.id.to_string(),
        &local.record.version.to_string(),
    )
    .await
}

fn save_small<T: Serialize>(key: Key, value: &T) -> Result<(), StorageError> {
    writable()?;
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

pub fn save_refusals(refusals: &gatewatch_model::outbox::Refusals) -> Result<(), StorageError> {
    save_small(Key::Refusals, refusals)
}

pub fn save_followed_teams(teams: &[uuid::Uuid]) -> Result<(), StorageError> {
    save_small(Key::FollowedTeams, &teams)
}

pub fn save_schools(schools: &[School]) -> Result<(), StorageError> {
    save_small(Key::Schools, &schools)
}

pub fn save_calendar(entries: &[CalendarEntry]) -> Result<(), StorageError> {
    save_small(Key::Calendar, &entries)
}

pub fn save_roster(roster: &RosterPage) -> Result<(), StorageError> {
    save_small(Key::Roster, roster)
}

pub fn save_people(people: &[Person]) -> Result<(), StorageError> {
    save_small(Key::People, &people)
}

/// The cached gate secret of `post_id` (hex), if this phone has fetched it.
pub fn gate_secret(post_id: &str) -> Option<String> {
    available().ok()?;
    let text = LocalStorage::raw()
        .get_item(&Key::GateSecret(post_id.to_string()).name())
        .ok()??;
    serde_json::from_str(&text).ok()
}

pub fn save_gate_secret(post_id: &str, hex: &str) -> Result<(), StorageError> {
    save_small(Key::GateSecret(post_id.to_string()), &hex)
}

/// Keeps the signed-in user's profile: in the journal (durable at once, like a saved
/// record) and in localStorage. Either one is enough at the next start.
pub async fn save_profile(profile: &gatewatch_model::account::Profile) -> Result<(), StorageError> {
    let text = serde_json::to_string(profile).map_err(|e| StorageError::Write(e.to_string()))?;
    let journaled = journal::put(JOURNAL_PROFILE, &text).await;
    save_small(Key::Profile, profile).or(journaled)
}

/// What happens to the values set aside unreadable when a person's data goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SetAside {
    /// They were offered as a file (the logout's question): they go too.
    Offered,
    /// Nobody was offered them (another user logging in, a locked phone cleared): they
    /// stay, for whoever can read them.
    Kept,
}

/// Removes every person's data from the phone (`Key::is_personal`), the officer name
/// with it, and empties the journal; the values set aside unreadable only if they were
/// offered. The caller has made sure nothing unsynced is left (logout refuses
/// otherwise).
pub async fn forget_personal_data(set_aside: SetAside) -> Result<(), StorageError> {
    remove_keys(|name| {
        Key::is_personal(name) || (set_aside == SetAside::Offered && Key::is_set_aside(name))
    })?;
    // The journal first: a settings write that fails must not leave the person's records
    // there for the next start to replay.
    journal::clear().await?;
    // Written back without the name an older version kept in the settings.
    let settings: Settings = read_small(&Key::Settings, &mut Vec::new()).unwrap_or_default();
    save_settings(&settings)
}

/// Removes every key `doomed` picks.
fn remove_keys(doomed: impl Fn(&str) -> bool) -> Result<(), StorageError> {
    writable()?;
    let raw = LocalStorage::raw();
    let names: Vec<String> = (0..raw.length().unwrap_or(0))
        .filter_map(|i| raw.key(i).ok().flatten())
        .filter(|name| doomed(name))
        .collect();
    for name in names {
        raw.remove_item(&name)
            .map_err(|_| StorageError::Write(format!("cannot remove {name}")))?;
    }
    Ok(())
}

/// The server locked this phone (`why`): kept first, so a page closed halfway still
/// starts locked; then its copies of what the server has go (`Key::is_server_cache`;
/// the caller forgets the synced records). Unsynced records, their refusals, the profile
/// and the journal stay, hidden, for the same user's next login.
pub fn lock(why: SessionEnd) -> Result<(), StorageError> {
    // The caches go first, whatever happens to the lock: on a full phone their room is
    // what the lock is written into.
    let removed = remove_keys(Key::is_server_cache);
    save_small(Key::Locked, &why)?;
    removed
}

/// The same user logged in again: the phone is theirs once more.
pub fn unlock() -> Result<(), StorageError> {
    remove_keys(|name| name == Key::Locked.name())
}

/// Values set aside unreadable (`gw:bad:…`): the key each was moved to, and its text,
/// for the file offered before they leave the phone.
pub fn quarantined_values() -> Vec<(String, String)> {
    if available().is_err() {
        return Vec::new();
    }
    let raw = LocalStorage::raw();
    (0..raw.length().unwrap_or(0))
        .filter_map(|i| raw.key(i).ok().flatten())
        .filter(|name| name.starts_with(keys::QUARANTINE_PREFIX))
        .filter_map(|name| raw.get_item(&name).ok().flatten().map(|text| (name, text)))
        .collect()
}

/// A new device id from the browser's random source.
pub fn new_device_id() -> DeviceId {
    DeviceId::from_random(*Uuid::new_v4().as_bytes())
}
