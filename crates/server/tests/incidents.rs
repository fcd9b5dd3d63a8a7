//! Incidents travel the same push and pull as check-ins: stored as pushed, validated by
//! the model, replaced by newer versions (a correction, a void), never given a
//! gate-code verdict; read by officers of their school and admins, never by team leads.
//! Their CSV is tested with the other reports in `export.rs`.

mod common;

use axum::http::StatusCode;
use common::{incident, incident_of, record, record_at, version, TestApp};
use gatewatch_model::{AckOutcome, FollowUp, Position, Record};

const AT: &str = "2026-11-25T07:40:00+08:00";

#[tokio::test]
async fn an_incident_comes_back_from_a_pull_byte_for_byte() {
    let t = TestApp::new().await;
    let mut i = incident(1, 100, "s02-g1", AT);
    let body = incident_of(&mut i);
    body.description = "两名学生在校门外推搡，\"已劝开\"\n家长已到".into();
    body.position = Some(Position {
        lat_e6: 31_226_010,
        lon_e6: 121_480_020,
        accuracy_m: 8,
    });
    let pushed = t.push(&[i.clone(), record(2, 100)]).await;
    assert_eq!(pushed.acks.len(), 2, "{:?}", pushed.rejected);
    assert_eq!(pushed.acks[0].outcome, AckOutcome::Stored);

    let response = t.get("/api/sync/pull?since=0").await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.text());
    let sent = serde_json::to_string(&i).unwrap();
    assert!(
        response.text().contains(&sent),
        "{sent}\nnot in\n{}",
        response.text()
    );
    let pulled: gatewatch_model::PullResponse = response.json();
    let change = &pulled.changes[0];
    assert_eq!(change.record, i);
    // Only check-ins carry a gate code for the server to judge.
    assert_eq!(change.proof, None);
    assert!(pulled.changes[1].proof.is_some());
    let raw: serde_json::Value = response.json();
    assert!(raw["changes"][0].get("proof").is_none(), "{raw}");
}

#[tokio::test]
async fn a_corrected_then_voided_incident_replaces_the_stored_one() {
    let t = TestApp::new().await;
    let first = incident(1, 100, "s01-g1", AT);
    let mut handed_over = first.corrected(version(200), first.body.clone());
    incident_of(&mut handed_over).status = FollowUp::HandedOver;
    let void = handed_over.voided(version(300), "与另一条重复".into());
    t.push(std::slice::from_ref(&first)).await;
    let cursor = t.pull(0, None).await.cursor;
    t.push(&[handed_over.clone(), void.clone()]).await;

    let newer = t.pull(cursor.0, None).await;
    assert_eq!(newer.changes.len(), 1);
    assert_eq!(newer.changes[0].record, void);
    let json = serde_json::to_value(&newer.changes[0].record).unwrap();
    assert_eq!(
        (&json["voided"], &json["edits"], &json["data"]["status"]),
        (
            &serde_json::json!("与另一条重复"),
            &serde_json::json!(1),
            &serde_json::json!("handed_over")
        )
    );
    assert_eq!(
        t.rows().await,
        1,
        "a void replaces, nothing is deleted or added"
    );
    assert_eq!(t.history(first.id).await.len(), 3);
}

#[tokio::test]
async fn invalid_incidents_are_rejected_with_the_models_reason() {
    let t = TestApp::new().await;
    type Edit = fn(&mut Record);
    let cases: [(Edit, &str); 5] = [
        (|r| incident_of(r).description = "  ".into(), "description"),
        (
            |r| incident_of(r).description = "述".repeat(2001),
            "description",
        ),
        (|r| incident_of(r).people = "人".repeat(501), "people"),
        (|r| incident_of(r).post_id = "门 1".into(), "post id"),
        (|r| r.voided = Some(" ".into()), "reason"),
    ];
    let records: Vec<Record> = cases
        .iter()
        .enumerate()
        .map(|(n, (edit, _))| {
            let mut r = incident(n as u128 + 1, 100, "s01-g1", AT);
            edit(&mut r);
            r
        })
        .collect();
    let pushed = t.push(&records).await;
    assert!(pushed.acks.is_empty(), "{:?}", pushed.acks);
    for ((_, in_reason), rejection) in cases.iter().zip(&pushed.rejected) {
        assert!(
            rejection.reason.contains(in_reason),
            "{in_reason}: {}",
            rejection.reason
        );
    }
    assert_eq!(pushed.rejected.len(), cases.len());
    assert_eq!(t.rows().await, 0);
}

#[tokio::test]
async fn an_unknown_category_is_refused_as_a_whole_request() {
    let t = TestApp::new().await;
    let mut body = serde_json::json!({
        "device": common::device(),
        "records": [incident(1, 100, "s01-g1", AT)],
    });
    body["records"][0]["data"]["category"] = "alien".into();
    let error = t
        .post_json("/api/sync/push", body.to_string())
        .await
        .assert_error(StatusCode::UNPROCESSABLE_ENTITY, "invalid_record");
    assert!(error.detail.contains("alien"), "{}", error.detail);
}

#[tokio::test]
async fn a_lead_of_the_school_never_reads_its_incidents() {
    let admin = TestApp::new().await;
    let (_, officer) = admin.user("officer.a", "officer", &["s01"], &[]).await;
    let (_, lead) = admin.user("lead.a", "lead", &["s01"], &[]).await;
    let (officer, lead) = (admin.as_user(&officer), admin.as_user(&lead));
    let bullying = incident(1, 100, "s01-g1", AT);
    let check_in = record_at(2, "s01-g1", AT);
    let pushed = officer.push(&[bullying.clone(), check_in.clone()]).await;
    assert_eq!(pushed.acks.len(), 2, "{:?}", pushed.rejected);

    let ids = |t: &TestApp| {
        let t = t.clone();
        async move {
            let page: gatewatch_model::PullResponse = t.get("/api/sync/pull?since=0").await.json();
            page.changes
                .into_iter()
                .map(|c| c.record.id)
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(
        ids(&lead).await,
        [check_in.id],
        "the lead gets the check-in only"
    );
    assert_eq!(ids(&officer).await, [bullying.id, check_in.id]);
    assert_eq!(ids(&admin).await, [bullying.id, check_in.id]);
    lead.get(&format!("/api/records/{}/history", bullying.id))
        .await
        .assert_error(StatusCode::FORBIDDEN, "forbidden");
    assert_eq!(officer.history(bullying.id).await.len(), 1);

    // Nor may a lead's phone push one.
    let answer = lead.push(&[incident(3, 100, "s01-g1", AT)]).await;
    assert_eq!(answer.rejected.len(), 1, "{answer:?}");
    assert_eq!(
        answer.rejected[0].code,
        gatewatch_model::RejectCode::NotForRole
    );
    assert!(
        answer.rejected[0]
            .reason
            .contains("may not read or write incident"),
        "{answer:?}"
    );
}
