//! Records: what officers create in the field, wrapped in a versioned envelope.
//!
//! Every record kind shares one envelope (`Record`: id + version + body). Bodies are an
//! internally tagged enum, so a kind the server does not know is a clear decode error
//! and later kinds (incidents, volunteers, duty sessions) slot in without a new protocol.

use chrono::{DateTime, FixedOffset};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::duty::DutySession;
use crate::hlc::Hlc;
use crate::swap::SwapRequest;
use crate::team::{Team, Volunteer};

/// Longest note, in characters. Notes are typed on a phone at a gate.
pub const MAX_NOTE_CHARS: usize = 500;
/// Longest officer display name, in characters.
pub const MAX_NAME_CHARS: usize = 40;
/// Longest post id, in bytes.
pub const MAX_POST_ID_LEN: usize = 64;
/// Longest reason for voiding a record, in characters.
pub const MAX_VOID_REASON_CHARS: usize = 200;
/// Longest incident description, in characters.
pub const MAX_DESCRIPTION_CHARS: usize = 2000;
/// Longest "people involved" text of an incident, in characters.
pub const MAX_PEOPLE_CHARS: usize = 500;

/// The envelope every synced record travels and is stored in.
///
/// Deserialized through `WireRecord` rather than derived: serde's `flatten` buffers
/// every field of every record into an intermediate tree first, which costs the phone
/// ~8 KB of wasm; here the body is kept as raw JSON until its kind is known.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Record {
    /// Made on the device that created the record (UUID v4), never reused.
    pub id: Uuid,
    /// The version of this state of the record; later edits carry higher versions.
    pub version: Hlc,
    #[serde(flatten)]
    pub body: RecordBody,
    /// Why the record no longer counts, if it was voided. Records are never deleted:
    /// a mistaken one is voided with a reason and stays visible (and in every export).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub voided: Option<String>,
    /// How many times the record was corrected after it was first saved. The server
    /// keeps every version, so the changes themselves can be looked up there.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub edits: u32,
    /// The version this state was edited from (`None` for a new record). When the server
    /// holds another version by then, both were edited concurrently from `base`, and it
    /// merges them field by field (`merge::reconcile`) instead of dropping one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub base: Option<Hlc>,
}

fn is_zero(n: &u32) -> bool {
    *n == 0
}

/// The wire form of a record as read: the body's JSON is held raw (in any key order)
/// and decoded once `kind` says what it is.
#[derive(Deserialize)]
struct WireRecord {
    id: Uuid,
    version: Hlc,
    kind: WireKind,
    data: Box<serde_json::value::RawValue>,
    #[serde(default)]
    voided: Option<String>,
    #[serde(default)]
    edits: u32,
    #[serde(default)]
    base: Option<Hlc>,
}

#[derive(Deserialize)]
#[serde(rename_all = "snake_case")]
enum WireKind {
    #[serde(rename = "checkin")]
    CheckIn,
    Incident,
    Team,
    Volunteer,
    Duty,
    Swap,
}

impl<'de> Deserialize<'de> for Record {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        use serde::de::Error;
        let w = WireRecord::deserialize(d)?;
        let data = w.data.get();
        let body = match w.kind {
            WireKind::CheckIn => serde_json::from_str(data).map(RecordBody::CheckIn),
            WireKind::Incident => serde_json::from_str(data).map(RecordBody::Incident),
            WireKind::Team => serde_json::from_str(data).map(RecordBody::Team),
            WireKind::Volunteer => serde_json::from_str(data).map(RecordBody::Volunteer),
            WireKind::Duty => serde_json::from_str(data).map(RecordBody::Duty),
            WireKind::Swap => serde_json::from_str(data).map(RecordBody::Swap),
        }
        .map_err(|e| D::Error::custom(format_args!("data: {e}")))?;
        Ok(Record {
            id: w.id,
            version: w.version,
            body,
            voided: w.voided,
            edits: w.edits,
            base: w.base,
        })
    }
}

impl Record {
    /// A freshly created record: not voided, never edited.
    pub fn new(id: Uuid, version: Hlc, body: RecordBody) -> Record {
        Record {
            id,
            version,
            body,
            voided: None,
            edits: 0,
            base: None,
        }
    }

    /// The next state of this record after a correction to its body.
    pub fn corrected(&self, version: Hlc, body: RecordBody) -> Record {
        Record {
            id: self.id,
            version,
            body,
            voided: self.voided.clone(),
            edits: self.edits.saturating_add(1),
            base: Some(self.version.clone()),
        }
    }

    /// The next state of this record once voided for `reason`.
    pub fn voided(&self, version: Hlc, reason: String) -> Record {
        Record {
            version,
            voided: Some(reason),
            base: Some(self.version.clone()),
            ..self.clone()
        }
    }

    /// The record as `viewer` may see it when `author` made it: a gate code proves one
    /// moment at one gate and could be typed again later elsewhere, so only its maker
    /// gets it back; anyone else sees the server's verdict alone (docs/proof.md §3).
    pub fn as_seen_by(mut self, viewer: Uuid, author: Option<Uuid>) -> Record {
        if author != Some(viewer) {
            if let RecordBody::CheckIn(c) = &mut self.body {
                c.gate_code = None;
            }
        }
        self
    }

    /// The next state of this record with `body`, as work goes on (a team record's tick,
    /// an end, an approval): not a correction, so `edits` stays.
    pub fn revised(&self, version: Hlc, body: RecordBody) -> Record {
        Record {
            version,
            body,
            base: Some(self.version.clone()),
            ..self.clone()
        }
    }

    /// Whether the record's content (not its version or base) is `other`'s.
    pub fn same_content(&self, other: &Record) -> bool {
        self.body == other.body && self.voided == other.voided && self.edits == other.edits
    }

    /// Whether the record still counts (coverage, the board, rates).
    pub fn counts(&self) -> bool {
        self.voided.is_none()
    }

    /// Whether `next`, a later state of this record, changes volunteer hours the lead
    /// already approved (voiding the session included). Only an admin may do that.
    pub fn changes_approved_hours(&self, next: &Record) -> bool {
        match (&self.body, &next.body) {
            (RecordBody::Duty(before), RecordBody::Duty(after)) => {
                before.has_approved()
                    && (before.changes_approved_hours(after) || self.voided != next.voided)
            }
            (RecordBody::Duty(before), _) => before.has_approved(),
            _ => false,
        }
    }
}

/// The kinds of record. Tagged as `"kind": "checkin"` on the wire.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "data", rename_all = "snake_case")]
pub enum RecordBody {
    #[serde(rename = "checkin")]
    CheckIn(CheckIn),
    Incident(Incident),
    /// A volunteer team (see `team`).
    Team(Team),
    /// A member of a team's roster.
    Volunteer(Volunteer),
    /// A team's duty session (see `duty`).
    Duty(DutySession),
    /// An officer's request to be relieved of an assigned slot (see `swap`).
    Swap(SwapRequest),
}

impl RecordBody {
    pub fn kind(&self) -> &'static str {
        match self {
            RecordBody::CheckIn(_) => "checkin",
            RecordBody::Incident(_) => "incident",
            RecordBody::Team(_) => "team",
            RecordBody::Volunteer(_) => "volunteer",
            RecordBody::Duty(_) => "duty",
            RecordBody::Swap(_) => "swap",
        }
    }

    /// Whether this is an officer's record made at a post (check-in or incident), as
    /// opposed to a volunteer team's.
    pub fn is_patrol(&self) -> bool {
        matches!(self, RecordBody::CheckIn(_) | RecordBody::Incident(_))
    }

    /// The post the record was made at; empty for records not tied to a post.
    pub fn post_id(&self) -> &str {
        match self {
            RecordBody::CheckIn(c) => &c.post_id,
            RecordBody::Incident(i) => &i.post_id,
            RecordBody::Duty(d) => &d.post_id,
            RecordBody::Swap(s) => &s.post_id,
            RecordBody::Team(_) | RecordBody::Volunteer(_) => "",
        }
    }

    /// The phone's clock when the record was made.
    pub fn device_time(&self) -> DateTime<FixedOffset> {
        match self {
            RecordBody::CheckIn(c) => c.device_time,
            RecordBody::Incident(i) => i.device_time,
            RecordBody::Team(t) => t.device_time,
            RecordBody::Volunteer(v) => v.device_time,
            RecordBody::Duty(d) => d.device_time,
            RecordBody::Swap(s) => s.device_time,
        }
    }
}

/// What an incident at a post was about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IncidentCategory {
    /// 校园欺凌
    Bullying,
    /// 诈骗
    Fraud,
    Traffic,
    SuspiciousPerson,
    Other,
}

impl IncidentCategory {
    pub const ALL: [IncidentCategory; 5] = [
        IncidentCategory::Bullying,
        IncidentCategory::Fraud,
        IncidentCategory::Traffic,
        IncidentCategory::SuspiciousPerson,
        IncidentCategory::Other,
    ];

    /// The wire name, also used in CSV exports.
    pub fn as_str(self) -> &'static str {
        match self {
            IncidentCategory::Bullying => "bullying",
            IncidentCategory::Fraud => "fraud",
            IncidentCategory::Traffic => "traffic",
            IncidentCategory::SuspiciousPerson => "suspicious_person",
            IncidentCategory::Other => "other",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.as_str() == s)
    }
}

/// How serious an incident is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    Low,
    Medium,
    High,
}

impl Severity {
    pub const ALL: [Severity; 3] = [Severity::Low, Severity::Medium, Severity::High];

    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.as_str() == s)
    }
}

/// Where the follow-up of an incident stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FollowUp {
    Open,
    HandedOver,
    Closed,
}

impl FollowUp {
    pub const ALL: [FollowUp; 3] = [FollowUp::Open, FollowUp::HandedOver, FollowUp::Closed];

    pub fn as_str(self) -> &'static str {
        match self {
            FollowUp::Open => "open",
            FollowUp::HandedOver => "handed_over",
            FollowUp::Closed => "closed",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.as_str() == s)
    }
}

/// Something that happened at a post and needs recording or follow-up.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Incident {
    pub post_id: String,
    pub category: IncidentCategory,
    pub severity: Severity,
    pub description: String,
    /// People involved, as free text (names, descriptions, contact if given).
    #[serde(default)]
    pub people: String,
    pub status: FollowUp,
    #[serde(default)]
    pub officer_name: String,
    #[serde(deserialize_with = "crate::timefmt::fixed")]
    pub device_time: DateTime<FixedOffset>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub position: Option<Position>,
}

/// Arrival at or departure from a post.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CheckInEvent {
    Arrival,
    Departure,
}

/// The three things peak-hour duty must show at the gate: 见警察、见警车、见警灯.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Presence {
    pub officer: bool,
    pub car: bool,
    pub lights: bool,
}

impl Default for Presence {
    /// Duty expects all three, so all three start on.
    fn default() -> Self {
        Self {
            officer: true,
            car: true,
            lights: true,
        }
    }
}

impl Presence {
    pub fn all(&self) -> bool {
        self.officer && self.car && self.lights
    }

    /// Compact form for storage: 1 officer, 2 car, 4 lights.
    pub fn bits(&self) -> u8 {
        u8::from(self.officer) | u8::from(self.car) << 1 | u8::from(self.lights) << 2
    }

    /// Inverse of `bits`; unknown higher bits are ignored.
    pub fn from_bits(bits: u8) -> Self {
        Self {
            officer: bits & 1 != 0,
            car: bits & 2 != 0,
            lights: bits & 4 != 0,
        }
    }
}

/// A patrol check-in at a post.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckIn {
    pub post_id: String,
    pub event: CheckInEvent,
    pub presence: Presence,
    #[serde(default)]
    pub note: String,
    /// Who checked in, as set in settings; may be empty before it is set.
    #[serde(default)]
    pub officer_name: String,
    /// The phone's clock when the button was pressed, with its UTC offset.
    #[serde(deserialize_with = "crate::timefmt::fixed")]
    pub device_time: DateTime<FixedOffset>,
    /// The rotating gate code the officer scanned or typed, if any (see `gatecode`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gate_code: Option<String>,
    /// Where the phone was, if the officer allowed location and a recent fix existed
    /// (a check-in never waits for one).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub position: Option<Position>,
}

/// A GPS fix: WGS-84 microdegrees (~0.1 m) and the accuracy radius in whole metres.
///
/// Integers, not floats: a record must come back from the server byte-for-byte equal
/// (the upsert rule compares bodies), and JSON floats do not always round-trip exactly.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Position {
    pub lat_e6: i32,
    pub lon_e6: i32,
    pub accuracy_m: u32,
}

impl Position {
    /// From the browser's degrees and metres; `None` for values no GPS produces.
    pub fn from_degrees(lat: f64, lon: f64, accuracy_m: f64) -> Option<Self> {
        let ok = lat.is_finite() && lon.is_finite() && accuracy_m.is_finite() && accuracy_m >= 0.0;
        let p = Position {
            lat_e6: (lat * 1e6).round() as i32,
            lon_e6: (lon * 1e6).round() as i32,
            accuracy_m: accuracy_m.round().min(f64::from(u32::MAX)) as u32,
        };
        (ok && p.is_valid()).then_some(p)
    }

    pub fn is_valid(&self) -> bool {
        (-90_000_000..=90_000_000).contains(&self.lat_e6)
            && (-180_000_000..=180_000_000).contains(&self.lon_e6)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ValidationError {
    #[error("post id must be 1-{MAX_POST_ID_LEN} characters of letters, digits, '-' or '_'")]
    BadPostId,
    #[error("note is longer than {MAX_NOTE_CHARS} characters")]
    NoteTooLong,
    #[error("officer name is longer than {MAX_NAME_CHARS} characters")]
    NameTooLong,
    #[error("the nil UUID is not a record id")]
    NilId,
    #[error("a gate code is 6 digits")]
    BadGateCode,
    #[error("position must be latitude -90..90 and longitude -180..180 (in microdegrees)")]
    BadPosition,
    #[error("a void needs a reason of 1-{MAX_VOID_REASON_CHARS} characters")]
    BadVoidReason,
    #[error("an incident needs a description of 1-{MAX_DESCRIPTION_CHARS} characters")]
    BadDescription,
    #[error("people involved is longer than {MAX_PEOPLE_CHARS} characters")]
    PeopleTooLong,
    #[error("school id must be 1-{MAX_POST_ID_LEN} characters of letters, digits, '-' or '_'")]
    BadSchoolId,
    #[error("a name is 1-{MAX_NAME_CHARS} characters and not blank")]
    BadName,
    #[error("a phone number is up to 20 digits, spaces, '+' or '-'")]
    BadPhone,
    #[error("place is longer than 100 characters")]
    PlaceTooLong,
    #[error("an audience is counted for anti-fraud talks only, up to 100000 people")]
    BadAudience,
    #[error("an end comes before its start")]
    EndBeforeStart,
    #[error("a session lists at most 300 people")]
    TooManyParticipants,
    #[error("each participant is a volunteer id listed once")]
    BadParticipant,
    #[error("hours can be approved only once the session has ended")]
    ApprovedWhileOpen,
    #[error("a swap request needs a reason of 1-200 characters on one line")]
    BadSwapReason,
    #[error("a swap decision's note is up to 200 characters on one line")]
    BadDecisionNote,
    #[error("the officer who asks for a swap cannot be their own substitute")]
    SubstituteIsOfficer,
    #[error("an approved swap names the substitute who takes the slot")]
    ApprovedWithoutSubstitute,
    #[error("a refused swap names no substitute")]
    RefusedWithSubstitute,
}

/// Whether `text` has at most `max` characters.
pub(crate) fn within(text: &str, max: usize) -> bool {
    text.chars().count() <= max
}

/// Whether `text` has no control characters (NUL, escapes, line breaks): what names
/// and ids stored as plain text columns must be (PostgreSQL cannot store NUL at all).
pub fn plain_text(text: &str) -> bool {
    !text.chars().any(char::is_control)
}

/// Whether `id` can be a post id: 1-64 characters of letters, digits, '-' or '_'.
pub fn valid_post_id(id: &str) -> bool {
    (1..=MAX_POST_ID_LEN).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

impl Record {
    /// Checks what serde cannot: lengths and formats a phone or server must refuse.
    pub fn validate(&self) -> Result<(), ValidationError> {
        if self.id.is_nil() {
            return Err(ValidationError::NilId);
        }
        if let Some(reason) = &self.voided {
            if reason.trim().is_empty() || !within(reason, MAX_VOID_REASON_CHARS) {
                return Err(ValidationError::BadVoidReason);
            }
        }
        match &self.body {
            RecordBody::CheckIn(c) => c.validate(),
            RecordBody::Incident(i) => i.validate(),
            RecordBody::Team(t) => t.validate(),
            RecordBody::Volunteer(v) => v.validate(),
            RecordBody::Duty(d) => d.validate(),
            RecordBody::Swap(s) => s.validate(),
        }
    }
}

/// The checks every kind made at a post shares.
fn validate_common(
    post_id: &str,
    officer_name: &str,
    position: Option<Position>,
) -> Result<(), ValidationError> {
    if !valid_post_id(post_id) {
        return Err(ValidationError::BadPostId);
    }
    if !within(officer_name, MAX_NAME_CHARS) {
        return Err(ValidationError::NameTooLong);
    }
    if position.is_some_and(|p| !p.is_valid()) {
        return Err(ValidationError::BadPosition);
    }
    Ok(())
}

impl Incident {
    pub fn validate(&self) -> Result<(), ValidationError> {
        validate_common(&self.post_id, &self.officer_name, self.position)?;
        if self.description.trim().is_empty() || !within(&self.description, MAX_DESCRIPTION_CHARS) {
            return Err(ValidationError::BadDescription);
        }
        if !within(&self.people, MAX_PEOPLE_CHARS) {
            return Err(ValidationError::PeopleTooLong);
        }
        Ok(())
    }
}

impl CheckIn {
    pub fn validate(&self) -> Result<(), ValidationError> {
        validate_common(&self.post_id, &self.officer_name, self.position)?;
        if !within(&self.note, MAX_NOTE_CHARS) {
            return Err(ValidationError::NoteTooLong);
        }
        if self
            .gate_code
            .as_deref()
            .is_some_and(|c| !crate::gatecode::is_code(c))
        {
            return Err(ValidationError::BadGateCode);
        }
        Ok(())
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::hlc::DeviceId;

    pub fn sample(id: u128, wall_ms: u64) -> Record {
        Record::new(
            Uuid::from_u128(id),
            Hlc {
                wall_ms,
                counter: 0,
                device: DeviceId::new("dev1").unwrap(),
            },
            RecordBody::CheckIn(CheckIn {
                post_id: "s01-g1".into(),
                event: CheckInEvent::Arrival,
                presence: Presence::default(),
                note: String::new(),
                officer_name: "张警官".into(),
                device_time: DateTime::parse_from_rfc3339("2026-11-25T07:12:33+08:00").unwrap(),
                gate_code: None,
                position: None,
            }),
        )
    }

    pub fn sample_incident(id: u128, wall_ms: u64) -> Record {
        let mut r = sample(id, wall_ms);
        r.body = RecordBody::Incident(Incident {
            post_id: "s01-g1".into(),
            category: IncidentCategory::Fraud,
            severity: Severity::Medium,
            description: "冒充老师收取资料费".into(),
            people: "两名成年男子".into(),
            status: FollowUp::Open,
            officer_name: "张警官".into(),
            device_time: DateTime::parse_from_rfc3339("2026-11-25T07:40:00+08:00").unwrap(),
            position: None,
        });
        r
    }

    #[test]
    fn wire_form_is_tagged_by_kind() {
        let json = serde_json::to_value(sample(1, 0x10)).unwrap();
        assert_eq!(json["kind"], "checkin");
        assert_eq!(json["version"], "000000000010-0000-dev1");
        assert_eq!(json["data"]["presence"]["lights"], true);
        assert_eq!(json["data"]["device_time"], "2026-11-25T07:12:33+08:00");
    }

    #[test]
    fn unknown_kind_is_a_decode_error_naming_the_kind() {
        let mut json = serde_json::to_value(sample(1, 1)).unwrap();
        json["kind"] = "teleport".into();
        let err = serde_json::from_value::<Record>(json)
            .unwrap_err()
            .to_string();
        assert!(err.contains("teleport"), "{err}");
    }

    #[test]
    fn browser_positions_are_quantised_and_garbage_refused() {
        let p = Position::from_degrees(31.2304163, 121.4737012, 12.6).unwrap();
        assert_eq!(
            p,
            Position {
                lat_e6: 31_230_416,
                lon_e6: 121_473_701,
                accuracy_m: 13
            }
        );
        assert_eq!(Position::from_degrees(f64::NAN, 0.0, 1.0), None);
        assert_eq!(Position::from_degrees(0.0, 200.0, 1.0), None);
        assert_eq!(Position::from_degrees(0.0, 0.0, -1.0), None);
    }

    #[test]
    fn validation_table() {
        type Edit = Box<dyn Fn(&mut CheckIn)>;
        let cases: Vec<(Edit, Option<ValidationError>)> = vec![
            (Box::new(|_| {}), None),
            (
                Box::new(|c| c.position = Position::from_degrees(31.23, 121.47, 12.4)),
                None,
            ),
            (
                Box::new(|c| {
                    c.position = Some(Position {
                        lat_e6: 91_000_000,
                        lon_e6: 0,
                        accuracy_m: 1,
                    })
                }),
                Some(ValidationError::BadPosition),
            ),
            (
                Box::new(|c| c.post_id = String::new()),
                Some(ValidationError::BadPostId),
            ),
            (
                Box::new(|c| c.post_id = "a b".into()),
                Some(ValidationError::BadPostId),
            ),
            (
                Box::new(|c| c.post_id = "x".repeat(65)),
                Some(ValidationError::BadPostId),
            ),
            (Box::new(|c| c.note = "注".repeat(500)), None),
            (
                Box::new(|c| c.note = "注".repeat(501)),
                Some(ValidationError::NoteTooLong),
            ),
            (Box::new(|c| c.gate_code = Some("042117".into())), None),
            (
                Box::new(|c| c.gate_code = Some("42117".into())),
                Some(ValidationError::BadGateCode),
            ),
            (
                Box::new(|c| c.officer_name = "名".repeat(41)),
                Some(ValidationError::NameTooLong),
            ),
        ];
        for (i, (edit, want)) in cases.into_iter().enumerate() {
            let mut r = sample(1, 1);
            let RecordBody::CheckIn(c) = &mut r.body else {
                unreachable!()
            };
            edit(c);
            assert_eq!(r.validate().err(), want, "case {i}");
        }
        let mut nil = sample(0, 1);
        nil.id = Uuid::nil();
        assert_eq!(nil.validate(), Err(ValidationError::NilId));
    }

    #[test]
    fn incident_validation_table() {
        type Edit = Box<dyn Fn(&mut Incident)>;
        let cases: Vec<(Edit, Option<ValidationError>)> = vec![
            (Box::new(|_| {}), None),
            (
                Box::new(|i| i.description = "  ".into()),
                Some(ValidationError::BadDescription),
            ),
            (Box::new(|i| i.description = "述".repeat(2000)), None),
            (
                Box::new(|i| i.description = "述".repeat(2001)),
                Some(ValidationError::BadDescription),
            ),
            (
                Box::new(|i| i.people = "人".repeat(501)),
                Some(ValidationError::PeopleTooLong),
            ),
            (
                Box::new(|i| i.post_id = "门 1".into()),
                Some(ValidationError::BadPostId),
            ),
        ];
        for (n, (edit, want)) in cases.into_iter().enumerate() {
            let mut r = sample_incident(1, 1);
            let RecordBody::Incident(i) = &mut r.body else {
                unreachable!()
            };
            edit(i);
            assert_eq!(r.validate().err(), want, "case {n}");
        }
    }

    #[test]
    fn wire_records_decode_in_any_key_order_and_name_a_bad_field() {
        let r = sample(1, 0x10);
        let text = r#"{"data":{"post_id":"s01-g1","event":"arrival","presence":{"officer":true,"car":true,"lights":true},"officer_name":"张警官","device_time":"2026-11-25T07:12:33+08:00"},"edits":0,"version":"000000000010-0000-dev1","kind":"checkin","id":"00000000-0000-0000-0000-000000000001"}"#;
        assert_eq!(serde_json::from_str::<Record>(text).unwrap(), r);
        let missing = text.replace(r#""event":"arrival","#, "");
        let err = serde_json::from_str::<Record>(&missing)
            .unwrap_err()
            .to_string();
        assert!(err.contains("event"), "{err}");
    }

    #[test]
    fn incident_wire_form() {
        let json = serde_json::to_value(sample_incident(2, 3)).unwrap();
        assert_eq!(json["kind"], "incident");
        assert_eq!(json["data"]["category"], "fraud");
        assert_eq!(json["data"]["status"], "open");
        assert!(json.get("voided").is_none() && json.get("edits").is_none());
        let back: Record = serde_json::from_value(json).unwrap();
        assert_eq!(back, sample_incident(2, 3));
    }

    #[test]
    fn corrections_count_and_voids_keep_the_body() {
        let r = sample(1, 1);
        let v2 = Hlc {
            wall_ms: 2,
            ..r.version.clone()
        };
        let edited = r.corrected(v2.clone(), sample_incident(1, 1).body);
        assert_eq!((edited.edits, edited.id, edited.counts()), (1, r.id, true));
        let v3 = Hlc { wall_ms: 3, ..v2 };
        let void = edited.voided(v3, "重复录入".into());
        assert_eq!(void.body, edited.body);
        assert_eq!(void.edits, 1);
        assert!(!void.counts());
        assert_eq!(void.validate(), Ok(()));
        let json = serde_json::to_value(&void).unwrap();
        assert_eq!(
            (json["voided"].as_str(), json["edits"].as_u64()),
            (Some("重复录入"), Some(1))
        );
        let mut blank = void.clone();
        blank.voided = Some(" ".into());
        assert_eq!(blank.validate(), Err(ValidationError::BadVoidReason));
        let mut long = void;
        long.voided = Some("因".repeat(201));
        assert_eq!(long.validate(), Err(ValidationError::BadVoidReason));
    }

    #[test]
    fn approved_hours_lock_covers_voiding_and_kind_changes() {
        use crate::duty::tests::{part, session, t};
        use crate::duty::Approval;
        let mut ended = session("07:00", Some("08:00"), vec![part(1, "07:00", None)]);
        let pending = sample(1, 1).corrected(sample(1, 2).version, RecordBody::Duty(ended.clone()));
        // Nothing approved: voiding is a lead's call.
        assert!(
            !pending.changes_approved_hours(&pending.voided(sample(1, 3).version, "重复".into()))
        );
        ended.participants[0].approval = Approval::Approved;
        let approved = pending.corrected(sample(1, 3).version, RecordBody::Duty(ended.clone()));
        assert!(
            approved.changes_approved_hours(&approved.voided(sample(1, 4).version, "重复".into()))
        );
        let mut noted = ended.clone();
        noted.note = "补记".into();
        assert!(!approved.changes_approved_hours(
            &approved.corrected(sample(1, 4).version, RecordBody::Duty(noted))
        ));
        let mut shorter = ended;
        shorter.end = Some(t("07:30"));
        assert!(approved.changes_approved_hours(
            &approved.corrected(sample(1, 4).version, RecordBody::Duty(shorter))
        ));
        // Check-ins have no hours to lock.
        assert!(!sample(2, 1)
            .changes_approved_hours(&sample(2, 1).voided(sample(2, 2).version, "x".into())));
    }

    #[test]
    fn team_kinds_travel_in_wire_form() {
        use crate::duty::tests::{part, session};
        let record = sample(1, 1).corrected(
            sample(1, 2).version,
            RecordBody::Duty(session("07:00", None, vec![part(1, "07:00", None)])),
        );
        let json = serde_json::to_string(&record).unwrap();
        assert!(json.contains(r#""kind":"duty""#), "{json}");
        assert_eq!(serde_json::from_str::<Record>(&json).unwrap(), record);
        let bad = json.replace(r#""activity":"patrol""#, r#""activity":"picnic""#);
        let err = serde_json::from_str::<Record>(&bad)
            .unwrap_err()
            .to_string();
        assert!(err.contains("data: unknown variant `picnic`"), "{err}");
    }
}
