//! The lead's side of the state: teams, rosters and duty sessions on this phone, the
//! typed errors of its saves and the typed actions of the team screens' rows.
//!
//! Team records are ordinary records (saved durably, synced, voided rather than
//! deleted). Unlike an officer's check-ins, any phone holding them may edit them: a
//! team is kept by whoever leads it, until accounts (issue 5) say who that is.

use chrono::{DateTime, FixedOffset};
use gatewatch_model::duty::{Activity, Approval, Decision, DutySession, Participation};
use gatewatch_model::sorting;
use gatewatch_model::team::{phone_entry, PhoneError, Team, Volunteer};
use gatewatch_model::{Record, RecordBody, ValidationError};
use leptos::prelude::*;
use uuid::Uuid;

use crate::i18n::Msg;
use crate::state::{AppState, SaveError, SaveResult};
use crate::storage::StorageError;

/// Why a team record was not saved: a refusal (the lead can fix what they typed) is
/// not a storage failure (the phone could not keep it), and each says so in words.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum TeamError {
    /// The record breaks a rule of the model.
    #[error(transparent)]
    Invalid(#[from] ValidationError),
    /// The typed phone number is not a mobile number.
    #[error(transparent)]
    Phone(#[from] PhoneError),
    /// The edit would change hours already approved (only an admin may).
    #[error("approved hours are locked")]
    HoursLocked,
    /// The record is not (or no longer) on this phone.
    #[error("no such record on this phone")]
    NotHeld,
    /// Times that do not read as times.
    #[error("times are not readable")]
    BadTimes,
    /// The phone could not keep it (or the shared save path refused it).
    #[error(transparent)]
    Save(SaveError),
}

impl From<StorageError> for TeamError {
    fn from(e: StorageError) -> Self {
        TeamError::Save(SaveError::Storage(e))
    }
}

impl From<SaveError> for TeamError {
    fn from(e: SaveError) -> Self {
        match e {
            SaveError::Invalid(e) => TeamError::Invalid(e),
            SaveError::HoursLocked => TeamError::HoursLocked,
            other => TeamError::Save(other),
        }
    }
}

impl TeamError {
    /// What the lead reads, in the UI's language.
    pub fn message(&self, state: AppState) -> String {
        let msg = match self {
            TeamError::Invalid(e) => Self::invalid(e),
            TeamError::Phone(PhoneError::NotMobile) => Msg::PhoneNotMobile,
            TeamError::HoursLocked => Msg::HoursLocked,
            TeamError::NotHeld => Msg::NotOnPhone,
            TeamError::BadTimes => Msg::BadTimes,
            TeamError::Save(e) => return e.message(state),
        };
        state.t(msg).to_string()
    }

    /// The refusals a team screen can meet, each in words; the rest are other screens'.
    fn invalid(e: &ValidationError) -> Msg {
        match e {
            ValidationError::BadName => Msg::NameRequired,
            ValidationError::BadPhone => Msg::PhoneInvalid,
            ValidationError::PlaceTooLong => Msg::PlaceTooLong,
            ValidationError::BadAudience => Msg::BadAudience,
            ValidationError::EndBeforeStart => Msg::EndBeforeStart,
            _ => Msg::RefusedInvalid,
        }
    }
}

/// What a tap on a team screen's row asks for: the `data-action` its button carries,
/// written and read by this one enum. An action it does not know does nothing (it once
/// approved hours).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RowAction {
    /// Ask to approve (one volunteer, or the whole session): the row then asks again.
    Approve,
    /// The second tap that approves.
    ConfirmApprove,
    /// Withdraws the question.
    Cancel,
    Reject,
    /// Opens the session's correction form.
    Edit,
    /// Ticks or unticks a volunteer on a running session.
    Toggle,
    /// A volunteer leaves a running session early.
    Leave,
    /// Takes the server's state of a refused record.
    Adopt,
}

impl RowAction {
    pub const ALL: [RowAction; 8] = [
        RowAction::Approve,
        RowAction::ConfirmApprove,
        RowAction::Cancel,
        RowAction::Reject,
        RowAction::Edit,
        RowAction::Toggle,
        RowAction::Leave,
        RowAction::Adopt,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            RowAction::Approve => "approve",
            RowAction::ConfirmApprove => "confirm-approve",
            RowAction::Cancel => "cancel",
            RowAction::Reject => "reject",
            RowAction::Edit => "edit",
            RowAction::Toggle => "toggle",
            RowAction::Leave => "leave",
            RowAction::Adopt => "adopt",
        }
    }

    pub fn parse(s: &str) -> Option<RowAction> {
        Self::ALL.into_iter().find(|a| a.as_str() == s)
    }

    /// The action of a tapped row element and the element (`None`: not a row action,
    /// or one this app does not know — then nothing happens).
    pub fn of_event(ev: &web_sys::Event) -> Option<(RowAction, web_sys::Element)> {
        let (name, el) = crate::components::html::action(ev)?;
        Some((Self::parse(&name)?, el))
    }
}

/// The phone's clock now, with its UTC offset (what records store).
pub fn local_now() -> DateTime<FixedOffset> {
    chrono::Local::now().fixed_offset()
}

/// What the lead picks before starting a session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionDraft {
    pub team: Uuid,
    pub activity: Activity,
    pub post_id: String,
    pub place: String,
    pub audience: u32,
}

impl AppState {
    /// Records of one kind that still count, with their ids (reactive on records).
    fn live<T: Clone>(&self, pick: impl Fn(&RecordBody) -> Option<&T>) -> Vec<(Uuid, T)> {
        self.records.with(|map| {
            map.values()
                .filter(|l| l.record.counts())
                .filter_map(|l| pick(&l.record.body).map(|b| (l.record.id, b.clone())))
                .collect()
        })
    }

    /// The teams this phone knows, by name.
    pub fn teams(&self) -> Vec<(Uuid, Team)> {
        let mut teams = self.live(|b| match b {
            RecordBody::Team(t) => Some(t),
            _ => None,
        });
        sorting::sort_by(&mut teams, |a, b| a.1.name.cmp(&b.1.name));
        teams
    }

    /// The teams this phone follows (their rosters and sessions are on it), by name.
    pub fn followed(&self) -> Vec<(Uuid, Team)> {
        let followed = self.followed_teams.get();
        let mut teams = self.teams();
        teams.retain(|(id, _)| followed.contains(id));
        teams
    }

    /// A team's members: active first, then paused, then those who left; by name.
    pub fn roster(&self, team: Uuid) -> Vec<(Uuid, Volunteer)> {
        let mut members = self.live(|b| match b {
            RecordBody::Volunteer(v) if v.team == team => Some(v),
            _ => None,
        });
        sorting::sort_by(&mut members, |a, b| {
            (a.1.status, &a.1.name).cmp(&(b.1.status, &b.1.name))
        });
        members
    }

    /// A team's sessions, newest first.
    pub fn sessions(&self, team: Uuid) -> Vec<(Uuid, DutySession)> {
        let mut sessions = self.live(|b| match b {
            RecordBody::Duty(d) if d.team == team => Some(d),
            _ => None,
        });
        sorting::sort_by_key(&mut sessions, |s| std::cmp::Reverse(s.1.start));
        sessions
    }

    /// Saves a new record (a team, a member, a session).
    pub async fn create(&self, body: RecordBody) -> Result<SaveResult, TeamError> {
        let version = self.next_version()?;
        let record = Record::new(Uuid::new_v4(), version, body);
        // Refused here, typed, before `save` (which would say it as a storage error).
        record.validate()?;
        Ok(self.save(record).await?)
    }

    /// Saves the next state of a team record; refuses changes to approved hours.
    pub async fn revise(&self, id: Uuid, body: RecordBody) -> Result<SaveResult, TeamError> {
        let current = self
            .records
            .with_untracked(|m| m.get(&id).map(|l| l.record.clone()))
            .ok_or(TeamError::NotHeld)?;
        let version = self.next_version()?;
        // Team records change as the work goes on (a tick, an end, an approval): the next
        // version, not a correction — `edits` counts an officer's corrections.
        let next = current.revised(version, body);
        next.validate()?;
        if current.changes_approved_hours(&next) {
            return Err(TeamError::HoursLocked);
        }
        Ok(self.save(next).await?)
    }

    /// Adds a member (`id` None) or saves the next state of one, with the phone number
    /// as typed (`phone_entry`: a mobile number, or the one held, untouched).
    pub async fn save_member(
        &self,
        id: Option<Uuid>,
        mut member: Volunteer,
        typed_phone: &str,
    ) -> Result<SaveResult, TeamError> {
        member.phone = phone_entry(typed_phone, &member.phone)?;
        let body = RecordBody::Volunteer(member);
        match id {
            Some(id) => self.revise(id, body).await,
            None => self.create(body).await,
        }
    }

    /// The lead's decision on a session's hours; nothing is saved when it changes
    /// nothing (approved already, say, on another phone).
    pub async fn decide(&self, id: Uuid, decision: Decision) -> Result<(), TeamError> {
        let mut preview = self.duty(id).ok_or(TeamError::NotHeld)?;
        if preview.decide(decision) == 0 {
            return Ok(());
        }
        self.revise_session(
            id,
            Box::new(move |d| {
                d.decide(decision);
            }),
        )
        .await
        .map(|_| ())
    }

    /// The body of record `id` if `pick` takes it (reactive on records): what one row
    /// of a keyed list shows.
    pub fn body_of<T: Clone>(
        &self,
        id: Uuid,
        pick: impl Fn(&RecordBody) -> Option<&T>,
    ) -> Option<T> {
        self.records
            .with(|m| m.get(&id).and_then(|l| pick(&l.record.body)).cloned())
    }

    /// The duty session `id` as the phone holds it now (not reactive).
    pub fn duty(&self, id: Uuid) -> Option<DutySession> {
        untrack(|| {
            self.body_of(id, |b| match b {
                RecordBody::Duty(d) => Some(d),
                _ => None,
            })
        })
    }

    /// Changes a duty session as the phone holds it when the save starts (not as a
    /// screen last drew it), so quick successive taps each build on the one before.
    pub async fn revise_session(
        &self,
        id: Uuid,
        edit: Box<dyn FnOnce(&mut DutySession)>,
    ) -> Result<SaveResult, TeamError> {
        let mut session = self.duty(id).ok_or(TeamError::NotHeld)?;
        edit(&mut session);
        self.revise(id, RecordBody::Duty(session)).await
    }

    /// Starts a session now with the team's whole active roster on it.
    pub async fn start_session(&self, draft: SessionDraft) -> Result<SaveResult, TeamError> {
        let now = local_now();
        let participants = self
            .roster(draft.team)
            .into_iter()
            .filter(|(_, v)| v.on_roster())
            .map(|(id, _)| Participation {
                volunteer: id,
                joined: now,
                left: None,
                substitute: false,
                approval: Approval::Pending,
            })
            .collect();
        let audience = if draft.activity == Activity::AntiFraud {
            draft.audience
        } else {
            0
        };
        self.create(RecordBody::Duty(DutySession {
            team: draft.team,
            activity: draft.activity,
            audience,
            post_id: draft.post_id,
            place: draft.place.trim().to_string(),
            start: now,
            end: None,
            participants,
            note: String::new(),
            device_time: now,
        }))
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::RowAction;

    #[test]
    fn row_actions_read_back_what_rows_write() {
        for a in RowAction::ALL {
            assert_eq!(RowAction::parse(a.as_str()), Some(a));
        }
    }

    #[test]
    fn an_unknown_row_action_is_no_action() {
        // The handler used to approve hours for anything but "reject" and "edit".
        for unknown in [
            "",
            "approve-all",
            "Approve",
            "delete",
            "confirm",
            "approve ",
        ] {
            assert_eq!(RowAction::parse(unknown), None, "{unknown:?}");
        }
    }
}
