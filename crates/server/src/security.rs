//! What every answer carries and how long a request may take: the security headers
//! (Content-Security-Policy, nosniff, referrer policy, frame denial; HSTS over https)
//! and the time limits that keep a slow or stalled client from holding a connection.

use std::time::Duration;

use axum::extract::{Request, State};
use axum::http::header::{
    CONTENT_SECURITY_POLICY, REFERRER_POLICY, STRICT_TRANSPORT_SECURITY, X_CONTENT_TYPE_OPTIONS,
    X_FRAME_OPTIONS,
};
use axum::http::{HeaderValue, Method};
use axum::middleware::{from_fn_with_state, Next};
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

/// How long a client and the server may take. Defaults fit a phone on a weak signal: a
/// full 1 MiB push batch at ~150 kbit/s arrives in under a minute.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// From the request's arrival to the response's head: reading the body and
    /// handling it. Past it the answer is a 408 `request_timeout`.
    pub request: Duration,
    /// The longest wait for the next piece of a request body (a stalled upload).
    pub body_idle: Duration,
    /// The longest wait for a request's headers, on a new or kept-alive connection.
    pub header_read: Duration,
    /// The longest TLS handshake.
    pub tls_handshake: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            request: Duration::from_secs(60),
            body_idle: Duration::from_secs(15),
            header_read: Duration::from_secs(15),
            tls_handshake: Duration::from_secs(15),
        }
    }
}

/// Requests that may take longer than `Limits::request`: up to `LONG_REQUEST`. A users
/// import hashes a made-up password for each new account (argon2id, tens of ms each,
/// on every core): the documented 5,000 rows take about a minute on two cores, more
/// while phones sync. Finishing late beats a 408 that throws the work away.
const LONG_REQUESTS: [(Method, &str); 1] = [(Method::POST, "/api/admin/users/import")];
pub const LONG_REQUEST: Duration = Duration::from_secs(10 * 60);

/// The time limits of request handling (the connection's own are `listen`'s).
pub fn limit<S: Clone + Send + Sync + 'static>(router: Router<S>, limits: Limits) -> Router<S> {
    router
        .layer(RequestBodyTimeoutLayer::new(limits.body_idle))
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

/// The headers of every answer, errors and fallbacks included. They override what a
/// handler set, so there is one policy.
pub fn headers<S: Clone + Send + Sync + 'static>(router: Router<S>) -> Router<S> {
    router
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
