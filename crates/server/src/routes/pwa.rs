//! Serving the built PWA: files from the dist folder, `index.html` for every other path
//! (client-side routes such as `/history`), and cache headers a service worker can
//! live with.

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::header::CACHE_CONTROL;
use axum::http::{HeaderValue, Method, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use std::path::Path;
use tower::ServiceExt;
use tower_http::services::{ServeDir, ServeFile};

use crate::error::AppError;
use crate::AppState;

/// Every file is revalidated on each load (a cheap 304 when unchanged). `index.html`
/// names the current build's files and `sw.js` decides what the phone keeps offline, so
/// a stale copy pins an old app; and the service worker precaches the other files
/// through the HTTP cache, where a long max-age would hand it stale copies (trunk's
/// file-name hashes are not hashes of the final, optimised files). Offline caching is
/// the service worker's job, not the HTTP cache's.
const REVALIDATE: &str = "no-cache";

/// The fallback of the whole app: every request outside `/api`.
pub async fn serve(State(state): State<AppState>, request: Request) -> Response {
    // `/api/` itself is not matched by the nested API router; it must not get the app.
    if request.uri().path().starts_with("/api/") {
        return AppError::NotFound.into_response();
    }
    if !matches!(*request.method(), Method::GET | Method::HEAD) {
        return AppError::MethodNotAllowed.into_response();
    }
    let index = state.dist.join("index.html");
    // An error checking counts as missing: the page below is the useful answer either way.
    if !tokio::fs::try_exists(&index).await.unwrap_or(false) {
        return not_built(&state);
    }
    serve_built(&state.dist, request).await
}

/// A file of the trunk build in `dir` (its `index.html` for any path not a file: the
/// app's own routes), revalidated on every load. Also serves the console's build.
pub(crate) async fn serve_built(dir: &Path, request: Request) -> Response {
    // The build writes brotli (quality 11) and gzip copies next to each text file:
    // serving those beats compressing on the fly at a low quality on every request.
    let files = ServeDir::new(dir)
        .precompressed_br()
        .precompressed_gzip()
        .fallback(
            ServeFile::new(dir.join("index.html"))
                .precompressed_br()
                .precompressed_gzip(),
        );
    let Ok(response) = files.oneshot(request).await;
    // The file server's own refusals have empty bodies; every error answer is JSON.
    let mut response = match response.status() {
        StatusCode::RANGE_NOT_SATISFIABLE => AppError::RangeNotSatisfiable.into_response(),
        _ => response.map(Body::new),
    };
    response
        .headers_mut()
        .insert(CACHE_CONTROL, HeaderValue::from_static(REVALIDATE));
    response
}

/// What the browser gets when the PWA has not been built yet: a 404 (start-up already
/// warned about it; a 5xx would log an error on every page load).
fn not_built(state: &AppState) -> Response {
    let page = format!(
        "<!doctype html><html lang=\"en\"><meta charset=\"utf-8\"><title>Gatewatch: app not built</title>\
         <h1>The Gatewatch app has not been built yet</h1>\
         <p>The sync server is running, but there is no <code>index.html</code> in <code>{}</code>.</p>\
         <p>Run <code>make run</code> from the repository root: it builds the app and starts the server.</p>\
         <p>The API is available under <a href=\"/api/health\"><code>/api/</code></a>.</p></html>",
        html_escape(&state.dist.display().to_string())
    );
    let mut response = (StatusCode::NOT_FOUND, Html(page)).into_response();
    response
        .headers_mut()
        .insert(CACHE_CONTROL, HeaderValue::from_static(REVALIDATE));
    response
}

fn html_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}
