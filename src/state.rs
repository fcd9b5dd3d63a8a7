//! Shared app state: the records on this phone and what the UI needs to know about
//! storage and sync. Components read signals; the operations here change them and keep
//! local storage in step.

use std::collections::{BTreeMap, HashMap};

use gatewatch_model::merge::{upsert, Upsert};
use gatewatch_model::stored::LocalRecord;
use gatewatch_model::{
    demo_posts, Change, CheckIn, CheckInEvent, Clock, Cursor, Hlc, Post, Presence, Record,
    RecordBody,
};
use leptos::prelude::*;
use uuid::Uuid;

use crate::i18n::{t, Lang, Msg};
use crate::storage::{self, Loaded, Quarantined, Settings, StorageError};

/// Where sync stands, as the header shows it (`data-state` of `sync-status`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SyncState {
    Offline,
    Syncing,
    Synced,
    Error(String),
}

impl SyncState {
    pub fn data_state(&self) -> &'static str {
        match self {
            SyncState::Offline => "offline",
            SyncState::Syncing => "syncing",
            SyncState::Synced => "synced",
            SyncState::Error(_) => "error",
        }
    }
}

/// Something about local storage the officer must know.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Notice {
    QuotaFull,
    Quarantined(Vec<Quarantined>),
    StorageUnavailable(String),
}

/// What the check-in form hands over; everything else is filled in here.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckInDraft {
    pub post_id: String,
    pub event: CheckInEvent,
    pub presence: Presence,
    pub note: String,
}

#[derive(Clone, Copy)]
pub struct AppState {
    pub records: RwSignal<BTreeMap<Uuid, LocalRecord>>,
    /// Records that could not be written to a full localStorage, retried at each sync.
    pub unsaved: RwSignal<Vec<LocalRecord>>,
    /// Records (exact versions) the server refused, with its reason.
    pub rejected: RwSignal<HashMap<Uuid, (Hlc, String)>>,
    pub sync: RwSignal<SyncState>,
    pub settings: RwSignal<Settings>,
    pub posts: RwSignal<Vec<Post>>,
    pub notices: RwSignal<Vec<Notice>>,
    pub update_available: RwSignal<bool>,
    clock: StoredValue<Clock>,
    cursor: StoredValue<Cursor>,
}

fn now_ms() -> u64 {
    // Date.now() is a finite positive number of milliseconds.
    js_sys::Date::now().max(0.0) as u64
}

impl AppState {
    /// Builds the state from what storage loaded (or an empty state if it could not).
    pub fn new(loaded: Result<Loaded, StorageError>) -> Self {
        let mut notices = Vec::new();
        let loaded = loaded.unwrap_or_else(|e| {
            notices.push(Notice::StorageUnavailable(e.to_string()));
            Loaded::default()
        });
        if !loaded.quarantined.is_empty() {
            notices.push(Notice::Quarantined(loaded.quarantined.clone()));
        }
        let mut clock = loaded.clock.unwrap_or_else(|| {
            let clock = Clock::new(storage::new_device_id());
            let _ = storage::save_clock(&clock);
            clock
        });
        // The clock state may have been lost in a kill even when records were not.
        let now = now_ms();
        for r in &loaded.records {
            clock.observe(&r.record.version, now);
        }
        let records = loaded
            .records
            .into_iter()
            .map(|r| (r.record.id, r))
            .collect();
        Self {
            records: RwSignal::new(records),
            unsaved: RwSignal::new(Vec::new()),
            rejected: RwSignal::new(HashMap::new()),
            sync: RwSignal::new(SyncState::Offline),
            settings: RwSignal::new(loaded.settings),
            posts: RwSignal::new(
                loaded
                    .posts
                    .filter(|p| !p.is_empty())
                    .unwrap_or_else(demo_posts),
            ),
            notices: RwSignal::new(notices),
            update_available: RwSignal::new(false),
            clock: StoredValue::new(clock),
            cursor: StoredValue::new(loaded.cursor),
        }
    }

    pub fn expect() -> Self {
        expect_context::<AppState>()
    }

    pub fn lang(&self) -> Lang {
        self.settings.with(|s| s.lang)
    }

    /// The text of `msg` in the current language (reactive).
    pub fn t(&self, msg: Msg) -> &'static str {
        t(self.lang(), msg)
    }

    pub fn device(&self) -> gatewatch_model::DeviceId {
        self.clock.with_value(|c| c.device.clone())
    }

    pub fn cursor(&self) -> Cursor {
        self.cursor.get_value()
    }

    /// Records not yet acknowledged by the server.
    pub fn pending_count(&self) -> usize {
        self.records
            .with(|r| r.values().filter(|l| !l.synced).count())
    }

    /// Adds records recovered from the journal after a browser kill.
    pub fn add_recovered(&self, recovered: Vec<LocalRecord>) {
        if recovered.is_empty() {
            return;
        }
        let now = now_ms();
        self.clock.update_value(|c| {
            recovered
                .iter()
                .for_each(|r| c.observe(&r.record.version, now))
        });
        self.records.update(|map| {
            for r in recovered {
                map.insert(r.record.id, r);
            }
        });
    }

    /// Creates a check-in and saves it durably. `Ok` means it survives a browser kill.
    pub async fn record_check_in(&self, draft: CheckInDraft) -> Result<Uuid, StorageError> {
        let version = self.clock.try_update_value(|c| c.tick(now_ms()));
        let Some(version) = version else {
            return Err(StorageError::Write("app is shutting down".into()));
        };
        self.clock.with_value(storage::save_clock).ok();
        let record = Record {
            id: Uuid::new_v4(),
            version,
            body: RecordBody::CheckIn(CheckIn {
                post_id: draft.post_id,
                event: draft.event,
                presence: draft.presence,
                note: draft.note.trim().to_string(),
                officer_name: self.settings.with_untracked(|s| s.officer_name.clone()),
                device_time: chrono::Local::now().fixed_offset(),
            }),
        };
        record
            .validate()
            .map_err(|e| StorageError::Write(e.to_string()))?;
        let local = LocalRecord::new_unsynced(record);
        let id = local.record.id;
        let saved = storage::save_durably(&local).await;
        if saved == Err(StorageError::QuotaFull) {
            self.unsaved.update(|u| u.push(local.clone()));
            self.notice(Notice::QuotaFull);
        }
        if saved.is_ok() || saved == Err(StorageError::QuotaFull) {
            self.records.update(|map| {
                map.insert(id, local);
            });
        }
        saved.map(|()| id)
    }

    /// Retries records that a full quota kept out of localStorage.
    pub fn retry_unsaved(&self) {
        let waiting = self.unsaved.get_untracked();
        if waiting.is_empty() {
            return;
        }
        let still: Vec<LocalRecord> = waiting
            .into_iter()
            .filter(|r| storage::save_record(r).is_err())
            .collect();
        if still.is_empty() {
            self.notices
                .update(|n| n.retain(|x| *x != Notice::QuotaFull));
        }
        self.unsaved.set(still);
    }

    /// The records to push: unacknowledged and not refused at their current version.
    pub fn outbox(&self) -> Vec<Record> {
        let rejected = self.rejected.get_untracked();
        self.records.with_untracked(|map| {
            map.values()
                .filter(|l| !l.synced)
                .filter(|l| {
                    rejected
                        .get(&l.record.id)
                        .is_none_or(|(v, _)| *v != l.record.version)
                })
                .map(|l| l.record.clone())
                .collect()
        })
    }

    /// The server holds `version` of `id`: if that is still the version on this phone,
    /// it leaves the outbox. Returns whether it did.
    pub fn acknowledge(&self, id: Uuid, version: &Hlc) -> bool {
        let mut changed = None;
        self.records.update(|map| {
            if let Some(local) = map.get_mut(&id) {
                if !local.synced && local.record.version == *version {
                    local.synced = true;
                    changed = Some(local.clone());
                }
            }
        });
        if let Some(local) = &changed {
            // If this write is lost, the record is pushed again: a harmless duplicate.
            let _ = storage::save_record(local);
        }
        changed.is_some()
    }

    pub fn reject(&self, id: Uuid, version: Hlc, reason: String) {
        self.rejected.update(|r| {
            r.insert(id, (version, reason));
        });
    }

    /// Applies a page of changes from the server; returns the ids whose journal entries
    /// are no longer needed.
    pub fn apply_changes(&self, changes: Vec<Change>, cursor: Cursor) -> Vec<Uuid> {
        let now = now_ms();
        let mut to_save = Vec::new();
        let mut spent = Vec::new();
        self.clock.update_value(|c| {
            changes
                .iter()
                .for_each(|ch| c.observe(&ch.record.version, now))
        });
        self.records.update(|map| {
            for change in changes {
                let held = map.get(&change.record.id);
                let was_pending = held.is_some_and(|h| !h.synced);
                let outcome = upsert(held.map(|h| &h.record), &change.record);
                let fresh = match outcome {
                    Upsert::Inserted | Upsert::Replaced => true,
                    // Our own record coming back: now we know it is on the server.
                    Upsert::Duplicate => held.is_some_and(|h| !h.synced || h.received_at.is_none()),
                    Upsert::Superseded | Upsert::Conflict => false,
                };
                if fresh {
                    let local = LocalRecord {
                        record: change.record,
                        synced: true,
                        received_at: Some(change.received_at),
                    };
                    if was_pending {
                        spent.push(local.record.id);
                    }
                    to_save.push(local.clone());
                    map.insert(local.record.id, local);
                }
            }
        });
        for local in &to_save {
            let _ = storage::save_record(local);
        }
        self.clock.with_value(storage::save_clock).ok();
        self.cursor.set_value(cursor);
        let _ = storage::save_cursor(cursor);
        spent
    }

    pub fn set_posts(&self, posts: Vec<Post>) {
        if posts.is_empty() || self.posts.with_untracked(|p| *p == posts) {
            return;
        }
        let _ = storage::save_posts(&posts);
        self.posts.set(posts);
    }

    pub fn notice(&self, notice: Notice) {
        self.notices.update(|n| {
            if !n.contains(&notice) {
                n.push(notice);
            }
        });
    }

    pub fn save_settings(&self, settings: Settings) -> Result<(), StorageError> {
        let saved = storage::save_settings(&settings);
        self.settings.set(settings);
        saved
    }
}
