//! The upsert rule both the phone and the server apply when a record arrives.
//!
//! A record is identified by its id; of two states of the same record the higher
//! version wins (last writer wins by hybrid logical clock). Re-applying a version
//! already held is a no-op, so pushes and pulls can be retried freely: the result
//! depends only on the set of versions seen, never on their order or repetition.
//! (Field-level merge for concurrent edits comes later, on top of the same versions.)

use std::collections::BTreeMap;

use uuid::Uuid;

use crate::record::Record;

/// What applying an incoming record to the current state of its id did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Upsert {
    /// The id was unknown; the record was stored.
    Inserted,
    /// The incoming version is newer and replaced the held one.
    Replaced,
    /// The same version is already held: nothing to do.
    Duplicate,
    /// A newer version is already held; the incoming one is older and ignored.
    Superseded,
    /// The same version arrived with different content: a client bug. Refused, so the
    /// first state stays and nothing is silently overwritten.
    Conflict,
}

impl Upsert {
    /// Whether the incoming record must be written.
    pub fn writes(&self) -> bool {
        matches!(self, Upsert::Inserted | Upsert::Replaced)
    }
}

/// Decides what an incoming record does to the currently held state of its id.
pub fn upsert(held: Option<&Record>, incoming: &Record) -> Upsert {
    let Some(held) = held else {
        return Upsert::Inserted;
    };
    match incoming.version.cmp(&held.version) {
        std::cmp::Ordering::Greater => Upsert::Replaced,
        std::cmp::Ordering::Less => Upsert::Superseded,
        std::cmp::Ordering::Equal if incoming.body == held.body => Upsert::Duplicate,
        std::cmp::Ordering::Equal => Upsert::Conflict,
    }
}

/// A set of records keyed by id, as a replica holds them.
pub type Replica = BTreeMap<Uuid, Record>;

/// Applies one record to a replica with the upsert rule; returns what happened.
pub fn apply(replica: &mut Replica, incoming: Record) -> Upsert {
    let outcome = upsert(replica.get(&incoming.id), &incoming);
    if outcome.writes() {
        replica.insert(incoming.id, incoming);
    }
    outcome
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::tests::sample;
    use crate::record::RecordBody;
    use proptest::prelude::*;

    #[test]
    fn upsert_table() {
        let v1 = sample(1, 10);
        let v2 = sample(1, 20);
        let mut v1_other = v1.clone();
        let RecordBody::CheckIn(c) = &mut v1_other.body else {
            unreachable!()
        };
        c.note = "different".into();
        assert_eq!(upsert(None, &v1), Upsert::Inserted);
        assert_eq!(upsert(Some(&v1), &v2), Upsert::Replaced);
        assert_eq!(upsert(Some(&v2), &v1), Upsert::Superseded);
        assert_eq!(upsert(Some(&v1), &v1), Upsert::Duplicate);
        assert_eq!(upsert(Some(&v1), &v1_other), Upsert::Conflict);
    }

    /// Records where the version determines the content, as honest clients produce.
    fn arb_records() -> impl Strategy<Value = Vec<Record>> {
        proptest::collection::vec((0u128..8, 0u64..6), 0..40).prop_map(|pairs| {
            pairs
                .into_iter()
                .map(|(id, v)| {
                    let mut r = sample(id + 1, v);
                    let RecordBody::CheckIn(c) = &mut r.body else {
                        unreachable!()
                    };
                    c.note = format!("v{v}");
                    r
                })
                .collect()
        })
    }

    fn replay(records: &[Record]) -> Replica {
        let mut replica = Replica::new();
        for r in records {
            apply(&mut replica, r.clone());
        }
        replica
    }

    proptest! {
        #[test]
        fn order_and_repetition_do_not_matter(
            records in arb_records(),
            seed in any::<u64>(),
            repeat in 0usize..3,
        ) {
            let once = replay(&records);
            // A shuffled copy with some records sent again, as retries do.
            let mut again: Vec<Record> = records.clone();
            for _ in 0..repeat { again.extend(records.iter().cloned()); }
            let mut state = seed;
            for i in (1..again.len()).rev() {
                state = state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
                again.swap(i, (state >> 33) as usize % (i + 1));
            }
            prop_assert_eq!(replay(&again), once);
        }

        #[test]
        fn no_record_lost_or_duplicated(records in arb_records()) {
            let replica = replay(&records);
            let mut ids: Vec<Uuid> = records.iter().map(|r| r.id).collect();
            ids.sort();
            ids.dedup();
            // Exactly one entry per id, and it holds the highest version sent.
            prop_assert_eq!(replica.keys().copied().collect::<Vec<_>>(), ids);
            for (id, held) in &replica {
                let best = records.iter().filter(|r| r.id == *id).map(|r| &r.version).max().unwrap();
                prop_assert_eq!(&held.version, best);
            }
        }

        #[test]
        fn applying_twice_is_a_no_op(records in arb_records()) {
            let mut replica = replay(&records);
            for r in &records {
                prop_assert!(!apply(&mut replica, r.clone()).writes());
            }
        }
    }
}
