//! Who is asking: the session cookie read into the signed-in user, the role checks
//! routes are wrapped in, and the header every state-changing request must carry.
//!
//! Architecture invariant: handlers never read the cookie themselves. A handler that
//! needs the user takes `SignedIn`; whole areas are wrapped in `signed_in`,
//! `managers_only` or `admin_only` by `routes::api`, so a route added to an area cannot
//! forget its check.

use std::collections::BTreeSet;
use std::net::SocketAddr;
use std::time::Duration;

use axum::extract::{ConnectInfo, FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::Method;
use axum::middleware::Next;
use axum::response::Response;
use axum_extra::extract::cookie::{Cookie, SameSite};
use axum_extra::extract::CookieJar;
use chrono::Utc;
use gatewatch_model::access::{Principal, UserRole};

use crate::accounts::User;
use crate::db::Dialect;
use crate::error::AppError;
use crate::{client_address, sessions, AppState};

/// The session cookie's name.
pub const SESSION_COOKIE: &str = "gw_session";
/// The header a state-changing request must carry. Browsers let a cross-site form or
/// image send cookies but not a custom header (that needs a CORS preflight, which this
/// server never grants), so its presence shows the request came from our own pages.
pub const CSRF_HEADER: &str = "x-gatewatch";

/// How sessions are made: their lifetime, whether the cookie is https-only, and how
/// many failed logins an hour an account's unknown browsers, a client address and a
/// known browser (device cookie) may have.
#[derive(Debug, Clone, Copy)]
pub struct SessionPolicy {
    pub ttl: Duration,
    /// `Secure` on the cookie: set when serving https, or behind a TLS proxy.
    pub secure_cookie: bool,
    pub account_failures_per_hour: i64,
    pub address_failures_per_hour: i64,
    pub device_failures_per_hour: i64,
}

impl Default for SessionPolicy {
    fn default() -> Self {
        Self {
            ttl: Duration::from_secs(14 * 24 * 3600),
            secure_cookie: false,
            account_failures_per_hour: sessions::ACCOUNT_FAILURES_PER_HOUR,
            address_failures_per_hour: sessions::ADDRESS_FAILURES_PER_HOUR,
            device_failures_per_hour: sessions::DEVICE_FAILURES_PER_HOUR,
        }
    }
}

/// The signed-in user of a request and the device their session was opened on.
#[derive(Debug, Clone)]
pub struct SignedIn {
    pub user: User,
    pub device: String,
}

impl SignedIn {
    pub fn principal(&self) -> Principal {
        self.user.profile().principal()
    }

    pub fn is_admin(&self) -> bool {
        self.user.role == UserRole::Admin
    }

    /// A supervisor or an admin: who may write the roster, decide swaps and read
    /// reports (docs/duty-roster.md §7).
    pub fn is_manager(&self) -> bool {
        matches!(self.user.role, UserRole::Supervisor | UserRole::Admin)
    }

    /// The schools this user's reports, roster and swaps are limited to.
    pub fn school_scope(&self) -> SchoolScope {
        match self.user.role {
            UserRole::Admin => SchoolScope::All,
            _ => SchoolScope::Only(self.user.schools.clone()),
        }
    }
}

/// The schools a request reads and writes the roster, swaps and reports of: every
/// school for an admin, the user's own for everyone else.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SchoolScope {
    All,
    Only(BTreeSet<String>),
}

impl SchoolScope {
    pub fn contains(&self, school: &str) -> bool {
        match self {
            SchoolScope::All => true,
            SchoolScope::Only(schools) => schools.contains(school),
        }
    }

    /// The schools as a JSON array to bind, or `None` for every school (no filter).
    pub fn json(&self) -> Option<String> {
        match self {
            SchoolScope::All => None,
            SchoolScope::Only(schools) => serde_json::to_string(schools).ok(),
        }
    }

    /// ` AND <column> IN (the schools bound as parameter `param`)`, or nothing for
    /// every school; the caller binds `json()` when it is `Some`.
    pub fn and_sql(&self, dialect: Dialect, column: &str, param: &str) -> String {
        match self {
            SchoolScope::All => String::new(),
            SchoolScope::Only(_) => format!(" AND {}", dialect.in_json_array(column, param)),
        }
    }
}

/// The session token the request's cookie carries, if any.
pub fn session_token(headers: &axum::http::HeaderMap) -> Option<String> {
    CookieJar::from_headers(headers)
        .get(SESSION_COOKIE)
        .map(|c| c.value().to_owned())
        .filter(|t| !t.is_empty())
}

impl FromRequestParts<AppState> for SignedIn {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        // Already looked up by the area's check: don't ask the database twice.
        if let Some(signed_in) = parts.extensions.get::<SignedIn>() {
            return Ok(signed_in.clone());
        }
        let token =
            session_token(&parts.headers).ok_or(AppError::Unauthenticated("log in first"))?;
        let (user, device) = sessions::user_of(&state.db, &token, Utc::now())
            .await?
            .map_err(|ended| match ended {
                sessions::Ended::Expired => AppError::SessionExpired,
                sessions::Ended::Revoked => AppError::DeviceRevoked,
                sessions::Ended::Disabled => AppError::AccountDisabled,
            })?;
        let signed_in = SignedIn { user, device };
        parts.extensions.insert(signed_in.clone());
        Ok(signed_in)
    }
}

/// Middleware: only signed-in users pass.
pub async fn signed_in(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Result<Response, AppError> {
    let (mut parts, body) = request.into_parts();
    SignedIn::from_request_parts(&mut parts, &state).await?;
    Ok(next.run(Request::from_parts(parts, body)).await)
}

/// Middleware: only signed-in admins pass.
pub async fn admin_only(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Result<Response, AppError> {
    let refusal = "only an administrator may do this";
    only(&state, request, next, SignedIn::is_admin, refusal).await
}

/// Middleware: only signed-in managers (supervisors and admins) pass; what they reach
/// is limited further to their `school_scope` by each handler.
pub async fn managers_only(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Result<Response, AppError> {
    let refusal = "only a supervisor (所长, 指挥室) or an administrator may do this";
    only(&state, request, next, SignedIn::is_manager, refusal).await
}

/// Passes the request on when its signed-in user is one `may` lets through; else 403
/// with `refusal`.
async fn only(
    state: &AppState,
    request: Request,
    next: Next,
    may: fn(&SignedIn) -> bool,
    refusal: &str,
) -> Result<Response, AppError> {
    let (mut parts, body) = request.into_parts();
    let who = SignedIn::from_request_parts(&mut parts, state).await?;
    if !may(&who) {
        return Err(AppError::Forbidden(refusal.into()));
    }
    Ok(next.run(Request::from_parts(parts, body)).await)
}

/// Middleware on all of `/api`: a request that may change something must carry
/// `X-Gatewatch` (any value).
pub async fn require_csrf_header(request: Request, next: Next) -> Result<Response, AppError> {
    let safe = matches!(
        *request.method(),
        Method::GET | Method::HEAD | Method::OPTIONS
    );
    if !safe && !request.headers().contains_key(CSRF_HEADER) {
        return Err(AppError::CsrfHeaderMissing);
    }
    Ok(next.run(request).await)
}

/// Who is on the other end of a login: the key the per-address limit counts it under
/// (`client_address`: the peer the accept loop saw, or the client a trusted proxy
/// forwarded; none in `oneshot` tests) and the browser's user agent (for an admin's
/// device list).
#[derive(Debug, Clone)]
pub struct Client {
    pub address: Option<String>,
    pub user_agent: String,
}

impl FromRequestParts<AppState> for Client {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        Ok(Client {
            address: parts
                .extensions
                .get::<ConnectInfo<SocketAddr>>()
                .map(|ConnectInfo(peer)| {
                    let client = state.proxies.client(peer.ip(), &parts.headers);
                    client_address::limit_key(client)
                }),
            user_agent: parts
                .headers
                .get(axum::http::header::USER_AGENT)
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default()
                .to_owned(),
        })
    }
}

/// The cookie that carries a new session: HttpOnly (no script reads it), SameSite=Strict
/// (no other site's page sends it), Secure over https.
pub fn session_cookie(token: String, policy: SessionPolicy) -> Cookie<'static> {
    let max_age = i64::try_from(policy.ttl.as_secs()).unwrap_or(i64::MAX);
    Cookie::build((SESSION_COOKIE, token))
        .path("/")
        .http_only(true)
        .same_site(SameSite::Strict)
        .secure(policy.secure_cookie)
        .max_age(cookie::time::Duration::seconds(max_age))
        .build()
}

/// The cookie that removes the session cookie (logout).
pub fn removal_cookie(policy: SessionPolicy) -> Cookie<'static> {
    let mut cookie = session_cookie(String::new(), policy);
    cookie.make_removal();
    cookie
}
