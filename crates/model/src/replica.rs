//! The phone's sync bookkeeping: what a save, the server's acks and refusals, and a
//! pulled page do to what the phone holds, and what goes up next (the outbox).
//!
//! Pure, so the rules phones run are also what the deterministic simulation runs
//! natively. The app keeps each part in its own signal and in storage; it borrows them
//! as a `Book`, calls these rules, and writes what they say changed.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use chrono::NaiveDate;
use uuid::Uuid;

use crate::merge::{upsert, Upsert};
use crate::outbox::{Refusal, Refusals};
use crate::record::Record;
use crate::retention::{outdated, DEFAULT_RETENTION_DAYS};
use crate::sorting;
use crate::stored::LocalRecord;
use crate::swap::decision_locked;
use crate::sync::{Ack, Change, Cursor};

/// What the phone holds that syncing changes, borrowed from wherever it lives.
pub struct Book<'a> {
    /// Every record's current state on this phone.
    pub records: &'a mut BTreeMap<Uuid, LocalRecord>,
    /// Earlier versions of records edited before the server acknowledged them: pushed
    /// too, so the server's history has every state a record went through.
    pub superseded: &'a mut Vec<Record>,
    /// Exact versions the server refused, with its reasons.
    pub refusals: &'a mut Refusals,
    /// The server's own state of a refused record, when it sent it (locked hours).
    pub server_copies: &'a mut HashMap<Uuid, Record>,
}

/// The parts of a `Book`, owned: what a phone holds outside the app's signals (the
/// model's tests, the server's simulation of phones).
#[derive(Debug, Clone, Default)]
pub struct Held {
    pub records: BTreeMap<Uuid, LocalRecord>,
    pub superseded: Vec<Record>,
    pub refusals: Refusals,
    pub server_copies: HashMap<Uuid, Record>,
}

impl Held {
    pub fn book(&mut self) -> Book<'_> {
        Book {
            records: &mut self.records,
            superseded: &mut self.superseded,
            refusals: &mut self.refusals,
            server_copies: &mut self.server_copies,
        }
    }

    /// `outbox` of what is held.
    pub fn outbox(&self) -> Vec<Record> {
        outbox(
            &self.records,
            &self.superseded,
            &self.refusals,
            &self.server_copies,
        )
    }
}

/// A save the phone must refuse, as the server would.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SaveRefused {
    /// It changes approved volunteer hours: only an admin may.
    HoursLocked,
    /// It decides a swap request or changes a decided one: only the server does.
    SwapDecided,
}

/// What a save changed, for storage to keep.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Saved {
    /// The record's new state on the phone.
    pub local: LocalRecord,
    /// The state it replaced, never acknowledged: kept to push as well.
    pub earlier: Option<Record>,
}

/// Holds `record` as the new state of its id (a new record or the next version of one
/// held), waiting to be pushed. The state it replaces, if the server never got it,
/// goes up too — unless the server refused it (it would only be refused again).
pub fn save(book: &mut Book<'_>, record: Record) -> Result<Saved, SaveRefused> {
    save_as(book, record, None)
}

/// `save`, by `author` (the signed-in account): a record new to the phone is theirs
/// from the start, before any pull names its author; a new version of a held record
/// keeps the author it has.
pub fn save_as(
    book: &mut Book<'_>,
    record: Record,
    author: Option<Uuid>,
) -> Result<Saved, SaveRefused> {
    let held = book.records.get(&record.id);
    if held.is_some_and(|h| h.record.changes_approved_hours(&record)) {
        return Err(SaveRefused::HoursLocked);
    }
    if decision_locked(held.map(|h| &h.record), &record) {
        return Err(SaveRefused::SwapDecided);
    }
    let earlier = held
        .filter(|h| {
            !h.synced
                && h.record.version != record.version
                && !book.refusals.is_refused(h.record.id, &h.record.version)
        })
        .map(|h| h.record.clone());
    let local = match held {
        Some(h) => h.next_unsynced(record),
        None => LocalRecord {
            author,
            ..LocalRecord::new_unsynced(record)
        },
    };
    if let Some(earlier) = &earlier {
        book.superseded.push(earlier.clone());
    }
    // A new version of a record refused with the server's copy: the user moved on
    // from the refused edit, so this one is pushed (and answered) in its own right.
    book.server_copies.remove(&local.record.id);
    book.records.insert(local.record.id, local.clone());
    Ok(Saved { local, earlier })
}

/// The records to push: earlier versions first, then every unacknowledged record; none
/// the server refused at that exact version, and none of a record whose edit the server
/// refused for its own state (its earlier versions would only be refused in turn).
/// Teams first (a stable sort keeps every other order): a lead's new team must reach
/// the server before the roster and sessions its scope then covers.
pub fn outbox(
    records: &BTreeMap<Uuid, LocalRecord>,
    superseded: &[Record],
    refusals: &Refusals,
    server_copies: &HashMap<Uuid, Record>,
) -> Vec<Record> {
    let pushable =
        |r: &Record| !server_copies.contains_key(&r.id) && !refusals.is_refused(r.id, &r.version);
    let mut out: Vec<Record> = superseded.iter().filter(|r| pushable(r)).cloned().collect();
    out.extend(
        records
            .values()
            .filter(|l| !l.synced && pushable(&l.record))
            .map(|l| l.record.clone()),
    );
    sorting::sort_by_key(&mut out, |r| r.body.kind() != "team");
    out
}

/// What the server's acks changed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Acknowledged {
    /// Records now synced at their current version: storage writes them, and their
    /// journal entries are spent once it has.
    pub synced: Vec<LocalRecord>,
    /// Records whose earlier version reached the server while a later one was made
    /// here: now corrections of what the server has. Still unsynced (the journal keeps
    /// them); storage writes the new flag.
    pub corrections: Vec<LocalRecord>,
    /// Earlier versions that leave the outbox (acknowledged, or refused and answered).
    pub superseded_gone: Vec<Record>,
    /// Whether the refusals changed (storage keeps them).
    pub refusals_changed: bool,
}

/// The server holds these exact versions: each one still current on this phone leaves
/// the outbox; earlier versions acknowledged leave the store; a refusal of that or an
/// earlier version is answered (its refused earlier versions go too).
pub fn acknowledge(book: &mut Book<'_>, acks: &[Ack]) -> Acknowledged {
    let mut out = Acknowledged::default();
    let acked = |r: &Record| acks.iter().any(|a| a.id == r.id && a.version == r.version);
    let refusals = &*book.refusals;
    let answered = |r: &Record| {
        refusals.is_refused(r.id, &r.version)
            && acks.iter().any(|a| a.id == r.id && a.version >= r.version)
    };
    let (gone, kept): (Vec<Record>, Vec<Record>) = std::mem::take(book.superseded)
        .into_iter()
        .partition(|r| acked(r) || answered(r));
    *book.superseded = kept;
    out.superseded_gone = gone;
    for ack in acks {
        if book.refusals.answered(ack.id, &ack.version) {
            out.refusals_changed = true;
        }
        let Some(local) = book.records.get_mut(&ack.id) else {
            continue;
        };
        if !local.synced && local.record.version == ack.version {
            local.synced = true;
            out.synced.push(local.clone());
        } else if !local.synced && !local.server_has_earlier {
            local.server_has_earlier = true;
            out.corrections.push(local.clone());
        }
    }
    out
}

/// The server refused `refusal.version` of record `id`, sending its own state of the
/// record when the phone may adopt it: that version is not pushed again and shows as
/// refused, with the reason, until the user exports, adopts or discards it.
pub fn refuse(book: &mut Book<'_>, id: Uuid, refusal: Refusal, current: Option<Record>) {
    if let Some(current) = current {
        book.server_copies.insert(id, current);
    }
    book.refusals.add(id, refusal);
}

/// What a pulled page changed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Applied {
    /// Records now held as the server's state: storage writes them.
    pub fresh: Vec<LocalRecord>,
    /// Of those, the ids that were waiting to go up here: once written, their journal
    /// entries are spent.
    pub was_pending: BTreeSet<Uuid>,
    /// This phone's unsent states another phone's newer version replaced: still pushed
    /// (the server's history keeps them), so storage keeps them as earlier versions.
    pub superseded_added: Vec<Record>,
    /// Whether the refusals changed.
    pub refusals_changed: bool,
    /// The authors the page named, for the phone's list of people.
    pub people: Vec<crate::roster::Person>,
}

fn author_of(change: &Change) -> Option<Uuid> {
    change.author.as_ref().map(|p| p.user)
}

/// Applies a page of the server's changes with the upsert rule. An old record this
/// phone does not hold stays on the server only (a new phone pulling a city's years must
/// not fill its storage first). The server's state of a record answers any refusal of
/// that or an earlier version held here.
pub fn apply_page(book: &mut Book<'_>, changes: Vec<Change>, today: NaiveDate) -> Applied {
    let mut out = Applied::default();
    for change in changes {
        let held = book.records.get(&change.record.id);
        let fresh = match upsert(held.map(|h| &h.record), &change.record) {
            Upsert::Inserted | Upsert::Replaced => true,
            // Our own record coming back: now we know it is on the server.
            Upsert::Duplicate => held.is_some_and(|h| {
                !h.synced
                    || h.received_at.is_none()
                    || h.proof != change.proof
                    || h.author != author_of(&change)
            }),
            Upsert::Superseded | Upsert::Conflict => false,
        };
        let too_old = || held.is_none() && outdated(&change.record, today, DEFAULT_RETENTION_DAYS);
        if !fresh || too_old() {
            continue;
        }
        if let Some(h) = held.filter(|h| !h.synced) {
            out.was_pending.insert(change.record.id);
            // Another phone's newer version wins, but this phone's unsent state is
            // still pushed, so the server's history has it too (not a refused one).
            let refused = book.refusals.is_refused(h.record.id, &h.record.version);
            if h.record.version != change.record.version && !refused {
                out.superseded_added.push(h.record.clone());
            }
        }
        if let Some(person) = change.author.clone() {
            out.people.push(person);
        }
        let local = LocalRecord {
            received_at: Some(change.received_at),
            proof: change.proof,
            synced: true,
            author: author_of(&change),
            ..LocalRecord::new_unsynced(change.record)
        };
        if book
            .refusals
            .answered(local.record.id, &local.record.version)
        {
            out.refusals_changed = true;
        }
        out.fresh.push(local.clone());
        book.records.insert(local.record.id, local);
    }
    book.superseded.extend(out.superseded_added.iter().cloned());
    out
}

/// Where the pull cursor goes after a page pulled from `since` that ends at `page_end`:
/// it advances only if every change of the page reached storage (so nothing is skipped
/// after a reload) and nothing moved it meanwhile (a discard that restarted the feed
/// must not be overwritten). `None`: it stays.
pub fn cursor_after_page(
    now: Cursor,
    since: Cursor,
    page_end: Cursor,
    all_kept: bool,
) -> Option<Cursor> {
    (now == since && all_kept).then_some(page_end)
}

/// Whether the server's feed is behind what this phone pulled: its database was
/// replaced or restored, and the phone pulls it all again (the upsert rule makes the
/// repeat harmless).
pub fn server_restarted(server_cursor: Cursor, ours: Cursor) -> bool {
    server_cursor < ours
}

/// Removes everything a refused edit of record `id` left besides its current state:
/// earlier unsent versions (returned, for storage to forget), the server's copy and the
/// refusals.
pub fn forget_refused_edit(book: &mut Book<'_>, id: Uuid) -> Vec<Record> {
    let (gone, kept): (Vec<Record>, Vec<Record>) = std::mem::take(book.superseded)
        .into_iter()
        .partition(|r| r.id == id);
    *book.superseded = kept;
    book.server_copies.remove(&id);
    book.refusals.forget(id);
    gone
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::tests::sample;
    use crate::record::RecordBody;
    use crate::sync::{AckOutcome, RejectCode};
    use chrono::{DateTime, Utc};

    /// The outbox as (record, version) numbers.
    fn pending(phone: &Held) -> Vec<(u128, u64)> {
        phone
            .outbox()
            .iter()
            .map(|r| (r.id.as_u128(), r.version.wall_ms))
            .collect()
    }

    fn noted(record: &Record, wall_ms: u64, note: &str) -> Record {
        let mut body = record.body.clone();
        if let RecordBody::CheckIn(c) = &mut body {
            c.note = note.into();
        }
        record.corrected(sample(0, wall_ms).version, body)
    }

    fn ack(record: &Record) -> Ack {
        Ack {
            id: record.id,
            version: record.version.clone(),
            outcome: AckOutcome::Stored,
        }
    }

    fn change(record: &Record) -> Change {
        Change {
            seq: Cursor(1),
            received_at: DateTime::parse_from_rfc3339("2026-11-25T07:20:00Z")
                .unwrap()
                .with_timezone(&Utc),
            record: record.clone(),
            proof: None,
            author: None,
        }
    }

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 25).unwrap()
    }

    #[test]
    fn an_edit_before_the_ack_sends_both_versions_and_a_late_ack_makes_it_a_correction() {
        let mut phone = Held::default();
        let first = sample(1, 10);
        save(&mut phone.book(), first.clone()).unwrap();
        let second = noted(&first, 20, "改");
        let saved = save(&mut phone.book(), second.clone()).unwrap();
        assert_eq!(saved.earlier, Some(first.clone()));
        assert_eq!(pending(&phone), [(1, 10), (1, 20)]);
        // The ack of the first version arrives after the edit was made.
        let done = acknowledge(&mut phone.book(), &[ack(&first)]);
        assert_eq!(done.superseded_gone, [first]);
        assert!(done.synced.is_empty());
        assert_eq!(done.corrections.len(), 1);
        assert!(phone.records[&second.id].server_has_earlier);
        assert_eq!(pending(&phone), [(1, 20)]);
        let done = acknowledge(&mut phone.book(), &[ack(&second)]);
        assert_eq!(done.synced.len(), 1);
        assert!(pending(&phone).is_empty());
    }

    #[test]
    fn a_refused_version_stays_out_of_the_outbox_until_a_later_one_is_acknowledged() {
        let mut phone = Held::default();
        let first = sample(1, 10);
        save(&mut phone.book(), first.clone()).unwrap();
        let refusal = Refusal {
            version: first.version.clone(),
            code: RejectCode::OutOfScope,
            reason: "no".into(),
        };
        refuse(&mut phone.book(), first.id, refusal, None);
        assert!(pending(&phone).is_empty());
        let second = noted(&first, 20, "改");
        let saved = save(&mut phone.book(), second.clone()).unwrap();
        assert_eq!(saved.earlier, None, "a refused state is not pushed again");
        assert_eq!(pending(&phone), [(1, 20)]);
        let done = acknowledge(&mut phone.book(), &[ack(&second)]);
        assert!(done.refusals_changed);
        assert!(phone.refusals.is_empty());
    }

    #[test]
    fn another_phones_newer_version_wins_and_the_unsent_one_still_goes_up() {
        let mut phone = Held::default();
        let mine = sample(1, 10);
        save(&mut phone.book(), mine.clone()).unwrap();
        let theirs = noted(&mine, 30, "他们的");
        let applied = apply_page(&mut phone.book(), vec![change(&theirs)], today());
        assert_eq!(applied.was_pending, BTreeSet::from([mine.id]));
        assert_eq!(applied.superseded_added, std::slice::from_ref(&mine));
        assert!(phone.records[&mine.id].synced);
        assert_eq!(pending(&phone), [(1, 10)]);
        // The same page again changes nothing.
        let again = apply_page(&mut phone.book(), vec![change(&theirs)], today());
        assert!(again.fresh.is_empty());
    }

    #[test]
    fn a_record_made_here_is_its_makers_from_the_start_and_its_edits_keep_the_author() {
        let (me, colleague) = (Uuid::from_u128(7), Uuid::from_u128(8));
        let mut phone = Held::default();
        let mine = sample(1, 10);
        save_as(&mut phone.book(), mine.clone(), Some(me)).unwrap();
        assert_eq!(phone.records[&mine.id].author, Some(me));
        // Someone else editing it on this phone does not make it theirs.
        let edit = noted(&mine, 20, "改");
        save_as(&mut phone.book(), edit.clone(), Some(colleague)).unwrap();
        assert_eq!(phone.records[&edit.id].author, Some(me));
    }

    #[test]
    fn a_pulled_record_names_its_author_even_when_it_is_our_own_coming_back() {
        let zhang = crate::roster::Person {
            user: Uuid::from_u128(7),
            username: "zhang.wei".into(),
            display_name: "张伟".into(),
        };
        let mut phone = Held::default();
        let mine = sample(1, 10);
        save(&mut phone.book(), mine.clone()).unwrap();
        acknowledge(&mut phone.book(), &[ack(&mine)]);
        let named = |r: &Record| Change {
            author: Some(zhang.clone()),
            ..change(r)
        };
        let applied = apply_page(&mut phone.book(), vec![named(&mine)], today());
        assert_eq!(phone.records[&mine.id].author, Some(zhang.user));
        assert_eq!(applied.people, [zhang.clone()]);
        // Nothing new the second time: no rewrite of storage.
        let again = apply_page(&mut phone.book(), vec![named(&mine)], today());
        assert!(again.fresh.is_empty());
        // A correction made here keeps the author the server named.
        let edit = noted(&mine, 30, "改");
        save(&mut phone.book(), edit.clone()).unwrap();
        assert_eq!(phone.records[&edit.id].author, Some(zhang.user));
    }

    #[test]
    fn the_cursor_moves_only_when_unmoved_and_everything_was_kept() {
        assert_eq!(
            cursor_after_page(Cursor(5), Cursor(5), Cursor(9), true),
            Some(Cursor(9))
        );
        assert_eq!(
            cursor_after_page(Cursor(5), Cursor(5), Cursor(9), false),
            None
        );
        assert_eq!(
            cursor_after_page(Cursor(0), Cursor(5), Cursor(9), true),
            None
        );
        assert!(server_restarted(Cursor(3), Cursor(9)));
        assert!(!server_restarted(Cursor(9), Cursor(9)));
    }

    #[test]
    fn a_phone_voids_its_pending_swap_but_never_decides_one() {
        use crate::swap::tests::{decision, pending as swap};
        let mut phone = Held::default();
        let asked = swap();
        save(&mut phone.book(), asked.clone()).unwrap();
        let RecordBody::Swap(body) = &asked.body else {
            unreachable!()
        };
        let mut decided = body.clone();
        decided.decision = Some(decision(true));
        let self_approved = asked.revised(sample(0, 20).version, RecordBody::Swap(decided));
        assert_eq!(
            save(&mut phone.book(), self_approved.clone()),
            Err(SaveRefused::SwapDecided)
        );
        let void = asked.voided(sample(0, 20).version, "不换了".into());
        save(&mut phone.book(), void).unwrap();
        // Once the server's decision is pulled, the request is locked on the phone.
        let mut phone = Held::default();
        let approved = Record {
            version: crate::intake::server_version([&asked.version], 1_000),
            ..self_approved
        };
        apply_page(&mut phone.book(), vec![change(&approved)], today());
        let void = approved.voided(sample(0, 2_000).version, "不换了".into());
        assert_eq!(save(&mut phone.book(), void), Err(SaveRefused::SwapDecided));
    }
}
