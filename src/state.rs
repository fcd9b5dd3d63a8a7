//! Shared app state: the records on this phone and what the UI needs to know about
//! storage and sync. Components read signals; the operations here change them and keep
//! local storage in step.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use chrono::{DateTime, Utc};
use gatewatch_model::access::UserRole;
use gatewatch_model::account::{Profile, SessionEnd};
use gatewatch_model::calendar::{Calendar, CalendarEntry};
use gatewatch_model::coverage::Visits;
use gatewatch_model::merge::upsert;
use gatewatch_model::outbox::{self, Refusal, Refusals, Tally};
use gatewatch_model::replica;
use gatewatch_model::retention::{expired, unreadable, DEFAULT_RETENTION_DAYS};
use gatewatch_model::roster::{self, Person, RosterPage, Slot};
use gatewatch_model::school::{demo_schools, School};
use gatewatch_model::sorting;
use gatewatch_model::stored::LocalRecord;
use gatewatch_model::swap::SwapRequest;
use gatewatch_model::{
    demo_posts, Ack, Change, CheckIn, CheckInEvent, Clock, Cursor, FollowUp, Hlc, Incident,
    IncidentCategory, Position, Post, Presence, Record, RecordBody, RejectCode, Severity,
    ValidationError,
};
use leptos::prelude::*;
use uuid::Uuid;

use crate::i18n::{t, Lang, Msg};
use crate::storage::{self, Loaded, Quarantined, Replayed, Saved, Settings, StorageError};

/// What the sync loop last did. The header's words come from this and the outbox
/// together (`gatewatch_model::outbox::headline`), never from this alone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SyncState {
    Offline,
    Syncing,
    Synced,
    /// No session: never signed in here, or the server ended it (records wait).
    SignedOut,
    Error(SyncFailure),
}

/// Why the last sync failed, as the officer is told it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SyncFailure {
    /// The server did not answer (down, unreachable, the connection cut).
    NoAnswer,
    /// The server answered with this error status.
    ServerError(u16),
    /// The server's answer was not what the protocol promises.
    BadAnswer,
    /// This account pushed its day's allowance (`429 push_limit`): records wait here
    /// until the server's Retry-After; pulls go on.
    PushLimit,
}

impl SyncState {
    pub fn phase(&self) -> outbox::Phase {
        match self {
            SyncState::Offline => outbox::Phase::Offline,
            SyncState::Syncing => outbox::Phase::Syncing,
            SyncState::Synced => outbox::Phase::Done,
            SyncState::SignedOut => outbox::Phase::SignedOut,
            SyncState::Error(_) => outbox::Phase::Failed,
        }
    }
}

/// Something about local storage the officer must know.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Notice {
    /// localStorage refused a record; it is held in memory (and the journal) and retried.
    QuotaFull,
    Quarantined(Vec<Quarantined>),
    StorageUnavailable(String),
    /// The durable journal is unavailable: a record saved just before a crash may be lost.
    NotCrashSafe,
    /// Journal entries that could not be read (left in place).
    JournalUnreadable(Vec<String>),
}

impl Notice {
    /// The banner's stable `data-testid` (also its identity in the list).
    pub fn testid(&self) -> &'static str {
        match self {
            Notice::QuotaFull => "notice-quota",
            Notice::Quarantined(_) => "notice-quarantined",
            Notice::StorageUnavailable(_) => "notice-storage",
            Notice::NotCrashSafe => "notice-not-crash-safe",
            Notice::JournalUnreadable(_) => "notice-journal",
        }
    }
}

/// What became of a new check-in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SaveResult {
    /// Stored on the phone (durably, unless `Notice::NotCrashSafe` says otherwise).
    Saved(Uuid),
    /// Storage refused it: held in memory, retried, and synced when possible.
    HeldInMemory(Uuid),
}

/// Why a record was not saved. A refusal (the record breaks a rule, approved hours,
/// someone else's record) is not a storage failure, and each says so in words
/// (`message`).
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum SaveError {
    #[error("the record breaks a rule: {0}")]
    Invalid(#[from] ValidationError),
    /// The change would alter volunteer hours a lead approved (only an admin may).
    #[error("approved hours are locked")]
    HoursLocked,
    /// The change would decide a swap request or change a decided one (only the
    /// server's supervisors and admins decide).
    #[error("swap decisions are the server's")]
    SwapDecided,
    /// Only records made on this phone are corrected or voided here.
    #[error("not a record of this phone")]
    NotOwn,
    /// Only a record the server refused is removed from the phone.
    #[error("not a refused record")]
    NotRefused,
    /// The server sent no state of its own to adopt.
    #[error("no server copy of this record")]
    NoServerCopy,
    /// The page is closing: no new version can be made.
    #[error("the app is shutting down")]
    ShuttingDown,
    /// The phone could not keep it.
    #[error(transparent)]
    Storage(#[from] StorageError),
}

impl SaveError {
    /// What the user reads, in the UI's language.
    pub fn message(&self, state: AppState) -> String {
        let msg = match self {
            SaveError::Invalid(e) => return format!("{}: {e}", state.t(Msg::RefusedInvalid)),
            SaveError::HoursLocked => Msg::HoursLocked,
            SaveError::SwapDecided => Msg::SwapDecided,
            SaveError::NotOwn => Msg::NotOwnRecord,
            SaveError::NotRefused => Msg::NotRefusedRecord,
            SaveError::NoServerCopy => Msg::NoServerCopy,
            SaveError::ShuttingDown => Msg::ShuttingDown,
            SaveError::Storage(StorageError::QuotaFull) => Msg::StorageFull,
            // The detail is the browser's own words: kept for whoever reads it out.
            SaveError::Storage(e) => return format!("{}: {e}", state.t(Msg::StorageFailed)),
        };
        state.t(msg).to_string()
    }
}

/// What the check-in form hands over; everything else is filled in here.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckInDraft {
    pub post_id: String,
    pub event: CheckInEvent,
    pub presence: Presence,
    pub note: String,
    /// The gate code typed or scanned, if any (checked by the server at sync).
    pub gate_code: Option<String>,
    /// A recent fix of the phone's position, if allowed (see `geo::recent_fix`).
    pub position: Option<Position>,
}

/// What the incident form hands over.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IncidentDraft {
    pub post_id: String,
    pub category: IncidentCategory,
    pub severity: Severity,
    pub description: String,
    pub people: String,
    pub status: FollowUp,
    /// A recent fix of the phone's position, if allowed.
    pub position: Option<Position>,
}

#[derive(Clone, Copy)]
pub struct AppState {
    pub records: RwSignal<BTreeMap<Uuid, LocalRecord>>,
    /// Earlier versions of records edited before the server acknowledged them: pushed
    /// too (oldest first), so the server's history has every state a record went through.
    pub superseded: RwSignal<Vec<Record>>,
    /// Ids of records localStorage refused (full quota), retried at each sync run.
    pub unsaved: RwSignal<BTreeSet<Uuid>>,
    /// Records (exact versions) the server refused, with its reason: kept in storage,
    /// never pushed again, shown as refused until exported or discarded.
    pub refusals: RwSignal<Refusals>,
    /// The server's own state of a refused record, when it sent it (approved hours
    /// another phone locked): the lead may adopt it in place of the refused edit.
    pub server_copies: RwSignal<HashMap<Uuid, Record>>,
    pub sync: RwSignal<SyncState>,
    /// When the sync loop tries again after a failure (shown with the failure).
    pub next_try: RwSignal<Option<DateTime<Utc>>>,
    pub settings: RwSignal<Settings>,
    pub posts: RwSignal<Vec<Post>>,
    pub schools: RwSignal<Vec<School>>,
    /// The school calendar of this user's schools (which windows are due when).
    pub calendar: RwSignal<Calendar>,
    /// The duty roster around today, as last fetched (kept offline).
    pub roster: RwSignal<RosterPage>,
    /// People records and the roster name, by account id.
    pub people: RwSignal<BTreeMap<Uuid, Person>>,
    /// Wall clock for countdowns and the board, ticking once a second.
    pub now: RwSignal<DateTime<Utc>>,
    /// The latest GPS fix and when it was taken (ms since the epoch), if allowed.
    pub last_fix: RwSignal<Option<(Position, f64)>>,
    pub notices: RwSignal<Vec<Notice>>,
    pub update_available: RwSignal<bool>,
    /// The volunteer team the lead's screens show (`None`: the first one followed).
    pub team: RwSignal<Option<Uuid>>,
    /// Teams whose rosters and sessions this phone pulls (see `follow_team`).
    pub followed_teams: RwSignal<Vec<Uuid>>,
    /// Who is signed in on this phone (kept offline; see `account.rs`).
    pub profile: RwSignal<Option<Profile>>,
    /// The server ended this phone's session: records wait until the next login.
    pub session_ended: RwSignal<bool>,
    /// The server locked this phone (device revoked, account disabled), and why: what
    /// it had is gone, unsynced records are hidden until the same user logs in again.
    pub locked: RwSignal<Option<SessionEnd>>,
    /// The user asked for the login screen (to log in again after the session ended).
    pub login_shown: RwSignal<bool>,
    /// Until the journal is replayed, whether anyone signed in here is not known yet.
    pub starting: RwSignal<bool>,
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
        // A stored id the server keeps for itself (tampered storage) would have every
        // push refused: such a phone starts over as a new device.
        let stored_clock = loaded.clock.filter(|c| !c.device.is_reserved());
        let mut clock = stored_clock.unwrap_or_else(|| {
            let clock = Clock::new(storage::new_device_id());
            // If this write is lost, the next start makes another device id; nothing
            // made under this one is lost (records carry their own versions).
            let _ = storage::save_clock(&clock);
            clock
        });
        // The clock state may have been lost in a kill even when records were not.
        let now = now_ms();
        for r in &loaded.records {
            clock.observe(&r.record.version, now);
        }
        let records = sorting::map_of(loaded.records.into_iter().map(|r| (r.record.id, r)));
        Self {
            records: RwSignal::new(records),
            superseded: RwSignal::new(loaded.superseded.into_iter().map(|l| l.record).collect()),
            unsaved: RwSignal::new(BTreeSet::new()),
            refusals: RwSignal::new(loaded.refusals),
            server_copies: RwSignal::new(HashMap::new()),
            sync: RwSignal::new(SyncState::Offline),
            next_try: RwSignal::new(None),
            settings: RwSignal::new(loaded.settings),
            posts: RwSignal::new(
                loaded
                    .posts
                    .filter(|p| !p.is_empty())
                    .unwrap_or_else(demo_posts),
            ),
            schools: RwSignal::new(
                loaded
                    .schools
                    .filter(|s| !s.is_empty())
                    .unwrap_or_else(demo_schools),
            ),
            calendar: RwSignal::new(Calendar::new(loaded.calendar)),
            roster: RwSignal::new(loaded.roster),
            people: RwSignal::new(sorting::map_of(
                loaded.people.into_iter().map(|p| (p.user, p)),
            )),
            now: RwSignal::new(Utc::now()),
            last_fix: RwSignal::new(None),
            notices: RwSignal::new(notices),
            update_available: RwSignal::new(false),
            team: RwSignal::new(None),
            followed_teams: RwSignal::new(loaded.followed_teams.clone()),
            profile: RwSignal::new(loaded.profile.clone()),
            session_ended: RwSignal::new(loaded.locked.is_some()),
            locked: RwSignal::new(loaded.locked),
            login_shown: RwSignal::new(false),
            starting: RwSignal::new(true),
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

    /// How many records (and earlier versions) wait to go up, and how many the server
    /// refused; reactive.
    pub fn tally(&self) -> Tally {
        self.refusals.with(|refusals| {
            self.superseded.with(|earlier| {
                self.records
                    .with(|map| outbox::tally(map.values(), earlier, refusals))
            })
        })
    }

    /// Records (and earlier versions of them) still to go up: not acknowledged by the
    /// server, and not refused by it.
    pub fn pending_count(&self) -> usize {
        self.tally().pending
    }

    /// Where one record stands (on the server, only here, a correction waiting,
    /// refused); reactive on the refusals.
    pub fn sync_status(&self, local: &LocalRecord) -> outbox::SyncStatus {
        self.refusals.with(|r| outbox::status(local, r))
    }

    /// Merges what the journal replay found: records localStorage lost (or could not
    /// take) come back unless the app already holds the same or a newer version.
    pub fn add_replayed(&self, replayed: Replayed) {
        let now = now_ms();
        let Replayed {
            recovered,
            not_stored,
            unreadable,
            profile: _,
        } = replayed;
        if !unreadable.is_empty() {
            self.notice(Notice::JournalUnreadable(unreadable));
        }
        let not_stored_ids: Vec<Uuid> = not_stored.iter().map(|r| r.record.id).collect();
        let all: Vec<LocalRecord> = recovered.into_iter().chain(not_stored).collect();
        if all.is_empty() {
            return;
        }
        self.clock
            .update_value(|c| all.iter().for_each(|r| c.observe(&r.record.version, now)));
        self.records.update(|map| {
            for r in all {
                if upsert(map.get(&r.record.id).map(|h| &h.record), &r.record).writes() {
                    map.insert(r.record.id, r);
                }
            }
        });
        self.hold_unsaved(not_stored_ids);
    }

    /// Creates a check-in and saves it. Unless validation fails it is never lost: if
    /// neither the journal nor localStorage takes it, it is held in memory, retried,
    /// and still synced.
    pub async fn record_check_in(&self, draft: CheckInDraft) -> Result<SaveResult, SaveError> {
        let body = RecordBody::CheckIn(CheckIn {
            post_id: draft.post_id,
            event: draft.event,
            presence: draft.presence,
            note: draft.note.trim().to_string(),
            officer_name: self.officer_name(),
            device_time: chrono::Local::now().fixed_offset(),
            gate_code: draft.gate_code,
            position: draft.position,
        });
        let version = self.next_version()?;
        self.save(Record::new(Uuid::new_v4(), version, body)).await
    }

    /// Asks for someone else to take one of the user's assigned slots (换班): a record
    /// like any other, saved on the phone and sent with the outbox; a supervisor
    /// decides on the server.
    pub async fn ask_swap(
        &self,
        slot: Slot,
        substitute: Option<Uuid>,
        reason: String,
    ) -> Result<SaveResult, SaveError> {
        let officer = self
            .profile
            .with_untracked(|p| p.as_ref().map(|p| p.user))
            .ok_or(SaveError::NotOwn)?;
        let body = RecordBody::Swap(SwapRequest {
            post_id: slot.post_id,
            date: slot.date,
            window: slot.window,
            officer,
            substitute,
            reason: reason.trim().to_string(),
            decision: None,
            device_time: chrono::Local::now().fixed_offset(),
        });
        let version = self.next_version()?;
        self.save(Record::new(Uuid::new_v4(), version, body)).await
    }

    /// The user's swap requests, by the slot's date, the latest first; reactive.
    pub fn my_swaps(&self) -> Vec<LocalRecord> {
        let me = self.profile.with(|p| p.as_ref().map(|p| p.user));
        let mut mine: Vec<LocalRecord> = self.records.with(|map| {
            map.values()
                .filter(|l| matches!(&l.record.body, RecordBody::Swap(s) if Some(s.officer) == me))
                .cloned()
                .collect()
        });
        sorting::sort_by_key(&mut mine, |l| match &l.record.body {
            RecordBody::Swap(s) => std::cmp::Reverse(Some((s.date, s.window))),
            _ => std::cmp::Reverse(None),
        });
        mine
    }

    /// Creates an incident report and saves it, with the same guarantees as a check-in.
    pub async fn record_incident(&self, draft: IncidentDraft) -> Result<SaveResult, SaveError> {
        let body = RecordBody::Incident(Incident {
            post_id: draft.post_id,
            category: draft.category,
            severity: draft.severity,
            description: draft.description.trim().to_string(),
            people: draft.people.trim().to_string(),
            status: draft.status,
            officer_name: self.officer_name(),
            device_time: chrono::Local::now().fixed_offset(),
            position: draft.position,
        });
        let version = self.next_version()?;
        self.save(Record::new(Uuid::new_v4(), version, body)).await
    }

    /// Whether this phone may correct or void a record: its own (made or last changed
    /// here), until accounts say who owns what.
    pub fn is_own(&self, record: &Record) -> bool {
        record.version.device == self.device()
    }

    /// Saves a corrected body of an own record as its next version.
    pub async fn correct(&self, id: Uuid, body: RecordBody) -> Result<SaveResult, SaveError> {
        let current = self.own_record(id)?;
        let version = self.next_version()?;
        self.save(current.corrected(version, body)).await
    }

    /// Voids an own record with a reason; it stays on the phone and the server, marked.
    pub async fn void(&self, id: Uuid, reason: String) -> Result<SaveResult, SaveError> {
        let current = self.own_record(id)?;
        let version = self.next_version()?;
        self.save(current.voided(version, reason.trim().to_string()))
            .await
    }

    fn own_record(&self, id: Uuid) -> Result<Record, SaveError> {
        self.records
            .with_untracked(|m| m.get(&id).map(|l| l.record.clone()))
            .filter(|r| self.is_own(r))
            .ok_or(SaveError::NotOwn)
    }

    /// Who makes a record: the signed-in account's display name (the server records
    /// the account itself as the author), never text typed on this phone.
    fn officer_name(&self) -> String {
        self.profile
            .with_untracked(|p| p.as_ref().map(|p| p.display_name.clone()))
            .unwrap_or_default()
    }

    pub(crate) fn next_version(&self) -> Result<Hlc, SaveError> {
        let version = self
            .clock
            .try_update_value(|c| c.tick(now_ms()))
            .ok_or(SaveError::ShuttingDown)?;
        // If this write is lost, versions stay monotonic: start-up observes every record.
        self.clock.with_value(storage::save_clock).ok();
        Ok(version)
    }

    /// Validates and durably saves a new state of a record (a new one or the next
    /// version of one held); it replaces what the phone holds and waits to be pushed.
    pub(crate) async fn save(&self, record: Record) -> Result<SaveResult, SaveError> {
        record.validate()?;
        // Held in memory before the durable write is awaited: a second save of the same
        // record started meanwhile (two quick taps) then builds on this one and keeps it
        // as an earlier version, instead of both starting from the same state and the
        // later silently replacing the earlier. Approved volunteer hours are refused
        // here as the server would refuse them, whichever screen tried.
        let me = self.profile.with_untracked(|p| p.as_ref().map(|p| p.user));
        let replica::Saved { local, earlier } = self
            .with_book(|book| replica::save_as(book, record, me))
            .ok_or(SaveError::ShuttingDown)?
            .map_err(|refused| match refused {
                replica::SaveRefused::HoursLocked => SaveError::HoursLocked,
                replica::SaveRefused::SwapDecided => SaveError::SwapDecided,
            })?;
        if let Some(earlier) = earlier {
            // If localStorage refuses it, it is still pushed from memory this session.
            let _ = storage::save_superseded(&LocalRecord::new_unsynced(earlier));
        }
        let id = local.record.id;
        let saved = storage::save_durably(&local).await;
        match saved {
            Ok(Saved::Both) => Ok(SaveResult::Saved(id)),
            Ok(Saved::JournalOnly) => {
                self.hold_unsaved(vec![id]);
                Ok(SaveResult::Saved(id))
            }
            Ok(Saved::LocalOnly) => {
                self.notice(Notice::NotCrashSafe);
                Ok(SaveResult::Saved(id))
            }
            Err(_) => {
                self.hold_unsaved(vec![id]);
                Ok(SaveResult::HeldInMemory(id))
            }
        }
    }

    /// Remembers records localStorage did not take, and says so.
    fn hold_unsaved(&self, ids: Vec<Uuid>) {
        if ids.is_empty() {
            return;
        }
        self.unsaved.update(|u| u.extend(ids));
        self.notice(Notice::QuotaFull);
    }

    /// Writes records that localStorage refused earlier, in their current state.
    pub fn retry_unsaved(&self) {
        let waiting = self.unsaved.get_untracked();
        if waiting.is_empty() {
            return;
        }
        let still: BTreeSet<Uuid> = self.records.with_untracked(|map| {
            sorting::set_of(waiting.into_iter().filter(|id| {
                map.get(id)
                    .is_some_and(|r| storage::save_record(r).is_err())
            }))
        });
        if still.is_empty() {
            self.notices
                .update(|n| n.retain(|x| *x != Notice::QuotaFull));
        }
        self.unsaved.set(still);
    }

    /// The records to push (`replica::outbox`): earlier versions first, then every
    /// unacknowledged record; none that the server refused at that exact version.
    pub fn outbox(&self) -> Vec<Record> {
        self.records.with_untracked(|records| {
            self.superseded.with_untracked(|superseded| {
                self.refusals.with_untracked(|refusals| {
                    self.server_copies.with_untracked(|copies| {
                        replica::outbox(records, superseded, refusals, copies)
                    })
                })
            })
        })
    }

    /// Lends the sync bookkeeping's parts to one of the model's rules (`replica`).
    /// `None`: the state is gone (the page is closing).
    fn with_book<T>(&self, rule: impl FnOnce(&mut replica::Book<'_>) -> T) -> Option<T> {
        self.records
            .try_update(|records| {
                self.superseded.try_update(|superseded| {
                    self.refusals.try_update(|refusals| {
                        self.server_copies.try_update(|server_copies| {
                            rule(&mut replica::Book {
                                records,
                                superseded,
                                refusals,
                                server_copies,
                            })
                        })
                    })
                })
            })
            .flatten()
            .flatten()
            .flatten()
    }

    /// The server holds these exact versions: each one still current on this phone
    /// leaves the outbox. Returns those whose new state reached localStorage, whose
    /// journal entries are therefore no longer needed.
    pub fn acknowledge_all(&self, acks: &[Ack]) -> Vec<LocalRecord> {
        let Some(done) = self.with_book(|book| replica::acknowledge(book, acks)) else {
            return Vec::new();
        };
        done.superseded_gone
            .iter()
            .for_each(storage::forget_superseded);
        if done.refusals_changed {
            self.keep_refusals();
        }
        // Corrections stay unsynced, so their journal entries stay: stored, but not
        // among the records returned.
        self.persist(done.corrections);
        self.persist(done.synced)
    }

    /// Keeps the refusals in storage. If storage refuses, they are still right for this
    /// session; after a reload the record is pushed once more and refused again, which
    /// costs a request and loses nothing.
    fn keep_refusals(&self) {
        if let Err(e) = self.refusals.with_untracked(storage::save_refusals) {
            web_sys::console::warn_1(&format!("refusals not kept: {e}").into());
        }
    }

    /// Saves records to localStorage; those it refuses are held for retry (and keep
    /// their journal entries). Returns the ones that were saved.
    fn persist(&self, records: Vec<LocalRecord>) -> Vec<LocalRecord> {
        let (saved, refused): (Vec<_>, Vec<_>) = records
            .into_iter()
            .partition(|r| storage::save_record(r).is_ok());
        self.hold_unsaved(refused.iter().map(|r| r.record.id).collect());
        saved
    }

    /// The server refused `version` of `id` and sent its own state of the record.
    pub fn reject_with_copy(&self, id: Uuid, refusal: Refusal, current: Record) {
        self.with_book(|book| replica::refuse(book, id, refusal, Some(current)));
        self.keep_refusals();
    }

    /// Replaces this phone's refused version of a record by the server's state: the
    /// lead chose it over their refused edit (shown with the server's reason first).
    pub async fn adopt_server_copy(&self, id: Uuid) -> Result<(), SaveError> {
        let current = self
            .server_copies
            .with_untracked(|c| c.get(&id).cloned())
            .ok_or(SaveError::NoServerCopy)?;
        let refused = self.records.with_untracked(|m| m.get(&id).cloned());
        // Only in place of the refused version itself: a later edit made since is not
        // the user's to lose by a stale button.
        let still_refused = refused.as_ref().is_some_and(|l| {
            !l.synced
                && self
                    .refusals
                    .with_untracked(|r| r.is_refused(id, &l.record.version))
        });
        if !still_refused {
            return Err(SaveError::NotRefused);
        }
        let local = LocalRecord {
            synced: true,
            ..LocalRecord::new_unsynced(current)
        };
        storage::save_record(&local)?;
        self.clock
            .update_value(|c| c.observe(&local.record.version, now_ms()));
        self.records.update(|m| {
            m.insert(id, local);
        });
        // Earlier unsent versions of the refused edit go with it.
        self.forget_refused_edit(id);
        // The refused version's journal entry is spent: the phone holds the server's.
        if let Some(refused) = refused {
            // A leftover entry is harmless: replay finds the phone holds a newer version.
            let _ = storage::forget_journal(&refused).await;
        }
        Ok(())
    }

    /// The server refused `refusal.version` of record `id`: it is not pushed again and
    /// shows as refused, with the reason, until the user exports or discards it.
    pub fn reject(&self, id: Uuid, refusal: Refusal) {
        self.with_book(|book| replica::refuse(book, id, refusal, None));
        self.keep_refusals();
    }

    /// Why the server refused a record, in the user's language; the server's own words
    /// only where there is nothing better (a rule the record broke, a code this app
    /// does not know).
    pub fn refusal_text(&self, refusal: &Refusal) -> String {
        let msg = match refusal.code {
            RejectCode::ClockAhead => Msg::RefusedClockAhead,
            RejectCode::VersionConflict => Msg::RefusedConflict,
            RejectCode::HoursLocked => Msg::RefusedHoursLocked,
            RejectCode::SwapDecided => Msg::RefusedSwapDecided,
            RejectCode::OutOfScope => Msg::RefusedOutOfScope,
            RejectCode::NotOwn => Msg::RefusedNotOwn,
            RejectCode::NotForRole => Msg::RefusedNotForRole,
            RejectCode::Invalid => {
                return format!("{}: {}", self.t(Msg::RefusedInvalid), refusal.reason)
            }
            RejectCode::Other => return refusal.reason.clone(),
        };
        self.t(msg).to_owned()
    }

    /// The versions the server refused that this phone holds (a record's current state,
    /// or an earlier version still kept), each with its refusal: the export a user makes
    /// before discarding them or logging out.
    pub fn refused_records(&self) -> Vec<outbox::RefusedRecord> {
        let refusals = self.refusals.get_untracked();
        let pair = |record: &Record| {
            refusals
                .of(record.id, &record.version)
                .map(|refusal| outbox::RefusedRecord {
                    record: record.clone(),
                    refusal: refusal.clone(),
                })
        };
        let mut out: Vec<_> = self
            .superseded
            .with_untracked(|earlier| earlier.iter().filter_map(&pair).collect());
        self.records.with_untracked(|map| {
            out.extend(
                map.values()
                    .filter(|l| !l.synced)
                    .filter_map(|l| pair(&l.record)),
            )
        });
        out
    }

    /// Removes a refused record from this phone, after the user confirmed: its stored
    /// copy, earlier versions, journal entry and refusals. Only a refused one: anything
    /// else may still reach the server. A refused correction of a record the server
    /// holds takes the server's state back: the feed is read again from the start, so
    /// the next sync brings it (the upsert rule makes the repeat harmless).
    pub async fn discard_refused(&self, id: Uuid) -> Result<(), SaveError> {
        let refused = self
            .records
            .with_untracked(|m| m.get(&id).cloned())
            .filter(|l| {
                !l.synced
                    && self
                        .refusals
                        .with_untracked(|r| r.is_refused(id, &l.record.version))
            });
        let Some(refused) = refused else {
            return Err(SaveError::NotRefused);
        };
        // The journal first: if it cannot let go, nothing else goes, and the record
        // stays refused on screen rather than coming back unrefused at the next start.
        storage::forget_journal(&refused).await?;
        storage::forget_record(id);
        self.records.update(|m| {
            m.remove(&id);
        });
        self.forget_refused_edit(id);
        if refused.server_has_earlier {
            self.reset_cursor();
        }
        Ok(())
    }

    /// What a refused edit of record `id` left besides its current state: earlier
    /// unsent versions (they go with it), the server's copy offered and the refusals.
    fn forget_refused_edit(&self, id: Uuid) {
        let gone = self
            .with_book(|book| replica::forget_refused_edit(book, id))
            .unwrap_or_default();
        gone.iter().for_each(storage::forget_superseded);
        self.keep_refusals();
    }

    /// The server's feed restarted (its cursor is behind ours): pull everything again.
    pub fn reset_cursor(&self) {
        self.cursor.set_value(Cursor::default());
        // If storage refuses, the in-memory cursor still restarts this session, and the
        // next page pulled writes the cursor again.
        let _ = storage::save_cursor(Cursor::default());
    }

    /// Applies a page of changes from the server. Returns records that were pending
    /// here and are now stored as the server's: their journal entries are spent. The
    /// cursor advances only if every change reached localStorage, so nothing is skipped
    /// after a reload.
    pub fn apply_changes(&self, changes: Vec<Change>, cursor: Cursor) -> Vec<LocalRecord> {
        self.apply_changes_since(self.cursor(), changes, cursor)
    }

    /// `apply_changes` for a page pulled from `since`: if the cursor moved meanwhile (a
    /// discard read the feed again from the start), the page is applied but the cursor
    /// is left where it now is, so the restart is not overwritten.
    pub fn apply_changes_since(
        &self,
        since: Cursor,
        changes: Vec<Change>,
        cursor: Cursor,
    ) -> Vec<LocalRecord> {
        let now = now_ms();
        self.clock.update_value(|c| {
            changes
                .iter()
                .for_each(|ch| c.observe(&ch.record.version, now))
        });
        let today = chrono::Local::now().date_naive();
        let Some(applied) = self.with_book(|book| replica::apply_page(book, changes, today)) else {
            return Vec::new();
        };
        for earlier in &applied.superseded_added {
            // If refused, it is still pushed from memory this session.
            let _ = storage::save_superseded(&LocalRecord::new_unsynced(earlier.clone()));
        }
        if applied.refusals_changed {
            self.keep_refusals();
        }
        self.add_people(applied.people);
        let wanted = applied.fresh.len();
        let saved = self.persist(applied.fresh);
        // If lost, versions stay monotonic: start-up observes every record.
        self.clock.with_value(storage::save_clock).ok();
        let all_kept = saved.len() == wanted;
        if let Some(next) = replica::cursor_after_page(self.cursor(), since, cursor, all_kept) {
            if storage::save_cursor(next).is_ok() {
                self.cursor.set_value(next);
            }
        }
        saved
            .into_iter()
            .filter(|r| applied.was_pending.contains(&r.record.id))
            .collect()
    }

    /// Drops the records the server keeps and this phone no longer needs: synced and
    /// older than the retention window (never unsynced ones, teams or rosters).
    /// Returns how many went.
    pub fn drop_expired(&self, today: chrono::NaiveDate) -> usize {
        self.drop_held(|l| expired(l, today, DEFAULT_RETENTION_DAYS))
    }

    /// Drops the synced records of kinds `role` may not read (`retention::unreadable`):
    /// a lead's phone keeps no incident pulled before they were the police's alone.
    pub fn drop_unreadable(&self, role: UserRole) -> usize {
        self.drop_held(|l| unreadable(l, role))
    }

    /// Drops every record the server has acknowledged (the phone was locked).
    pub fn drop_synced(&self) -> usize {
        self.drop_held(|l| l.synced)
    }

    /// Forgets the records `gone` picks, here and in localStorage; returns how many.
    fn drop_held(&self, gone: impl Fn(&LocalRecord) -> bool) -> usize {
        let gone: Vec<Uuid> = self.records.with_untracked(|map| {
            map.values()
                .filter(|l| gone(l))
                .map(|l| l.record.id)
                .collect()
        });
        if !gone.is_empty() {
            gone.iter().for_each(|id| storage::forget_record(*id));
            self.records.update(|map| {
                gone.iter().for_each(|id| {
                    map.remove(id);
                })
            });
        }
        gone.len()
    }

    /// Follows a volunteer team: from now on pulls bring its roster and sessions (and
    /// not other teams'), starting again from the beginning of the feed so what came
    /// before is fetched too (the upsert rule makes the repeat harmless).
    pub fn follow_team(&self, team: Uuid) -> Result<(), StorageError> {
        if self.followed_teams.with_untracked(|f| f.contains(&team)) {
            return Ok(());
        }
        let mut followed = self.followed_teams.get_untracked();
        followed.push(team);
        storage::save_followed_teams(&followed)?;
        self.followed_teams.set(followed);
        self.reset_cursor();
        Ok(())
    }

    pub fn set_schools(&self, schools: Vec<School>) {
        if schools.is_empty() || self.schools.with_untracked(|s| *s == schools) {
            return;
        }
        // A cache of the server's catalog: if storage refuses, it is fetched again at
        // the next sync and the demo schools are not what the phone falls back to now.
        let _ = storage::save_schools(&schools);
        self.schools.set(schools);
    }

    /// The school calendar as the server last gave it; kept offline.
    pub fn set_calendar(&self, entries: Vec<CalendarEntry>) {
        let calendar = Calendar::new(entries);
        if self.calendar.with_untracked(|c| *c == calendar) {
            return;
        }
        // A cache of the server's: fetched again at the next sync if storage refuses.
        let _ = storage::save_calendar(&calendar.entries().cloned().collect::<Vec<_>>());
        self.calendar.set(calendar);
    }

    /// The roster around today as the server last gave it, and the people it names.
    pub fn set_roster(&self, mut roster: RosterPage) {
        self.add_people(std::mem::take(&mut roster.people));
        if self
            .roster
            .with_untracked(|r| r.assignments == roster.assignments)
        {
            return;
        }
        // A cache of the server's: fetched again at the next sync if storage refuses.
        let _ = storage::save_roster(&roster);
        self.roster.set(roster);
    }

    /// Learns names of people (authors, assigned officers); stored when any changed.
    fn add_people(&self, people: Vec<Person>) {
        let changed = people.iter().any(|p| {
            self.people
                .with_untracked(|known| known.get(&p.user) != Some(p))
        });
        if !changed {
            return;
        }
        self.people.update(|known| {
            known.extend(people.into_iter().map(|p| (p.user, p)));
        });
        // A cache: the next pull or roster names them again if storage refuses.
        let _ = self.people.with_untracked(|known| {
            storage::save_people(&known.values().cloned().collect::<Vec<_>>())
        });
    }

    /// The people this phone knows by account id, the signed-in user among them even
    /// before a pull names them (whose own records a sheet names); reactive.
    pub fn known_people(&self) -> BTreeMap<Uuid, Person> {
        let mut people = self.people.get();
        self.profile.with(|p| {
            if let Some(p) = p {
                people.entry(p.user).or_insert_with(|| Person {
                    user: p.user,
                    username: p.username.clone(),
                    display_name: p.display_name.clone(),
                });
            }
        });
        people
    }

    /// Who made `record`: the author the server named, else this phone's user for a
    /// record made here; reactive on the records and the profile.
    pub fn author_of(&self, local: &LocalRecord) -> Option<Uuid> {
        // Only an unsynced record is surely the signed-in user's: nobody logs in over
        // another's records waiting, while a synced one made on this (shared) phone
        // may be a colleague's from before.
        local.author.or_else(|| {
            (!local.synced && self.is_own(&local.record))
                .then(|| self.profile.with(|p| p.as_ref().map(|p| p.user)))
                .flatten()
        })
    }

    /// The name a record's author goes by (`张伟`), if known; reactive.
    pub fn author_name(&self, local: &LocalRecord) -> Option<String> {
        let user = self.author_of(local)?;
        self.people
            .with(|people| people.get(&user).map(|p| p.display_name.clone()))
            .or_else(|| {
                self.profile.with(|p| {
                    p.as_ref()
                        .filter(|p| p.user == user)
                        .map(|p| p.display_name.clone())
                })
            })
    }

    /// The posts today's board shows: those the officer marked as theirs (or all), and
    /// any the roster assigns them on `day`; reactive.
    pub fn board_posts(&self, me: Option<Uuid>, day: chrono::NaiveDate) -> Vec<Post> {
        let mut posts = self.my_posts();
        let Some(me) = me else { return posts };
        // The phone's day and either side: a school's day may be another in the
        // phone's zone; the board keeps only what is due on the school's day.
        let assigned: Vec<String> = self.roster.with(|r| {
            [day.pred_opt(), Some(day), day.succ_opt()]
                .into_iter()
                .flatten()
                .flat_map(|d| roster::posts_of(&r.assignments, me, d))
                .map(String::from)
                .collect()
        });
        self.posts.with(|all| {
            for id in assigned {
                if !posts.iter().any(|p| p.id == id) {
                    posts.extend(all.iter().find(|p| p.id == id).cloned());
                }
            }
        });
        posts
    }

    /// The posts the officer marked as theirs, or every post if none is marked.
    pub fn my_posts(&self) -> Vec<Post> {
        let mine = self.settings.with(|s| s.my_posts.clone());
        self.posts.with(|posts| {
            let marked: Vec<Post> = posts
                .iter()
                .filter(|p| mine.contains(&p.id))
                .cloned()
                .collect();
            if marked.is_empty() {
                posts.clone()
            } else {
                marked
            }
        })
    }

    /// Visits (arrival to 离岗) from this phone's check-ins within a day of `day`,
    /// per post and person (the board's unit); reactive on records. Older ones cannot
    /// count for today's windows, and a year of records should not be copied on every
    /// save.
    pub fn visits_near(&self, day: chrono::NaiveDate) -> Visits {
        self.visits_where(|r| (r.body.device_time().date_naive() - day).num_days().abs() <= 1)
    }

    /// Visits from every check-in this phone holds, with their authors; reactive.
    pub fn visits(&self) -> Visits {
        self.visits_where(|_| true)
    }

    fn visits_where(&self, keep: impl Fn(&Record) -> bool) -> Visits {
        self.records.with(|map| {
            let kept = map.values().map(|l| &l.record).filter(|r| keep(r));
            Visits::of_records(kept, |r| map.get(&r.id).and_then(|l| self.author_of(l)))
        })
    }

    /// A post's label (school · gate), or its id when this phone does not know the post;
    /// reactive on the posts.
    pub fn post_label(&self, post_id: &str) -> String {
        self.posts
            .with(|posts| posts.iter().find(|p| p.id == post_id).map(|p| p.label()))
            .unwrap_or_else(|| post_id.to_string())
    }

    pub fn set_posts(&self, posts: Vec<Post>) {
        if posts.is_empty() || self.posts.with_untracked(|p| *p == posts) {
            return;
        }
        // A cache of the server's catalog, fetched again at every sync.
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

/// The text of `msg` in the current language, as a reactive view or attribute value.
///
/// Every call returns the same closure type, so the view code that renders it is
/// compiled once; a `tr(..)` written at each use is a new type each time
/// and its rendering code is duplicated in the wasm (measured: tens of kilobytes).
pub fn tr(msg: Msg) -> impl Fn() -> &'static str + Copy + Send + Sync + 'static {
    let state = AppState::expect();
    move || state.t(msg)
}
