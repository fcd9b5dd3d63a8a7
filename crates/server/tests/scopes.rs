//! Authorization on every record: each role × record kind × read/write × in or out of
//! the user's scope, through the real push, pull and history endpoints, with the answer
//! the issue asks for — and every out-of-scope attempt denied.

mod common;

use std::collections::BTreeSet;

use axum::http::StatusCode;
use common::{incident, record_at, session, team_record, version, volunteer_record, TestApp};
use gatewatch_model::duty::Approval;
use gatewatch_model::swap::SwapRequest;
use gatewatch_model::{
    AckOutcome, PullResponse, PushRequest, PushResponse, Record, RecordBody, RejectCode,
};
use uuid::Uuid;

const TEAM_IN: Uuid = Uuid::from_u128(0xa);
const TEAM_OUT: Uuid = Uuid::from_u128(0xb);
/// The officer the seeded swap requests name: nobody signed in here.
const SOMEONE: Uuid = Uuid::from_u128(0x50);
const KINDS: [&str; 6] = ["checkin", "incident", "team", "volunteer", "duty", "swap"];
const ROLES: [&str; 4] = ["officer", "lead", "supervisor", "admin"];

/// A record of `kind` with id `n`, in the scope of the officer and lead below (school
/// s01, team TEAM_IN) or out of it (school s02, team TEAM_OUT); a swap request is
/// `asker`'s.
fn of_kind(kind: &str, n: u128, in_scope: bool, asker: Uuid) -> Record {
    let (post, school, team) = match in_scope {
        true => ("s01-g1", "s01", TEAM_IN),
        false => ("s02-g1", "s02", TEAM_OUT),
    };
    match kind {
        "checkin" => record_at(n, post, "2026-11-25T07:12:33+08:00"),
        "incident" => incident(n, 100, post, "2026-11-25T07:20:00+08:00"),
        "team" => team_record(Uuid::from_u128(n), &format!("队伍{n}"), school),
        "volunteer" => volunteer_record(n, team, "王小明", "13800001234"),
        "duty" => session(
            n,
            team,
            "2026-11-25T07:00:00+08:00",
            Some(60),
            &[],
            Approval::Pending,
        ),
        "swap" => Record::new(
            Uuid::from_u128(n),
            version(100),
            RecordBody::Swap(SwapRequest {
                post_id: post.into(),
                date: chrono::NaiveDate::from_ymd_opt(2026, 11, 25).unwrap(),
                window: gatewatch_model::school::WindowKind::Morning,
                officer: asker,
                substitute: None,
                reason: "家中有事".into(),
                decision: None,
                device_time: common::at("2026-11-24T20:00:00+08:00"),
            }),
        ),
        other => panic!("no kind {other}"),
    }
}

/// The seeded records: one of each kind in scope and one out, stored by the admin.
/// Teams are TEAM_IN and TEAM_OUT themselves; other ids are 100 + kind index × 10 +
/// (0 in scope, 1 out).
fn seed_id(kind: usize, in_scope: bool) -> u128 {
    match (KINDS[kind], in_scope) {
        ("team", true) => TEAM_IN.as_u128(),
        ("team", false) => TEAM_OUT.as_u128(),
        _ => 100 + kind as u128 * 10 + u128::from(!in_scope),
    }
}

/// What the issue asks for. `own`: the user made the record (new records are).
fn expected(role: &str, kind: &str, write: bool, in_scope: bool, own: bool) -> bool {
    match (role, kind) {
        ("admin", _) => true,
        ("officer", "checkin" | "incident") => in_scope && (!write || own),
        // A swap request is the asking officer's alone, to read as to write.
        ("officer", "swap") => in_scope && own,
        ("lead", "team" | "volunteer" | "duty") => in_scope,
        // Incidents are bullying cases about minors: not for volunteer team leads.
        ("lead", "checkin") => in_scope && !write,
        // 所长 / 指挥室: their schools' check-ins and incidents, read only.
        ("supervisor", "checkin" | "incident" | "swap") => in_scope && !write,
        _ => false,
    }
}

async fn push_as(t: &TestApp, records: Vec<Record>) -> PushResponse {
    let body = PushRequest {
        device: common::device(),
        records,
    };
    let response = t
        .post_json("/api/sync/push", serde_json::to_vec(&body).unwrap())
        .await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.text());
    response.json()
}

/// Every id the user pulls from the start of the feed.
async fn pulled_ids(t: &TestApp) -> BTreeSet<Uuid> {
    let page: PullResponse = t.get("/api/sync/pull?since=0&limit=1000").await.json();
    assert!(!page.more);
    page.changes.iter().map(|c| c.record.id).collect()
}

#[tokio::test]
async fn every_role_kind_and_access_in_and_out_of_scope() {
    let admin = TestApp::new().await;
    // Teams first: the lead's scope names TEAM_IN, which must exist.
    let mut seeds = vec![
        team_record(TEAM_IN, "本校队", "s01"),
        team_record(TEAM_OUT, "外校队", "s02"),
    ];
    for (k, kind) in KINDS
        .iter()
        .enumerate()
        .filter(|(_, kind)| **kind != "team")
    {
        for in_scope in [true, false] {
            seeds.push(of_kind(kind, seed_id(k, in_scope), in_scope, SOMEONE));
        }
    }
    let stored = push_as(&admin, seeds).await;
    assert!(stored.rejected.is_empty(), "{:?}", stored.rejected);
    let (officer_id, officer) = admin.user("officer.a", "officer", &["s01"], &[]).await;
    let (lead_id, lead) = admin.user("lead.a", "lead", &["s01"], &[TEAM_IN]).await;
    let (supervisor_id, supervisor) = admin.user("suo.a", "supervisor", &["s01"], &[]).await;
    let id_of = |role: &str| match role {
        "officer" => officer_id,
        "lead" => lead_id,
        "supervisor" => supervisor_id,
        _ => SOMEONE,
    };
    let session_of = |role: &str| match role {
        "officer" => admin.as_user(&officer),
        "lead" => admin.as_user(&lead),
        "supervisor" => admin.as_user(&supervisor),
        _ => admin.clone(),
    };

    let mut checked = 0;
    let mut out_of_scope_denied = 0;
    let mut out_of_scope_attempts = 0;
    let mut next_id = 1000u128;
    for role in ROLES {
        let t = session_of(role);
        let visible = pulled_ids(&t).await;
        for (k, kind) in KINDS.iter().enumerate() {
            for in_scope in [true, false] {
                let what = format!("{role} {kind} in_scope={in_scope}");
                let mut outcomes = Vec::new();

                // Read: the pull, and the record's history.
                let seed = Uuid::from_u128(seed_id(k, in_scope));
                let read = visible.contains(&seed);
                let history = t.get(&format!("/api/records/{seed}/history")).await.status;
                assert_eq!(
                    history == StatusCode::OK,
                    read,
                    "{what}: history {history} vs pull"
                );
                // The seeds are the admin's: never the reader's own.
                outcomes.push((false, false, read));

                // Write a record new to the server (the user's own).
                next_id += 1;
                let new = of_kind(kind, next_id, in_scope, id_of(role));
                let answer = push_as(&t, vec![new.clone()]).await;
                let stored = answer.acks.iter().any(|a| a.outcome == AckOutcome::Stored);
                assert_eq!(stored, answer.rejected.is_empty(), "{what}");
                if let Some(r) = answer.rejected.first() {
                    assert!(r.reason.starts_with("refused"), "{what}: {}", r.reason);
                    // A code the phone says in its user's language.
                    let expected_code = match (in_scope, role) {
                        // A supervisor pushes nothing, in scope or out.
                        (_, "supervisor") => RejectCode::NotForRole,
                        (false, _)
                            if !matches!(
                                (role, *kind),
                                ("officer", "team" | "volunteer" | "duty")
                                    | ("lead", "checkin" | "incident" | "swap")
                            ) =>
                        {
                            RejectCode::OutOfScope
                        }
                        _ => RejectCode::NotForRole,
                    };
                    assert_eq!(r.code, expected_code, "{what}");
                }
                outcomes.push((true, true, stored));

                // Write a new version of the seeded record (the admin's, not the user's).
                let seeded = of_kind(kind, seed_id(k, in_scope), in_scope, SOMEONE);
                let next = seeded.corrected(version(50_000 + next_id as u64), seeded.body.clone());
                let answer = push_as(&t, vec![next]).await;
                let stored = answer.acks.iter().any(|a| a.outcome == AckOutcome::Stored);
                outcomes.push((true, false, stored));

                for (write, own, got) in outcomes {
                    let want = expected(role, kind, write, in_scope, own);
                    assert_eq!(got, want, "{what} write={write} own={own}");
                    checked += 1;
                    if !in_scope && role != "admin" {
                        out_of_scope_attempts += 1;
                        out_of_scope_denied += usize::from(!got);
                    }
                }
            }
        }
    }
    assert_eq!(checked, ROLES.len() * KINDS.len() * 2 * 3);
    assert_eq!(out_of_scope_attempts, (ROLES.len() - 1) * KINDS.len() * 3);
    assert_eq!(
        out_of_scope_denied, out_of_scope_attempts,
        "100% of out-of-scope attempts denied"
    );

    // Nothing refused was stored: the admin sees only the seeds and what was allowed.
    let everything = pulled_ids(&admin).await;
    for id in 1001..=next_id {
        let id = Uuid::from_u128(id);
        let refused_everywhere = !everything.contains(&id);
        let history = admin
            .get(&format!("/api/records/{id}/history"))
            .await
            .status;
        assert_eq!(history == StatusCode::NOT_FOUND, refused_everywhere, "{id}");
    }
}

#[tokio::test]
async fn a_lead_who_creates_a_team_owns_its_roster_and_sessions_at_once() {
    let admin = TestApp::new().await;
    let (lead_id, lead) = admin.user("lead.b", "lead", &["s01"], &[]).await;
    let t = admin.as_user(&lead);
    let team = Uuid::from_u128(0x51);
    // The roster first in the push: the team is still taken first.
    let answer = push_as(
        &t,
        vec![
            volunteer_record(0x52, team, "李华", "13900001111"),
            session(
                0x53,
                team,
                "2026-11-25T07:00:00+08:00",
                Some(30),
                &[0x52],
                Approval::Pending,
            ),
            team_record(team, "新队", "s01"),
        ],
    )
    .await;
    assert!(answer.rejected.is_empty(), "{:?}", answer.rejected);
    assert_eq!(answer.acks.len(), 3);
    let me: gatewatch_model::account::Profile = t.get("/api/auth/me").await.json();
    assert_eq!(me.user, lead_id);
    assert!(me.teams.contains(&team));
    assert_eq!(pulled_ids(&t).await.len(), 3);

    // Another lead of the same school does not see it until an admin adds it.
    let (other_id, other) = admin.user("lead.c", "lead", &["s01"], &[]).await;
    assert!(pulled_ids(&admin.as_user(&other)).await.is_empty());
    let teams: Vec<serde_json::Value> = admin.get("/api/admin/teams").await.json();
    assert_eq!(teams[0]["name"], "新队");
    let fields = serde_json::json!({
        "display_name": "lead.c", "role": "lead", "schools": ["s01"], "teams": [team],
    });
    let changed = admin
        .put_json(&format!("/api/admin/users/{other_id}"), fields.to_string())
        .await;
    assert_eq!(changed.status, StatusCode::OK, "{}", changed.text());
    assert_eq!(pulled_ids(&admin.as_user(&other)).await.len(), 3);
}

#[tokio::test]
async fn a_lead_moves_a_team_only_to_one_of_their_schools() {
    let admin = TestApp::new().await;
    let team = Uuid::from_u128(0x61);
    let (_, lead) = admin.user("lead.d", "lead", &["s01"], &[]).await;
    let t = admin.as_user(&lead);
    let created = team_record(team, "护校队", "s01");
    assert!(push_as(&t, vec![created.clone()]).await.rejected.is_empty());

    let mut moved = created.clone();
    moved.version = version(60);
    moved.base = Some(created.version.clone());
    if let RecordBody::Team(body) = &mut moved.body {
        body.school_id = "s02".into();
    }
    let answer = push_as(&t, vec![moved.clone()]).await;
    assert_eq!(answer.rejected.len(), 1, "{answer:?}");
    assert_eq!(answer.rejected[0].code, RejectCode::OutOfScope);
    assert!(answer.rejected[0].reason.contains("s02"), "{answer:?}");
    let held: PullResponse = admin.get("/api/sync/pull?since=0").await.json();
    let RecordBody::Team(body) = &held.changes[0].record.body else {
        panic!("not a team: {held:?}");
    };
    assert_eq!(body.school_id, "s01", "the team stays where it was");

    // An admin may move it.
    assert!(admin.push(&[moved]).await.rejected.is_empty());
}

#[tokio::test]
async fn the_posts_a_phone_gets_are_its_users_schools() {
    let admin = TestApp::new().await;
    let schools_of = |posts: Vec<gatewatch_model::Post>| -> BTreeSet<String> {
        posts.into_iter().map(|p| p.school_id).collect()
    };
    let all = schools_of(admin.get("/api/posts").await.json());
    assert!(all.len() > 2, "{all:?}");
    for (name, role, schools) in [
        ("officer.p", "officer", vec!["s01"]),
        ("lead.p", "lead", vec!["s01", "s02"]),
        ("officer.q", "officer", vec![]),
    ] {
        let (_, session) = admin.user(name, role, &schools, &[]).await;
        let got = schools_of(admin.as_user(&session).get("/api/posts").await.json());
        let want: BTreeSet<String> = schools.iter().map(|s| s.to_string()).collect();
        assert_eq!(got, want, "{name}");
    }
}

#[tokio::test]
async fn gate_secrets_are_for_leads_of_the_school_and_admins() {
    let admin = TestApp::new().await;
    let (_, officer) = admin.user("officer.a", "officer", &["s01"], &[]).await;
    let (_, lead) = admin.user("lead.a", "lead", &["s01"], &[]).await;
    let secret = "/api/posts/s01-g1/secret";
    assert_eq!(admin.get(secret).await.status, StatusCode::OK);
    assert_eq!(
        admin.as_user(&lead).get(secret).await.status,
        StatusCode::OK
    );
    admin
        .as_user(&lead)
        .get("/api/posts/s02-g1/secret")
        .await
        .assert_error(StatusCode::FORBIDDEN, "forbidden");
    admin
        .as_user(&officer)
        .get(secret)
        .await
        .assert_error(StatusCode::FORBIDDEN, "forbidden");
    // A supervisor reads the school's figures, never the code that proves presence.
    let (_, supervisor) = admin.user("suo.a", "supervisor", &["s01"], &[]).await;
    admin
        .as_user(&supervisor)
        .get(secret)
        .await
        .assert_error(StatusCode::FORBIDDEN, "forbidden");
}

#[tokio::test]
async fn a_pull_with_nothing_in_scope_still_moves_past_what_it_read() {
    let admin = TestApp::new().await;
    let others: Vec<Record> = (1..=30)
        .map(|n| record_at(n, "s02-g1", "2026-11-25T07:12:33+08:00"))
        .collect();
    let pushed = push_as(&admin, others).await;
    let (_, officer) = admin.user("officer.a", "officer", &["s01"], &[]).await;
    let page: PullResponse = admin
        .as_user(&officer)
        .get("/api/sync/pull?since=0")
        .await
        .json();
    assert!(page.changes.is_empty());
    assert!(!page.more);
    // The next sync starts after those rows instead of reading them again.
    assert_eq!(page.cursor, pushed.cursor);
}

#[tokio::test]
async fn a_gate_moved_to_another_school_is_read_by_that_school() {
    let admin = TestApp::new().await;
    push_as(
        &admin,
        vec![record_at(1, "s02-g1", "2026-11-25T07:12:33+08:00")],
    )
    .await;
    let (_, officer) = admin.user("officer.a", "officer", &["s01"], &[]).await;
    let officer = admin.as_user(&officer);
    assert!(pulled_ids(&officer).await.is_empty());
    let moved = serde_json::json!({ "school_id": "s01", "gate": "南门（原第一中学）" });
    let answer = admin
        .put_json("/api/admin/posts/s02-g1", moved.to_string())
        .await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text());
    assert_eq!(pulled_ids(&officer).await.len(), 1);
}

/// The roster (`access::ROSTER`) through its endpoints: each role × read (`GET
/// /api/roster`) / write (`PUT /api/roster/slot`) × a slot at s01 (in scope) or s02.
#[tokio::test]
async fn the_roster_for_every_role_in_and_out_of_scope() {
    let admin = TestApp::new().await;
    let (s01_officer, _) = admin.user("officer.r1", "officer", &["s01"], &[]).await;
    let (s02_officer, _) = admin.user("officer.r2", "officer", &["s02"], &[]).await;
    let (_, officer) = admin.user("officer.a", "officer", &["s01"], &[]).await;
    let (_, lead) = admin.user("lead.a", "lead", &["s01"], &[]).await;
    let (_, supervisor) = admin.user("suo.a", "supervisor", &["s01"], &[]).await;
    let date = (chrono::Utc::now() + chrono::Duration::hours(8)).date_naive();
    let slot = |post: &str, officer: Uuid, window: &str| {
        serde_json::json!({
            "post_id": post, "date": date, "window": window, "officers": [{"officer": officer}],
        })
        .to_string()
    };
    for (post, officer) in [("s01-g1", s01_officer), ("s02-g1", s02_officer)] {
        let put = admin
            .put_json("/api/roster/slot", slot(post, officer, "morning"))
            .await;
        assert_eq!(put.status, StatusCode::OK, "{}", put.text());
    }
    let mut checked = 0;
    for role in ROLES {
        let t = match role {
            "officer" => admin.as_user(&officer),
            "lead" => admin.as_user(&lead),
            "supervisor" => admin.as_user(&supervisor),
            _ => admin.clone(),
        };
        let read = t.get(&format!("/api/roster?from={date}&to={date}")).await;
        let posts: BTreeSet<String> = match read.status {
            StatusCode::OK => read.json::<serde_json::Value>()["assignments"]
                .as_array()
                .unwrap()
                .iter()
                .map(|a| a["post_id"].as_str().unwrap().to_owned())
                .collect(),
            _ => BTreeSet::new(),
        };
        for (in_scope, post, officer) in [
            (true, "s01-g1", s01_officer),
            (false, "s02-g1", s02_officer),
        ] {
            let what = format!("{role} roster in_scope={in_scope}");
            let may_read = matches!(role, "admin") || (in_scope && role != "lead");
            assert_eq!(posts.contains(post), may_read, "{what}: read");
            let write = t
                .put_json("/api/roster/slot", slot(post, officer, "noon"))
                .await;
            let may_write = role == "admin" || (role == "supervisor" && in_scope);
            assert_eq!(
                write.status == StatusCode::OK,
                may_write,
                "{what}: write {}",
                write.text()
            );
            if !may_write {
                write.assert_error(StatusCode::FORBIDDEN, "forbidden");
            }
            checked += 2;
        }
    }
    assert_eq!(checked, ROLES.len() * 2 * 2);
}
