//! The server's "now": the system clock, which tests may move forward to cross a
//! day's window (the push limit) without sleeping.

use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;

use chrono::{DateTime, Utc};

/// The system clock plus a shift (zero but in tests). Cheap to clone; clones share
/// the shift.
#[derive(Debug, Clone, Default)]
pub struct ServerClock {
    shift_ms: Arc<AtomicI64>,
}

impl ServerClock {
    pub fn now(&self) -> DateTime<Utc> {
        Utc::now() + chrono::Duration::milliseconds(self.shift_ms.load(Ordering::Relaxed))
    }

    /// Moves this clock (and every clone of it) forward by `by`.
    pub fn advance(&self, by: chrono::Duration) {
        self.shift_ms
            .fetch_add(by.num_milliseconds(), Ordering::Relaxed);
    }
}
