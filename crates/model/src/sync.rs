//! Sync wire messages (see docs/sync-protocol.md).
//!
//! Push: the phone sends up to `MAX_PUSH_BATCH` records; the server upserts each by id
//! and version and acknowledges each exact version it now holds or has superseded.
//! Pull: the phone asks for changes after its cursor, a page at a time.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::hlc::{DeviceId, Hlc};
use crate::record::Record;

/// Most records one push may carry.
pub const MAX_PUSH_BATCH: usize = 500;
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

/// A record the server refused. It stays in the phone's outbox with the reason shown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rejection {
    pub id: Uuid,
    pub version: Hlc,
    pub reason: String,
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
    pub received_at: DateTime<Utc>,
    pub record: Record,
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
