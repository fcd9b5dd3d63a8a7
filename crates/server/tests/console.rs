//! Serving the managers' console (`crates/console`, built into `dist/console/`) at
//! `/console/`: its own index for its screens, its files (precompressed copies too),
//! JSON errors for what it does not have, never the PWA's page.

mod common;

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use common::{TestApp, INDEX_HTML};

const CONSOLE_HTML: &str = "<!doctype html><title>Gatewatch console</title><p>test build";
const CONSOLE_JS: &str = "console.log('console');";

/// A test server with a stand-in console build beside the stand-in PWA.
async fn with_console() -> TestApp {
    let t = TestApp::new().await;
    let dir = t.dist().join("console");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("index.html"), CONSOLE_HTML).unwrap();
    std::fs::write(dir.join("console-1.js"), CONSOLE_JS).unwrap();
    t
}

#[tokio::test]
async fn the_consoles_screens_get_its_own_page_not_the_pwas() {
    let t = with_console().await;
    for path in [
        "/console/",
        "/console/calendar",
        "/console/coverage/",
        "/console/index.html",
    ] {
        let response = t.get(path).await;
        assert_eq!(response.status, StatusCode::OK, "{path}");
        assert_eq!(response.text(), CONSOLE_HTML, "{path}");
        assert_eq!(
            response.header(header::CACHE_CONTROL),
            Some("no-cache"),
            "{path}"
        );
        let csp = response
            .header(header::CONTENT_SECURITY_POLICY)
            .unwrap_or_default();
        assert!(
            csp.contains("script-src 'self' 'wasm-unsafe-eval'"),
            "{path}: {csp}"
        );
    }
    // `/console` itself sends the browser to the address its relative links need.
    let bare = t.get("/console").await;
    assert_eq!(bare.status, StatusCode::PERMANENT_REDIRECT);
    assert_eq!(bare.header(header::LOCATION), Some("/console/"));
    // The PWA is untouched.
    assert_eq!(t.get("/history").await.text(), INDEX_HTML);
    assert_eq!(t.get("/consoles").await.text(), INDEX_HTML);
}

#[tokio::test]
async fn its_files_are_served_and_a_missing_one_is_a_json_404() {
    let t = with_console().await;
    let js = t.get("/console/console-1.js").await;
    assert_eq!(js.status, StatusCode::OK);
    assert_eq!(js.text(), CONSOLE_JS);
    assert!(js
        .header(header::CONTENT_TYPE)
        .unwrap()
        .contains("javascript"));

    std::fs::write(t.dist().join("console/console-1.js.br"), b"precompressed").unwrap();
    let request = Request::get("/console/console-1.js")
        .header(header::ACCEPT_ENCODING, "br, gzip")
        .body(Body::empty())
        .unwrap();
    let br = t.call(request).await;
    assert_eq!(br.header(header::CONTENT_ENCODING), Some("br"));
    assert_eq!(&br.body[..], b"precompressed");

    let missing = t.get("/console/gone-2.wasm").await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    assert_eq!(missing.json::<serde_json::Value>()["error"], "not_found");

    let post = t.post_json("/console/", "{}").await;
    assert_eq!(post.status, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(
        post.json::<serde_json::Value>()["error"],
        "method_not_allowed"
    );
}

#[tokio::test]
async fn without_a_console_build_it_says_how_to_build_it() {
    let t = TestApp::new().await;
    let response = t.get("/console/").await;
    assert_eq!(response.status, StatusCode::NOT_FOUND);
    let body: serde_json::Value = response.json();
    assert_eq!(body["error"], "not_found");
    assert!(
        body["detail"].as_str().unwrap().contains("make run"),
        "{body}"
    );
    // Not the PWA's page.
    assert_ne!(response.text(), INDEX_HTML);
}
