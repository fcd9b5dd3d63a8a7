//! The server over a real loopback socket (reqwest), health, posts and compression.

mod common;

use std::time::Duration;

use axum::http::{header, StatusCode};
use common::{device, record, TestApp};
use gatewatch_model::{AckOutcome, Post, PullResponse, PushRequest, PushResponse};
use tokio::net::TcpListener;
use tokio::sync::oneshot;

#[tokio::test]
async fn health_answers_ok() {
    let t = TestApp::new().await;
    let response = t.get("/api/health").await;
    assert_eq!(response.status, StatusCode::OK);
    assert_eq!(
        response.json::<serde_json::Value>(),
        serde_json::json!({ "status": "ok" })
    );
}

#[tokio::test]
async fn health_is_a_json_503_when_the_database_is_gone() {
    let t = TestApp::new().await;
    t.state.db.close().await;
    t.get("/api/health")
        .await
        .assert_error(StatusCode::SERVICE_UNAVAILABLE, "unavailable");
}

#[tokio::test]
async fn posts_are_listed() {
    let t = TestApp::new().await;
    let posts: Vec<Post> = t.get("/api/posts").await.json();
    assert_eq!(posts, gatewatch_model::demo_posts());
}

#[tokio::test]
async fn schools_are_listed_and_cover_every_post() {
    let t = TestApp::new().await;
    let schools: Vec<gatewatch_model::school::School> = t.get("/api/schools").await.json();
    assert_eq!(schools, gatewatch_model::school::demo_schools());
    for post in gatewatch_model::demo_posts() {
        assert!(
            schools.iter().any(|s| s.id == post.school_id),
            "{}",
            post.id
        );
    }
}

#[tokio::test]
async fn responses_are_compressed_when_the_client_accepts_it() {
    let t = TestApp::new().await;
    for encoding in ["br", "gzip"] {
        let request = axum::http::Request::get("/api/posts")
            .header(header::ACCEPT_ENCODING, encoding)
            .body(axum::body::Body::empty())
            .unwrap();
        assert_eq!(
            t.call(request).await.header(header::CONTENT_ENCODING),
            Some(encoding)
        );
    }
}

#[tokio::test]
async fn the_real_server_syncs_over_loopback_and_shuts_down_gracefully() {
    let t = TestApp::new().await;
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let (stop, stopped) = oneshot::channel::<()>();
    let server = tokio::spawn(gatewatch_server::run(listener, t.state.clone(), async {
        let _ = stopped.await;
    }));

    let client = reqwest::Client::new();
    let health = client
        .get(format!("{base}/api/health"))
        .send()
        .await
        .unwrap();
    assert_eq!(health.status(), reqwest::StatusCode::OK);

    let push = PushRequest {
        device: device(),
        records: vec![record(1, 100)],
    };
    let session = format!("gw_session={}", t.session.as_deref().unwrap());
    let pushed: PushResponse = client
        .post(format!("{base}/api/sync/push"))
        .header("x-gatewatch", "1")
        .header(header::COOKIE, &session)
        .json(&push)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(pushed.acks[0].outcome, AckOutcome::Stored);

    let pulled: PullResponse = client
        .get(format!("{base}/api/sync/pull?since=0"))
        .header(header::COOKIE, &session)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(pulled.changes[0].record, record(1, 100));

    let page = client.get(format!("{base}/history")).send().await.unwrap();
    assert_eq!(page.status(), reqwest::StatusCode::OK);
    assert_eq!(page.text().await.unwrap(), common::INDEX_HTML);

    stop.send(()).unwrap();
    let finished = tokio::time::timeout(Duration::from_secs(10), server).await;
    finished
        .expect("server stops on the shutdown signal")
        .unwrap()
        .unwrap();
}
