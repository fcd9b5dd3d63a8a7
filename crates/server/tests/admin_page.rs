//! The admins' page at `/admin`: its HTML, script and stylesheet embedded in the binary,
//! served with their content types and revalidated; other `/admin/` paths are 404s of
//! their own, never the PWA.

mod common;

use axum::http::{header, Method, StatusCode};
use common::{TestApp, INDEX_HTML};

#[tokio::test]
async fn the_page_and_its_files_are_served_with_their_types_and_revalidated() {
    let t = TestApp::new().await;
    for (path, content_type, marker) in [
        ("/admin", "text/html", "<html lang=\"zh-CN\">"),
        ("/admin/", "text/html", "<html lang=\"zh-CN\">"),
        ("/admin/admin.js", "text/javascript", "/api/admin/import"),
        ("/admin/admin.css", "text/css", "body {"),
    ] {
        let response = t.get(path).await;
        assert_eq!(response.status, StatusCode::OK, "{path}");
        assert!(
            response
                .header(header::CONTENT_TYPE)
                .unwrap()
                .starts_with(content_type),
            "{path}: {:?}",
            response.header(header::CONTENT_TYPE)
        );
        assert_eq!(
            response.header(header::CACHE_CONTROL),
            Some("no-cache"),
            "{path}"
        );
        assert!(response.text().contains(marker), "{path}");
        assert_ne!(response.text(), INDEX_HTML, "{path}");
    }
}

#[tokio::test]
async fn the_page_loads_its_own_files_and_asks_for_a_login() {
    let t = TestApp::new().await;
    let html = t.get("/admin").await.text();
    assert!(html.contains("src=\"/admin/admin.js\""));
    assert!(html.contains("href=\"/admin/admin.css\""));
    // No inline script: a `script-src 'self'` policy must not break the page.
    assert_eq!(html.matches("<script").count(), 1, "{html}");
    for id in [
        "admin-login-username",
        "admin-login-password",
        "admin-login-submit",
    ] {
        assert!(html.contains(&format!("data-testid=\"{id}\"")), "{id}");
    }
    // Its script sends the CSRF header on writes and shows the login on a 401.
    let js = t.get("/admin/admin.js").await.text();
    assert!(js.contains("X-Gatewatch"), "{js}");
    assert!(js.contains("401"), "{js}");
}

#[tokio::test]
async fn the_page_offers_the_hours_sheet_of_a_chosen_month() {
    let t = TestApp::new().await;
    let html = t.get("/admin").await.text();
    for id in ["admin-duty-month", "admin-duty-hours", "admin-duty-status"] {
        assert!(html.contains(&format!("data-testid=\"{id}\"")), "{id}");
    }
    let js = t.get("/admin/admin.js").await.text();
    assert!(js.contains("/api/export/duty-hours.csv?"), "{js}");
}

#[tokio::test]
async fn the_page_is_served_without_a_built_pwa() {
    let t = TestApp::without_dist().await;
    assert_eq!(t.get("/admin").await.status, StatusCode::OK);
    assert_eq!(t.get("/admin/admin.js").await.status, StatusCode::OK);
}

#[tokio::test]
async fn other_admin_paths_are_404s_not_the_app() {
    let t = TestApp::new().await;
    for path in ["/admin/x", "/admin/index.html", "/admin/admin.js/more"] {
        let response = t.get(path).await;
        assert_eq!(response.status, StatusCode::NOT_FOUND, "{path}");
        assert_ne!(response.text(), INDEX_HTML, "{path}");
        assert_eq!(response.json::<serde_json::Value>()["error"], "not_found");
    }
    // The page is read-only: writes go to the API.
    let response = t.send(Method::POST, "/admin", "text/plain", "x").await;
    assert_eq!(response.status, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(
        response.json::<serde_json::Value>()["error"],
        "method_not_allowed"
    );
    // Paths that merely start with "admin" are still the app's.
    assert_eq!(t.get("/administration").await.text(), INDEX_HTML);
}
