//! What every answer carries and how long a request may take: the security headers
//! (Content-Security-Policy, nosniff, referrer policy, frame denial; HSTS over https)
//! and the time limits that keep a slow or stalled client from holding a connection.

use std::time::Duration;

use axum::error_handling::HandleErrorLayer;
use axum::http::header::{
    CONTENT_SECURITY_POLICY, REFERRER_POLICY, STRICT_TRANSPORT_SECURITY, X_CONTENT_TYPE_OPTIONS,
    X_FRAME_OPTIONS,
};
use axum::http::HeaderValue;
use axum::Router;
use tower::{BoxError, ServiceBuilder};
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

/// The time limits of request handling (the connection's own are `listen`'s).
pub fn limit<S: Clone + Send + Sync + 'static>(router: Router<S>, limits: Limits) -> Router<S> {
    let request = limits.request;
    router
        .layer(RequestBodyTimeoutLayer::new(limits.body_idle))
        .layer(
            ServiceBuilder::new()
                // The only error `timeout` adds is `Elapsed`: the inner router is infallible.
                .layer(HandleErrorLayer::new(move |_: BoxError| async move {
                    AppError::RequestTimeout(format!(
                        "the request was not received and answered within {request:?}; try again"
                    ))
                }))
                .timeout(request),
        )
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
