//! The one error type of request handling, and the one of start-up.
//!
//! Every error answer has the body `{"error": "<stable_code>", "detail": "<text>"}`
//! (`gatewatch_model::ErrorBody`; a refused upload adds its `line`). Codes are part of the protocol (see
//! docs/sync-protocol.md) and never change meaning; details are for humans and may.

use std::io;
use std::net::SocketAddr;
use std::path::PathBuf;

use axum::extract::rejection::{JsonRejection, PathRejection, QueryRejection};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use gatewatch_model::{ErrorBody, MAX_PUSH_BATCH};

/// Everything a request can fail with. Each variant's doc names its status and code.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// 400 `malformed_json`: the body is not JSON at all (syntax error, truncated).
    #[error("{0}")]
    MalformedJson(String),

    /// 422 `invalid_record`: the body is JSON but not a valid message: a wrong type,
    /// a missing field, an unknown record kind. The detail is serde's message, with
    /// the path to the offending field.
    #[error("{0}")]
    InvalidRecord(String),

    /// 422 `invalid_school`: a school that fails `School::validate`, or whose id is not
    /// the one in the path.
    #[error("{0}")]
    InvalidSchool(String),

    /// 422 `invalid_post`: a bad post id or gate, or a post of a school that does not
    /// exist.
    #[error("{0}")]
    InvalidPost(String),

    /// 422 `invalid_csv`: an import that cannot be applied; the detail names the line
    /// and the problem. Nothing of the file was applied.
    #[error("{0}")]
    InvalidCsv(String),

    /// 422 `invalid_csv`, with `line` in the body too: a calendar or roster upload
    /// refused at that line (the detail says why, with the line). Nothing of the file
    /// was applied.
    #[error("{detail}")]
    CsvLine { line: usize, detail: String },

    /// 422 `invalid_roster`: a roster change that cannot be made: an unknown post, a
    /// person who is not an active officer of the slot's school, a day gone or one more
    /// than a year ahead, a week that does not start on a Monday; the detail says which.
    #[error("{0}")]
    InvalidRoster(String),

    /// 409 `overlap`: an officer already in another slot of the same date and window;
    /// the detail names the officer and that slot. Nothing was changed.
    #[error("{0}")]
    Overlap(String),

    /// 409 `already_decided`: a decision on a swap request that was decided before.
    #[error("{0}")]
    AlreadyDecided(String),

    /// 409 `withdrawn`: a decision on a swap request its officer withdrew (voided).
    /// Nothing was changed.
    #[error("{0}")]
    Withdrawn(String),

    /// 409 `not_assigned`: approving a swap whose asking officer is not (or no longer)
    /// on that slot; nobody would be relieved. Nothing was changed.
    #[error("{0}")]
    NotAssigned(String),

    /// 409 `stale`: a slot written from a stale view: it holds other officers than the
    /// client said it showed (`expected`), so someone changed it meanwhile. The body
    /// carries the slot's `assignments` as they are now; nothing was changed.
    #[error("{detail}")]
    Stale {
        detail: String,
        assignments: Vec<gatewatch_model::roster::Assignment>,
    },

    /// 422 `invalid_encoding`: an import whose bytes are neither UTF-8 nor GB18030
    /// (GBK) text, or hold U+FFFD; the detail names the line and the byte offset.
    /// Nothing of the file was applied.
    #[error(transparent)]
    InvalidEncoding(#[from] crate::csv_text::EncodingError),

    /// 415 `unsupported_media_type`: an endpoint called without the `Content-Type` it
    /// takes (the field names it).
    #[error("expected a request with `Content-Type: {0}`")]
    UnsupportedMediaType(&'static str),

    /// 413 `payload_too_large`: the body is longer than the endpoint accepts (the
    /// field, in bytes: `MAX_BODY_BYTES`, or `MAX_IMPORT_BYTES` for an import).
    #[error("the request body is larger than {0} bytes")]
    PayloadTooLarge(usize),

    /// 413 `batch_too_large`: a push carries more than `MAX_PUSH_BATCH` records.
    #[error("a push may carry at most {MAX_PUSH_BATCH} records, this one has {0}")]
    BatchTooLarge(usize),

    /// 413 `batch_too_large`: one push stores more than the account may push in a whole
    /// day (`gatewatch_model::quota`): it would never fit, so the phone is told to send
    /// smaller batches (it then sends its records one by one) instead of to wait.
    #[error("this push holds {0} records, more than one account may push in a day; send them in smaller batches")]
    PushOverADay(u64),

    /// 400 `bad_request`: the body could not be read for another reason (e.g. the
    /// client went away mid-upload).
    #[error("{0}")]
    BadBody(String),

    /// 408 `request_timeout`: the request body stopped arriving, or the request was not
    /// received and answered within `Limits::request`. Retrying is safe (push is
    /// idempotent); the detail says which.
    #[error("{0}")]
    RequestTimeout(String),

    /// 400 `bad_query`: the query string is not what the endpoint takes.
    #[error("{0}")]
    BadQuery(String),

    /// 400 `bad_path`: a path parameter could not be decoded.
    #[error("{0}")]
    BadPath(String),

    /// 404 `not_found`: no such API endpoint.
    #[error("no such endpoint")]
    NotFound,

    /// 404 `not_found`: the endpoint exists but what its path names does not (a
    /// record, a post); the detail says which.
    #[error("{0}")]
    Missing(String),

    /// 405 `method_not_allowed`: the endpoint exists but not with this method.
    #[error("this endpoint does not take this HTTP method")]
    MethodNotAllowed,

    /// 416 `range_not_satisfiable`: a `Range` header asked for bytes past a file's end.
    #[error("the requested byte range is not in the file")]
    RangeNotSatisfiable,

    /// 401 `unauthenticated`: no session cookie. The phone keeps its unsynced records
    /// and asks the user to log in.
    #[error("{0}")]
    Unauthenticated(&'static str),

    /// 401 `session_expired`: the cookie's session ended by itself or by its user
    /// (expired, logged out, a password change elsewhere). The phone keeps everything
    /// and asks the user to log in again.
    #[error("your session has ended (expired or logged out); log in again")]
    SessionExpired,

    /// 401 `device_revoked`: an admin ended this phone's sessions (revoked the device,
    /// reset the password). The phone drops what the server has and keeps unsynced
    /// records hidden until the same user logs in again or exports them. (Still a
    /// 401: an older phone treats it as any ended session.)
    #[error("an administrator ended this phone's access; log in again")]
    DeviceRevoked,

    /// 401 `bad_credentials`: a login with an unknown username or a wrong password
    /// (which of the two is not said).
    #[error("wrong username or password")]
    BadCredentials,

    /// 403 `account_disabled`: the right password for an account an admin disabled, or
    /// a session of such an account (the phone then drops what the server has, as for
    /// `device_revoked`; an older phone sees a failed sync and keeps its records).
    #[error("this account is disabled; ask an administrator")]
    AccountDisabled,

    /// 403 `forbidden`: signed in, but the role or scope does not allow this; the
    /// detail says what is missing.
    #[error("{0}")]
    Forbidden(String),

    /// 403 `csrf_header_missing`: a state-changing request without the `X-Gatewatch`
    /// header (a cross-site form cannot send one).
    #[error("state-changing requests must carry the `X-Gatewatch` header")]
    CsrfHeaderMissing,

    /// 429 `too_many_attempts`: too many failed logins for this account or from this
    /// address in the last hour; `Retry-After` says when to try again (seconds).
    #[error("too many failed logins; try again in {0} seconds")]
    TooManyAttempts(u64),

    /// 429 `push_limit`: the account pushed its day's records or bytes
    /// (`gatewatch_model::quota`); nothing of this push was stored. `Retry-After` says
    /// when enough of the day's window frees (seconds); the phone keeps the records.
    #[error("this account pushed its limit of {} records or {} bytes in 24 hours; try again in {retry_after} seconds", limits.records_per_day, limits.bytes_per_day)]
    PushLimit {
        retry_after: u64,
        limits: gatewatch_model::quota::PushLimits,
    },

    /// 422 `invalid_user`: an account that fails the rules (username, password, display
    /// name, role, a school or team that does not exist); the detail says which.
    #[error("{0}")]
    InvalidUser(String),

    /// 409 `username_taken`: creating an account whose username exists.
    #[error("the username `{0}` is taken")]
    UsernameTaken(String),

    /// 503 `unavailable`: the database cannot be reached or stayed busy too long.
    /// Logged; the detail does not leak the cause. The client should retry later.
    #[error("the server cannot reach its database right now; try again later")]
    Unavailable(#[source] sqlx::Error),

    /// 500 `internal`: a bug or a broken database. Logged with its cause; the detail
    /// says nothing about it.
    #[error("internal server error")]
    Internal(#[source] Box<dyn std::error::Error + Send + Sync>),
}

impl AppError {
    /// The HTTP status and stable code of this error.
    pub fn status_and_code(&self) -> (StatusCode, &'static str) {
        match self {
            AppError::MalformedJson(_) => (StatusCode::BAD_REQUEST, "malformed_json"),
            AppError::InvalidRecord(_) => (StatusCode::UNPROCESSABLE_ENTITY, "invalid_record"),
            AppError::InvalidSchool(_) => (StatusCode::UNPROCESSABLE_ENTITY, "invalid_school"),
            AppError::InvalidPost(_) => (StatusCode::UNPROCESSABLE_ENTITY, "invalid_post"),
            AppError::InvalidCsv(_) | AppError::CsvLine { .. } => {
                (StatusCode::UNPROCESSABLE_ENTITY, "invalid_csv")
            }
            AppError::InvalidRoster(_) => (StatusCode::UNPROCESSABLE_ENTITY, "invalid_roster"),
            AppError::Overlap(_) => (StatusCode::CONFLICT, "overlap"),
            AppError::AlreadyDecided(_) => (StatusCode::CONFLICT, "already_decided"),
            AppError::Withdrawn(_) => (StatusCode::CONFLICT, "withdrawn"),
            AppError::NotAssigned(_) => (StatusCode::CONFLICT, "not_assigned"),
            AppError::Stale { .. } => (StatusCode::CONFLICT, "stale"),
            AppError::InvalidEncoding(_) => (StatusCode::UNPROCESSABLE_ENTITY, "invalid_encoding"),
            AppError::UnsupportedMediaType(_) => {
                (StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type")
            }
            AppError::PayloadTooLarge(_) => (StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large"),
            AppError::BatchTooLarge(_) | AppError::PushOverADay(_) => {
                (StatusCode::PAYLOAD_TOO_LARGE, "batch_too_large")
            }
            AppError::BadBody(_) => (StatusCode::BAD_REQUEST, "bad_request"),
            AppError::RequestTimeout(_) => (StatusCode::REQUEST_TIMEOUT, "request_timeout"),
            AppError::BadQuery(_) => (StatusCode::BAD_REQUEST, "bad_query"),
            AppError::BadPath(_) => (StatusCode::BAD_REQUEST, "bad_path"),
            AppError::NotFound | AppError::Missing(_) => (StatusCode::NOT_FOUND, "not_found"),
            AppError::MethodNotAllowed => (StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed"),
            AppError::RangeNotSatisfiable => {
                (StatusCode::RANGE_NOT_SATISFIABLE, "range_not_satisfiable")
            }
            AppError::Unauthenticated(_) => (StatusCode::UNAUTHORIZED, "unauthenticated"),
            AppError::SessionExpired => (StatusCode::UNAUTHORIZED, "session_expired"),
            AppError::DeviceRevoked => (StatusCode::UNAUTHORIZED, "device_revoked"),
            AppError::BadCredentials => (StatusCode::UNAUTHORIZED, "bad_credentials"),
            AppError::AccountDisabled => (StatusCode::FORBIDDEN, "account_disabled"),
            AppError::Forbidden(_) => (StatusCode::FORBIDDEN, "forbidden"),
            AppError::CsrfHeaderMissing => (StatusCode::FORBIDDEN, "csrf_header_missing"),
            AppError::TooManyAttempts(_) => (StatusCode::TOO_MANY_REQUESTS, "too_many_attempts"),
            AppError::PushLimit { .. } => (StatusCode::TOO_MANY_REQUESTS, "push_limit"),
            AppError::InvalidUser(_) => (StatusCode::UNPROCESSABLE_ENTITY, "invalid_user"),
            AppError::UsernameTaken(_) => (StatusCode::CONFLICT, "username_taken"),
            AppError::Unavailable(_) => (StatusCode::SERVICE_UNAVAILABLE, "unavailable"),
            AppError::Internal(_) => (StatusCode::INTERNAL_SERVER_ERROR, "internal"),
        }
    }
}

impl AppError {
    /// The body idle timeout fired while an extractor read the body.
    pub fn body_stalled() -> Self {
        AppError::RequestTimeout("the request body stopped arriving; try again".into())
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let (status, code) = self.status_and_code();
        match &self {
            AppError::Internal(cause) => tracing::error!(error = %cause, "request failed"),
            AppError::Unavailable(cause) => tracing::warn!(error = %cause, "database unavailable"),
            _ => tracing::debug!(code, detail = %self, "request refused"),
        }
        let body = ErrorBody {
            error: code.to_owned(),
            detail: self.to_string(),
        };
        let mut response = match &self {
            // The line as a number too, for a screen that points at it.
            AppError::CsvLine { line, .. } => (
                status,
                Json(serde_json::json!({
                    "error": body.error, "detail": body.detail, "line": line,
                })),
            )
                .into_response(),
            // The slot as it is now, for a screen to show instead of its stale view.
            AppError::Stale { assignments, .. } => (
                status,
                Json(serde_json::json!({
                    "error": body.error, "detail": body.detail, "assignments": assignments,
                })),
            )
                .into_response(),
            _ => (status, Json(body)).into_response(),
        };
        if let AppError::TooManyAttempts(seconds)
        | AppError::PushLimit {
            retry_after: seconds,
            ..
        } = self
        {
            response
                .headers_mut()
                .insert(axum::http::header::RETRY_AFTER, seconds.into());
        }
        response
    }
}

use sqlx::postgres::PgDatabaseError;

impl From<sqlx::Error> for AppError {
    fn from(e: sqlx::Error) -> Self {
        if is_transient(&e) {
            AppError::Unavailable(e)
        } else if is_text_with_nul(&e) {
            AppError::BadBody("text cannot contain a NUL character (U+0000)".into())
        } else {
            AppError::Internal(Box::new(e))
        }
    }
}

/// PostgreSQL refused a client's text holding a NUL (no keyboard types one; SQLite
/// stores it): `22021` for a bound string, `22P05` inside JSON. Found by the fuzzer (an
/// account whose school was `"\u0000…"` was a 500); a client's mistake, so a 400.
fn is_text_with_nul(e: &sqlx::Error) -> bool {
    match e {
        sqlx::Error::Database(db) if db.try_downcast_ref::<PgDatabaseError>().is_some() => db
            .code()
            .is_some_and(|sqlstate| matches!(&*sqlstate, "22021" | "22P05")),
        _ => false,
    }
}

/// Errors that go away by themselves: the pool is exhausted, another writer kept the
/// database locked past the busy timeout, or a PostgreSQL server is out of reach or
/// restarting.
fn is_transient(e: &sqlx::Error) -> bool {
    match e {
        sqlx::Error::PoolTimedOut | sqlx::Error::PoolClosed | sqlx::Error::Io(_) => true,
        sqlx::Error::Database(db) if db.try_downcast_ref::<PgDatabaseError>().is_some() => {
            db.code().is_some_and(|sqlstate| {
                // Serialization failure, deadlock, lock timeout, too many connections,
                // shutting down or starting up, and every connection exception (08…).
                matches!(
                    &*sqlstate,
                    "40001" | "40P01" | "55P03" | "53300" | "57P01" | "57P02" | "57P03"
                ) || sqlstate.starts_with("08")
            })
        }
        // SQLITE_BUSY (5) and SQLITE_LOCKED (6), possibly as extended codes.
        sqlx::Error::Database(db) => db
            .code()
            .and_then(|c| c.parse::<i32>().ok())
            .is_some_and(|c| matches!(c & 0xff, 5 | 6)),
        _ => false,
    }
}

impl From<serde_json::Error> for AppError {
    /// Only ever our own data failing to (de)serialize, never a client's: a 500.
    fn from(e: serde_json::Error) -> Self {
        AppError::Internal(Box::new(e))
    }
}

impl From<JsonRejection> for AppError {
    fn from(rejection: JsonRejection) -> Self {
        match rejection {
            JsonRejection::JsonDataError(e) => AppError::InvalidRecord(e.body_text()),
            JsonRejection::JsonSyntaxError(e) => AppError::MalformedJson(e.body_text()),
            JsonRejection::MissingJsonContentType(_) => {
                AppError::UnsupportedMediaType("application/json")
            }
            // The body limit surfaces as a failure to buffer the body with status 413.
            other if other.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                AppError::PayloadTooLarge(crate::MAX_BODY_BYTES)
            }
            other if crate::security::body_timed_out(&other) => AppError::body_stalled(),
            other => AppError::BadBody(other.body_text()),
        }
    }
}

impl From<PathRejection> for AppError {
    fn from(rejection: PathRejection) -> Self {
        AppError::BadPath(rejection.body_text())
    }
}

impl From<QueryRejection> for AppError {
    fn from(rejection: QueryRejection) -> Self {
        AppError::BadQuery(rejection.body_text())
    }
}

/// Why the server could not start or stopped serving.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error("cannot create the database folder {path}: {source}")]
    DataDir { path: PathBuf, source: io::Error },
    #[error("cannot open the database {location}: {source}")]
    Open {
        location: String,
        source: sqlx::Error,
    },
    #[error("--database-url {0}: only PostgreSQL URLs (postgres://…) are supported; give an SQLite file with --database")]
    DatabaseUrl(String),
    #[error("--trusted-proxy {0}: not an IP address or network (10.0.0.5, 10.0.0.0/24, fd00::/8)")]
    TrustedProxy(String),
    #[error("cannot lock {path} to migrate the database: {source}")]
    MigrationLock { path: PathBuf, source: io::Error },
    #[error("cannot migrate the database: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("cannot seed the demo schools and posts: {0}")]
    Seed(#[source] Box<dyn std::error::Error + Send + Sync>),
    #[error("cannot listen on {addr}: {source}")]
    Bind { addr: SocketAddr, source: io::Error },
    #[error("the server stopped: {0}")]
    Serve(io::Error),
    #[error("{0}: give both --tls-cert and --tls-key (GATEWATCH_TLS_CERT / GATEWATCH_TLS_KEY) to serve https, or neither for http")]
    TlsPair(&'static str),
    #[error("cannot use {path} for https: {detail}")]
    Tls { path: PathBuf, detail: String },
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn body_of(error: AppError) -> (StatusCode, ErrorBody) {
        let response = error.into_response();
        let status = response.status();
        let bytes = axum::body::to_bytes(response.into_body(), usize::MAX)
            .await
            .unwrap();
        (status, serde_json::from_slice(&bytes).unwrap())
    }

    #[tokio::test]
    async fn a_500_says_nothing_about_its_cause() {
        let cause = io::Error::other("disk I/O error at /var/lib/secret.db");
        let (status, body) = body_of(AppError::Internal(Box::new(cause))).await;
        assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
        assert_eq!(body.error, "internal");
        assert!(!body.detail.contains("secret"), "{}", body.detail);
    }

    #[tokio::test]
    async fn a_503_says_nothing_about_its_cause() {
        let (status, body) = body_of(AppError::from(sqlx::Error::PoolTimedOut)).await;
        assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(body.error, "unavailable");
        assert!(
            !body.detail.to_lowercase().contains("pool"),
            "{}",
            body.detail
        );
    }
}
