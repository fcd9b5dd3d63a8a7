//! Pure shared types and rules of Gatewatch (护学岗巡查).
//!
//! Everything the phone and the server must agree on lives here: the records officers
//! create, how versions order edits without trusting device clocks, the sync wire
//! messages, the merge/upsert rule, and the compact form records take in the phone's
//! local storage.
//!
//! Architecture invariant: this crate does no I/O and reads no clock or random source.
//! Time and fresh ids are passed in, so every rule is a plain function that is tested
//! natively (and on `wasm32`, `SystemTime::now()` would panic anyway).

pub mod access;
pub mod account;
pub mod board;
pub mod calendar;
pub mod coverage;
pub mod csv;
pub mod csv_in;
pub mod datum;
pub mod duty;
pub mod filter;
#[cfg(feature = "fixtures")]
pub mod fixtures;
pub mod gatecode;
pub mod hlc;
pub mod intake;
pub mod merge;
pub mod monthly;
pub mod outbox;
pub mod post;
pub mod quota;
pub mod reconcile;
pub mod record;
pub mod repeat;
pub mod replica;
pub mod report;
pub mod retention;
pub mod roster;
pub mod roster_csv;
pub mod roster_edit;
pub mod school;
pub mod sorting;
pub mod stored;
pub mod swap;
pub mod sync;
pub mod team;
pub mod timefmt;

pub use hlc::{Clock, DeviceId, Hlc};
pub use post::{demo_posts, nearest_post, GeoPoint, Post};
pub use record::{
    CheckIn, CheckInEvent, FollowUp, Incident, IncidentCategory, Position, Presence, Record,
    RecordBody, Severity, ValidationError,
};
pub use sync::{
    Ack, AckOutcome, Backoff, Change, Cursor, ErrorBody, PullResponse, PushRequest, PushResponse,
    RejectCode, Rejection, MAX_PULL_PAGE, MAX_PUSH_BATCH,
};
