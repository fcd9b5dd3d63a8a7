//! Sync wire messages (see docs/sync-protocol.md).
//!
//! Push: the phone sends up to `MAX_PUSH_BATCH` records; the server upserts each by id
//! and version and acknowledges each exact version it now holds or has superseded.
//! Pull: the phone asks for changes after its cursor, a page at a time.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::gatecode::Proof;
use crate::hlc::{DeviceId, Hlc};
use crate::record::Record;

/// Most records one push may carry.
pub const MAX_PUSH_BATCH: usize = 500;
/// Most JSON bytes of records one push carries: half the server's 2 MiB request limit,
/// so the envelope and a record's worst-case escaping never reach it. A duty session of
/// 40 people is ~6 KB, so 500 of them would not fit.
pub const MAX_PUSH_BYTES: usize = 1024 * 1024;

/// Splits records of these encoded `sizes` (in outbox order) into consecutive pushes of
/// at most `MAX_PUSH_BATCH` records and `MAX_PUSH_BYTES` bytes; a record larger than
/// that goes alone (the server then says why it refuses it).
pub fn push_batches(sizes: &[usize]) -> Vec<std::ops::Range<usize>> {
    let mut batches = Vec::new();
    let (mut start, mut bytes) = (0, 0);
    for (i, size) in sizes.iter().enumerate() {
        let full = i - start == MAX_PUSH_BATCH || bytes + size > MAX_PUSH_BYTES;
        if i > start && full {
            batches.push(start..i);
            (start, bytes) = (i, 0);
        }
        bytes += size;
    }
    if start < sizes.len() {
        batches.push(start..sizes.len());
    }
    batches
}

/// Most changes one pull page returns.
pub const MAX_PULL_PAGE: usize = 500;

/// A position in the server's change feed. 0 is "from the beginning".
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Cursor(pub u64);

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PushRequest {
    /// The pushing device, recorded with each stored version.
    pub device: DeviceId,
    pub records: Vec<Record>,
}

/// A push that names a device id the server keeps for its own versions.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReservedDevice {
    #[error("device `{0}` is the server's own; a phone may not push as it")]
    Pusher(DeviceId),
    #[error("record {id}: version {version} names device `{}`, the server's own; a phone may not push versions as it", version.device)]
    Version { id: Uuid, version: Hlc },
}

impl PushRequest {
    /// Refuses a push that would pass a phone's edits off as the server's: the pushing
    /// device or a version's device is one the server writes as (`RESERVED_DEVICES`).
    /// Our app never makes such an id; another client that does is refused whole.
    pub fn check_devices(&self) -> Result<(), ReservedDevice> {
        if self.device.is_reserved() {
            return Err(ReservedDevice::Pusher(self.device.clone()));
        }
        match self.records.iter().find(|r| r.version.device.is_reserved()) {
            Some(r) => Err(ReservedDevice::Version {
                id: r.id,
                version: r.version.clone(),
            }),
            None => Ok(()),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AckOutcome {
    /// This version is now stored on the server.
    Stored,
    /// The server already held exactly this version.
    Duplicate,
    /// The server holds a newer version; this one was seen and is not needed.
    Superseded,
}

/// The server has this exact version (or a newer one): it may leave the outbox.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ack {
    pub id: Uuid,
    pub version: Hlc,
    pub outcome: AckOutcome,
}

/// Why the server refused a record, for the phone to say in its user's language (the
/// `reason` text is English, for logs and admins).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RejectCode {
    /// It fails the record's rules (`Record::validate`).
    Invalid,
    /// Its version is more than a day ahead of the server's clock.
    ClockAhead,
    /// This version is stored with other content.
    VersionConflict,
    /// It changes volunteer hours a lead approved.
    HoursLocked,
    /// It decides a swap request, or changes a decided one: only a supervisor or an
    /// admin decides, on the server.
    SwapDecided,
    /// Its school or team is not the user's.
    OutOfScope,
    /// Someone else's record (officers change their own only).
    NotOwn,
    /// The user's role may not write this kind of record.
    NotForRole,
    /// Anything a newer server may add: the phone shows `reason`.
    #[default]
    #[serde(other)]
    Other,
}

/// A record the server refused. It stays in the phone's outbox with the reason shown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rejection {
    pub id: Uuid,
    pub version: Hlc,
    #[serde(default)]
    pub code: RejectCode,
    pub reason: String,
    /// The server's own state of the record, when the refusal is about it (approved
    /// hours another phone locked): the phone can show it and adopt it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub current: Option<Record>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PushResponse {
    pub acks: Vec<Ack>,
    pub rejected: Vec<Rejection>,
    /// The server's newest change position after this push.
    pub cursor: Cursor,
}

/// One entry of the change feed: a record state and when the server first got it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Change {
    pub seq: Cursor,
    /// Server clock when this version arrived (the device clock may be wrong).
    #[serde(deserialize_with = "crate::timefmt::utc")]
    pub received_at: DateTime<Utc>,
    pub record: Record,
    /// The server's check of a check-in's gate code (absent for other kinds).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub proof: Option<Proof>,
    /// The account that first pushed the record, as the server recorded it (absent for
    /// records older than accounts).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub author: Option<crate::roster::Person>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PullResponse {
    pub changes: Vec<Change>,
    /// Pass this as `since` next time.
    pub cursor: Cursor,
    /// More changes are waiting after `cursor`.
    pub more: bool,
}

/// Every error the server answers with: a stable code and a human-readable detail.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorBody {
    pub error: String,
    pub detail: String,
}

/// When the phone syncs next: soon after a failure, backing off exponentially to a cap,
/// and at a steady pace while all is well. Triggers (start, `online`, "sync now", a new
/// record) wake the loop early regardless.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Backoff {
    failures: u32,
}

impl Backoff {
    /// First retry after a failure.
    pub const FIRST_RETRY_MS: u32 = 2_000;
    /// Never wait longer than five minutes.
    pub const CAP_MS: u32 = 300_000;
    /// Pace while syncs succeed (to pick up other devices' records).
    pub const STEADY_MS: u32 = 60_000;

    pub fn new() -> Self {
        Self { failures: 0 }
    }

    /// Records the outcome of a sync and returns the delay before the next one.
    pub fn next_delay_ms(&mut self, succeeded: bool) -> u32 {
        if succeeded {
            self.failures = 0;
            return Self::STEADY_MS;
        }
        self.failures = self.failures.saturating_add(1);
        let shift = (self.failures - 1).min(16);
        Self::FIRST_RETRY_MS
            .saturating_mul(1 << shift)
            .min(Self::CAP_MS)
    }

    /// The delay after a sync whose push the server timed (`429` with `Retry-After`)
    /// while its pull went through: the pushes wait (the sync loop keeps the server's
    /// time), the pulls do not — the next sync comes when the wait ends, or at the
    /// steady pace if that is sooner, never sooner than a first retry.
    pub fn next_delay_after_ms(&mut self, retry_after_secs: u64) -> u32 {
        self.failures = 0;
        let asked = u32::try_from(retry_after_secs.saturating_mul(1000)).unwrap_or(u32::MAX);
        asked.clamp(Self::FIRST_RETRY_MS, Self::STEADY_MS)
    }
}

impl Default for Backoff {
    fn default() -> Self {
        Self::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn rejection_codes_read_back_and_unknown_ones_are_other() {
        let base = r#"{"id":"00000000-0000-0000-0000-000000000001","version":"000000000001-0000-dev1","reason":"x""#;
        let read = |tail: &str| {
            serde_json::from_str::<Rejection>(&format!("{base}{tail}}}"))
                .unwrap()
                .code
        };
        assert_eq!(read(r#","code":"out_of_scope""#), RejectCode::OutOfScope);
        assert_eq!(read(r#","code":"hours_locked""#), RejectCode::HoursLocked);
        // An older server sends none, a newer one may send a code this app does not know.
        assert_eq!(read(""), RejectCode::Other);
        assert_eq!(read(r#","code":"quota_exceeded""#), RejectCode::Other);
    }

    #[test]
    fn a_push_as_the_servers_own_device_is_refused() {
        let record = crate::record::tests::sample(1, 5);
        let phone = record.version.device.clone();
        let push = |device: DeviceId, records: Vec<Record>| PushRequest { device, records };
        assert_eq!(
            push(phone.clone(), vec![record.clone()]).check_devices(),
            Ok(())
        );
        for own in [DeviceId::server(), DeviceId::admin()] {
            let whole = push(own.clone(), vec![record.clone()]).check_devices();
            assert_eq!(whole, Err(ReservedDevice::Pusher(own.clone())));
            let mut labelled = record.clone();
            labelled.version.device = own.clone();
            let error = push(phone.clone(), vec![record.clone(), labelled])
                .check_devices()
                .unwrap_err();
            assert!(error.to_string().contains(&format!("`{own}`")), "{error}");
        }
    }

    #[test]
    fn pushes_split_by_count_and_by_bytes() {
        assert_eq!(push_batches(&[]), Vec::<std::ops::Range<usize>>::new());
        assert_eq!(push_batches(&[100; 3]), vec![0..3]);
        assert_eq!(push_batches(&[100; 1001]), [0..500, 500..1000, 1000..1001]);
        // 6 KB duty sessions: 174 fit in 1 MiB.
        assert_eq!(push_batches(&[6000; 400]), [0..174, 174..348, 348..400]);
        // Too big alone: sent alone, between the others.
        assert_eq!(
            push_batches(&[10, MAX_PUSH_BYTES + 1, 10]),
            [0..1, 1..2, 2..3]
        );
    }

    proptest! {
        #[test]
        fn batches_cover_the_outbox_in_order_within_the_limits(
            sizes in proptest::collection::vec(0usize..400_000, 0..2000),
        ) {
            let batches = push_batches(&sizes);
            let mut next = 0;
            for b in &batches {
                prop_assert_eq!(b.start, next);
                prop_assert!(!b.is_empty() && b.len() <= MAX_PUSH_BATCH);
                let bytes: usize = sizes[b.clone()].iter().sum();
                prop_assert!(bytes <= MAX_PUSH_BYTES || b.len() == 1);
                next = b.end;
            }
            prop_assert_eq!(next, sizes.len());
        }
    }

    #[test]
    fn backoff_doubles_to_a_five_minute_cap_and_resets_on_success() {
        let mut b = Backoff::new();
        let delays: Vec<u32> = (0..10).map(|_| b.next_delay_ms(false)).collect();
        assert_eq!(delays[..5], [2_000, 4_000, 8_000, 16_000, 32_000]);
        assert!(delays.iter().all(|d| *d <= Backoff::CAP_MS));
        assert_eq!(*delays.last().unwrap(), Backoff::CAP_MS);
        assert_eq!(b.next_delay_ms(true), Backoff::STEADY_MS);
        assert_eq!(b.next_delay_ms(false), 2_000);
        // Pushes told to wait hours: the pulls go on at the steady pace.
        assert_eq!(b.next_delay_after_ms(3 * 3600), Backoff::STEADY_MS);
        assert_eq!(b.next_delay_after_ms(u64::MAX), Backoff::STEADY_MS);
        assert_eq!(
            b.next_delay_after_ms(10),
            10_000,
            "sooner when the wait ends sooner"
        );
        assert_eq!(b.next_delay_after_ms(0), Backoff::FIRST_RETRY_MS);
        assert_eq!(b.next_delay_ms(true), Backoff::STEADY_MS);
        // Days offline never overflow.
        for _ in 0..10_000 {
            assert!(b.next_delay_ms(false) <= Backoff::CAP_MS);
        }
    }
}
