//! How much one account may push in a day: records and bytes over a sliding 24-hour
//! window. What a user pushes is pulled by every colleague who may read it, into phones
//! whose localStorage holds ~5.2 million UTF-16 code units (BENCHMARKS.md); one account,
//! broken or hostile, must not fill them. The server counts in its database (every
//! process agrees) and answers a push over the limit with `429 push_limit` and
//! `Retry-After`; the phone keeps the records and tries again then.
//!
//! The defaults, from a team lead's busiest day (the heaviest pusher; an officer's day
//! is a few dozen check-ins of ~0.5 KB):
//! - a 40-volunteer team keeps up to three sessions a day (the morning, noon and
//!   afternoon peaks); a session of 40 is ~6 KB, and every save is a version pushed:
//!   the start, ~20 ticks (absentees, late arrivals, substitutes, early departures),
//!   a note, the end and up to 40 approvals one by one — ~65 versions, ~390 KB;
//! - three sessions: ~195 versions, ~1.2 MB; the roster (40 volunteers added or
//!   changed, ~0.4 KB each): ~40 versions, ~16 KB;
//! - corrections and a second team followed on a busy day: half as much again —
//!   ~350 versions, ~1.8 MB.
//!
//! So 2,000 records and 3 MiB a day: over five times the busiest day's versions and
//! two thirds more than its bytes, yet a day's worth is under the ~3.5 million code
//! units a lead's or officer's phone keeps free with 90 days of its own records
//! (a colleague's phone holds one state per record, so bytes of distinct records are
//! what fill it). Admins are not limited: they load a city's data through push.

use serde::{Deserialize, Serialize};

use crate::sorting;

/// The window the limits count over.
pub const WINDOW_MS: u64 = 24 * 60 * 60 * 1000;
/// Default records one account may push in the window.
pub const DEFAULT_RECORDS_PER_DAY: u64 = 2_000;
/// Default JSON bytes of records one account may push in the window.
pub const DEFAULT_BYTES_PER_DAY: u64 = 3 * 1024 * 1024;

/// How much one account may push in `WINDOW_MS`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct PushLimits {
    pub records_per_day: u64,
    pub bytes_per_day: u64,
}

impl Default for PushLimits {
    fn default() -> Self {
        Self {
            records_per_day: DEFAULT_RECORDS_PER_DAY,
            bytes_per_day: DEFAULT_BYTES_PER_DAY,
        }
    }
}

/// What one push stored: new versions (a repeated one is free) and their JSON bytes,
/// at `at_ms` (ms since the epoch).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Usage {
    pub at_ms: u64,
    pub records: u64,
    pub bytes: u64,
}

impl PushLimits {
    /// Whether a push that stores `push` at `now_ms` fits beside `used` (earlier pushes;
    /// those older than the window no longer count). `Err`: how many seconds until
    /// enough of the window frees for it (rounded up, at least 1); a push larger than a
    /// whole day's allowance waits the whole window.
    pub fn admit(&self, used: &[Usage], push: Usage, now_ms: u64) -> Result<(), u64> {
        let start = now_ms.saturating_sub(WINDOW_MS);
        let mut live: Vec<&Usage> = used.iter().filter(|u| u.at_ms > start).collect();
        sorting::sort_by_key(&mut live, |u| u.at_ms);
        let mut records = push.records + live.iter().map(|u| u.records).sum::<u64>();
        let mut bytes = push.bytes + live.iter().map(|u| u.bytes).sum::<u64>();
        if self.fits(records, bytes) {
            return Ok(());
        }
        // The oldest pushes leave the window first: wait until enough of them have.
        let mut frees_at = now_ms + WINDOW_MS;
        for u in live {
            records -= u.records;
            bytes -= u.bytes;
            if self.fits(records, bytes) {
                frees_at = u.at_ms + WINDOW_MS;
                break;
            }
        }
        let wait_ms = frees_at.saturating_sub(now_ms).max(1);
        Err(wait_ms.div_ceil(1000))
    }

    /// Whether `push` alone fits in a day's allowance: if not, no wait makes it fit.
    pub fn fits_in_a_day(&self, push: Usage) -> bool {
        self.fits(push.records, push.bytes)
    }

    fn fits(&self, records: u64, bytes: u64) -> bool {
        records <= self.records_per_day && bytes <= self.bytes_per_day
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const LIMITS: PushLimits = PushLimits {
        records_per_day: 100,
        bytes_per_day: 10_000,
    };
    const HOUR: u64 = 3_600_000;

    fn usage(at_ms: u64, records: u64, bytes: u64) -> Usage {
        Usage {
            at_ms,
            records,
            bytes,
        }
    }

    #[test]
    fn a_push_that_fits_the_day_is_admitted_up_to_the_limit() {
        let now = 30 * HOUR;
        let used = [usage(now - 3 * HOUR, 60, 1_000)];
        assert_eq!(LIMITS.admit(&used, usage(now, 40, 9_000), now), Ok(()));
        assert!(LIMITS.admit(&used, usage(now, 41, 10), now).is_err());
        assert!(LIMITS.admit(&used, usage(now, 1, 9_001), now).is_err());
        // Repeats are free: a push that stores nothing new always passes.
        let full = [usage(now - HOUR, 100, 10_000)];
        assert_eq!(LIMITS.admit(&full, Usage::default(), now), Ok(()));
    }

    #[test]
    fn the_wait_is_until_enough_of_the_window_has_freed() {
        let now = 30 * HOUR;
        let used = [
            usage(now - 20 * HOUR, 50, 100),
            usage(now - 10 * HOUR, 40, 100),
            usage(now - 2 * HOUR, 10, 100),
        ];
        // 20 more need the first push gone: in 4 hours.
        assert_eq!(LIMITS.admit(&used, usage(now, 20, 10), now), Err(4 * 3_600));
        // 60 more need the first two gone: in 14 hours.
        assert_eq!(
            LIMITS.admit(&used, usage(now, 60, 10), now),
            Err(14 * 3_600)
        );
        // Pushes from before the window do not count.
        let old = [usage(now - 25 * HOUR, 100, 10_000)];
        assert_eq!(LIMITS.admit(&old, usage(now, 100, 10_000), now), Ok(()));
        // More than a day's allowance alone: the whole window.
        assert_eq!(
            LIMITS.admit(&[], usage(now, 101, 0), now),
            Err(WINDOW_MS / 1000)
        );
    }

    proptest! {
        #[test]
        fn after_the_wait_the_same_push_is_admitted(
            pushes in proptest::collection::vec((0..WINDOW_MS, 0u64..60, 0u64..5_000), 0..30),
            records in 0u64..=100,
            bytes in 0u64..=10_000,
        ) {
            let now = 2 * WINDOW_MS;
            let used: Vec<Usage> = pushes
                .iter()
                .map(|(ago, r, b)| usage(now - ago, *r, *b))
                .collect();
            let push = |at| usage(at, records, bytes);
            if let Err(wait) = LIMITS.admit(&used, push(now), now) {
                let later = now + wait * 1000;
                prop_assert_eq!(LIMITS.admit(&used, push(later), later), Ok(()));
                // And not a second sooner (the wait is not longer than needed).
                let sooner = later - 1000;
                prop_assert!(wait == 1 || LIMITS.admit(&used, push(sooner), sooner).is_err());
            }
        }
    }
}
