//! Concurrent edits: what the server does with a pushed version when it already holds
//! another state of the record, and the field-by-field merge of two edits made from one
//! base version.
//!
//! Each version names the version it was edited from (`Record::base`). A pushed version
//! whose base is the state the server holds is simply the next state. One whose base is
//! older was made while another phone's edit reached the server: both came from `base`,
//! so they are merged field by field: a field only one side changed keeps that change;
//! a field both changed takes the value of the higher version (hybrid logical clock,
//! device id as the tie-break: the same answer on every machine, whatever the order of
//! arrival). Nothing is lost: every version pushed stays in the record's history, the
//! losing value with it.
//!
//! Fields are the keys of a record's `data` plus its void reason; a duty session's
//! `participants` are merged per volunteer, so two phones ticking different people both
//! count.

use serde_json::{Map, Value};

use crate::merge::{upsert, Upsert};
use crate::record::{Record, RecordBody};

/// The merged content of two concurrent edits (the caller gives it a version later than
/// both), and which fields both sides changed differently.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Merge {
    pub body: RecordBody,
    pub voided: Option<String>,
    pub edits: u32,
    /// Fields both edits changed to different values: the higher version's value won;
    /// the other is in the losing version, kept in the history.
    pub conflicts: Vec<String>,
}

impl Merge {
    /// The merged state as a record of `id` at `version`, edited from `base`.
    pub fn into_record(self, like: &Record, version: crate::Hlc) -> Record {
        Record {
            id: like.id,
            base: Some(like.version.clone()),
            version,
            body: self.body,
            voided: self.voided,
            edits: self.edits,
        }
    }

    fn same_content(&self, r: &Record) -> bool {
        self.body == r.body && self.voided == r.voided
    }
}

/// What to do with a pushed version (see the module doc).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reconciled {
    /// It is the record's next state (or its first): store it.
    Store,
    /// This version is held already.
    Duplicate,
    /// This version is held with other content: a client bug, refused.
    Conflict,
    /// Older than what is held and adding nothing to it: kept in the history only.
    Superseded,
    /// Made concurrently with the held state: store this merge as a new version.
    Merged(Box<Merge>),
}

/// Decides what `incoming` does to `held`. `base` is the state `incoming` was edited
/// from, when the caller has it (the server looks it up in the history); without it a
/// concurrent edit falls back to the higher version winning whole.
pub fn reconcile(held: Option<&Record>, incoming: &Record, base: Option<&Record>) -> Reconciled {
    let outcome = upsert(held, incoming);
    let Some(held) = held else {
        return Reconciled::Store;
    };
    let concurrent = incoming.base.as_ref().is_some_and(|b| *b != held.version);
    let merge = match (concurrent, base) {
        (true, Some(base)) if base.id == incoming.id => merge3(base, held, incoming),
        _ => None,
    };
    match (outcome, merge) {
        (Upsert::Inserted, _) => Reconciled::Store,
        (Upsert::Duplicate, _) => Reconciled::Duplicate,
        (Upsert::Conflict, _) => Reconciled::Conflict,
        // Older and adding nothing: phones holding it will pull the held state.
        (Upsert::Superseded, Some(m)) if m.same_content(held) => Reconciled::Superseded,
        (Upsert::Replaced, Some(m)) if m.same_content(incoming) => Reconciled::Store,
        // Otherwise a new version, higher than both, even when it has the held content:
        // a phone holding `incoming`'s higher version must have something to pull.
        (_, Some(m)) => Reconciled::Merged(Box::new(m)),
        (Upsert::Replaced, None) => Reconciled::Store,
        (Upsert::Superseded, None) => Reconciled::Superseded,
    }
}

/// Merges `a` and `b`, both edited from `base`, field by field (see the module doc).
/// `None` when they are not one record of one kind.
pub fn merge3(base: &Record, a: &Record, b: &Record) -> Option<Merge> {
    if a.id != b.id || base.id != a.id {
        return None;
    }
    // The higher version wins where both changed a field.
    let (winner, loser) = if a.version >= b.version {
        (a, b)
    } else {
        (b, a)
    };
    let (kind, base_data) = data_of(base)?;
    let (kind_w, data_w) = data_of(winner)?;
    let (kind_l, data_l) = data_of(loser)?;
    if kind != kind_w || kind != kind_l {
        return None;
    }
    let mut conflicts = Vec::new();
    let mut merged = Map::new();
    let keys = data_w.keys().chain(data_l.keys()).chain(base_data.keys());
    let mut seen = std::collections::BTreeSet::new();
    for key in keys {
        if !seen.insert(key.clone()) {
            continue;
        }
        let value = if key == "participants" {
            merge_participants(&base_data, &data_w, &data_l, &mut conflicts)
        } else {
            let (value, conflict) = pick(base_data.get(key), data_w.get(key), data_l.get(key));
            if conflict {
                conflicts.push(key.clone());
            }
            value.cloned()
        };
        if let Some(value) = value {
            merged.insert(key.clone(), value);
        }
    }
    let (voided, conflict) = pick(
        base.voided.as_ref(),
        winner.voided.as_ref(),
        loser.voided.as_ref(),
    );
    if conflict {
        conflicts.push("voided".into());
    }
    let body = serde_json::from_value(serde_json::json!({ "kind": kind, "data": merged })).ok()?;
    Some(Merge {
        body,
        voided: voided.cloned(),
        edits: a.edits.max(b.edits),
        conflicts,
    })
}

/// A record's kind and its data's fields.
fn data_of(r: &Record) -> Option<(String, Map<String, Value>)> {
    let Value::Object(mut tagged) = serde_json::to_value(&r.body).ok()? else {
        return None;
    };
    let kind = tagged.get("kind")?.as_str()?.to_owned();
    match tagged.remove("data")? {
        Value::Object(data) => Some((kind, data)),
        _ => None,
    }
}

/// One field's merged value: the side that changed it, or the winner's where both did
/// (then `true`). `None` is "absent" (a field one side removed counts as a change).
fn pick<'v, T: PartialEq>(
    base: Option<&'v T>,
    winner: Option<&'v T>,
    loser: Option<&'v T>,
) -> (Option<&'v T>, bool) {
    if winner == loser || loser == base {
        (winner, false)
    } else if winner == base {
        (loser, false)
    } else {
        (winner, true)
    }
}

/// A duty session's participants merged per volunteer, in the winner's order with the
/// loser's additions after.
fn merge_participants(
    base: &Map<String, Value>,
    winner: &Map<String, Value>,
    loser: &Map<String, Value>,
    conflicts: &mut Vec<String>,
) -> Option<Value> {
    let by_volunteer = |data: &Map<String, Value>| -> Vec<(String, Value)> {
        data.get("participants")
            .and_then(Value::as_array)
            .map(|list| {
                list.iter()
                    .map(|p| {
                        (
                            p.get("volunteer").map(Value::to_string).unwrap_or_default(),
                            p.clone(),
                        )
                    })
                    .collect()
            })
            .unwrap_or_default()
    };
    let (b, w, l) = (
        by_volunteer(base),
        by_volunteer(winner),
        by_volunteer(loser),
    );
    let find = |list: &[(String, Value)], key: &str| -> Option<Value> {
        list.iter().find(|(k, _)| k == key).map(|(_, v)| v.clone())
    };
    let mut order: Vec<String> = Vec::new();
    for (key, _) in w.iter().chain(l.iter()).chain(b.iter()) {
        if !order.contains(key) {
            order.push(key.clone());
        }
    }
    let mut out = Vec::new();
    for key in order {
        let (base_p, win_p, lose_p) = (find(&b, &key), find(&w, &key), find(&l, &key));
        let (value, conflict) = pick(base_p.as_ref(), win_p.as_ref(), lose_p.as_ref());
        if conflict {
            conflicts.push(format!("participants[{}]", key.trim_matches('"')));
        }
        if let Some(v) = value {
            out.push(v.clone());
        }
    }
    Some(Value::Array(out))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hlc::{Clock, DeviceId, Hlc};
    use crate::record::tests::sample;
    use crate::record::{CheckIn, CheckInEvent};
    use proptest::prelude::*;
    use std::collections::BTreeMap;

    fn version(wall_ms: u64, device: &str) -> Hlc {
        Hlc {
            wall_ms,
            counter: 0,
            device: DeviceId::new(device).unwrap(),
        }
    }

    /// `base` edited on `device` at `wall_ms` by `edit`.
    fn edit(base: &Record, wall_ms: u64, device: &str, edit: impl FnOnce(&mut CheckIn)) -> Record {
        let mut body = base.body.clone();
        if let RecordBody::CheckIn(c) = &mut body {
            edit(c);
        }
        base.corrected(version(wall_ms, device), body)
    }

    #[test]
    fn edits_to_different_fields_both_survive() {
        let base = sample(1, 10);
        let note = edit(&base, 20, "phonea", |c| c.note = "门口有积水".into());
        let post = edit(&base, 30, "phoneb", |c| c.post_id = "s01-g2".into());
        let Reconciled::Merged(m) = reconcile(Some(&post), &note, Some(&base)) else {
            panic!("a merge")
        };
        let RecordBody::CheckIn(c) = &m.body else {
            unreachable!()
        };
        assert_eq!(
            (c.note.as_str(), c.post_id.as_str()),
            ("门口有积水", "s01-g2")
        );
        assert!(m.conflicts.is_empty());
    }

    #[test]
    fn the_same_field_goes_to_the_higher_version_and_says_so() {
        let base = sample(1, 10);
        let early = edit(&base, 20, "phonea", |c| c.note = "早".into());
        let late = edit(&base, 30, "phoneb", |c| c.note = "晚".into());
        for (held, incoming) in [(&early, &late), (&late, &early)] {
            let m = match reconcile(Some(held), incoming, Some(&base)) {
                Reconciled::Merged(m) => *m,
                // The later one arriving second is just the winner: stored as it is.
                Reconciled::Store => Merge {
                    body: incoming.body.clone(),
                    voided: None,
                    edits: 1,
                    conflicts: vec!["note".into()],
                },
                Reconciled::Superseded => Merge {
                    body: held.body.clone(),
                    voided: None,
                    edits: 1,
                    conflicts: vec!["note".into()],
                },
                other => panic!("{other:?}"),
            };
            let RecordBody::CheckIn(c) = &m.body else {
                unreachable!()
            };
            assert_eq!(c.note, "晚");
        }
        let m = merge3(&base, &early, &late).unwrap();
        assert_eq!(m.conflicts, ["note"]);
    }

    #[test]
    fn the_decision_table() {
        let base = sample(1, 10);
        let next = edit(&base, 20, "phonea", |c| c.note = "a".into());
        let other = edit(&base, 30, "phoneb", |c| c.event = CheckInEvent::Departure);
        let same_as_next = edit(&base, 15, "phonec", |c| c.note = "a".into());
        assert_eq!(reconcile(None, &base, None), Reconciled::Store);
        assert_eq!(
            reconcile(Some(&base), &next, Some(&base)),
            Reconciled::Store
        );
        assert_eq!(
            reconcile(Some(&next), &next, Some(&base)),
            Reconciled::Duplicate
        );
        assert_eq!(reconcile(Some(&next), &base, None), Reconciled::Superseded);
        // The same edit made twice, the copy older: nothing to add.
        assert_eq!(
            reconcile(Some(&next), &same_as_next, Some(&base)),
            Reconciled::Superseded
        );
        // Newer, but adding nothing: still a new version, so its phone pulls the state.
        let same_later = edit(&base, 40, "phonec", |c| c.note = "a".into());
        assert!(matches!(
            reconcile(Some(&next), &same_later, Some(&base)),
            Reconciled::Store | Reconciled::Merged(_)
        ));
        // Without the base, the higher version wins whole (as before merges existed).
        assert_eq!(reconcile(Some(&next), &other, None), Reconciled::Store);
        assert!(matches!(
            reconcile(Some(&other), &next, Some(&base)),
            Reconciled::Merged(_)
        ));
    }

    #[test]
    fn a_void_on_one_phone_and_a_note_on_another_both_hold() {
        let base = sample(1, 10);
        let voided = base.voided(version(20, "phonea"), "重复录入".into());
        let noted = edit(&base, 30, "phoneb", |c| c.note = "补充".into());
        let m = merge3(&base, &voided, &noted).unwrap();
        assert_eq!(m.voided.as_deref(), Some("重复录入"));
        let RecordBody::CheckIn(c) = &m.body else {
            unreachable!()
        };
        assert_eq!(c.note, "补充");
    }

    // ---- property tests: random edits, random interleavings, skewed clocks ----------

    const FIELDS: [&str; 4] = ["note", "post", "event", "officer"];

    fn set(c: &mut CheckIn, field: usize, value: u8) {
        match FIELDS[field] {
            "note" => c.note = format!("note{value}"),
            "post" => c.post_id = format!("s0{}-g1", value % 9 + 1),
            "event" => {
                c.event = if value.is_multiple_of(2) {
                    CheckInEvent::Arrival
                } else {
                    CheckInEvent::Departure
                }
            }
            _ => c.officer_name = format!("警官{value}"),
        }
    }

    fn get(c: &CheckIn, field: usize) -> String {
        match FIELDS[field] {
            "note" => c.note.clone(),
            "post" => c.post_id.clone(),
            "event" => format!("{:?}", c.event),
            _ => c.officer_name.clone(),
        }
    }

    /// The server as `feed::push` runs it: reconcile against the held state with the
    /// base from the history; merges made on its own clock.
    struct Server {
        held: Option<Record>,
        history: BTreeMap<Hlc, Record>,
        clock: Clock,
    }

    impl Server {
        fn push(&mut self, incoming: &Record, now: u64) {
            self.history
                .insert(incoming.version.clone(), incoming.clone());
            let base = incoming
                .base
                .as_ref()
                .and_then(|b| self.history.get(b))
                .cloned();
            match reconcile(self.held.as_ref(), incoming, base.as_ref()) {
                Reconciled::Store => self.held = Some(incoming.clone()),
                Reconciled::Merged(m) => {
                    let held = self.held.clone().unwrap();
                    self.clock.observe(&held.version, now);
                    self.clock.observe(&incoming.version, now);
                    let merged = (*m).into_record(&held, self.clock.tick(now));
                    self.history.insert(merged.version.clone(), merged.clone());
                    self.held = Some(merged);
                }
                Reconciled::Duplicate | Reconciled::Superseded | Reconciled::Conflict => {}
            }
        }
    }

    /// A phone: its copy of the record, its clock (skewed) and its unsent versions.
    struct Phone {
        copy: Record,
        clock: Clock,
        skew_ms: i64,
        outbox: Vec<Record>,
        last: BTreeMap<usize, String>,
    }

    proptest! {
        /// Three phones edit one check-in offline (each a few fields, clocks hours
        /// apart), push in any interleaving, pull: all end equal to the server; a field
        /// one phone alone edited holds that phone's last value; a field several edited
        /// holds one of their last values; every pushed version is in the history.
        #[test]
        fn concurrent_edits_converge_and_keep_every_lone_change(
            edits in proptest::collection::vec((0usize..3, 0usize..FIELDS.len(), any::<u8>()), 1..12),
            skews in proptest::collection::vec(-5i64 * 3_600_000..5 * 3_600_000, 3),
            order in proptest::collection::vec(0usize..3, 0..12),
        ) {
            let now0 = 1_800_000_000_000u64;
            let base = sample(1, now0 - 60_000);
            let mut server = Server {
                held: Some(base.clone()),
                history: [(base.version.clone(), base.clone())].into(),
                clock: Clock::new(DeviceId::new("server").unwrap()),
            };
            // Each phone pulled the record, so its clock has seen that version.
            let mut phones: Vec<Phone> = (0..3).map(|i| {
                let mut clock = Clock::new(DeviceId::new(format!("phone{i}")).unwrap());
                clock.observe(&base.version, now0.saturating_add_signed(skews[i]));
                Phone {
                    copy: base.clone(),
                    clock,
                    skew_ms: skews[i],
                    outbox: Vec::new(),
                    last: BTreeMap::new(),
                }
            }).collect();
            let mut now = now0;
            for (who, field, value) in &edits {
                now += 1000;
                let p = &mut phones[*who];
                let t = now.saturating_add_signed(p.skew_ms);
                let mut body = p.copy.body.clone();
                if let RecordBody::CheckIn(c) = &mut body { set(c, *field, *value); }
                let next = p.copy.corrected(p.clock.tick(t), body);
                if let RecordBody::CheckIn(c) = &next.body { p.last.insert(*field, get(c, *field)); }
                p.copy = next.clone();
                p.outbox.push(next);
            }
            // Pushes interleaved as `order` says, then everything left, oldest first per
            // phone (as the outbox sends them).
            let mut pushes: Vec<usize> = order.clone();
            pushes.extend([0, 1, 2].iter().flat_map(|i| std::iter::repeat_n(*i, phones[*i].outbox.len())));
            for who in pushes {
                if phones[who].outbox.is_empty() { continue; }
                now += 1000;
                let next = phones[who].outbox.remove(0);
                server.push(&next, now);
            }
            // Everyone pulls the server's state (the upsert rule: it is the highest).
            let fin = server.held.clone().unwrap();
            for p in &mut phones {
                if fin.version > p.copy.version { p.copy = fin.clone(); }
                prop_assert_eq!(&p.copy, &fin, "a phone did not converge");
            }
            let RecordBody::CheckIn(c) = &fin.body else { unreachable!() };
            for (field, name) in FIELDS.iter().enumerate() {
                let editors: Vec<&Phone> = phones.iter().filter(|p| p.last.contains_key(&field)).collect();
                let lasts: Vec<&String> = editors.iter().map(|p| &p.last[&field]).collect();
                match editors.len() {
                    0 => {
                        let RecordBody::CheckIn(b) = &base.body else { unreachable!() };
                        prop_assert_eq!(get(c, field), get(b, field));
                    }
                    1 => prop_assert_eq!(&get(c, field), lasts[0], "{}", name),
                    _ => prop_assert!(lasts.contains(&&get(c, field)), "{}", name),
                }
            }
            for p in &phones {
                for r in p.outbox.iter() { prop_assert!(server.history.contains_key(&r.version)); }
            }
        }

        #[test]
        fn merging_is_symmetric(
            a_field in 0usize..FIELDS.len(), a_value in any::<u8>(),
            b_field in 0usize..FIELDS.len(), b_value in any::<u8>(),
            a_ms in 11u64..1000, b_ms in 11u64..1000,
        ) {
            let base = sample(1, 10);
            let a = edit(&base, a_ms, "phonea", |c| set(c, a_field, a_value));
            let b = edit(&base, b_ms, "phoneb", |c| set(c, b_field, b_value));
            prop_assert_eq!(merge3(&base, &a, &b), merge3(&base, &b, &a));
            // Merging with an unchanged side is the other side.
            let m = merge3(&base, &base, &a).unwrap();
            prop_assert_eq!(&m.body, &a.body);
        }
    }
}
