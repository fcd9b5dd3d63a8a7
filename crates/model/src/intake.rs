//! The server's decision on one pushed version: refused (and why), stored as the record's
//! new state, kept in the history beside a state the server makes itself, kept in the
//! history only, or already held.
//!
//! Pure, so it runs natively in tests and in the deterministic simulation: the server's
//! feed looks up what the decision needs (the held state, the base of a concurrent edit,
//! whether the pusher may write at all — `access`), asks `check` and `decide`, and
//! carries out the result in its transaction.

use crate::hlc::{Clock, DeviceId, Hlc};
use crate::reconcile::{reconcile, Reconciled};
use crate::record::{Record, RecordBody};
use crate::swap::decision_locked;
use crate::sync::{AckOutcome, RejectCode};

/// Why a version that changes approved volunteer hours is refused.
pub const APPROVED_HOURS_LOCKED: &str =
    "approved hours are locked; only an admin may change them (admins come with accounts)";

/// Why a phone's version that decides a swap request, or changes a decided one, is
/// refused.
pub const SWAP_DECISION_LOCKED: &str =
    "swap requests are decided by a supervisor or an admin on the server; a decided one cannot be changed";

/// Why a record with a NUL character in its text is refused.
pub const NUL_REFUSED: &str = "text must not contain NUL (U+0000) characters";

/// A version refused: never stored, not even in the history.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refused {
    pub code: RejectCode,
    pub reason: String,
    /// The state that made the refusal, when the phone can adopt it (approved hours).
    pub current: Option<Box<Record>>,
}

impl Refused {
    fn new(code: RejectCode, reason: impl Into<String>) -> Self {
        Self {
            code,
            reason: reason.into(),
            current: None,
        }
    }

    fn hours_locked(held: &Record) -> Self {
        Self {
            current: Some(Box::new(held.clone())),
            ..Self::new(RejectCode::HoursLocked, APPROVED_HOURS_LOCKED)
        }
    }

    /// With the held state, if any, so the phone can adopt the decision.
    fn swap_decided(held: Option<&Record>) -> Self {
        Self {
            current: held.map(|h| Box::new(h.clone())),
            ..Self::new(RejectCode::SwapDecided, SWAP_DECISION_LOCKED)
        }
    }
}

/// Why the server made a state of its own in place of the pushed version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Replaced {
    /// Approvals made meanwhile on another phone put back into the pushed session.
    Rebased,
    /// Two concurrent edits merged field by field; the fields both changed, where the
    /// higher version won.
    Merged { conflicts: Vec<String> },
    /// The merge of two concurrent edits breaks a rule across fields: the held state
    /// stays, as a new version (so a phone holding the pushed one pulls a later state).
    MergeInvalid { error: String },
}

/// What to do with one pushed version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    Refuse(Refused),
    /// The pushed version is the record's new state (or its first).
    Store,
    /// The pushed version goes into the history; `state`, made by the server as
    /// `DeviceId::server()`, is the new state.
    Replace {
        state: Box<Record>,
        why: Replaced,
    },
    /// The pushed version goes into the history only: the held state is later.
    History,
    /// This exact version is held already.
    Duplicate,
}

impl Decision {
    /// What the phone is told, for a version not refused.
    pub fn outcome(&self) -> Option<AckOutcome> {
        match self {
            Decision::Refuse(_) => None,
            Decision::Store => Some(AckOutcome::Stored),
            Decision::Replace { .. } | Decision::History => Some(AckOutcome::Superseded),
            Decision::Duplicate => Some(AckOutcome::Duplicate),
        }
    }
}

/// What a version must pass before anything is looked up: valid, no NUL anywhere in
/// its text (no keyboard types one, and PostgreSQL's JSON functions refuse an escaped
/// NUL anywhere in a stored body), and not more than a day ahead of the server's clock.
pub fn check(record: &Record, now_ms: u64) -> Result<(), Refused> {
    record
        .validate()
        .map_err(|e| Refused::new(RejectCode::Invalid, e.to_string()))?;
    if holds_nul(record) {
        return Err(Refused::new(RejectCode::Invalid, NUL_REFUSED));
    }
    if record.version.is_too_far_ahead(now_ms) {
        return Err(Refused::new(
            RejectCode::ClockAhead,
            format!(
                "version {} is more than a day ahead of the server's clock; \
                 check the phone's date and time",
                record.version
            ),
        ));
    }
    Ok(())
}

/// Whether any text of `record` (values or keys) holds a NUL character.
pub fn holds_nul(record: &Record) -> bool {
    fn any_nul(value: &serde_json::Value) -> bool {
        match value {
            serde_json::Value::String(s) => s.contains('\0'),
            serde_json::Value::Array(items) => items.iter().any(any_nul),
            serde_json::Value::Object(map) => {
                map.iter().any(|(k, v)| k.contains('\0') || any_nul(v))
            }
            _ => false,
        }
    }
    // A record always serializes (plain data, string keys); if it ever did not, the
    // serializer would refuse it anyway.
    serde_json::to_value(record).is_ok_and(|v| any_nul(&v))
}

/// The decision on `incoming`, given the state `held` (if any) and, for an edit made
/// from an older state than the one held, that older state `base` from the history.
/// Versions the server makes are later than both the pushed and the held one.
pub fn decide(
    held: Option<&Record>,
    incoming: &Record,
    base: Option<&Record>,
    now_ms: u64,
) -> Decision {
    // Before any merge: a merge is made of the held state and this version, so it
    // decides nothing this version does not.
    if decision_locked(held, incoming) {
        return Decision::Refuse(Refused::swap_decided(held));
    }
    match reconcile(held, incoming, base) {
        Reconciled::Store => match held {
            // Approved volunteer hours are locked: a newer version may approve or reject
            // more, or edit the note, but not change what was approved (nor void it).
            // Only an admin may (the server's correction).
            Some(held) if held.changes_approved_hours(incoming) => locked(held, incoming, now_ms),
            _ => Decision::Store,
        },
        Reconciled::Merged(merge) => {
            let Some(held) = held else {
                // `reconcile` merges only with a held state; without one, it is new.
                return Decision::Store;
            };
            let version = server_version([&incoming.version, &held.version], now_ms);
            let conflicts = merge.conflicts.clone();
            let merged = (*merge).into_record(held, version);
            if held.changes_approved_hours(&merged) {
                return Decision::Refuse(Refused::hours_locked(held));
            }
            match merged.validate() {
                Ok(()) => Decision::Replace {
                    state: Box::new(merged),
                    why: Replaced::Merged { conflicts },
                },
                // Never the incoming state whole: it was not checked against the
                // approved-hours lock, nor made from what is held.
                Err(e) => Decision::Replace {
                    state: Box::new(Record {
                        version: merged.version,
                        base: Some(held.version.clone()),
                        ..held.clone()
                    }),
                    why: Replaced::MergeInvalid {
                        error: e.to_string(),
                    },
                },
            }
        }
        Reconciled::Duplicate => Decision::Duplicate,
        // Never the record's state, but an edit someone made (e.g. offline, while
        // another phone edited it later): the history keeps it.
        Reconciled::Superseded => Decision::History,
        Reconciled::Conflict => Decision::Refuse(Refused::new(
            RejectCode::VersionConflict,
            format!(
                "version {} of this record is already stored with different content; \
                 an edit must carry a new version",
                incoming.version
            ),
        )),
    }
}

/// A version that would change approved hours: merged with the held approvals when
/// only not knowing of them (made meanwhile on another phone) kept it out — both
/// phones' decisions go into a version the server makes — else refused with the state
/// that locked it, so the phone can adopt it.
fn locked(held: &Record, incoming: &Record, now_ms: u64) -> Decision {
    match rebased(held, incoming) {
        Some(merged) => Decision::Replace {
            state: Box::new(Record {
                version: server_version([&incoming.version, &merged.version], now_ms),
                ..merged
            }),
            why: Replaced::Rebased,
        },
        None => Decision::Refuse(Refused::hours_locked(held)),
    }
}

/// `incoming` with the approvals `held` already has put back, when that is all that
/// kept it from being accepted (see `DutySession::rebased_on`); its version is still
/// `held`'s, for the caller to replace. Voiding is never merged.
fn rebased(held: &Record, incoming: &Record) -> Option<Record> {
    let (RecordBody::Duty(h), RecordBody::Duty(i)) = (&held.body, &incoming.body) else {
        return None;
    };
    if held.voided != incoming.voided {
        return None;
    }
    let body = RecordBody::Duty(i.rebased_on(h)?);
    Some(Record {
        version: held.version.clone(),
        body,
        base: Some(held.version.clone()),
        ..incoming.clone()
    })
}

/// A version the server makes as `DeviceId::server()`: later than every one of `seen`.
pub fn server_version<'a>(seen: impl IntoIterator<Item = &'a Hlc>, now_ms: u64) -> Hlc {
    next_version(&DeviceId::server(), seen, now_ms)
}

/// A version made as `device` on the server's clock: later than every one of `seen`.
pub fn next_version<'a>(
    device: &DeviceId,
    seen: impl IntoIterator<Item = &'a Hlc>,
    now_ms: u64,
) -> Hlc {
    let mut clock = Clock::new(device.clone());
    for version in seen {
        clock.observe(version, now_ms);
    }
    clock.tick(now_ms)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::tests::sample;
    use crate::record::CheckIn;

    const NOW_MS: u64 = 1_764_000_000_000;

    fn version(wall_ms: u64, device: &str) -> Hlc {
        Hlc {
            wall_ms,
            counter: 0,
            device: DeviceId::new(device).unwrap(),
        }
    }

    fn edit(
        base: &Record,
        wall_ms: u64,
        device: &str,
        change: impl FnOnce(&mut CheckIn),
    ) -> Record {
        let mut body = base.body.clone();
        if let RecordBody::CheckIn(c) = &mut body {
            change(c);
        }
        base.corrected(version(wall_ms, device), body)
    }

    #[test]
    fn a_new_record_is_stored_and_the_same_version_again_is_a_duplicate() {
        let record = sample(1, 10);
        assert_eq!(decide(None, &record, None, NOW_MS), Decision::Store);
        let again = decide(Some(&record), &record, None, NOW_MS);
        assert_eq!(again, Decision::Duplicate);
        assert_eq!(again.outcome(), Some(AckOutcome::Duplicate));
    }

    #[test]
    fn an_older_edit_goes_to_the_history_and_one_version_with_new_content_is_refused() {
        let base = sample(1, 10);
        let later = edit(&base, 30, "phoneb", |c| c.note = "晚".into());
        let older = edit(&base, 20, "phonea", |c| c.note = "早".into());
        // Made from the state it replaces (not concurrent): just older.
        let older = Record {
            base: Some(later.version.clone()),
            ..older
        };
        assert_eq!(
            decide(Some(&later), &older, None, NOW_MS),
            Decision::History
        );
        let forged = Record {
            version: later.version.clone(),
            ..edit(&base, 30, "phoneb", |c| c.note = "另一个".into())
        };
        let Decision::Refuse(refused) = decide(Some(&later), &forged, None, NOW_MS) else {
            panic!("a version held with other content is refused")
        };
        assert_eq!(refused.code, RejectCode::VersionConflict);
    }

    #[test]
    fn concurrent_edits_become_a_server_version_later_than_both() {
        let base = sample(1, 10);
        let note = edit(&base, 20, "phonea", |c| c.note = "门口有积水".into());
        let post = edit(&base, 30, "phoneb", |c| c.post_id = "s01-g2".into());
        let Decision::Replace { state, why } = decide(Some(&post), &note, Some(&base), NOW_MS)
        else {
            panic!("a merge made by the server")
        };
        assert_eq!(why, Replaced::Merged { conflicts: vec![] });
        assert_eq!(state.version.device, DeviceId::server());
        assert!(state.version > post.version && state.version > note.version);
        let RecordBody::CheckIn(c) = &state.body else {
            unreachable!()
        };
        assert_eq!(
            (c.note.as_str(), c.post_id.as_str()),
            ("门口有积水", "s01-g2")
        );
    }

    #[test]
    fn check_refuses_nul_text_and_a_clock_a_day_ahead() {
        let record = sample(1, 10);
        assert_eq!(check(&record, NOW_MS), Ok(()));
        let nul = edit(&record, 20, "phonea", |c| c.note = "a\0b".into());
        assert_eq!(check(&nul, NOW_MS).unwrap_err().reason, NUL_REFUSED);
        let ahead = Record {
            version: version(NOW_MS + 25 * 3_600_000, "phonea"),
            ..record
        };
        assert_eq!(
            check(&ahead, NOW_MS).unwrap_err().code,
            RejectCode::ClockAhead
        );
    }

    /// (what a phone or the server pushes over what is held, the decision's kind)
    #[test]
    fn swaps_are_decided_on_the_server_only_table() {
        use crate::swap::tests::{decision, pending};
        use crate::swap::SwapRequest;
        let decide_with = |record: &Record, wall_ms: u64, device: &str, d: bool| {
            let RecordBody::Swap(body) = &record.body else {
                unreachable!()
            };
            let body = SwapRequest {
                decision: Some(decision(d)),
                ..body.clone()
            };
            record.revised(version(wall_ms, device), RecordBody::Swap(body))
        };
        let pending = pending();
        let approved = decide_with(&pending, 30, "server", true);
        let void_of = |r: &Record, wall_ms| r.voided(version(wall_ms, "phone1"), "不换了".into());
        let swap_decided = Some(RejectCode::SwapDecided);
        /// (why, held, pushed, its base, the refusal)
        type Case<'a> = (
            &'a str,
            Option<&'a Record>,
            Record,
            Option<&'a Record>,
            Option<RejectCode>,
        );
        let cases: Vec<Case> = vec![
            ("a new request", None, pending.clone(), None, None),
            (
                "decided on a phone",
                Some(&pending),
                decide_with(&pending, 20, "phone1", true),
                None,
                swap_decided,
            ),
            (
                "the server decides",
                Some(&pending),
                approved.clone(),
                None,
                None,
            ),
            (
                "the officer voids a pending one",
                Some(&pending),
                void_of(&pending, 20),
                None,
                None,
            ),
            (
                "the officer voids a decided one",
                Some(&approved),
                void_of(&approved, 40),
                None,
                swap_decided,
            ),
            // Voided offline from the pending state while it was decided: no merge
            // may carry the void into the decided request.
            (
                "a void made before the decision",
                Some(&approved),
                void_of(&pending, 40),
                Some(&pending),
                swap_decided,
            ),
        ];
        for (why, held, incoming, base, refused) in cases {
            let got = decide(held, &incoming, base, NOW_MS);
            match (&got, refused) {
                (Decision::Refuse(r), Some(code)) => {
                    assert_eq!(r.code, code, "{why}");
                    assert_eq!(r.reason, SWAP_DECISION_LOCKED, "{why}");
                    // The phone can adopt the state it was refused for.
                    assert_eq!(r.current.as_deref(), held, "{why}");
                }
                (Decision::Store, None) => {}
                _ => panic!("{why}: {got:?}"),
            }
        }
    }
}
