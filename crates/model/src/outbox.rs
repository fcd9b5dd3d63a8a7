//! Sync bookkeeping as the screens tell it: where each record on a phone stands (on the
//! server, only on the phone, a correction waiting, refused), how many wait to go up,
//! and what the header says about it all.
//!
//! One place decides these, so the header, the history rows, the check-in confirmation
//! and logout cannot disagree: a refused version is never "pending" (pushing it again
//! only gets it refused again), and "all on the server" is said only when nothing waits.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::hlc::Hlc;
use crate::record::Record;
use crate::stored::LocalRecord;
use crate::sync::RejectCode;

/// The server refused exactly `version` of a record, for `code` (and its own words).
/// Kept on the phone, so a refusal survives a reload and is not pushed again.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Refusal {
    pub version: Hlc,
    #[serde(default)]
    pub code: RejectCode,
    pub reason: String,
}

/// A refused record as the user exports it: the state the server refused and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RefusedRecord {
    pub record: Record,
    pub refusal: Refusal,
}

/// The refusals a phone holds: for each record, the versions the server refused (an
/// earlier version and the current one may both be refused).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Refusals(HashMap<Uuid, Vec<Refusal>>);

impl Refusals {
    pub fn new() -> Self {
        Self::default()
    }

    /// The refusal of exactly `version` of record `id`, if the server refused it.
    pub fn of(&self, id: Uuid, version: &Hlc) -> Option<&Refusal> {
        self.0.get(&id)?.iter().find(|r| r.version == *version)
    }

    /// Whether `version` of record `id` is one the server refused.
    pub fn is_refused(&self, id: Uuid, version: &Hlc) -> bool {
        self.of(id, version).is_some()
    }

    /// Remembers a refusal (again for the same version: the newer words).
    pub fn add(&mut self, id: Uuid, refusal: Refusal) {
        let versions = self.0.entry(id).or_default();
        versions.retain(|r| r.version != refusal.version);
        versions.push(refusal);
    }

    /// The server holds `version` of record `id`: refusals of that version or earlier
    /// ones are answered (a later refused version still stands). Returns whether any
    /// was.
    pub fn answered(&mut self, id: Uuid, version: &Hlc) -> bool {
        let Some(versions) = self.0.get_mut(&id) else {
            return false;
        };
        let before = versions.len();
        versions.retain(|r| r.version > *version);
        let changed = versions.len() != before;
        if versions.is_empty() {
            self.0.remove(&id);
        }
        changed
    }

    /// Forgets every refusal of record `id` (it left the phone, or the user took the
    /// server's state instead).
    pub fn forget(&mut self, id: Uuid) {
        self.0.remove(&id);
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Every refusal, with its record's id.
    pub fn iter(&self) -> impl Iterator<Item = (Uuid, &Refusal)> {
        self.0
            .iter()
            .flat_map(|(id, versions)| versions.iter().map(move |r| (*id, r)))
    }
}

/// Where one record on the phone stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SyncStatus {
    /// The server acknowledged this exact version.
    OnServer,
    /// Only on this phone: it goes up when there is a signal.
    OnPhoneOnly,
    /// The server has an earlier version; this correction waits to go up.
    CorrectionPending,
    /// The server refused this version: it is not retried; the user exports or
    /// discards it.
    Refused,
}

impl SyncStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            SyncStatus::OnServer => "on-server",
            SyncStatus::OnPhoneOnly => "phone-only",
            SyncStatus::CorrectionPending => "correction-pending",
            SyncStatus::Refused => "refused",
        }
    }

    /// Still to go up (what the pending count counts).
    pub fn is_pending(self) -> bool {
        matches!(
            self,
            SyncStatus::OnPhoneOnly | SyncStatus::CorrectionPending
        )
    }
}

/// Where `local` stands, given the refusals the phone holds.
pub fn status(local: &LocalRecord, refusals: &Refusals) -> SyncStatus {
    if local.synced {
        SyncStatus::OnServer
    } else if refusals.is_refused(local.record.id, &local.record.version) {
        SyncStatus::Refused
    } else if local.server_has_earlier {
        SyncStatus::CorrectionPending
    } else {
        SyncStatus::OnPhoneOnly
    }
}

/// How many records wait to go up and how many the server refused.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Tally {
    pub pending: usize,
    pub refused: usize,
}

/// Counts the phone's records and the earlier versions it still has to push.
pub fn tally<'a>(
    records: impl IntoIterator<Item = &'a LocalRecord>,
    superseded: impl IntoIterator<Item = &'a Record>,
    refusals: &Refusals,
) -> Tally {
    let mut tally = Tally::default();
    let mut count = |refused: bool| {
        if refused {
            tally.refused += 1;
        } else {
            tally.pending += 1;
        }
    };
    for local in records.into_iter().filter(|l| !l.synced) {
        count(refusals.is_refused(local.record.id, &local.record.version));
    }
    for earlier in superseded {
        count(refusals.is_refused(earlier.id, &earlier.version));
    }
    tally
}

/// What the sync loop last did (the app's own state, without the outbox).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    Offline,
    Syncing,
    /// The last sync succeeded.
    Done,
    /// No session: records wait for the next login.
    SignedOut,
    /// The last sync failed; it is retried.
    Failed,
}

/// The header's one-word state, true to the outbox.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Headline {
    Offline,
    Syncing,
    /// Everything that can go up is on the server.
    AllOnServer,
    /// Records saved since the last sync wait for the next one.
    Waiting,
    SignedOut,
    Failed,
}

impl Headline {
    /// The header's `data-state`.
    pub fn as_str(self) -> &'static str {
        match self {
            Headline::Offline => "offline",
            Headline::Syncing => "syncing",
            Headline::AllOnServer => "synced",
            Headline::Waiting => "waiting",
            Headline::SignedOut => "signed-out",
            Headline::Failed => "error",
        }
    }
}

/// The header's state: "all on the server" only when the last sync succeeded and
/// nothing has been saved since.
pub fn headline(phase: Phase, tally: Tally) -> Headline {
    match phase {
        Phase::Offline => Headline::Offline,
        Phase::Syncing => Headline::Syncing,
        Phase::SignedOut => Headline::SignedOut,
        Phase::Failed => Headline::Failed,
        Phase::Done if tally.pending > 0 => Headline::Waiting,
        Phase::Done => Headline::AllOnServer,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::tests::sample;
    use proptest::prelude::*;

    fn local(n: u128, synced: bool, server_has_earlier: bool) -> LocalRecord {
        LocalRecord {
            synced,
            server_has_earlier,
            ..LocalRecord::new_unsynced(sample(n, 1_000 + n as u64))
        }
    }

    fn refusal(version: &Hlc) -> Refusal {
        Refusal {
            version: version.clone(),
            code: RejectCode::OutOfScope,
            reason: "not yours".into(),
        }
    }

    fn refusal_of(l: &LocalRecord) -> Refusals {
        let mut refusals = Refusals::new();
        refusals.add(l.record.id, refusal(&l.record.version));
        refusals
    }

    #[test]
    fn each_record_has_one_status() {
        let none = Refusals::new();
        assert_eq!(status(&local(1, true, false), &none), SyncStatus::OnServer);
        assert_eq!(
            status(&local(1, false, false), &none),
            SyncStatus::OnPhoneOnly
        );
        assert_eq!(
            status(&local(1, false, true), &none),
            SyncStatus::CorrectionPending
        );
        let refused = local(1, false, true);
        assert_eq!(status(&refused, &refusal_of(&refused)), SyncStatus::Refused);
    }

    #[test]
    fn a_refusal_of_another_version_does_not_count() {
        let refused = local(1, false, false);
        let refusals = refusal_of(&refused);
        let mut next = local(1, false, false);
        next.record.version.counter += 1;
        assert_eq!(status(&next, &refusals), SyncStatus::OnPhoneOnly);
        assert_eq!(tally([&next], [], &refusals).pending, 1);
    }

    #[test]
    fn refused_records_are_not_pending() {
        let refused = local(1, false, false);
        let refusals = refusal_of(&refused);
        let waiting = local(2, false, false);
        let on_server = local(3, true, false);
        let earlier = sample(4, 5);
        assert_eq!(
            tally([&refused, &waiting, &on_server], [&earlier], &refusals),
            Tally {
                pending: 2,
                refused: 1
            }
        );
    }

    #[test]
    fn two_refused_versions_of_one_record_are_both_kept_until_a_later_one_is_held() {
        let v1 = local(1, false, false);
        let mut v2 = v1.clone();
        v2.record.version.counter += 1;
        let mut refusals = Refusals::new();
        refusals.add(v1.record.id, refusal(&v1.record.version));
        refusals.add(v2.record.id, refusal(&v2.record.version));
        assert_eq!(
            tally([&v2], [&v1.record], &refusals),
            Tally {
                pending: 0,
                refused: 2
            }
        );
        // The server holding v1 answers v1's refusal only; v2's stands.
        refusals.answered(v1.record.id, &v1.record.version);
        assert!(!refusals.is_refused(v1.record.id, &v1.record.version));
        assert!(refusals.is_refused(v2.record.id, &v2.record.version));
        // Holding a later version answers every refusal before it.
        let mut v3 = v2.record.version.clone();
        v3.counter += 1;
        refusals.answered(v1.record.id, &v3);
        assert!(refusals.is_empty());
        // Stored as a map of lists, read back the same.
        let mut again = Refusals::new();
        again.add(v1.record.id, refusal(&v1.record.version));
        let json = serde_json::to_string(&again).unwrap();
        assert_eq!(serde_json::from_str::<Refusals>(&json).unwrap(), again);
    }

    #[test]
    fn the_headline_agrees_with_the_outbox() {
        let none = Tally::default();
        let one = Tally {
            pending: 1,
            refused: 0,
        };
        let only_refused = Tally {
            pending: 0,
            refused: 2,
        };
        assert_eq!(headline(Phase::Done, none), Headline::AllOnServer);
        assert_eq!(headline(Phase::Done, one), Headline::Waiting);
        assert_eq!(headline(Phase::Done, only_refused), Headline::AllOnServer);
        assert_eq!(headline(Phase::Offline, none), Headline::Offline);
        assert_eq!(headline(Phase::Failed, one), Headline::Failed);
        assert_eq!(headline(Phase::SignedOut, one), Headline::SignedOut);
    }

    #[test]
    fn the_next_version_of_a_synced_record_is_a_correction() {
        let held = local(1, true, false);
        let next = held.next_unsynced(sample(1, 9_000));
        assert!(!next.synced && next.server_has_earlier);
        // …and stays one through further edits before the server answers.
        assert!(next.next_unsynced(sample(1, 9_500)).server_has_earlier);
        // A record never synced stays phone-only.
        let fresh = local(2, false, false).next_unsynced(sample(2, 9_000));
        assert!(!fresh.server_has_earlier);
    }

    proptest! {
        /// Whatever the mix, the header says "all on the server" exactly when nothing
        /// that can go up is left, and the tally matches the rows' statuses.
        #[test]
        fn tally_matches_the_statuses(kinds in proptest::collection::vec(0u8..4, 0..20)) {
            let mut refusals = Refusals::new();
            let rows: Vec<LocalRecord> = kinds.iter().enumerate().map(|(n, k)| {
                let l = local(n as u128 + 1, *k == 0, *k == 2);
                if *k == 3 {
                    refusals.add(l.record.id, refusal(&l.record.version));
                }
                l
            }).collect();
            let t = tally(&rows, [], &refusals);
            let statuses: Vec<SyncStatus> = rows.iter().map(|l| status(l, &refusals)).collect();
            prop_assert_eq!(t.pending, statuses.iter().filter(|s| s.is_pending()).count());
            prop_assert_eq!(t.refused, statuses.iter().filter(|s| **s == SyncStatus::Refused).count());
            prop_assert_eq!(headline(Phase::Done, t) == Headline::AllOnServer, t.pending == 0);
        }
    }
}
