//! Browser tests of the lead's side of the state (wasm-bindgen-test in headless
//! Chromium): approved hours stay locked on the phone (a typed refusal, said in
//! words), decisions and phone numbers go through the model's rules, and the retention
//! window drops only synced, old records — never unsynced ones, never a team. Run:
//! `cargo test-web`.
#![cfg(target_arch = "wasm32")]

use chrono::{Duration, Local, Utc};
use gatewatch::state::{AppState, SaveResult};
use gatewatch::storage;
use gatewatch::team::{SessionDraft, TeamError};
use gatewatch_model::duty::{Activity, Approval, Decision};
use gatewatch_model::stored::LocalRecord;
use gatewatch_model::team::PhoneError;
use gatewatch_model::team::{MemberStatus, Role, Team, Volunteer};
use gatewatch_model::{
    Change, CheckIn, CheckInEvent, Cursor, DeviceId, Hlc, Presence, Record, RecordBody,
};
use leptos::prelude::*;
use uuid::Uuid;
use wasm_bindgen_test::*;

mod common;
use common::fresh_state;

wasm_bindgen_test_configure!(run_in_browser);

/// A check-in made `days_ago` days ago on another phone.
fn check_in(n: u128, days_ago: i64) -> Record {
    let at = Local::now().fixed_offset() - Duration::days(days_ago);
    Record::new(
        Uuid::from_u128(n),
        Hlc {
            wall_ms: 1,
            counter: 0,
            device: DeviceId::new("other").unwrap(),
        },
        RecordBody::CheckIn(CheckIn {
            post_id: "s01-g1".into(),
            event: CheckInEvent::Arrival,
            presence: Presence::default(),
            note: String::new(),
            officer_name: String::new(),
            device_time: at,
            gate_code: None,
            position: None,
        }),
    )
}

/// The server's refusal of `version`: it would change hours a lead approved.
fn hours_locked(version: &Hlc) -> gatewatch_model::outbox::Refusal {
    gatewatch_model::outbox::Refusal {
        version: version.clone(),
        code: gatewatch_model::RejectCode::HoursLocked,
        reason: "approved hours are locked".into(),
    }
}

fn held(record: Record, synced: bool) -> LocalRecord {
    LocalRecord {
        synced,
        ..LocalRecord::new_unsynced(record)
    }
}

fn saved_id(result: SaveResult) -> Uuid {
    match result {
        SaveResult::Saved(id) | SaveResult::HeldInMemory(id) => id,
    }
}

#[wasm_bindgen_test]
async fn approved_hours_are_locked_on_the_phone() {
    let owner = Owner::new();
    let state = fresh_state(&owner, vec![]).await;
    let (id, _) = running_session(&owner, state).await;
    let session = || match state.records.get_untracked()[&id].record.body.clone() {
        RecordBody::Duty(d) => d,
        other => panic!("not a session: {other:?}"),
    };
    let started = session();
    assert_eq!(
        started.participants.len(),
        1,
        "only the active member starts on it"
    );
    assert_eq!(
        started.audience, 0,
        "an audience is for anti-fraud talks only"
    );

    let mut ended = started.clone();
    ended.end = Some(ended.start + Duration::minutes(90));
    ended.participants[0].approval = Approval::Approved;
    state
        .revise(id, RecordBody::Duty(ended.clone()))
        .await
        .unwrap();

    let mut shorter = ended.clone();
    shorter.end = Some(ended.start + Duration::minutes(30));
    let refused = state.revise(id, RecordBody::Duty(shorter)).await;
    let refused = refused.unwrap_err();
    assert_eq!(
        refused,
        TeamError::HoursLocked,
        "a refusal, not a storage error"
    );
    assert!(refused.message(state).contains("已锁定"), "said in words");
    assert_eq!(session(), ended, "the approved state is kept");
    assert!(
        state.void(id, "重复".into()).await.is_err(),
        "voiding would drop approved hours"
    );
    assert!(state.records.get_untracked()[&id].record.voided.is_none());

    let mut noted = ended.clone();
    noted.note = "雨天".into();
    state
        .revise(id, RecordBody::Duty(noted.clone()))
        .await
        .unwrap();
    assert_eq!(session(), noted, "a note is not hours");
}

#[wasm_bindgen_test]
async fn only_old_synced_records_leave_the_phone() {
    let owner = Owner::new();
    let team = Record::new(
        Uuid::from_u128(4),
        Hlc {
            wall_ms: 1,
            counter: 0,
            device: DeviceId::new("other").unwrap(),
        },
        RecordBody::Team(Team {
            school_id: "sch-1".into(),
            name: "护学队".into(),
            device_time: Local::now().fixed_offset() - Duration::days(400),
        }),
    );
    let state = fresh_state(
        &owner,
        vec![
            held(check_in(1, 200), true),
            held(check_in(2, 200), false),
            held(check_in(3, 10), true),
            held(team, true),
        ],
    )
    .await;
    let today = Local::now().date_naive();
    assert_eq!(state.drop_expired(today), 1);
    let ids = |state: &AppState| -> Vec<u128> {
        state
            .records
            .get_untracked()
            .keys()
            .map(|id| id.as_u128())
            .collect()
    };
    assert_eq!(ids(&state), [2, 3, 4]);
    // Gone from localStorage too: a reload does not bring it back.
    let reloaded = owner.with(|| AppState::new(storage::load()));
    assert_eq!(ids(&reloaded), [2, 3, 4]);

    // A pull does not store what it would drop at once, and the cursor still moves.
    let changes = [(5, 300), (6, 1)]
        .into_iter()
        .enumerate()
        .map(|(n, (id, days))| Change {
            seq: Cursor(n as u64 + 1),
            received_at: Utc::now(),
            record: check_in(id, days),
            proof: None,
            author: None,
        })
        .collect();
    reloaded.apply_changes(changes, Cursor(2));
    assert_eq!(ids(&reloaded), [2, 3, 4, 6]);
    assert_eq!(reloaded.cursor(), Cursor(2));
}

#[wasm_bindgen_test]
async fn a_refused_edit_can_give_way_to_the_servers_state() {
    let owner = Owner::new();
    let server_state = check_in(7, 1);
    let mut refused = server_state.corrected(
        Hlc {
            wall_ms: 2,
            counter: 0,
            device: DeviceId::new("mine").unwrap(),
        },
        server_state.body.clone(),
    );
    refused.voided = Some("重复".into());
    let state = fresh_state(&owner, vec![held(refused.clone(), false)]).await;
    state.reject_with_copy(
        refused.id,
        hours_locked(&refused.version),
        server_state.clone(),
    );
    assert_eq!(
        state.outbox().len(),
        0,
        "a refused version is not pushed again"
    );

    state.adopt_server_copy(refused.id).await.unwrap();
    let held_now = state.records.get_untracked()[&refused.id].clone();
    assert_eq!(held_now.record, server_state);
    assert!(held_now.synced);
    assert!(state.refusals.get_untracked().is_empty());
    assert_eq!(state.pending_count(), 0);
    // Stored, not only in memory.
    let reloaded = owner.with(|| AppState::new(storage::load()));
    assert_eq!(
        reloaded.records.get_untracked()[&refused.id].record,
        server_state
    );
}

/// A team with an active and a paused member and a patrol session started now (the
/// lead typed an audience by mistake); returns (session id, the active member).
async fn running_session(owner: &Owner, state: AppState) -> (Uuid, Uuid) {
    let now = Local::now().fixed_offset();
    let team = saved_id(
        state
            .create(RecordBody::Team(Team {
                school_id: "sch-1".into(),
                name: "护学队".into(),
                device_time: now,
            }))
            .await
            .unwrap(),
    );
    let mut members = Vec::new();
    for (name, status) in [
        ("王芳", MemberStatus::Active),
        ("李强", MemberStatus::Paused),
    ] {
        let volunteer = Volunteer {
            team,
            name: name.into(),
            phone: String::new(),
            role: Role::Member,
            joined: now.date_naive(),
            status,
            device_time: now,
        };
        members.push(saved_id(
            state
                .create(RecordBody::Volunteer(volunteer))
                .await
                .unwrap(),
        ));
    }
    let draft = SessionDraft {
        team,
        activity: Activity::Patrol,
        post_id: String::new(),
        place: String::new(),
        audience: 50,
    };
    let id = saved_id(owner.with(|| state.start_session(draft)).await.unwrap());
    (id, members[0])
}

#[wasm_bindgen_test]
async fn quick_successive_taps_each_build_on_the_one_before() {
    let owner = Owner::new();
    let state = fresh_state(&owner, vec![]).await;
    let (id, _) = running_session(&owner, state).await;
    // Two saves started before either finished its durable write.
    let first = state.revise_session(id, Box::new(|d| d.note = "雨天".into()));
    let second = state.revise_session(id, Box::new(|d| d.place = "东门".into()));
    let (a, b) = futures::join!(first, second);
    a.unwrap();
    b.unwrap();
    let RecordBody::Duty(held) = state.records.get_untracked()[&id].record.body.clone() else {
        panic!("not a session")
    };
    assert_eq!(
        (held.note.as_str(), held.place.as_str()),
        ("雨天", "东门"),
        "neither tap lost"
    );
    // Every state goes up, the earlier ones first.
    let notes: Vec<String> = state
        .outbox()
        .into_iter()
        .filter(|r| r.id == id)
        .map(|r| match r.body {
            RecordBody::Duty(d) => format!("{}|{}", d.note, d.place),
            _ => String::new(),
        })
        .collect();
    assert_eq!(notes, ["|", "雨天|", "雨天|东门"]);
}

#[wasm_bindgen_test]
async fn a_locked_refusal_holds_every_version_until_the_lead_adopts_the_servers() {
    let owner = Owner::new();
    let state = fresh_state(&owner, vec![]).await;
    let (id, _) = running_session(&owner, state).await;
    let server_state = state.records.get_untracked()[&id].record.clone();
    state
        .revise_session(id, Box::new(|d| d.note = "一".into()))
        .await
        .unwrap();
    state
        .revise_session(id, Box::new(|d| d.note = "二".into()))
        .await
        .unwrap();
    let newest = state.records.get_untracked()[&id].record.clone();
    state.reject_with_copy(id, hours_locked(&newest.version), server_state.clone());
    assert!(
        state.outbox().iter().all(|r| r.id != id),
        "no version of it is pushed while the lead has not decided"
    );
    state.adopt_server_copy(id).await.unwrap();
    assert_eq!(state.records.get_untracked()[&id].record, server_state);
    assert!(state.superseded.get_untracked().iter().all(|r| r.id != id));
    let reloaded = owner.with(|| AppState::new(storage::load()));
    assert!(
        reloaded
            .superseded
            .get_untracked()
            .iter()
            .all(|r| r.id != id),
        "the earlier versions' keys are gone too"
    );
}

#[wasm_bindgen_test]
async fn a_pull_that_overtakes_an_unsent_edit_still_sends_it() {
    let owner = Owner::new();
    let mine = check_in(8, 1);
    let state = fresh_state(&owner, vec![held(mine.clone(), false)]).await;
    let mut theirs = mine.clone();
    theirs.version.wall_ms += 10;
    theirs.version.device = DeviceId::new("other2").unwrap();
    theirs.voided = Some("重复".into());
    state.apply_changes(
        vec![Change {
            seq: Cursor(1),
            received_at: Utc::now(),
            record: theirs.clone(),
            proof: None,
            author: None,
        }],
        Cursor(1),
    );
    assert_eq!(state.records.get_untracked()[&mine.id].record, theirs);
    assert_eq!(
        state.outbox(),
        [mine],
        "this phone's state goes up for the history"
    );
}

/// The session `id` as the phone holds it.
fn duty(state: AppState, id: Uuid) -> gatewatch_model::duty::DutySession {
    match state.records.get_untracked()[&id].record.body.clone() {
        RecordBody::Duty(d) => d,
        other => panic!("not a session: {other:?}"),
    }
}

#[wasm_bindgen_test]
async fn decisions_save_what_the_model_decides_and_nothing_when_nothing_changes() {
    let owner = Owner::new();
    let state = fresh_state(&owner, vec![]).await;
    let (id, member) = running_session(&owner, state).await;
    let substitute = Uuid::from_u128(77);
    state
        .revise_session(
            id,
            Box::new(move |d| {
                d.toggle_attendance(substitute, false, d.start);
                d.end = Some(d.start + Duration::minutes(60));
            }),
        )
        .await
        .unwrap();
    state
        .decide(id, Decision::Reject(substitute))
        .await
        .unwrap();
    state.decide(id, Decision::ApprovePending).await.unwrap();
    let decided: Vec<(Uuid, Approval)> = duty(state, id)
        .participants
        .iter()
        .map(|p| (p.volunteer, p.approval))
        .collect();
    assert_eq!(
        decided,
        [
            (member, Approval::Approved),
            (substitute, Approval::Rejected)
        ],
        "approving what is pending leaves a rejection alone"
    );
    let version = state.records.get_untracked()[&id].record.version.clone();
    state.decide(id, Decision::Approve(member)).await.unwrap();
    assert_eq!(
        state.records.get_untracked()[&id].record.version,
        version,
        "approving the approved saves no new version"
    );
    assert_eq!(
        state
            .decide(Uuid::from_u128(5), Decision::ApprovePending)
            .await,
        Err(TeamError::NotHeld)
    );
}

#[wasm_bindgen_test]
async fn members_phone_numbers_are_mobile_numbers_but_old_ones_still_load() {
    let owner = Owner::new();
    let now = Local::now().fixed_offset();
    let team = Uuid::from_u128(900);
    let member = |phone: &str| Volunteer {
        team,
        name: "王芳".into(),
        phone: phone.into(),
        role: Role::Member,
        joined: now.date_naive(),
        status: MemberStatus::Active,
        device_time: now,
    };
    // Saved before numbers were checked: it loads as it was.
    let old = Record::new(
        Uuid::from_u128(1),
        Hlc {
            wall_ms: 1,
            counter: 0,
            device: DeviceId::new("other").unwrap(),
        },
        RecordBody::Volunteer(member("1381234")),
    );
    let state = fresh_state(&owner, vec![held(old.clone(), true)]).await;
    let phone_of = |id: Uuid| match state.records.get_untracked()[&id].record.body.clone() {
        RecordBody::Volunteer(v) => v.phone,
        other => panic!("not a volunteer: {other:?}"),
    };
    assert_eq!(phone_of(old.id), "1381234");

    // A new member with a 7-digit number is refused, typed and in words.
    let refused = state.save_member(None, member(""), "1381234").await;
    let refused = refused.unwrap_err();
    assert_eq!(refused, TeamError::Phone(PhoneError::NotMobile));
    assert!(
        refused.message(state).contains("11位手机号"),
        "{}",
        refused.message(state)
    );
    // Typed with +86, spaces and dashes: stored as its 11 digits.
    let id = saved_id(
        state
            .save_member(None, member(""), "+86 138-1234-1234")
            .await
            .unwrap(),
    );
    assert_eq!(phone_of(id), "13812341234");

    // The old number, not retyped, does not block a change of status...
    let paused = Volunteer {
        status: MemberStatus::Paused,
        ..member("1381234")
    };
    state
        .save_member(Some(old.id), paused, "1381234")
        .await
        .unwrap();
    assert_eq!(phone_of(old.id), "1381234");
    // ...but retyped, it must be a mobile number.
    assert_eq!(
        state
            .save_member(Some(old.id), member("1381234"), "1381235")
            .await,
        Err(TeamError::Phone(PhoneError::NotMobile))
    );
}
