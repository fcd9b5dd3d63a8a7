//! The form records take in the phone's local storage.
//!
//! localStorage quota is a few MiB and a city-year of check-ins must fit in half of it,
//! so a stored record is compact: one-letter field names, presence flags as a bitmask,
//! the id only in the storage key. Every stored value carries enough to rebuild the full
//! `Record` plus its sync state, and the whole layout is versioned by `SCHEMA_VERSION`.

use chrono::{DateTime, FixedOffset, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::duty::DutySession;
use crate::gatecode::Proof;
use crate::hlc::Hlc;
use crate::record::{
    CheckIn, CheckInEvent, FollowUp, Incident, IncidentCategory, Position, Presence, Record,
    RecordBody, Severity,
};
use crate::swap::SwapRequest;
use crate::team::{Team, Volunteer};

/// The layout version of everything the app keeps in local storage.
///
/// 2: incidents (`"k":"i"`) and voids / edit counts (`x`, `m`). Version 1 values are
/// valid version 2 values, so the upgrade rewrites nothing; the bump is there so a
/// version 1 app meeting an incident goes read-only instead of quarantining it.
///
/// 3: volunteer teams (`"k":"t"`), members (`"k":"v"`) and duty sessions (`"k":"s"`),
/// each with its body in wire form under `b`. Again nothing is rewritten.
///
/// 4: swap requests (`"k":"w"`, body in wire form under `bw`). Version 3 values are
/// valid version 4 values; the bump keeps a version 3 app from quarantining a swap.
/// Records pulled by a version 3 app have no author (`a`): the upgrade forgets the pull
/// cursor, so the next pull brings every readable record again, with its author.
pub const SCHEMA_VERSION: u32 = 4;

/// Whether the upgrade step to layout `step` makes the phone pull everything again
/// (forgetting its pull cursor): a pull merges by version, so nothing is duplicated.
pub fn pulls_again(step: u32) -> bool {
    step == 4
}

/// A record as the phone holds it, with what the server has confirmed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LocalRecord {
    pub record: Record,
    /// The server acknowledged exactly `record.version`.
    pub synced: bool,
    /// When the server received this version, once known from a pull.
    pub received_at: Option<DateTime<Utc>>,
    /// The server's verdict on the gate code, once known from a pull.
    pub proof: Option<Proof>,
    /// The server holds an earlier version of this record: this unsynced one is a
    /// correction of something already on the server, not a record only on the phone.
    pub server_has_earlier: bool,
    /// The account that first pushed the record, once a pull told it (its name is in
    /// the phone's people list, kept once per person rather than on every record).
    pub author: Option<Uuid>,
}

impl LocalRecord {
    pub fn new_unsynced(record: Record) -> Self {
        Self {
            record,
            synced: false,
            received_at: None,
            proof: None,
            server_has_earlier: false,
            author: None,
        }
    }

    /// The next, unsynced state of a record this phone holds as `self`: whether the
    /// server has some version of it carries over.
    pub fn next_unsynced(&self, record: Record) -> Self {
        Self {
            server_has_earlier: self.synced || self.server_has_earlier,
            author: self.author,
            ..Self::new_unsynced(record)
        }
    }
}

/// The stored JSON shape of one record (its id is the storage key's suffix).
///
/// One flat struct for every kind, tagged by `k` ('c' check-in, 'i' incident): the
/// same JSON an internally tagged enum would write, but it decodes in one pass where
/// serde's tagged-enum path buffers every value first (half the decoder's wasm size).
/// Team kinds ('t', 'v', 's') and swap requests ('w') are few per phone, so they keep
/// their wire form in one field each rather than one-letter fields of their own.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredRecord {
    v: Hlc,
    #[serde(default, skip_serializing_if = "is_false")]
    s: bool,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::timefmt::opt_utc"
    )]
    r: Option<DateTime<Utc>>,
    /// Gate-code proof: 'v' verified, 'u' unverified, 'f' failed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    q: Option<char>,
    /// The server holds an earlier version (`LocalRecord::server_has_earlier`).
    #[serde(default, skip_serializing_if = "is_false")]
    eo: bool,
    /// The author's account id (`LocalRecord::author`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    a: Option<Uuid>,
    /// Void reason.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    x: Option<String>,
    /// Edit count.
    #[serde(default, skip_serializing_if = "is_zero")]
    m: u32,
    /// The version this state was edited from (`Record::base`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    b: Option<Hlc>,
    /// Kind: 'c' check-in, 'i' incident, 't' team, 'v' volunteer, 's' duty session,
    /// 'w' swap request ('s' was taken).
    k: char,
    /// Post id.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    p: String,
    /// Check-in event: 'a' arrival, 'd' departure.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    e: Option<char>,
    /// Check-in presence bitmask: 1 officer, 2 car, 4 lights.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    f: Option<u8>,
    /// Check-in note.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    n: String,
    /// Officer name.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    o: String,
    /// Device time.
    #[serde(deserialize_with = "crate::timefmt::fixed")]
    t: DateTime<FixedOffset>,
    /// Gate code typed at the check-in.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    g: Option<String>,
    /// Position as [lat µ°, lon µ°, accuracy m].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    l: Option<(i32, i32, u32)>,
    /// Incident category, by its wire name (enums are stored by name: a few bytes
    /// more than a letter, but one name table fewer to keep in step).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    y: Option<IncidentCategory>,
    /// Incident severity.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    w: Option<Severity>,
    /// Incident description.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    d: String,
    /// Incident: people involved.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    h: String,
    /// Incident follow-up status.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    u: Option<FollowUp>,
    /// A team's body.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    bt: Option<Team>,
    /// A volunteer's body.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    bv: Option<Volunteer>,
    /// A duty session's body.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    bs: Option<DutySession>,
    /// A swap request's body.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    bw: Option<SwapRequest>,
}

fn is_false(b: &bool) -> bool {
    !*b
}

fn is_zero(n: &u32) -> bool {
    *n == 0
}

fn position_tuple(p: Option<Position>) -> Option<(i32, i32, u32)> {
    p.map(|p| (p.lat_e6, p.lon_e6, p.accuracy_m))
}

fn tuple_position(l: Option<(i32, i32, u32)>) -> Option<Position> {
    l.map(|(lat_e6, lon_e6, accuracy_m)| Position {
        lat_e6,
        lon_e6,
        accuracy_m,
    })
}

fn proof_char(p: Proof) -> char {
    match p {
        Proof::Verified => 'v',
        Proof::Unverified => 'u',
        Proof::Failed => 'f',
    }
}

fn char_proof(c: char) -> Option<Proof> {
    match c {
        'v' => Some(Proof::Verified),
        'u' => Some(Proof::Unverified),
        'f' => Some(Proof::Failed),
        _ => None,
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StoredError {
    #[error("stored record is not valid JSON of the expected shape: {0}")]
    Shape(String),
    #[error("stored record has an unknown check-in event {0:?}")]
    BadEvent(char),
    #[error("stored record has an unknown gate-code proof {0:?}")]
    BadProof(char),
    #[error("data was written by a newer app (schema {0}); this app knows {SCHEMA_VERSION}")]
    NewerSchema(u32),
}

impl StoredRecord {
    pub fn from_local(local: &LocalRecord) -> Self {
        let record = &local.record;
        let mut out = StoredRecord {
            v: record.version.clone(),
            s: local.synced,
            r: local.received_at,
            q: local.proof.map(proof_char),
            eo: local.server_has_earlier,
            a: local.author,
            x: record.voided.clone(),
            m: record.edits,
            b: record.base.clone(),
            k: 'c',
            p: record.body.post_id().to_string(),
            e: None,
            f: None,
            n: String::new(),
            o: String::new(),
            t: record.body.device_time(),
            g: None,
            l: None,
            y: None,
            w: None,
            d: String::new(),
            h: String::new(),
            u: None,
            bt: None,
            bv: None,
            bs: None,
            bw: None,
        };
        match &record.body {
            RecordBody::CheckIn(c) => {
                out.e = Some(match c.event {
                    CheckInEvent::Arrival => 'a',
                    CheckInEvent::Departure => 'd',
                });
                out.f = Some(c.presence.bits());
                out.n = c.note.clone();
                out.o = c.officer_name.clone();
                out.g = c.gate_code.clone();
                out.l = position_tuple(c.position);
            }
            RecordBody::Incident(i) => {
                out.k = 'i';
                out.y = Some(i.category);
                out.w = Some(i.severity);
                out.d = i.description.clone();
                out.h = i.people.clone();
                out.u = Some(i.status);
                out.o = i.officer_name.clone();
                out.l = position_tuple(i.position);
            }
            RecordBody::Team(t) => {
                out.k = 't';
                out.bt = Some(t.clone());
            }
            RecordBody::Volunteer(v) => {
                out.k = 'v';
                out.bv = Some(v.clone());
            }
            RecordBody::Duty(d) => {
                out.k = 's';
                out.bs = Some(d.clone());
            }
            RecordBody::Swap(w) => {
                out.k = 'w';
                out.bw = Some(w.clone());
            }
        }
        out
    }

    /// The local record this stored value describes, given the id from its key.
    pub fn into_local(self, id: Uuid) -> Result<LocalRecord, StoredError> {
        let s = self;
        let missing = |field: &str| StoredError::Shape(format!("missing field `{field}`"));
        let body = match s.k {
            'c' => RecordBody::CheckIn(CheckIn {
                post_id: s.p,
                event: match s.e.ok_or_else(|| missing("e"))? {
                    'a' => CheckInEvent::Arrival,
                    'd' => CheckInEvent::Departure,
                    other => return Err(StoredError::BadEvent(other)),
                },
                presence: Presence::from_bits(s.f.ok_or_else(|| missing("f"))?),
                note: s.n,
                officer_name: s.o,
                device_time: s.t,
                gate_code: s.g,
                position: tuple_position(s.l),
            }),
            'i' => RecordBody::Incident(Incident {
                post_id: s.p,
                category: s.y.ok_or_else(|| missing("y"))?,
                severity: s.w.ok_or_else(|| missing("w"))?,
                description: s.d,
                people: s.h,
                status: s.u.ok_or_else(|| missing("u"))?,
                officer_name: s.o,
                device_time: s.t,
                position: tuple_position(s.l),
            }),
            't' => RecordBody::Team(s.bt.ok_or_else(|| missing("bt"))?),
            'v' => RecordBody::Volunteer(s.bv.ok_or_else(|| missing("bv"))?),
            's' => RecordBody::Duty(s.bs.ok_or_else(|| missing("bs"))?),
            'w' => RecordBody::Swap(s.bw.ok_or_else(|| missing("bw"))?),
            other => return Err(StoredError::Shape(format!("unknown record kind {other:?}"))),
        };
        Ok(LocalRecord {
            record: Record {
                id,
                version: s.v,
                body,
                voided: s.x,
                edits: s.m,
                base: s.b,
            },
            synced: s.s,
            received_at: s.r,
            proof: match s.q {
                None => None,
                Some(c) => Some(char_proof(c).ok_or(StoredError::BadProof(c))?),
            },
            server_has_earlier: s.eo,
            author: s.a,
        })
    }
}

/// Encodes a local record as its compact stored JSON (the id goes in the key).
pub fn encode(local: &LocalRecord) -> String {
    // Serializing plain owned data with string keys cannot fail.
    serde_json::to_string(&StoredRecord::from_local(local)).unwrap_or_default()
}

/// Decodes a stored value back into a local record with the given id.
pub fn decode(id: Uuid, raw: &str) -> Result<LocalRecord, StoredError> {
    let stored: StoredRecord =
        serde_json::from_str(raw).map_err(|e| StoredError::Shape(e.to_string()))?;
    stored.into_local(id)
}

/// What to do with data found under an older (or newer) schema version.
///
/// Schema 1 is the first; each later version adds one arm that rewrites the previous
/// layout. Data from a newer app is left untouched and reported, never overwritten.
pub fn upgrade_plan(found: Option<u32>) -> Result<Vec<u32>, StoredError> {
    match found {
        // Nothing stored yet, or a fresh install: start at the current schema.
        None => Ok(Vec::new()),
        Some(v) if v > SCHEMA_VERSION => Err(StoredError::NewerSchema(v)),
        Some(v) => Ok((v + 1..=SCHEMA_VERSION).collect()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hlc::DeviceId;
    use proptest::prelude::*;

    /// Any stored record: a check-in, or an incident made of the same parts; maybe
    /// voided, maybe edited.
    fn arb_local() -> impl Strategy<Value = LocalRecord> {
        (
            arb_checkin(),
            proptest::option::of((0usize..5, 0usize..3, 0usize..3, ".{1,30}", ".{0,10}")),
            proptest::option::of(".{1,20}"),
            0u32..4,
        )
            .prop_map(|(mut local, incident, voided, edits)| {
                if let Some((c, w, u, d, h)) = incident {
                    let RecordBody::CheckIn(ci) = &local.record.body else {
                        unreachable!()
                    };
                    local.record.body = RecordBody::Incident(Incident {
                        post_id: ci.post_id.clone(),
                        category: IncidentCategory::ALL[c],
                        severity: Severity::ALL[w],
                        description: d,
                        people: h,
                        status: FollowUp::ALL[u],
                        officer_name: ci.officer_name.clone(),
                        device_time: ci.device_time,
                        position: ci.position,
                    });
                }
                local.record.voided = voided;
                local.record.edits = edits;
                local
            })
    }

    fn arb_checkin() -> impl Strategy<Value = LocalRecord> {
        (
            any::<u128>().prop_filter("nil", |n| *n != 0),
            0u64..0xffff_ffff_ffff,
            any::<u16>(),
            "[0-9a-z]{12}",
            "[a-z0-9_-]{1,12}",
            any::<bool>(),
            0u8..8,
            ".{0,20}",
            ".{0,8}",
            (
                -720i32..=840,
                0i64..4_000_000_000,
                any::<bool>(),
                proptest::option::of(0i64..4_000_000_000),
                proptest::option::of("[0-9]{6}"),
                proptest::option::of(prop_oneof![
                    Just(Proof::Verified),
                    Just(Proof::Unverified),
                    Just(Proof::Failed)
                ]),
                proptest::option::of((
                    -90_000_000i32..=90_000_000,
                    -180_000_000i32..=180_000_000,
                    0u32..5000,
                )),
            ),
        )
            .prop_map(
                |(id, w, c, d, p, arrival, f, n, o, (off_min, secs, synced, recv, g, q, l))| {
                    let offset = FixedOffset::east_opt(off_min * 60).unwrap();
                    LocalRecord {
                        record: Record::new(
                            Uuid::from_u128(id),
                            Hlc {
                                wall_ms: w,
                                counter: c,
                                device: DeviceId::new(d).unwrap(),
                            },
                            RecordBody::CheckIn(CheckIn {
                                post_id: p,
                                event: if arrival {
                                    CheckInEvent::Arrival
                                } else {
                                    CheckInEvent::Departure
                                },
                                presence: Presence::from_bits(f),
                                note: n,
                                officer_name: o,
                                device_time: DateTime::from_timestamp(secs, 0)
                                    .unwrap()
                                    .with_timezone(&offset),
                                gate_code: g,
                                position: l.map(|(lat_e6, lon_e6, accuracy_m)| Position {
                                    lat_e6,
                                    lon_e6,
                                    accuracy_m,
                                }),
                            }),
                        ),
                        synced,
                        received_at: recv.map(|s| DateTime::from_timestamp(s, 0).unwrap()),
                        proof: q,
                        // Only an unsynced correction carries it; the counter varies it.
                        server_has_earlier: !synced && c % 2 == 1,
                        // A pulled record knows its author; the counter varies it.
                        author: (c % 3 == 0).then(|| Uuid::from_u128(u128::from(w))),
                    }
                },
            )
    }

    proptest! {
        #[test]
        fn encode_decode_round_trips(local in arb_local()) {
            let raw = encode(&local);
            prop_assert_eq!(decode(local.record.id, &raw).unwrap(), local);
        }
    }

    /// A team, a member, a duty session or a swap request in a record of `base`'s id and
    /// version.
    fn arb_team_kind() -> impl Strategy<Value = LocalRecord> {
        (
            arb_checkin(),
            crate::duty::tests::arb_session(),
            0usize..4,
            ".{1,12}",
            "[0-9 +-]{0,20}",
            any::<bool>(),
        )
            .prop_map(|(mut local, session, which, name, phone, voided)| {
                let device_time = session.device_time;
                local.record.body = match which {
                    0 => RecordBody::Duty(session),
                    3 => RecordBody::Swap(crate::swap::SwapRequest {
                        device_time,
                        reason: name,
                        decision: (phone.len() % 2 == 1)
                            .then(|| crate::swap::tests::decision(phone.len() % 4 == 1)),
                        ..crate::swap::tests::request()
                    }),
                    1 => RecordBody::Team(Team {
                        school_id: "sch-1".into(),
                        name,
                        device_time,
                    }),
                    _ => RecordBody::Volunteer(Volunteer {
                        team: Uuid::from_u128(5),
                        name,
                        phone,
                        role: crate::team::Role::Deputy,
                        joined: device_time.date_naive(),
                        status: crate::team::MemberStatus::Paused,
                        device_time,
                    }),
                };
                local.record.voided = voided.then(|| "重复".to_string());
                local
            })
    }

    proptest! {
        #[test]
        fn team_kinds_round_trip(local in arb_team_kind()) {
            let raw = encode(&local);
            prop_assert_eq!(decode(local.record.id, &raw).unwrap(), local);
        }
    }

    #[test]
    fn a_team_kind_without_its_body_is_an_error() {
        let raw = r#"{"v":"000000000001-0000-a","k":"s","t":"2026-01-01T00:00:00+08:00"}"#;
        assert!(matches!(
            decode(Uuid::from_u128(1), raw),
            Err(StoredError::Shape(_))
        ));
    }

    #[test]
    fn a_typical_check_in_is_compact() {
        let local = LocalRecord::new_unsynced(crate::record::tests::sample(7, 0x0193_a1b2_c3d4));
        let raw = encode(&local);
        // 10,000 of these plus their keys must fit in half of a 5 MiB quota.
        assert!(
            raw.chars().count() < 140,
            "{} chars: {raw}",
            raw.chars().count()
        );
    }

    #[test]
    fn garbage_is_an_error_not_a_panic() {
        for raw in [
            "",
            "{",
            "null",
            "[]",
            r#"{"v":"x","k":"c"}"#,
            r#"{"v":"000000000001-0000-a","k":"z"}"#,
        ] {
            assert!(decode(Uuid::from_u128(1), raw).is_err(), "{raw:?}");
        }
        let bad_event = r#"{"v":"000000000001-0000-a","k":"c","p":"x","e":"q","f":7,"t":"2026-01-01T00:00:00+08:00"}"#;
        assert_eq!(
            decode(Uuid::from_u128(1), bad_event),
            Err(StoredError::BadEvent('q'))
        );
    }

    /// Exactly what the schema 3 app wrote: a check-in and a duty session.
    const SCHEMA_3_VALUES: [&str; 2] = [
        r#"{"v":"000000000010-0000-test1","s":true,"k":"c","p":"s01-g1","e":"a","f":7,"o":"张警官","t":"2026-11-25T07:12:33+08:00"}"#,
        r#"{"v":"000000000011-0000-test1","k":"s","p":"s01-g1","t":"2026-11-25T07:00:00+08:00","bs":{"team":"00000000-0000-0000-0000-000000000005","post_id":"s01-g1","activity":"patrol","place":"","start":"2026-11-25T07:00:00+08:00","participants":[],"device_time":"2026-11-25T07:00:00+08:00"}}"#,
    ];

    #[test]
    fn schema_3_data_loads_unchanged_and_a_newer_apps_is_refused() {
        // Version 4 only adds a kind: 3 → 4 is one step that rewrites nothing.
        assert_eq!(upgrade_plan(Some(3)), Ok(vec![4]));
        for raw in SCHEMA_3_VALUES {
            let local = decode(Uuid::from_u128(1), raw).unwrap_or_else(|e| panic!("{e}: {raw}"));
            assert_eq!(decode(Uuid::from_u128(1), &encode(&local)), Ok(local));
        }
        // A swap, which a schema 3 app does not know, is written only under schema 4.
        let swap = LocalRecord::new_unsynced(crate::swap::tests::pending());
        let raw = encode(&swap);
        assert!(
            raw.contains(r#""k":"w""#) && raw.contains(r#""bw":{"#),
            "{raw}"
        );
        assert_eq!(SCHEMA_VERSION, 4);
        assert_eq!(upgrade_plan(Some(5)), Err(StoredError::NewerSchema(5)));
    }

    #[test]
    fn only_the_step_that_brought_authors_pulls_again() {
        let steps = upgrade_plan(Some(2)).unwrap();
        assert_eq!(steps, [3, 4]);
        assert_eq!(steps.iter().filter(|s| pulls_again(**s)).count(), 1);
        assert!(upgrade_plan(Some(SCHEMA_VERSION))
            .unwrap()
            .iter()
            .all(|s| !pulls_again(*s)));
    }

    #[test]
    fn upgrade_plans() {
        assert_eq!(upgrade_plan(None), Ok(vec![]));
        assert_eq!(upgrade_plan(Some(SCHEMA_VERSION)), Ok(vec![]));
        assert_eq!(upgrade_plan(Some(0)), Ok((1..=SCHEMA_VERSION).collect()));
        assert_eq!(
            upgrade_plan(Some(SCHEMA_VERSION + 1)),
            Err(StoredError::NewerSchema(SCHEMA_VERSION + 1))
        );
    }
}
