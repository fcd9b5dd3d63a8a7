//! The lead's side of the state: teams, rosters and duty sessions on this phone.
//!
//! Team records are ordinary records (saved durably, synced, voided rather than
//! deleted). Unlike an officer's check-ins, any phone holding them may edit them: a
//! team is kept by whoever leads it, until accounts (issue 5) say who that is.

use chrono::{DateTime, FixedOffset};
use gatewatch_model::duty::{Activity, Approval, DutySession, Participation};
use gatewatch_model::team::{Team, Volunteer};
use gatewatch_model::{Record, RecordBody};
use leptos::prelude::*;
use uuid::Uuid;

use crate::state::{AppState, SaveResult};
use crate::storage::StorageError;

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
        teams.sort_by(|a, b| a.1.name.cmp(&b.1.name));
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
        members.sort_by(|a, b| (a.1.status, &a.1.name).cmp(&(b.1.status, &b.1.name)));
        members
    }

    /// A team's sessions, newest first.
    pub fn sessions(&self, team: Uuid) -> Vec<(Uuid, DutySession)> {
        let mut sessions = self.live(|b| match b {
            RecordBody::Duty(d) if d.team == team => Some(d),
            _ => None,
        });
        sessions.sort_by_key(|s| std::cmp::Reverse(s.1.start));
        sessions
    }

    /// Saves a new record (a team, a member, a session).
    pub async fn create(&self, body: RecordBody) -> Result<SaveResult, StorageError> {
        let version = self.next_version()?;
        self.save(Record::new(Uuid::new_v4(), version, body)).await
    }

    /// Saves the next state of a team record (`save` refuses changes to approved hours).
    pub async fn revise(&self, id: Uuid, body: RecordBody) -> Result<SaveResult, StorageError> {
        let current = self
            .records
            .with_untracked(|m| m.get(&id).map(|l| l.record.clone()))
            .ok_or_else(|| StorageError::Write("no such record on this phone".into()))?;
        let version = self.next_version()?;
        // Team records change as the work goes on (a tick, an end, an approval): the next
        // version, not a correction — `edits` counts an officer's corrections.
        self.save(current.revised(version, body)).await
    }

    /// Changes a duty session as the phone holds it when the save starts (not as a
    /// screen last drew it), so quick successive taps each build on the one before.
    pub async fn revise_session(
        &self,
        id: Uuid,
        edit: Box<dyn FnOnce(&mut DutySession)>,
    ) -> Result<SaveResult, StorageError> {
        let held = self
            .records
            .with_untracked(|m| match m.get(&id).map(|l| &l.record.body) {
                Some(RecordBody::Duty(d)) => Some(d.clone()),
                _ => None,
            });
        let mut session =
            held.ok_or_else(|| StorageError::Write("no such session on this phone".into()))?;
        edit(&mut session);
        self.revise(id, RecordBody::Duty(session)).await
    }

    /// Starts a session now with the team's whole active roster on it.
    pub async fn start_session(&self, draft: SessionDraft) -> Result<SaveResult, StorageError> {
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
