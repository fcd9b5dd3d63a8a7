//! `GET /admin`: the admins' page (sign-in, catalog, CSV import, gate locations,
//! reports, accounts and their devices), plain HTML + JS + CSS embedded in the binary.
//! It only calls the public API; the phone app knows nothing of it (its first-load
//! budget is spent) and it is not in the PWA's build or precache.
//!
//! The page itself is served to anyone: it holds no data. What it shows comes from the
//! API, which answers only a signed-in admin (`auth::admin_only`); the page signs in
//! through `POST /api/auth/login` with the same session cookie as the phone app.

use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE};
use axum::response::{IntoResponse, Response};
use axum::routing::{any, get};
use axum::Router;

use crate::error::AppError;
use crate::AppState;

const INDEX_HTML: &str = include_str!("../../admin/index.html");
const ADMIN_JS: &str = include_str!("../../admin/admin.js");
const ADMIN_CSS: &str = include_str!("../../admin/admin.css");

/// The page and its two files. Any other path under `/admin/` is a 404 of its own: it
/// must not fall through to the PWA's index.html.
pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/admin",
            get(|| file("text/html; charset=utf-8", INDEX_HTML)),
        )
        .route(
            "/admin/",
            get(|| file("text/html; charset=utf-8", INDEX_HTML)),
        )
        .route(
            "/admin/admin.js",
            get(|| file("text/javascript; charset=utf-8", ADMIN_JS)),
        )
        .route(
            "/admin/admin.css",
            get(|| file("text/css; charset=utf-8", ADMIN_CSS)),
        )
        .route("/admin/{*rest}", any(not_found))
        // Must come after the routes, as in `routes::api`.
        .method_not_allowed_fallback(method_not_allowed)
}

/// One embedded file. `no-cache`: it changes with the binary, and a revalidation is
/// cheap next to an admin working against a stale script. (`nosniff` and the CSP are
/// on every answer: `security::headers`.)
async fn file(content_type: &'static str, body: &'static str) -> Response {
    (
        [(CONTENT_TYPE, content_type), (CACHE_CONTROL, "no-cache")],
        body,
    )
        .into_response()
}

async fn not_found() -> AppError {
    AppError::Missing("no such file of the admin page".into())
}

async fn method_not_allowed() -> AppError {
    AppError::MethodNotAllowed
}
