//! Serving the built PWA: files from dist, the SPA fallback to index.html, revalidation
//! headers, and a helpful page (not a 500) when the app has not been built.

mod common;

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use common::{TestApp, ASSETS, INDEX_HTML};

#[tokio::test]
async fn app_routes_fall_back_to_index_html_and_are_revalidated() {
    let t = TestApp::new().await;
    for path in [
        "/",
        "/index.html",
        "/history",
        "/posts/s01-g1",
        "/missing.png",
        "/apiary",
    ] {
        let response = t.get(path).await;
        assert_eq!(response.status, StatusCode::OK, "{path}");
        assert_eq!(response.text(), INDEX_HTML, "{path}");
        assert!(
            response
                .header(header::CONTENT_TYPE)
                .unwrap()
                .starts_with("text/html"),
            "{path}"
        );
        assert_eq!(
            response.header(header::CACHE_CONTROL),
            Some("no-cache"),
            "{path}"
        );
    }
}

#[tokio::test]
async fn files_are_served_and_revalidated_cheaply() {
    let t = TestApp::new().await;
    for (name, content) in ASSETS {
        let path = &format!("/{name}");
        let first = t.get(path).await;
        assert_eq!(first.status, StatusCode::OK, "{path}");
        assert_eq!(first.text(), content);
        assert!(
            first
                .header(header::CONTENT_TYPE)
                .unwrap()
                .contains("javascript"),
            "{path}"
        );
        assert_eq!(
            first.header(header::CACHE_CONTROL),
            Some("no-cache"),
            "{path}"
        );

        let modified = first
            .header(header::LAST_MODIFIED)
            .expect("Last-Modified")
            .to_owned();
        let request = Request::get(path)
            .header(header::IF_MODIFIED_SINCE, modified)
            .body(Body::empty())
            .unwrap();
        let again = t.call(request).await;
        assert_eq!(again.status, StatusCode::NOT_MODIFIED, "{path}");
        assert!(again.body.is_empty());
    }
}

#[tokio::test]
async fn without_a_build_the_browser_gets_a_page_saying_how_to_build() {
    let t = TestApp::without_dist().await;
    for path in ["/", "/history"] {
        let response = t.get(path).await;
        assert_eq!(response.status, StatusCode::NOT_FOUND, "{path}");
        assert!(response
            .header(header::CONTENT_TYPE)
            .unwrap()
            .starts_with("text/html"));
        assert!(response.text().contains("make run"), "{}", response.text());
    }
    // The API works without a build.
    assert_eq!(t.get("/api/health").await.status, StatusCode::OK);
}

#[tokio::test]
async fn the_builds_precompressed_brotli_copy_is_served_to_browsers_that_accept_it() {
    let t = TestApp::new().await;
    // Stand-ins: the build writes `<file>.br` (quality 11) next to each text file.
    std::fs::write(t.dist().join("app.wasm"), vec![0u8; 4096]).unwrap();
    std::fs::write(t.dist().join("app.wasm.br"), b"precompressed").unwrap();
    let request = Request::get("/app.wasm")
        .header(header::ACCEPT_ENCODING, "br, gzip")
        .body(Body::empty())
        .unwrap();
    let response = t.call(request).await;
    assert_eq!(response.status, StatusCode::OK);
    assert_eq!(response.header(header::CONTENT_ENCODING), Some("br"));
    assert_eq!(&response.body[..], b"precompressed");
    // A client without brotli gets the plain file.
    let plain = t.get("/app.wasm").await;
    assert_eq!(plain.header(header::CONTENT_ENCODING), None);
    assert_eq!(plain.body.len(), 4096);
}
