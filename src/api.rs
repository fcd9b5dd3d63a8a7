//! The sync server's HTTP API, as the app calls it. One typed error for network
//! failures, server refusals and unreadable answers.

use chrono::NaiveDate;
use gatewatch_model::account::{LoginRequest, Profile, SessionEnd};
use gatewatch_model::calendar::CalendarEntry;
use gatewatch_model::roster::RosterPage;
use gatewatch_model::school::School;
use gatewatch_model::{Cursor, ErrorBody, Post, PullResponse, PushRequest, PushResponse};
use gloo_net::http::{Request, Response};
use serde::de::DeserializeOwned;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ApiError {
    /// No answer at all: offline, server down, connection cut mid-request.
    #[error("network: {0}")]
    Network(String),
    /// The server answered with an error status and its JSON error body.
    #[error("server {status}: {} ({})", body.error, body.detail)]
    Server { status: u16, body: ErrorBody },
    /// `429`: the server said when to try again (`Retry-After`, seconds).
    #[error("server 429: {} ({}); try again in {retry_after_secs} s", body.error, body.detail)]
    TryLater {
        body: ErrorBody,
        retry_after_secs: u64,
    },
    /// An answer that is not what the protocol promises.
    #[error("unexpected answer: {0}")]
    Decode(String),
}

async fn read<T: DeserializeOwned>(resp: Response) -> Result<T, ApiError> {
    let status = resp.status();
    if !(200..300).contains(&status) {
        let body = resp
            .json::<ErrorBody>()
            .await
            .unwrap_or_else(|_| ErrorBody {
                error: "http_error".into(),
                detail: resp.status_text(),
            });
        return Err(match retry_after(&resp) {
            Some(retry_after_secs) if status == 429 => ApiError::TryLater {
                body,
                retry_after_secs,
            },
            _ => ApiError::Server { status, body },
        });
    }
    resp.json::<T>()
        .await
        .map_err(|e| ApiError::Decode(e.to_string()))
}

/// The seconds of a `Retry-After` header (our server sends seconds, never a date).
fn retry_after(resp: &Response) -> Option<u64> {
    resp.headers()
        .get("retry-after")
        .and_then(|v| v.trim().parse().ok())
}

fn network(e: gloo_net::Error) -> ApiError {
    ApiError::Network(e.to_string())
}

impl ApiError {
    /// How the server ended this phone's session, if that is what this answer says
    /// (expired or logged out; the device revoked; the account disabled).
    pub fn session_end(&self) -> Option<SessionEnd> {
        match self {
            ApiError::Server { status, body } => SessionEnd::of_answer(*status, &body.error),
            _ => None,
        }
    }
}

/// A request that may change something: it carries `X-Gatewatch`, which a cross-site
/// form cannot send (the server refuses such requests without it). The session cookie
/// goes along by itself (same origin); no script ever sees it.
fn post(url: &str) -> gloo_net::http::RequestBuilder {
    Request::post(url).header("X-Gatewatch", "1")
}

/// `body` as JSON to `url`, the answer read as `R`.
async fn post_json<R: DeserializeOwned>(
    url: &str,
    body: &impl serde::Serialize,
) -> Result<R, ApiError> {
    let resp = post(url)
        .json(body)
        .map_err(|e| ApiError::Decode(e.to_string()))?
        .send()
        .await
        .map_err(network)?;
    read(resp).await
}

/// Logs in on this phone's device; the server sets the session cookie.
pub async fn login(req: &LoginRequest) -> Result<Profile, ApiError> {
    post_json("/api/auth/login", req).await
}

/// Who the session cookie belongs to (401 when there is none or it ended).
pub async fn me() -> Result<Profile, ApiError> {
    let resp = Request::get("/api/auth/me").send().await.map_err(network)?;
    read(resp).await
}

/// Ends the session on the server and removes its cookie.
pub async fn logout() -> Result<(), ApiError> {
    let resp = post("/api/auth/logout").send().await.map_err(network)?;
    // Whatever the answer holds is skipped, not built: a `serde_json::Value` brought
    // the JSON tree and float parsing into the wasm for this one call (BENCHMARKS.md).
    read::<serde::de::IgnoredAny>(resp).await.map(|_| ())
}

pub async fn push(req: &PushRequest) -> Result<PushResponse, ApiError> {
    post_json("/api/sync/push", req).await
}

/// Changes after `since`; rosters and sessions only of the `teams` this phone follows.
pub async fn pull(since: Cursor, teams: &[uuid::Uuid]) -> Result<PullResponse, ApiError> {
    let teams: Vec<String> = teams.iter().map(|t| t.to_string()).collect();
    let resp = Request::get(&format!(
        "/api/sync/pull?since={}&teams={}",
        since.0,
        teams.join(",")
    ))
    .send()
    .await
    .map_err(network)?;
    read(resp).await
}

pub async fn schools() -> Result<Vec<School>, ApiError> {
    let resp = Request::get("/api/schools").send().await.map_err(network)?;
    read(resp).await
}

/// A post's gate-code secret, hex (`{"secret": "…"}`).
pub async fn gate_secret(post_id: &str) -> Result<String, ApiError> {
    #[derive(serde::Deserialize)]
    struct Secret {
        secret: String,
    }
    let url = format!("/api/posts/{post_id}/secret");
    let resp = Request::get(&url).send().await.map_err(network)?;
    read::<Secret>(resp).await.map(|s| s.secret)
}

/// The calendar entries that apply to the user's schools (`{"entries": [...]}`).
pub async fn calendar() -> Result<Vec<CalendarEntry>, ApiError> {
    #[derive(serde::Deserialize)]
    struct Entries {
        entries: Vec<CalendarEntry>,
    }
    let resp = Request::get("/api/calendar")
        .send()
        .await
        .map_err(network)?;
    read::<Entries>(resp).await.map(|e| e.entries)
}

/// The duty roster of the user's schools from `from` to `to`, with the people it names.
pub async fn roster(from: NaiveDate, to: NaiveDate) -> Result<RosterPage, ApiError> {
    let url = format!("/api/roster?from={from}&to={to}");
    let resp = Request::get(&url).send().await.map_err(network)?;
    read(resp).await
}

pub async fn posts() -> Result<Vec<Post>, ApiError> {
    let resp = Request::get("/api/posts").send().await.map_err(network)?;
    read(resp).await
}
