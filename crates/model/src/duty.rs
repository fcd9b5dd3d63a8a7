//! Duty sessions of volunteer teams: what the team did, who was there, for how long,
//! and the lead's approval of those hours.
//!
//! Pure functions: a session's end, a participant's span and the hours per volunteer
//! depend only on the records and the `now` passed in, so phone and server agree.

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, FixedOffset, NaiveTime};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::record::{valid_post_id, within, ValidationError, MAX_NOTE_CHARS};
use crate::sorting;

/// A stretch of time, start inclusive, end exclusive.
type Span = (DateTime<FixedOffset>, DateTime<FixedOffset>);

/// A session left open this long is closed at the limit and flagged for the lead.
pub const DEFAULT_OPEN_LIMIT: Duration = Duration::hours(6);
/// Longest free-text place of a session, in characters.
pub const MAX_PLACE_CHARS: usize = 100;
/// Most people one session can list.
pub const MAX_PARTICIPANTS: usize = 300;
/// Largest audience an anti-fraud talk can report.
pub const MAX_AUDIENCE: u32 = 100_000;
/// Someone unticked this soon after joining was absent: they leave the session.
/// Later, unticking marks an early departure, so a mis-tap never erases time served.
pub const ABSENT_WITHIN_MINUTES: i64 = 10;

/// A decision the lead makes on a session's hours.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    /// One volunteer's hours: pending or rejected ones become approved.
    Approve(Uuid),
    /// One volunteer's pending hours are not counted.
    Reject(Uuid),
    /// Every pending hour of the session (rejected ones stay rejected).
    ApprovePending,
}

/// What the team did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Activity {
    /// 巡逻
    Patrol,
    /// 反诈宣传, with an audience count.
    AntiFraud,
    /// 交通疏导
    Traffic,
    /// 护学岗 support at the school gate.
    GateSupport,
    Other,
}

impl Activity {
    pub const ALL: [Activity; 5] = [
        Activity::Patrol,
        Activity::AntiFraud,
        Activity::Traffic,
        Activity::GateSupport,
        Activity::Other,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Activity::Patrol => "patrol",
            Activity::AntiFraud => "anti_fraud",
            Activity::Traffic => "traffic",
            Activity::GateSupport => "gate_support",
            Activity::Other => "other",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.as_str() == s)
    }
}

/// The lead's decision on one volunteer's hours in one session.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum Approval {
    #[default]
    Pending,
    /// Counted, and locked against edits (only an admin may change them).
    Approved,
    /// Not counted.
    Rejected,
}

impl Approval {
    pub fn as_str(self) -> &'static str {
        match self {
            Approval::Pending => "pending",
            Approval::Approved => "approved",
            Approval::Rejected => "rejected",
        }
    }
}

fn is_pending(a: &Approval) -> bool {
    *a == Approval::Pending
}

fn is_false(b: &bool) -> bool {
    !*b
}

fn is_zero(n: &u32) -> bool {
    *n == 0
}

/// One volunteer's part in a session: from when they joined to when they left (`None`:
/// still there, or until the session ended).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Participation {
    pub volunteer: Uuid,
    #[serde(deserialize_with = "crate::timefmt::fixed")]
    pub joined: DateTime<FixedOffset>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::timefmt::opt_fixed"
    )]
    pub left: Option<DateTime<FixedOffset>>,
    /// Standing in for an absent member (not on the session's starting roster).
    #[serde(default, skip_serializing_if = "is_false")]
    pub substitute: bool,
    #[serde(default, skip_serializing_if = "is_pending")]
    pub approval: Approval,
}

/// A duty session of a team: the record a lead makes with one tap and ends later.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DutySession {
    /// The team record's id.
    pub team: Uuid,
    pub activity: Activity,
    /// People reached by an anti-fraud talk (0 for other activities).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub audience: u32,
    /// The school post the session was at, if it was at one.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub post_id: String,
    /// Where it was, in words, when not (only) at a post.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub place: String,
    #[serde(deserialize_with = "crate::timefmt::fixed")]
    pub start: DateTime<FixedOffset>,
    /// `None` while the lead has not ended it.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::timefmt::opt_fixed"
    )]
    pub end: Option<DateTime<FixedOffset>>,
    pub participants: Vec<Participation>,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub note: String,
    /// The phone's clock when the session was first saved.
    #[serde(deserialize_with = "crate::timefmt::fixed")]
    pub device_time: DateTime<FixedOffset>,
}

/// Where a session's end comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SessionEnd {
    /// The lead ended it.
    Ended(DateTime<FixedOffset>),
    /// Still open and within the limit: counted up to `now`.
    Running(DateTime<FixedOffset>),
    /// Left open past the limit: closed at start + limit, for the lead to confirm.
    AutoClosed(DateTime<FixedOffset>),
}

impl SessionEnd {
    pub fn at(self) -> DateTime<FixedOffset> {
        match self {
            SessionEnd::Ended(t) | SessionEnd::Running(t) | SessionEnd::AutoClosed(t) => t,
        }
    }

    pub fn needs_confirmation(self) -> bool {
        matches!(self, SessionEnd::AutoClosed(_))
    }
}

/// One volunteer's counted time in one session.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CountedSpan {
    pub volunteer: Uuid,
    pub from: DateTime<FixedOffset>,
    pub to: DateTime<FixedOffset>,
    pub approval: Approval,
}

impl CountedSpan {
    pub fn minutes(&self) -> i64 {
        (self.to - self.from).num_minutes()
    }
}

impl DutySession {
    /// When the session counts as ended at `now`, given the open-session `limit`.
    pub fn end_at(&self, now: DateTime<FixedOffset>, limit: Duration) -> SessionEnd {
        let cap = self.start + limit;
        match self.end {
            Some(end) => SessionEnd::Ended(end.max(self.start)),
            None if now >= cap => SessionEnd::AutoClosed(cap),
            None => SessionEnd::Running(now.max(self.start)),
        }
    }

    /// Each participant's counted span: their own join/leave clipped to the session
    /// (ending the session closes every open participant). Empty spans are dropped.
    pub fn spans(&self, now: DateTime<FixedOffset>, limit: Duration) -> Vec<CountedSpan> {
        let end = self.end_at(now, limit).at();
        self.participants
            .iter()
            .filter_map(|p| {
                let from = p.joined.max(self.start);
                let to = p.left.map_or(end, |l| l.min(end));
                (to > from).then_some(CountedSpan {
                    volunteer: p.volunteer,
                    from,
                    to,
                    approval: p.approval,
                })
            })
            .collect()
    }

    pub fn participant(&self, volunteer: Uuid) -> Option<&Participation> {
        self.participants.iter().find(|p| p.volunteer == volunteer)
    }

    /// Whether any volunteer's hours in this session are approved (and so locked).
    pub fn has_approved(&self) -> bool {
        self.participants
            .iter()
            .any(|p| p.approval == Approval::Approved)
    }

    /// Whether `next` (a later state of this session) changes hours already approved
    /// here: who was there and when, the session's own times or team. Approving more
    /// hours, rejecting pending ones and editing the note or place are not changes to
    /// approved hours; everything else needs an admin.
    pub fn changes_approved_hours(&self, next: &DutySession) -> bool {
        if !self.has_approved() {
            return false;
        }
        if (self.team, self.start, self.end) != (next.team, next.start, next.end) {
            return true;
        }
        self.participants
            .iter()
            .filter(|p| p.approval == Approval::Approved)
            .any(|p| !next.participants.contains(p))
    }

    /// This session with its start and end corrected (the lead forgot to tap, or
    /// tapped late). Participants who joined with the start or left with the end move
    /// with it; late arrivals and early departures keep their own times.
    pub fn retimed(
        &self,
        start: DateTime<FixedOffset>,
        end: Option<DateTime<FixedOffset>>,
    ) -> DutySession {
        let mut next = self.clone();
        for p in &mut next.participants {
            if p.joined <= self.start {
                p.joined = start;
            }
            if p.left.is_some() && p.left == self.end {
                p.left = end;
            }
        }
        next.start = start;
        next.end = end;
        next
    }

    /// This later state with the approvals `held` already has put back: how two phones'
    /// decisions on one session combine (a deputy approved X while the lead, not yet
    /// knowing, approved Y). `None` when that is not enough — this state still changes
    /// approved hours (times, people, team): then only an admin may.
    pub fn rebased_on(&self, held: &DutySession) -> Option<DutySession> {
        let mut merged = self.clone();
        for p in &mut merged.participants {
            if held.participant(p.volunteer).map(|h| h.approval) == Some(Approval::Approved) {
                p.approval = Approval::Approved;
            }
        }
        (!held.changes_approved_hours(&merged)).then_some(merged)
    }

    /// The attendance toggle of a running session, tapped at `now` for `volunteer`
    /// (`on_roster`: an active member of the team, else a substitute). Not on it: they
    /// join. Gone early: they are back (or a mis-tap is undone). There: unticked within
    /// `ABSENT_WITHIN_MINUTES` of joining they were absent and leave the list; later,
    /// they left early, and the time served stays.
    pub fn toggle_attendance(
        &mut self,
        volunteer: Uuid,
        on_roster: bool,
        now: DateTime<FixedOffset>,
    ) {
        let at = now.max(self.start);
        let Some(i) = self
            .participants
            .iter()
            .position(|p| p.volunteer == volunteer)
        else {
            self.participants.push(Participation {
                volunteer,
                joined: at,
                left: None,
                substitute: !on_roster,
                approval: Approval::Pending,
            });
            return;
        };
        let p = &mut self.participants[i];
        if p.left.is_some() {
            p.left = None;
        } else if at - p.joined < Duration::minutes(ABSENT_WITHIN_MINUTES) {
            self.participants.remove(i);
        } else {
            p.left = Some(at);
        }
    }

    /// `volunteer` leaves the running session early, at `now` (never before they came).
    pub fn mark_left(&mut self, volunteer: Uuid, now: DateTime<FixedOffset>) {
        if let Some(p) = self
            .participants
            .iter_mut()
            .find(|p| p.volunteer == volunteer)
        {
            p.left = Some(now.max(p.joined));
        }
    }

    /// The lead ends the session at `now`; left open past `limit`, it ends at the limit
    /// (the lead can still retime it after).
    pub fn end_now(&mut self, now: DateTime<FixedOffset>, limit: Duration) {
        self.end = Some(now.clamp(self.start, self.start + limit));
    }

    /// Applies the lead's `decision`; how many volunteers' hours it changed (0: nothing
    /// to save). Never undoes an approval (approved hours are locked), and approving
    /// "everything pending" leaves rejections alone.
    pub fn decide(&mut self, decision: Decision) -> usize {
        let mut changed = 0;
        for p in &mut self.participants {
            let to = match decision {
                Decision::Approve(who)
                    if who == p.volunteer && p.approval != Approval::Approved =>
                {
                    Approval::Approved
                }
                Decision::Reject(who) if who == p.volunteer && p.approval == Approval::Pending => {
                    Approval::Rejected
                }
                Decision::ApprovePending if p.approval == Approval::Pending => Approval::Approved,
                _ => continue,
            };
            p.approval = to;
            changed += 1;
        }
        changed
    }

    /// Whether any volunteer's hours here wait for the lead's decision.
    pub fn has_pending(&self) -> bool {
        self.participants
            .iter()
            .any(|p| p.approval == Approval::Pending)
    }

    /// This session retimed to `start`–`end` read on the session's own day and clock
    /// (the edit form's two times). An end before the start is past midnight: evening
    /// patrols run late.
    /// (`None` only if its clock could not place the times: a fixed offset always can.)
    pub fn retimed_on_its_day(&self, start: NaiveTime, end: NaiveTime) -> Option<DutySession> {
        let day = self.start.date_naive();
        let offset = *self.start.offset();
        let at = |time: NaiveTime| day.and_time(time).and_local_timezone(offset).single();
        let from = at(start)?;
        let mut to = at(end)?;
        if to < from {
            to += Duration::days(1);
        }
        Some(self.retimed(from, Some(to)))
    }

    /// Who was expected (`expected`: the team's members expected that day) and is not
    /// on the session: never ticked, or unticked as absent (`toggle_attendance`).
    /// In `expected`'s order, each once.
    pub fn absentees(&self, expected: impl IntoIterator<Item = Uuid>) -> Vec<Uuid> {
        let mut out: Vec<Uuid> = Vec::new();
        for who in expected {
            if self.participant(who).is_none() && !out.contains(&who) {
                out.push(who);
            }
        }
        out
    }

    pub fn validate(&self) -> Result<(), ValidationError> {
        if self.team.is_nil() {
            return Err(ValidationError::NilId);
        }
        if !self.post_id.is_empty() && !valid_post_id(&self.post_id) {
            return Err(ValidationError::BadPostId);
        }
        if !within(&self.place, MAX_PLACE_CHARS) {
            return Err(ValidationError::PlaceTooLong);
        }
        if !within(&self.note, MAX_NOTE_CHARS) {
            return Err(ValidationError::NoteTooLong);
        }
        if self.audience > MAX_AUDIENCE
            || (self.audience > 0 && self.activity != Activity::AntiFraud)
        {
            return Err(ValidationError::BadAudience);
        }
        if self.end.is_some_and(|end| end < self.start) {
            return Err(ValidationError::EndBeforeStart);
        }
        if self.participants.len() > MAX_PARTICIPANTS {
            return Err(ValidationError::TooManyParticipants);
        }
        let mut seen = std::collections::BTreeSet::new();
        for p in &self.participants {
            if p.volunteer.is_nil() || !seen.insert(p.volunteer) {
                return Err(ValidationError::BadParticipant);
            }
            if p.left.is_some_and(|left| left < p.joined) {
                return Err(ValidationError::EndBeforeStart);
            }
            if p.approval == Approval::Approved && self.end.is_none() {
                return Err(ValidationError::ApprovedWhileOpen);
            }
        }
        Ok(())
    }
}

/// Total length of `spans` with overlaps counted once.
pub fn merged_minutes(mut spans: Vec<Span>) -> i64 {
    sorting::sort(&mut spans);
    let mut total = Duration::zero();
    let mut current: Option<Span> = None;
    for (from, to) in spans {
        current = match current {
            Some((a, b)) if from <= b => Some((a, b.max(to))),
            Some((a, b)) => {
                total += b - a;
                Some((from, to))
            }
            None => Some((from, to)),
        };
    }
    if let Some((a, b)) = current {
        total += b - a;
    }
    total.num_minutes()
}

/// Minutes of duty per volunteer over `sessions`, rejected hours left out. A
/// volunteer's overlapping spans (two sessions at once) count once.
pub fn minutes_per_volunteer<'a>(
    sessions: impl IntoIterator<Item = &'a DutySession>,
    now: DateTime<FixedOffset>,
    limit: Duration,
) -> BTreeMap<Uuid, i64> {
    let mut spans: BTreeMap<Uuid, Vec<Span>> = BTreeMap::new();
    for session in sessions {
        for s in session.spans(now, limit) {
            if s.approval != Approval::Rejected {
                spans.entry(s.volunteer).or_default().push((s.from, s.to));
            }
        }
    }
    spans
        .into_iter()
        .map(|(who, list)| (who, merged_minutes(list)))
        .collect()
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use proptest::prelude::*;

    type Edit = Box<dyn Fn(&mut DutySession)>;

    pub fn t(hhmm: &str) -> DateTime<FixedOffset> {
        DateTime::parse_from_rfc3339(&format!("2026-11-25T{hhmm}:00+08:00")).unwrap()
    }

    pub fn vol(n: u128) -> Uuid {
        Uuid::from_u128(n)
    }

    pub fn part(n: u128, joined: &str, left: Option<&str>) -> Participation {
        Participation {
            volunteer: vol(n),
            joined: t(joined),
            left: left.map(t),
            substitute: false,
            approval: Approval::Pending,
        }
    }

    /// A session of volunteers 1-3, each joined at `joined`.
    pub fn crew(start: &str, end: Option<&str>, joined: [&str; 3]) -> DutySession {
        let parts = (1..=3)
            .zip(joined)
            .map(|(n, at)| part(n, at, None))
            .collect();
        session(start, end, parts)
    }

    pub fn session(
        start: &str,
        end: Option<&str>,
        participants: Vec<Participation>,
    ) -> DutySession {
        DutySession {
            team: Uuid::from_u128(900),
            activity: Activity::Patrol,
            audience: 0,
            post_id: String::new(),
            place: String::new(),
            start: t(start),
            end: end.map(t),
            participants,
            note: String::new(),
            device_time: t(start),
        }
    }

    #[test]
    fn session_end_table() {
        let limit = DEFAULT_OPEN_LIMIT;
        let open = session("07:00", None, vec![]);
        assert_eq!(
            open.end_at(t("09:00"), limit),
            SessionEnd::Running(t("09:00"))
        );
        assert_eq!(
            open.end_at(t("13:00"), limit),
            SessionEnd::AutoClosed(t("13:00"))
        );
        assert_eq!(
            open.end_at(t("20:00"), limit),
            SessionEnd::AutoClosed(t("13:00"))
        );
        assert!(open.end_at(t("20:00"), limit).needs_confirmation());
        let ended = DutySession {
            end: Some(t("08:00")),
            ..open.clone()
        };
        assert_eq!(
            ended.end_at(t("20:00"), limit),
            SessionEnd::Ended(t("08:00"))
        );
        // A phone clock that put the end before the start counts nothing, never negative.
        let backwards = DutySession {
            end: Some(t("06:00")),
            ..open
        };
        assert_eq!(
            backwards.end_at(t("20:00"), limit),
            SessionEnd::Ended(t("07:00"))
        );
    }

    #[test]
    fn hours_table() {
        let limit = DEFAULT_OPEN_LIMIT;
        let now = t("20:00");
        let mut rejected = part(6, "07:00", None);
        rejected.approval = Approval::Rejected;
        let morning = session(
            "07:00",
            Some("08:30"),
            vec![
                part(1, "07:00", None),          // whole session: 90
                part(2, "07:20", None),          // late: 70
                part(3, "06:30", Some("08:00")), // early arrival clipped, left early: 60
                part(4, "08:40", None),          // came after the end: nothing
                rejected,                        // rejected by the lead: nothing
            ],
        );
        // Volunteer 1 also on an overlapping session 08:00-09:00: counts 07:00-09:00 once.
        let overlap = session("08:00", Some("09:00"), vec![part(1, "08:00", None)]);
        // Left open all day: closed at 6 h.
        let forgotten = session("10:00", None, vec![part(5, "10:00", None)]);
        let hours = minutes_per_volunteer(&[morning, overlap, forgotten], now, limit);
        assert_eq!(hours.get(&vol(1)), Some(&120));
        assert_eq!(hours.get(&vol(2)), Some(&70));
        assert_eq!(hours.get(&vol(3)), Some(&60));
        assert_eq!(hours.get(&vol(4)), None);
        assert_eq!(hours.get(&vol(5)), Some(&360));
        assert_eq!(hours.get(&vol(6)), None);
    }

    #[test]
    fn approved_hours_are_locked() {
        let mut done = session(
            "07:00",
            Some("08:00"),
            vec![part(1, "07:00", None), part(2, "07:10", None)],
        );
        let unapproved = done.clone();
        // Before any approval everything may change.
        let mut moved = done.clone();
        moved.start = t("06:50");
        assert!(!unapproved.changes_approved_hours(&moved));

        done.participants[0].approval = Approval::Approved;
        // Approving the rest, rejecting, or editing note and place: allowed.
        let mut more = done.clone();
        more.participants[1].approval = Approval::Approved;
        more.note = "雨天".into();
        more.place = "东门".into();
        assert!(!done.changes_approved_hours(&more));
        let mut rejected = done.clone();
        rejected.participants[1].approval = Approval::Rejected;
        assert!(!done.changes_approved_hours(&rejected));
        // Editing a pending participant's times: allowed.
        let mut late = done.clone();
        late.participants[1].joined = t("07:30");
        assert!(!done.changes_approved_hours(&late));

        // Anything touching approved hours: refused.
        let cases: Vec<Edit> = vec![
            Box::new(|s| s.participants[0].left = Some(t("07:30"))),
            Box::new(|s| s.participants[0].joined = t("07:05")),
            Box::new(|s| s.participants[0].approval = Approval::Pending),
            Box::new(|s| {
                s.participants.remove(0);
            }),
            Box::new(|s| s.end = Some(t("09:00"))),
            Box::new(|s| s.start = t("06:00")),
            Box::new(|s| s.team = Uuid::from_u128(901)),
        ];
        for (n, edit) in cases.iter().enumerate() {
            let mut next = done.clone();
            edit(&mut next);
            assert!(done.changes_approved_hours(&next), "case {n}");
        }
    }

    #[test]
    fn retiming_moves_those_who_came_with_the_start() {
        let mut late = part(2, "07:20", Some("07:50"));
        late.substitute = true;
        let s = session(
            "07:00",
            Some("08:00"),
            vec![part(1, "07:00", None), late.clone()],
        );
        let fixed = s.retimed(t("06:45"), Some(t("08:15")));
        assert_eq!(fixed.start, t("06:45"));
        assert_eq!(fixed.end, Some(t("08:15")));
        assert_eq!(fixed.participants[0].joined, t("06:45"));
        assert_eq!(fixed.participants[1], late, "own times are kept");
        let hours = minutes_per_volunteer([&fixed], t("20:00"), DEFAULT_OPEN_LIMIT);
        assert_eq!(hours[&vol(1)], 90);
    }

    #[test]
    fn decisions_from_two_phones_combine_but_changed_hours_do_not() {
        let ended = crew("07:00", Some("08:00"), ["07:00", "07:00", "07:00"]);
        // The deputy approved volunteer 1; the lead, not knowing, approved 2 and
        // rejected 3.
        let mut deputy = ended.clone();
        deputy.participants[0].approval = Approval::Approved;
        let mut lead = ended.clone();
        lead.participants[1].approval = Approval::Approved;
        lead.participants[2].approval = Approval::Rejected;
        assert!(
            deputy.changes_approved_hours(&lead),
            "as sent, it would un-approve 1"
        );
        let merged = lead.rebased_on(&deputy).unwrap();
        let decisions: Vec<Approval> = merged.participants.iter().map(|p| p.approval).collect();
        assert_eq!(
            decisions,
            [Approval::Approved, Approval::Approved, Approval::Rejected]
        );
        // Shortening the session as well: no merge makes that acceptable.
        let mut shorter = lead.clone();
        shorter.end = Some(t("07:30"));
        assert_eq!(shorter.rebased_on(&deputy), None);
        let mut dropped = lead;
        dropped.participants.remove(0);
        assert_eq!(dropped.rebased_on(&deputy), None);
    }

    #[test]
    fn validation_table() {
        let ok = session("07:00", Some("08:00"), vec![part(1, "07:00", None)]);
        assert_eq!(ok.validate(), Ok(()));
        let cases: Vec<(Edit, ValidationError)> = vec![
            (
                Box::new(|s| s.end = Some(t("06:00"))),
                ValidationError::EndBeforeStart,
            ),
            (
                Box::new(|s| s.participants[0].left = Some(t("06:00"))),
                ValidationError::EndBeforeStart,
            ),
            (
                Box::new(|s| s.participants.push(part(1, "07:30", None))),
                ValidationError::BadParticipant,
            ),
            (Box::new(|s| s.audience = 40), ValidationError::BadAudience),
            (
                Box::new(|s| {
                    s.activity = Activity::AntiFraud;
                    s.audience = MAX_AUDIENCE + 1;
                }),
                ValidationError::BadAudience,
            ),
            (
                Box::new(|s| {
                    s.end = None;
                    s.participants[0].approval = Approval::Approved;
                }),
                ValidationError::ApprovedWhileOpen,
            ),
            (
                Box::new(|s| s.post_id = "a b".into()),
                ValidationError::BadPostId,
            ),
            (
                Box::new(|s| s.place = "x".repeat(101)),
                ValidationError::PlaceTooLong,
            ),
            (Box::new(|s| s.team = Uuid::nil()), ValidationError::NilId),
        ];
        for (edit, want) in cases {
            let mut s = ok.clone();
            edit(&mut s);
            assert_eq!(s.validate(), Err(want));
        }
        let mut talk = ok.clone();
        talk.activity = Activity::AntiFraud;
        talk.audience = 120;
        assert_eq!(talk.validate(), Ok(()));
    }

    #[test]
    fn attendance_toggle_table() {
        // (ticked at, state before, on the roster, what the participant becomes)
        // "none": not on the session.
        let joined_0700 = || part(1, "07:00", None);
        let cases: Vec<(&str, Option<Participation>, bool, Option<Participation>)> = vec![
            // Not on it: joins now, a substitute when not on the roster.
            ("07:20", None, true, Some(part(1, "07:20", None))),
            (
                "07:20",
                None,
                false,
                Some(Participation {
                    substitute: true,
                    ..part(1, "07:20", None)
                }),
            ),
            // Ticked before the start (clock skew): joins at the start.
            ("06:50", None, true, Some(part(1, "07:00", None))),
            // Unticked within 10 minutes of joining: absent, off the list.
            ("07:09", Some(joined_0700()), true, None),
            // At 10 minutes or later: left early, the time served stays.
            (
                "07:10",
                Some(joined_0700()),
                true,
                Some(part(1, "07:00", Some("07:10"))),
            ),
            (
                "08:00",
                Some(joined_0700()),
                true,
                Some(part(1, "07:00", Some("08:00"))),
            ),
            // Gone early and ticked again: back (or a mis-tap undone).
            (
                "08:30",
                Some(part(1, "07:00", Some("08:00"))),
                true,
                Some(joined_0700()),
            ),
        ];
        for (n, (at, before, on_roster, want)) in cases.into_iter().enumerate() {
            let mut s = session("07:00", None, before.into_iter().collect());
            s.toggle_attendance(vol(1), on_roster, t(at));
            assert_eq!(s.participant(vol(1)), want.as_ref(), "case {n}");
        }
    }

    #[test]
    fn leaving_and_ending_never_go_back_in_time() {
        let mut s = session("07:00", None, vec![part(1, "07:30", None)]);
        s.mark_left(vol(1), t("07:10"));
        assert_eq!(
            s.participants[0].left,
            Some(t("07:30")),
            "not before they came"
        );
        s.mark_left(vol(2), t("08:00"));
        assert_eq!(s.participants.len(), 1, "nobody else is added");
        for (now, end) in [("08:00", "08:00"), ("06:00", "07:00"), ("20:00", "13:00")] {
            let mut open = session("07:00", None, vec![]);
            open.end_now(t(now), DEFAULT_OPEN_LIMIT);
            assert_eq!(open.end, Some(t(end)), "ended at {now}");
        }
    }

    #[test]
    fn decisions_table() {
        use Approval::{Approved as A, Pending as P, Rejected as R};
        let at = |approvals: [Approval; 3]| {
            let mut s = crew("07:00", Some("08:00"), ["07:00", "07:00", "07:00"]);
            for (p, a) in s.participants.iter_mut().zip(approvals) {
                p.approval = a;
            }
            s
        };
        // (before, decision, after, changed)
        let cases = [
            ([P, P, P], Decision::Approve(vol(2)), [P, A, P], 1),
            ([P, R, P], Decision::Approve(vol(2)), [P, A, P], 1),
            ([P, A, P], Decision::Approve(vol(2)), [P, A, P], 0),
            ([P, P, P], Decision::Reject(vol(3)), [P, P, R], 1),
            // Approved hours are locked: a rejection does not undo them.
            ([A, P, P], Decision::Reject(vol(1)), [A, P, P], 0),
            ([P, R, A], Decision::ApprovePending, [A, R, A], 1),
            ([A, A, R], Decision::ApprovePending, [A, A, R], 0),
            ([P, P, P], Decision::Approve(vol(9)), [P, P, P], 0),
        ];
        for (n, (before, decision, after, changed)) in cases.into_iter().enumerate() {
            let held = at(before);
            let mut s = held.clone();
            assert_eq!(s.decide(decision), changed, "case {n}");
            assert_eq!(s, at(after), "case {n}");
            assert!(
                !held.changes_approved_hours(&s),
                "case {n}: a decision is never a change"
            );
        }
        assert!(at([P, A, R]).has_pending());
        assert!(!at([A, A, R]).has_pending());
    }

    #[test]
    fn retiming_on_the_sessions_day_table() {
        let hm = |s: &str| NaiveTime::parse_from_str(s, "%H:%M").unwrap();
        let s = session("19:00", Some("21:00"), vec![part(1, "19:00", None)]);
        // (start, end, new start, new end)
        let next_day = |hhmm: &str| t(hhmm) + Duration::days(1);
        let cases = [
            ("18:45", "21:15", t("18:45"), t("21:15")),
            // An end before the start is past midnight.
            ("19:00", "00:30", t("19:00"), next_day("00:30")),
            ("22:00", "01:00", t("22:00"), next_day("01:00")),
            // The same time: a session of nothing, not of a day.
            ("19:00", "19:00", t("19:00"), t("19:00")),
        ];
        for (start, end, from, to) in cases {
            let next = s.retimed_on_its_day(hm(start), hm(end)).unwrap();
            assert_eq!((next.start, next.end), (from, Some(to)), "{start}-{end}");
            assert_eq!(
                next.participants[0].joined, from,
                "who came with the start moves"
            );
            assert_eq!(next.validate(), Ok(()));
        }
    }

    #[test]
    fn absentees_are_the_expected_not_on_the_session() {
        let mut s = crew("07:00", None, ["07:00", "07:00", "07:30"]);
        // 2 unticked a minute in: absent. 3 came late and stays. 5 never ticked.
        s.toggle_attendance(vol(2), true, t("07:01"));
        s.end_now(t("08:00"), DEFAULT_OPEN_LIMIT);
        let expected = [vol(1), vol(2), vol(3), vol(5), vol(5)];
        assert_eq!(s.absentees(expected), [vol(2), vol(5)]);
        assert_eq!(s.absentees([]), Vec::<Uuid>::new());
    }

    pub fn arb_session() -> impl Strategy<Value = DutySession> {
        (
            0i64..600,
            proptest::option::of(0i64..600),
            proptest::collection::vec(
                (1u128..6, 0i64..700, proptest::option::of(0i64..700), 0u8..3),
                0..5,
            ),
        )
            .prop_map(|(start, len, parts)| {
                let base = t("06:00");
                let at = |m: i64| base + Duration::minutes(m);
                let mut s = session("06:00", None, vec![]);
                s.start = at(start);
                s.end = len.map(|l| at(start + l));
                s.participants = parts
                    .into_iter()
                    .map(|(v, j, l, a)| Participation {
                        volunteer: vol(v),
                        joined: at(j),
                        left: l.map(at),
                        substitute: false,
                        approval: [Approval::Pending, Approval::Approved, Approval::Rejected]
                            [usize::from(a)],
                    })
                    .collect();
                s
            })
    }

    proptest! {
        #[test]
        fn hours_depend_on_the_sessions_not_their_order_and_stay_within_bounds(
            sessions in proptest::collection::vec(arb_session(), 0..6),
        ) {
            let now = t("23:00");
            let limit = DEFAULT_OPEN_LIMIT;
            let forward = minutes_per_volunteer(&sessions, now, limit);
            let mut reversed = sessions.clone();
            reversed.reverse();
            prop_assert_eq!(&forward, &minutes_per_volunteer(&reversed, now, limit));
            // Never more than the sum of the sessions' lengths, never negative.
            let total: i64 = sessions.iter().map(|s| (s.end_at(now, limit).at() - s.start).num_minutes()).sum();
            for minutes in forward.values() {
                prop_assert!(*minutes >= 0 && *minutes <= total);
            }
            // Repeating every session adds nothing: overlaps count once.
            let doubled: Vec<DutySession> = sessions.iter().chain(sessions.iter()).cloned().collect();
            prop_assert_eq!(&forward, &minutes_per_volunteer(&doubled, now, limit));
        }

        #[test]
        fn a_session_never_changes_its_own_approved_hours(s in arb_session()) {
            prop_assert!(!s.changes_approved_hours(&s));
        }

        #[test]
        fn no_decision_changes_approved_hours_or_breaks_a_valid_session(
            s in arb_session(),
            who in 0u128..7,
            kind in 0u8..3,
        ) {
            let decision = match kind {
                0 => Decision::Approve(vol(who)),
                1 => Decision::Reject(vol(who)),
                _ => Decision::ApprovePending,
            };
            let mut next = s.clone();
            next.decide(decision);
            prop_assert!(!s.changes_approved_hours(&next));
            // Counted time never moves: only who is approved.
            let now = t("23:00");
            let times = |x: &DutySession| x.spans(now, DEFAULT_OPEN_LIMIT).iter().map(|c| (c.volunteer, c.from, c.to)).collect::<Vec<_>>();
            prop_assert_eq!(times(&s), times(&next));
        }

        #[test]
        fn toggling_twice_quickly_leaves_the_list_as_it_was(
            s in arb_session(),
            who in 1u128..7,
            minute in 0i64..600,
        ) {
            // Ticked by mistake and unticked at once: nothing happened.
            let now = t("06:00") + Duration::minutes(minute);
            let mut open = s.clone();
            open.end = None;
            prop_assume!(open.participant(vol(who)).is_none() && now >= open.start);
            let mut next = open.clone();
            next.toggle_attendance(vol(who), true, now);
            next.toggle_attendance(vol(who), true, now);
            prop_assert_eq!(next, open);
        }
    }
}
