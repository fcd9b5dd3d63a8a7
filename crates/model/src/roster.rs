//! The duty roster (排班): which officer is due at which gate, in which window, on which
//! day — and the accountable names records and reports show (docs/duty-roster.md, §3–4).

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::school::WindowKind;

/// One slot: a gate (post) × date × window.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Slot {
    pub post_id: String,
    #[serde(deserialize_with = "crate::timefmt::date")]
    pub date: NaiveDate,
    pub window: WindowKind,
}

/// One officer due at one slot, optionally with a police car (its plate). Flat on the
/// wire (no `#[serde(flatten)]`: its buffering decoder would cost the phone wasm).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Assignment {
    pub post_id: String,
    #[serde(deserialize_with = "crate::timefmt::date")]
    pub date: NaiveDate,
    pub window: WindowKind,
    pub officer: Uuid,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub car: Option<String>,
}

impl Assignment {
    pub fn slot(&self) -> Slot {
        Slot {
            post_id: self.post_id.clone(),
            date: self.date,
            window: self.window,
        }
    }
}

/// An account as records and reports name it: who made a record (the author the server
/// recorded), who is assigned.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Person {
    pub user: Uuid,
    pub username: String,
    pub display_name: String,
}

impl Person {
    /// How screens and sheets name a person: `张伟 (zhang.wei)`.
    pub fn label(&self) -> String {
        format!("{} ({})", self.display_name, self.username)
    }
}
