//! What every answer carries and how long a request may take: the security headers
//! (Content-Security-Policy, nosniff, referrer policy, frame denial; HSTS over https;
//! `Cache-Control: no-store` on the API), the time limits that keep a slow or stalled
//! client from holding a connection, a declared body over the limit refused before
//! it is read, and a path holding a NUL refused before any route sees it.

use std::time::Duration;

use axum::extract::{Request, State};
use axum::http::header::{
    CACHE_CONTROL, CONTENT_LENGTH, CONTENT_SECURITY_POLICY, REFERRER_POLICY,
    STRICT_TRANSPORT_SECURITY, X_CONTENT_TYPE_OPTIONS, X_FRAME_OPTIONS,
};
use axum::http::{HeaderMap, HeaderValue, Method};
use axum::middleware::{from_fn, from_fn_with_state, Next};
use axum::response::{IntoResponse, Response};
use axum::Router;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::timeout::RequestBodyTimeoutLayer;

use crate::error::AppError;

/// The one policy of every page, file and API answer. No inline script or style: the
/// app's start-up script is a file of its own (scripts/precache.mjs moves trunk's inline
/// loader out), the admin page loads `admin.js`. `'wasm-unsafe-eval'` lets the app
/// compile its wasm and nothing else; `blob:`/`data:` images are the app's own drawings
/// and downloads.
pub const CSP: &str = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; \
    style-src 'self'; img-src 'self' data: blob:; connect-src 'self'; worker-src 'self'; \
    manifest-src 'self'; base-uri 'self'; form-action 'self'; object-src 'none'; \
    frame-ancestors 'none'";

/// Sent only over https: a year, without `includeSubDomains` (the server does not know
/// what else runs under its domain).
pub const HSTS: &str = "max-age=31536000";

/// How long a client and the server may take, and how many connections may be open.
/// Defaults fit a phone on a weak signal: a full 1 MiB push batch at ~150 kbit/s
/// arrives in under a minute.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// From the request's arrival to the response's head: reading the body and
    /// handling it. Past it the answer is a 408 `request_timeout`.
    pub request: Duration,
    /// The longest wait for the next piece of a request body (a stalled upload).
    pub body_idle: Duration,
    /// The longest wait for a request's headers, on a new or kept-alive connection;
    /// also for a new connection's first request at all, whatever it sends meanwhile
    /// (nothing, an HTTP/2 preface and SETTINGS, a TLS handshake): past it, it is closed.
    pub header_read: Duration,
    /// The longest TLS handshake.
    pub tls_handshake: Duration,
    /// How long a connection that has been answered may wait for its next request
    /// (HTTP/1 keep-alive, or HTTP/2 with no open stream) before it is closed.
    pub keep_alive_idle: Duration,
    /// HTTP/2: how often a connection with an open stream is pinged, and how long the
    /// pong may take before the peer is taken for gone.
    pub h2_ping: Duration,
    /// The most connections open at once (`--max-connections`); see
    /// `listen::Connections` for what happens at the cap.
    pub max_connections: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            request: Duration::from_secs(60),
            body_idle: Duration::from_secs(15),
            header_read: Duration::from_secs(15),
            tls_handshake: Duration::from_secs(15),
            keep_alive_idle: Duration::from_secs(60),
            h2_ping: Duration::from_secs(20),
            max_connections: default_max_connections(),
        }
    }
}

/// Requests that may take longer than `Limits::request`: up to `LONG_REQUEST`. A users
/// import hashes a made-up password for each new account (argon2id, tens of ms each,
/// on every core): the documented 5,000 rows take about a minute on two cores, more
/// while phones sync. Finishing late beats a 408 that throws the work away.
const LONG_REQUESTS: [(Method, &str); 1] = [(Method::POST, "/api/admin/users/import")];
pub const LONG_REQUEST: Duration = Duration::from_secs(10 * 60);

/// File descriptors kept for everything but client connections: the database pool
/// (an SQLite connection holds three files), the listener, logs, the migration lock.
const RESERVED_FILES: u64 = 64;

/// The connection cap that fits the process's open-file limit (`RLIMIT_NOFILE`): what
/// is left after `RESERVED_FILES`, less a quarter for the app's files, each open while
/// it is sent. 1024 open files allow 720 connections; 128 allow 48.
pub fn default_max_connections() -> usize {
    // Unknown (not a Unix, or the call failed): Linux's usual soft limit.
    let files = rlimit::getrlimit(rlimit::Resource::NOFILE).map_or(1024, |(soft, _)| soft);
    let connections = files.saturating_sub(RESERVED_FILES) / 4 * 3;
    usize::try_from(connections).unwrap_or(usize::MAX).max(8)
}

/// The time and size limits of request handling (the connection's own are `listen`'s).
pub fn limit<S: Clone + Send + Sync + 'static>(router: Router<S>, limits: Limits) -> Router<S> {
    router
        .layer(RequestBodyTimeoutLayer::new(limits.body_idle))
        .layer(from_fn(refuse_declared_oversize))
        .layer(from_fn(refuse_nul_in_path))
        .layer(from_fn_with_state(limits, answer_in_time))
}

/// Past its deadline a request is dropped and answered with a 408 `request_timeout`.
async fn answer_in_time(State(limits): State<Limits>, request: Request, next: Next) -> Response {
    let long = LONG_REQUESTS
        .iter()
        .any(|(method, path)| request.method() == method && request.uri().path() == *path);
    let within = if long { LONG_REQUEST } else { limits.request };
    match tokio::time::timeout(within, next.run(request)).await {
        Ok(response) => response,
        Err(_) => AppError::RequestTimeout(format!(
            "the request was not received and answered within {within:?}; try again"
        ))
        .into_response(),
    }
}

/// A path holding an encoded NUL (`%00`) is 400 `bad_path` before any route sees it:
/// no id or file name holds one, and the file system and the databases refuse one with
/// errors that would be 500s (the fuzzer found both: an app file, a device to revoke).
async fn refuse_nul_in_path(request: Request, next: Next) -> Response {
    match request.uri().path().contains("%00") {
        true => AppError::BadPath("a path cannot contain a NUL byte (%00)".into()).into_response(),
        false => next.run(request).await,
    }
}

/// A body whose `Content-Length` is over `MAX_BODY_BYTES` is answered 413 before a
/// byte of it is read: otherwise the server would wait for a body it is going to refuse
/// (a client that announces 3 MB and sends nothing was held until the body idle timeout,
/// then told 408). Bodies without a length are still cut at the limit as they arrive.
async fn refuse_declared_oversize(request: Request, next: Next) -> Response {
    match declared_length(request.headers()) {
        Some(length) if length > crate::MAX_BODY_BYTES as u64 => {
            AppError::PayloadTooLarge(crate::MAX_BODY_BYTES).into_response()
        }
        _ => next.run(request).await,
    }
}

/// The request's `Content-Length`, when it has a readable one (hyper has already
/// refused a malformed or contradictory one).
pub fn declared_length(headers: &HeaderMap) -> Option<u64> {
    headers
        .get(CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse().ok())
}

/// `Cache-Control: no-store` on every `/api` answer, errors and the 404s of unknown
/// paths included: pulled records, gate secrets, the profile and user lists must not
/// stay in the browser's cache after logout. The app's own files keep their caching.
async fn api_answers_not_stored(request: Request, next: Next) -> Response {
    let path = request.uri().path();
    let is_api = path == "/api" || path.starts_with("/api/");
    let mut response = next.run(request).await;
    if is_api {
        response
            .headers_mut()
            .insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    response
}

/// The headers of every answer, errors and fallbacks included. They override what a
/// handler set, so there is one policy.
pub fn headers<S: Clone + Send + Sync + 'static>(router: Router<S>) -> Router<S> {
    router
        .layer(from_fn(api_answers_not_stored))
        .layer(SetResponseHeaderLayer::overriding(
            CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(CSP),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            REFERRER_POLICY,
            HeaderValue::from_static("no-referrer"),
        ))
        // frame-ancestors for browsers that predate CSP level 2.
        .layer(SetResponseHeaderLayer::overriding(
            X_FRAME_OPTIONS,
            HeaderValue::from_static("DENY"),
        ))
}

/// `Strict-Transport-Security` on every answer, for a router served over https.
pub fn hsts(router: Router) -> Router {
    router.layer(SetResponseHeaderLayer::overriding(
        STRICT_TRANSPORT_SECURITY,
        HeaderValue::from_static(HSTS),
    ))
}

/// Whether a body read failed because the client stopped sending (the body idle
/// timeout), as opposed to a broken connection or a size limit.
pub fn body_timed_out(error: &(dyn std::error::Error + 'static)) -> bool {
    let mut cause = Some(error);
    while let Some(e) = cause {
        if e.is::<tower_http::timeout::TimeoutError>() {
            return true;
        }
        cause = e.source();
    }
    false
}
