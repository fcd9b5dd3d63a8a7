//! Every kind of bad request gets the right 4xx status and a JSON error body with
//! `error` and `detail`: never a panic, a 500, or axum's plain-text rejection.

mod common;

use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use common::{device, record, TestApp};
use gatewatch_model::{PushRequest, Record, MAX_PUSH_BATCH};
use serde_json::{json, Value};

fn push_request(records: Vec<Record>) -> Value {
    serde_json::to_value(PushRequest {
        device: device(),
        records,
    })
    .unwrap()
}

/// A valid push of one record, with `edit` applied to that record's JSON.
fn push_with_record(edit: impl FnOnce(&mut Value)) -> String {
    let mut body = push_request(vec![record(1, 100)]);
    edit(&mut body["records"][0]);
    body.to_string()
}

fn request(
    method: Method,
    uri: &str,
    content_type: Option<&str>,
    body: impl Into<Body>,
) -> Request<Body> {
    let mut builder = Request::builder().method(method).uri(uri);
    if let Some(t) = content_type {
        builder = builder.header(header::CONTENT_TYPE, t);
    }
    builder.body(body.into()).unwrap()
}

fn push(body: impl Into<Body>) -> Request<Body> {
    request(
        Method::POST,
        "/api/sync/push",
        Some("application/json"),
        body,
    )
}

fn get(uri: &str) -> Request<Body> {
    request(Method::GET, uri, None, Body::empty())
}

/// (what, request, status, code, a piece of the detail)
fn cases() -> Vec<(
    &'static str,
    Request<Body>,
    StatusCode,
    &'static str,
    &'static str,
)> {
    let unprocessable = StatusCode::UNPROCESSABLE_ENTITY;
    let too_many: Vec<Record> = (1..=MAX_PUSH_BATCH as u128 + 1)
        .map(|n| record(n, 100))
        .collect();
    let huge_note = push_with_record(|r| r["data"]["note"] = "x".repeat(3 * 1024 * 1024).into());
    vec![
        (
            "malformed JSON",
            push(r#"{"device": "a1", "records": ["#),
            StatusCode::BAD_REQUEST,
            "malformed_json",
            "JSON",
        ),
        (
            "empty body",
            push(""),
            StatusCode::BAD_REQUEST,
            "malformed_json",
            "JSON",
        ),
        (
            "wrong type",
            push(r#"{"device": "a1", "records": "none"}"#),
            unprocessable,
            "invalid_record",
            "records",
        ),
        (
            "unknown record kind",
            push(push_with_record(|r| r["kind"] = "teleport".into())),
            unprocessable,
            "invalid_record",
            "teleport",
        ),
        (
            "missing field",
            push(push_with_record(|r| {
                drop(r.as_object_mut().unwrap().remove("version"))
            })),
            unprocessable,
            "invalid_record",
            "version",
        ),
        (
            "malformed version",
            push(push_with_record(|r| r["version"] = "yesterday".into())),
            unprocessable,
            "invalid_record",
            "version",
        ),
        (
            "bad device id",
            push(r#"{"device": "UPPER CASE", "records": []}"#),
            unprocessable,
            "invalid_record",
            "device",
        ),
        (
            "too many records",
            push(push_request(too_many).to_string()),
            StatusCode::PAYLOAD_TOO_LARGE,
            "batch_too_large",
            "501",
        ),
        (
            "oversized body",
            push(huge_note),
            StatusCode::PAYLOAD_TOO_LARGE,
            "payload_too_large",
            "bytes",
        ),
        (
            "wrong content type",
            request(
                Method::POST,
                "/api/sync/push",
                Some("text/plain"),
                push_request(vec![]).to_string(),
            ),
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            "application/json",
        ),
        (
            "no content type",
            request(
                Method::POST,
                "/api/sync/push",
                None,
                push_request(vec![]).to_string(),
            ),
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            "application/json",
        ),
        (
            "non-numeric since",
            get("/api/sync/pull?since=abc"),
            StatusCode::BAD_REQUEST,
            "bad_query",
            "since",
        ),
        (
            "negative since",
            get("/api/sync/pull?since=-1"),
            StatusCode::BAD_REQUEST,
            "bad_query",
            "since",
        ),
        (
            "zero limit",
            get("/api/sync/pull?limit=0"),
            StatusCode::BAD_REQUEST,
            "bad_query",
            "limit",
        ),
        (
            "non-numeric limit",
            get("/api/sync/pull?limit=all"),
            StatusCode::BAD_REQUEST,
            "bad_query",
            "limit",
        ),
        (
            "unknown api route",
            get("/api/teleport"),
            StatusCode::NOT_FOUND,
            "not_found",
            "endpoint",
        ),
        (
            "the api root",
            get("/api"),
            StatusCode::NOT_FOUND,
            "not_found",
            "endpoint",
        ),
        (
            "the api root with a slash",
            get("/api/"),
            StatusCode::NOT_FOUND,
            "not_found",
            "endpoint",
        ),
        (
            "unknown nested api route",
            get("/api/sync/teleport"),
            StatusCode::NOT_FOUND,
            "not_found",
            "endpoint",
        ),
        (
            "wrong method on push",
            get("/api/sync/push"),
            StatusCode::METHOD_NOT_ALLOWED,
            "method_not_allowed",
            "method",
        ),
        (
            "wrong method on health",
            request(Method::DELETE, "/api/health", None, Body::empty()),
            StatusCode::METHOD_NOT_ALLOWED,
            "method_not_allowed",
            "method",
        ),
        (
            "POST to an app page",
            request(Method::POST, "/history", None, Body::empty()),
            StatusCode::METHOD_NOT_ALLOWED,
            "method_not_allowed",
            "method",
        ),
        (
            // Found by the fuzzer: the file system's refusal became a 500.
            "a NUL in an app path",
            get("/sw.js%00.txt"),
            StatusCode::BAD_REQUEST,
            "bad_path",
            "NUL",
        ),
        (
            // Found by the fuzzer: a device to revoke with a NUL in its name was a 500.
            "a NUL in an API path parameter",
            request(
                Method::POST,
                "/api/admin/users/713d2cfa-f209-47e4-a094-99611348b7d6/devices/a%00b/revoke",
                None,
                Body::empty(),
            ),
            StatusCode::BAD_REQUEST,
            "bad_path",
            "NUL",
        ),
        (
            // Found by the fuzzer: the file server's 416 had an empty body.
            "a byte range past the file's end",
            Request::get("/index.html")
                .header(header::RANGE, "bytes=99999999-")
                .body(Body::empty())
                .unwrap(),
            StatusCode::RANGE_NOT_SATISFIABLE,
            "range_not_satisfiable",
            "range",
        ),
    ]
}

#[tokio::test]
async fn each_bad_request_gets_its_status_and_a_json_error() {
    let t = TestApp::new().await;
    for (what, request, status, code, in_detail) in cases() {
        let response = t.call(request).await;
        assert_eq!(response.status, status, "{what}: {}", response.text());
        let body = response.assert_error(status, code);
        assert!(
            body.detail.contains(in_detail),
            "{what}: detail {:?} should mention {in_detail:?}",
            body.detail
        );
    }
    assert_eq!(t.rows().await, 0, "no bad request may store anything");
}

#[tokio::test]
async fn a_batch_of_exactly_the_limit_is_accepted() {
    let t = TestApp::new().await;
    let records: Vec<Record> = (1..=MAX_PUSH_BATCH as u128)
        .map(|n| record(n, 100))
        .collect();
    assert_eq!(t.push(&records).await.acks.len(), MAX_PUSH_BATCH);
}

#[tokio::test]
async fn an_empty_push_is_fine_and_reports_the_cursor() {
    let t = TestApp::new().await;
    t.push(&[record(1, 100)]).await;
    let response = t
        .post_json(
            "/api/sync/push",
            json!({ "device": "a1", "records": [] }).to_string(),
        )
        .await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.text());
    let body: Value = response.json();
    assert_eq!(body, json!({ "acks": [], "rejected": [], "cursor": 1 }));
}

#[tokio::test]
async fn text_with_nul_is_refused_and_the_rest_still_works() {
    let t = TestApp::new().await;
    // A crafted client's check-in with a NUL in its note: refused for that record only.
    let mut bad = record(1, 100);
    common::set_note(&mut bad, "门口\0有人");
    let answer = t.push(&[bad, record(2, 100)]).await;
    assert_eq!(answer.acks.len(), 1);
    assert_eq!(answer.rejected.len(), 1);
    assert_eq!(
        answer.rejected[0].code,
        gatewatch_model::RejectCode::Invalid
    );
    assert!(answer.rejected[0].reason.contains("NUL"), "{answer:?}");
    // Reports read every stored body as JSON: still fine on both databases.
    let csv = t
        .get("/api/export/checkins.csv?from=2026-11-25&to=2026-11-25")
        .await;
    assert_eq!(csv.status, StatusCode::OK, "{}", csv.text());
    assert_eq!(csv.text().lines().count(), 2, "{}", csv.text());

    // Names kept as plain text: a 422, never a 500 from the database.
    let user = json!({ "username": "nul.user", "display_name": "王\0丽", "role": "officer" });
    t.post_json("/api/admin/users", user.to_string())
        .await
        .assert_error(StatusCode::UNPROCESSABLE_ENTITY, "invalid_user");
    let school = json!({ "name": "实验\u{1b}小学", "windows": [], "lead_minutes": 10, "utc_offset_minutes": 480 });
    let response = t
        .put_json("/api/admin/schools/s09", school.to_string())
        .await;
    assert_eq!(
        response.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        response.text()
    );
}

#[tokio::test]
async fn a_nul_in_an_accounts_text_is_a_client_error_on_every_database() {
    // Found by the fuzzer: PostgreSQL refuses such text, which was a 500.
    let t = TestApp::new().await;
    let body = json!({
        "username": "nul.user", "password": "nul-user-password", "display_name": "x",
        "role": "officer", "schools": ["\u{0}s01"], "teams": [],
    });
    let answer = t.post_json("/api/admin/users", body.to_string()).await;
    assert!(
        answer.status.is_client_error(),
        "{} {}",
        answer.status,
        answer.text()
    );
    let error: serde_json::Value = serde_json::from_slice(&answer.body).unwrap();
    assert!(error["detail"].as_str().is_some_and(|d| !d.is_empty()));
}
