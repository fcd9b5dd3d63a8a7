//! Swap requests (换班, docs/duty-roster.md §3): an officer asks, on the phone and
//! offline if need be, to be relieved of one assigned slot; a supervisor or an admin
//! decides on the server. A record kind (`swap`), so the request goes up with the
//! outbox like any check-in.
//!
//! Who decides is the server's business alone: a phone's version that adds or changes
//! the decision is refused (`decision_locked`), as a change to approved hours is. The
//! asking officer may edit or void a pending request; a decided one is locked for
//! every phone.

use chrono::{DateTime, FixedOffset, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::record::{plain_text, valid_post_id, within, Record, RecordBody, ValidationError};
use crate::roster::Slot;
use crate::school::WindowKind;

/// Longest reason an officer gives for a swap, in characters.
pub const MAX_SWAP_REASON_CHARS: usize = 200;
/// Longest note a supervisor adds to a decision, in characters.
pub const MAX_DECISION_NOTE_CHARS: usize = 200;

/// An officer's request to be relieved of one slot, and the decision once made.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SwapRequest {
    pub post_id: String,
    #[serde(deserialize_with = "crate::timefmt::date")]
    pub date: NaiveDate,
    pub window: WindowKind,
    /// The assigned officer who asks (the request's author).
    pub officer: Uuid,
    /// Who the officer proposes instead, if anyone.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub substitute: Option<Uuid>,
    pub reason: String,
    /// Made on the server by a supervisor or an admin; never by a phone.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decision: Option<SwapDecision>,
    /// The phone's clock when the officer asked (history orders and filters by it).
    #[serde(deserialize_with = "crate::timefmt::fixed")]
    pub device_time: DateTime<FixedOffset>,
}

/// A supervisor's or admin's answer to a swap request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SwapDecision {
    pub approved: bool,
    /// The account that decided.
    pub by: Uuid,
    /// The server's clock when it was decided.
    #[serde(deserialize_with = "crate::timefmt::utc")]
    pub at: DateTime<Utc>,
    /// Who takes the slot: required when approved (the roster must name someone),
    /// absent when refused.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub substitute: Option<Uuid>,
    #[serde(default)]
    pub note: String,
}

impl SwapRequest {
    /// The slot the request is about.
    pub fn slot(&self) -> Slot {
        Slot {
            post_id: self.post_id.clone(),
            date: self.date,
            window: self.window,
        }
    }

    pub fn is_pending(&self) -> bool {
        self.decision.is_none()
    }

    pub fn validate(&self) -> Result<(), ValidationError> {
        if !valid_post_id(&self.post_id) {
            return Err(ValidationError::BadPostId);
        }
        if !is_short_plain(&self.reason, MAX_SWAP_REASON_CHARS) || self.reason.trim().is_empty() {
            return Err(ValidationError::BadSwapReason);
        }
        if self.substitute == Some(self.officer) {
            return Err(ValidationError::SubstituteIsOfficer);
        }
        match &self.decision {
            None => Ok(()),
            Some(d) => d.validate(self.officer),
        }
    }
}

impl SwapDecision {
    fn validate(&self, officer: Uuid) -> Result<(), ValidationError> {
        if !is_short_plain(&self.note, MAX_DECISION_NOTE_CHARS) {
            return Err(ValidationError::BadDecisionNote);
        }
        match (self.approved, self.substitute) {
            (true, None) => Err(ValidationError::ApprovedWithoutSubstitute),
            (false, Some(_)) => Err(ValidationError::RefusedWithSubstitute),
            (true, Some(s)) if s == officer => Err(ValidationError::SubstituteIsOfficer),
            _ => Ok(()),
        }
    }
}

/// Text of at most `max` characters without control characters (one line, as the
/// sheets and the roster grid show it).
fn is_short_plain(text: &str, max: usize) -> bool {
    within(text, max) && plain_text(text)
}

/// The decision of a swap record, if it is one and decided.
fn decision_of(record: &Record) -> Option<&SwapDecision> {
    match &record.body {
        RecordBody::Swap(s) => s.decision.as_ref(),
        _ => None,
    }
}

/// Whether `record` is a swap request still waiting for a decision: not decided, and
/// not withdrawn (voided) by the officer who asked. What the managers' list shows as
/// pending and the only state a decision may be made on.
pub fn awaits_decision(record: &Record) -> bool {
    record.counts() && matches!(&record.body, RecordBody::Swap(s) if s.is_pending())
}

/// Whether `next`, pushed over `held` (if the server holds the record), is a version
/// no phone may make: one that adds or changes a swap's decision, or any change at all
/// to a decided swap (voiding included). The server's own versions (a reserved
/// device: `server`, `admin`) are how decisions are made, so they pass.
pub fn decision_locked(held: Option<&Record>, next: &Record) -> bool {
    if next.version.device.is_reserved() {
        return false;
    }
    match held.and_then(decision_of) {
        // Decided: locked whole.
        Some(_) => held.is_some_and(|h| !h.same_content(next)),
        // Pending or new: the phone may not be the one to decide.
        None => decision_of(next).is_some(),
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::hlc::{DeviceId, Hlc};

    pub const OFFICER: Uuid = Uuid::from_u128(0x0ff1);
    pub const OTHER: Uuid = Uuid::from_u128(0x0ff2);
    pub const CHIEF: Uuid = Uuid::from_u128(0xc41e);

    fn version(wall_ms: u64, device: &str) -> Hlc {
        Hlc {
            wall_ms,
            counter: 0,
            device: DeviceId::new(device).unwrap(),
        }
    }

    pub fn request() -> SwapRequest {
        SwapRequest {
            post_id: "s01-g1".into(),
            date: NaiveDate::from_ymd_opt(2026, 12, 7).unwrap(),
            window: WindowKind::Morning,
            officer: OFFICER,
            substitute: Some(OTHER),
            reason: "孩子发烧，需去医院".into(),
            decision: None,
            device_time: DateTime::parse_from_rfc3339("2026-12-06T20:15:00+08:00").unwrap(),
        }
    }

    pub fn decision(approved: bool) -> SwapDecision {
        SwapDecision {
            approved,
            by: CHIEF,
            at: DateTime::parse_from_rfc3339("2026-12-06T13:00:00Z")
                .unwrap()
                .to_utc(),
            substitute: approved.then_some(OTHER),
            note: String::new(),
        }
    }

    /// A pending request as a phone first pushes it.
    pub fn pending() -> Record {
        Record::new(
            Uuid::from_u128(0x5a),
            version(10, "phone1"),
            RecordBody::Swap(request()),
        )
    }

    fn with(record: &Record, device: &str, change: impl FnOnce(&mut SwapRequest)) -> Record {
        let RecordBody::Swap(mut body) = record.body.clone() else {
            unreachable!()
        };
        change(&mut body);
        record.revised(
            version(record.version.wall_ms + 10, device),
            RecordBody::Swap(body),
        )
    }

    #[test]
    fn validation_table() {
        type Edit = Box<dyn Fn(&mut SwapRequest)>;
        use ValidationError::*;
        let cases: Vec<(&str, Edit, Option<ValidationError>)> = vec![
            ("a plain request", Box::new(|_| {}), None),
            (
                "no substitute named",
                Box::new(|s| s.substitute = None),
                None,
            ),
            (
                "a blank reason",
                Box::new(|s| s.reason = " ".into()),
                Some(BadSwapReason),
            ),
            (
                "200 characters",
                Box::new(|s| s.reason = "因".repeat(200)),
                None,
            ),
            (
                "201 characters",
                Box::new(|s| s.reason = "因".repeat(201)),
                Some(BadSwapReason),
            ),
            (
                "a line break",
                Box::new(|s| s.reason = "a\nb".into()),
                Some(BadSwapReason),
            ),
            (
                "a bad post",
                Box::new(|s| s.post_id = "门 1".into()),
                Some(BadPostId),
            ),
            (
                "oneself as substitute",
                Box::new(|s| s.substitute = Some(OFFICER)),
                Some(SubstituteIsOfficer),
            ),
            (
                "approved",
                Box::new(|s| s.decision = Some(decision(true))),
                None,
            ),
            (
                "refused",
                Box::new(|s| s.decision = Some(decision(false))),
                None,
            ),
            (
                "approved without a substitute",
                Box::new(|s| {
                    s.decision = Some(SwapDecision {
                        substitute: None,
                        ..decision(true)
                    })
                }),
                Some(ApprovedWithoutSubstitute),
            ),
            (
                "refused but naming a substitute",
                Box::new(|s| {
                    s.decision = Some(SwapDecision {
                        substitute: Some(OTHER),
                        ..decision(false)
                    })
                }),
                Some(RefusedWithSubstitute),
            ),
            (
                "approved with the asking officer",
                Box::new(|s| {
                    s.decision = Some(SwapDecision {
                        substitute: Some(OFFICER),
                        ..decision(true)
                    })
                }),
                Some(SubstituteIsOfficer),
            ),
            (
                "a long note",
                Box::new(|s| {
                    s.decision = Some(SwapDecision {
                        note: "注".repeat(201),
                        ..decision(false)
                    })
                }),
                Some(BadDecisionNote),
            ),
        ];
        for (why, edit, want) in cases {
            let mut body = request();
            edit(&mut body);
            let record = Record::new(Uuid::from_u128(1), version(1, "p"), RecordBody::Swap(body));
            assert_eq!(record.validate().err(), want, "{why}");
        }
    }

    /// (what the phone pushes over what the server holds, whether it is refused)
    #[test]
    fn only_the_server_decides_and_a_decision_locks_the_request() {
        let pending = pending();
        let approved = with(&pending, "server", |s| s.decision = Some(decision(true)));
        let cases: Vec<(&str, Option<&Record>, Record, bool)> = vec![
            ("a new pending request", None, pending.clone(), false),
            (
                "a new request decided on the phone",
                None,
                with(&pending, "phone1", |s| s.decision = Some(decision(true))),
                true,
            ),
            (
                "the officer edits the reason",
                Some(&pending),
                with(&pending, "phone1", |s| s.reason = "改期".into()),
                false,
            ),
            (
                "the officer voids a pending request",
                Some(&pending),
                pending.voided(version(20, "phone1"), "不用换了".into()),
                false,
            ),
            (
                "a phone approves a pending request",
                Some(&pending),
                with(&pending, "phone2", |s| s.decision = Some(decision(true))),
                true,
            ),
            (
                "the server approves it",
                Some(&pending),
                approved.clone(),
                false,
            ),
            (
                "a phone voids a decided request",
                Some(&approved),
                approved.voided(version(40, "phone1"), "不用换了".into()),
                true,
            ),
            (
                "a phone edits a decided request's reason",
                Some(&approved),
                with(&approved, "phone1", |s| s.reason = "改期".into()),
                true,
            ),
            (
                "a phone turns the approval into a refusal",
                Some(&approved),
                with(&approved, "phone1", |s| s.decision = Some(decision(false))),
                true,
            ),
            (
                "a phone pushes the decided state again",
                Some(&approved),
                Record {
                    version: version(50, "phone1"),
                    ..approved.clone()
                },
                false,
            ),
            (
                "an admin's correction of a decided request",
                Some(&approved),
                with(&approved, "admin", |s| s.decision = Some(decision(false))),
                false,
            ),
            (
                "a check-in is no swap",
                None,
                crate::record::tests::sample(1, 1),
                false,
            ),
        ];
        for (why, held, next, refused) in cases {
            assert_eq!(decision_locked(held, &next), refused, "{why}");
        }
    }

    #[test]
    fn a_withdrawn_or_decided_request_no_longer_awaits_a_decision() {
        let asked = pending();
        assert!(awaits_decision(&asked));
        let withdrawn = asked.voided(version(20, "phone1"), "不需要了".into());
        assert!(!awaits_decision(&withdrawn));
        let decided = with(&asked, "server", |s| s.decision = Some(decision(false)));
        assert!(!awaits_decision(&decided));
        assert!(!awaits_decision(&crate::record::tests::sample(1, 1)));
    }

    #[test]
    fn a_swap_travels_in_wire_form() {
        let record = with(&pending(), "server", |s| s.decision = Some(decision(true)));
        let json = serde_json::to_value(&record).unwrap();
        assert_eq!(json["kind"], "swap");
        assert_eq!(json["data"]["window"], "morning");
        assert_eq!(json["data"]["date"], "2026-12-07");
        assert_eq!(json["data"]["decision"]["at"], "2026-12-06T13:00:00Z");
        assert_eq!(serde_json::from_value::<Record>(json).unwrap(), record);
        let plain = serde_json::to_value(pending()).unwrap();
        assert!(plain["data"].get("decision").is_none(), "{plain}");
    }
}
