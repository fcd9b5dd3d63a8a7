//! The sync server's HTTP API as the console calls it (docs/duty-roster.md §7). One typed
//! error for network failures, refusals (with the CSV line an import names) and answers
//! of an unexpected shape. The session is the server's HttpOnly cookie; writes carry
//! `X-Gatewatch` like the phone's.

use chrono::NaiveDate;
use gatewatch_model::account::{LoginRequest, Profile};
use gatewatch_model::calendar::CalendarEntry;
use gatewatch_model::coverage::{Rate, Status};
use gatewatch_model::roster::{Assignment, Person};
use gatewatch_model::roster_edit::{Officer, SlotChange};
use gatewatch_model::school::{School, WindowKind};
use gatewatch_model::{Change, Post};
use gloo_net::http::{Request, RequestBuilder, Response};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ApiError {
    /// No answer at all: offline, server down, connection cut.
    #[error("network: {0}")]
    Network(String),
    /// The server refused, with its JSON error (and the CSV line, for an import).
    #[error("server {status}: {} ({})", refusal.error, refusal.detail)]
    Server { status: u16, refusal: Refusal },
    /// An answer that is not what the API promises.
    #[error("unexpected answer: {0}")]
    Decode(String),
}

/// A refusal's body: `{error, detail}`, and `line` when a CSV import names one.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Refusal {
    pub error: String,
    #[serde(default)]
    pub detail: String,
    #[serde(default)]
    pub line: Option<u64>,
}

impl ApiError {
    /// The refusal's code (`overlap`, `forbidden`, `invalid_csv`…), if the server refused.
    pub fn code(&self) -> Option<&str> {
        match self {
            ApiError::Server { refusal, .. } => Some(&refusal.error),
            _ => None,
        }
    }

    /// Whether the session is gone (expired, logged out, the device revoked).
    pub fn signed_out(&self) -> bool {
        matches!(self, ApiError::Server { status: 401, .. })
    }
}

async fn read<T: DeserializeOwned>(resp: Response) -> Result<T, ApiError> {
    let status = resp.status();
    if !(200..300).contains(&status) {
        let refusal = resp.json::<Refusal>().await.unwrap_or_else(|_| Refusal {
            error: "http_error".into(),
            detail: resp.status_text(),
            line: None,
        });
        return Err(ApiError::Server { status, refusal });
    }
    resp.json::<T>()
        .await
        .map_err(|e| ApiError::Decode(e.to_string()))
}

async fn send<T: DeserializeOwned>(
    request: Result<Request, gloo_net::Error>,
) -> Result<T, ApiError> {
    let request = request.map_err(|e| ApiError::Decode(e.to_string()))?;
    let resp = request
        .send()
        .await
        .map_err(|e| ApiError::Network(e.to_string()))?;
    read(resp).await
}

async fn get<T: DeserializeOwned>(url: &str) -> Result<T, ApiError> {
    send(Request::get(url).build()).await
}

/// A request that may change something: `X-Gatewatch`, which a cross-site form cannot
/// send.
fn write(builder: RequestBuilder) -> RequestBuilder {
    builder.header("X-Gatewatch", "1")
}

async fn post_json<T: DeserializeOwned>(url: &str, body: &impl Serialize) -> Result<T, ApiError> {
    send(write(Request::post(url)).json(body)).await
}

/// A CSV file the manager picked, sent as it is: the server reads UTF-8 or GB18030.
async fn post_csv<T: DeserializeOwned>(url: &str, file: web_sys::File) -> Result<T, ApiError> {
    let request = write(Request::post(url))
        .header("Content-Type", "text/csv")
        .body(wasm_bindgen::JsValue::from(file));
    send(request).await
}

pub async fn login(req: &LoginRequest) -> Result<Profile, ApiError> {
    post_json("/api/auth/login", req).await
}

pub async fn me() -> Result<Profile, ApiError> {
    get("/api/auth/me").await
}

pub async fn logout() -> Result<(), ApiError> {
    send::<serde_json::Value>(write(Request::post("/api/auth/logout")).build())
        .await
        .map(|_| ())
}

pub async fn schools() -> Result<Vec<School>, ApiError> {
    get("/api/schools").await
}

/// The posts of the user's schools (all, for an admin).
pub async fn posts() -> Result<Vec<Post>, ApiError> {
    get("/api/posts").await
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct Entries {
    pub entries: Vec<CalendarEntry>,
}

/// The calendar entries that apply to the user's schools.
pub async fn calendar() -> Result<Entries, ApiError> {
    get("/api/calendar").await
}

/// Every entry of `year` (admins).
pub async fn year_calendar(year: i32) -> Result<Entries, ApiError> {
    get(&format!("/api/admin/calendar?year={year}")).await
}

#[derive(Debug, Clone, Deserialize)]
pub struct Stored {
    #[serde(default)]
    pub stored: u64,
}

/// A calendar CSV for `year`; a refusal's detail comes in `lang` (`zh` or `en`).
pub async fn import_calendar(
    year: i32,
    file: web_sys::File,
    lang: &str,
) -> Result<Stored, ApiError> {
    post_csv(
        &format!("/api/admin/calendar/import?year={year}&lang={lang}"),
        file,
    )
    .await
}

/// Loads the shipped national calendar of `year`.
pub async fn load_national(year: i32) -> Result<Stored, ApiError> {
    send(
        write(Request::post(&format!(
            "/api/admin/calendar/national/{year}"
        )))
        .build(),
    )
    .await
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct Roster {
    pub assignments: Vec<Assignment>,
    #[serde(default)]
    pub people: Vec<Person>,
}

pub async fn roster(from: NaiveDate, to: NaiveDate) -> Result<Roster, ApiError> {
    get(&format!("/api/roster?from={from}&to={to}")).await
}

/// `PUT /api/roster/slot`: the slot's officers, each with their car, replacing what it
/// had; refused `stale` when the slot no longer holds the officers the grid showed.
pub async fn put_slot(change: &SlotChange) -> Result<(), ApiError> {
    send::<serde_json::Value>(write(Request::put("/api/roster/slot")).json(change))
        .await
        .map(|_| ())
}

/// What a copy of a week did, and each assignment it left out with why (the server's
/// code, `i18n::skipped_why` words it): the model's wire types.
pub use gatewatch_model::roster::{Skipped, WeekCopied as Copied};

/// Copies `school`'s week starting `from` (a Monday) onto the week starting `to`.
pub async fn copy_week(from: NaiveDate, to: NaiveDate, school: &str) -> Result<Copied, ApiError> {
    #[derive(Serialize)]
    struct Weeks<'a> {
        from: NaiveDate,
        to: NaiveDate,
        school: &'a str,
    }
    post_json("/api/roster/copy-week", &Weeks { from, to, school }).await
}

/// A 值班表 CSV; a refusal's detail comes in `lang` (`zh` or `en`).
pub async fn import_roster(file: web_sys::File, lang: &str) -> Result<Stored, ApiError> {
    post_csv(&format!("/api/roster/import?lang={lang}"), file).await
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct Staff {
    pub people: Vec<Officer>,
}

/// The officers the user may put on the roster, each with the schools they serve.
pub async fn officers() -> Result<Staff, ApiError> {
    get("/api/officers").await
}

/// One school on one day of the heatmap.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct SchoolDay {
    pub school_id: String,
    #[serde(deserialize_with = "gatewatch_model::timefmt::date")]
    pub date: NaiveDate,
    pub covered: u32,
    pub decided: u32,
}

impl SchoolDay {
    pub fn rate(&self) -> Rate {
        Rate {
            covered: self.covered,
            decided: self.decided,
        }
    }
}

/// A slot's verdict (per gate) or an assignment's (per officer), with its reason. The
/// report's row shapes come from the model's coverage functions; fields the console
/// does not show are ignored, and a reason is shown whatever its shape.
#[derive(Debug, Clone, Deserialize)]
pub struct Verdict {
    pub post_id: String,
    #[serde(deserialize_with = "gatewatch_model::timefmt::date")]
    pub date: NaiveDate,
    pub window: WindowKind,
    pub status: Status,
    #[serde(default)]
    pub why: serde_json::Value,
    /// Per assignment: the assigned officer.
    #[serde(default)]
    pub officer: Option<Person>,
    /// Per assignment: the others who came to that slot.
    #[serde(default)]
    pub instead: Vec<Person>,
}

/// An assignment on a day the calendar has no such window: shown, never counted.
#[derive(Debug, Clone, Deserialize)]
pub struct NotDue {
    pub post_id: String,
    #[serde(deserialize_with = "gatewatch_model::timefmt::date")]
    pub date: NaiveDate,
    pub window: WindowKind,
    pub officer: Person,
    #[serde(default)]
    pub car: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct CoverageReport {
    pub rate: Rate,
    #[serde(default)]
    pub by_school_day: Vec<SchoolDay>,
    #[serde(default)]
    pub gates: Vec<Verdict>,
    #[serde(default)]
    pub assignments: Vec<Verdict>,
    #[serde(default)]
    pub not_due: Vec<NotDue>,
}

/// The coverage report of the range, its reasons worded in `lang` (`zh` or `en`).
pub async fn coverage(
    from: NaiveDate,
    to: NaiveDate,
    lang: &str,
) -> Result<CoverageReport, ApiError> {
    get(&format!(
        "/api/reports/coverage?from={from}&to={to}&lang={lang}"
    ))
    .await
}

/// One officer's assigned due slots by their own verdict.
#[derive(Debug, Clone, Deserialize)]
pub struct OfficerRow {
    pub person: Person,
    pub assigned: u32,
    pub covered: u32,
    pub late: u32,
    pub partial: u32,
    pub missed: u32,
    #[serde(default)]
    pub upcoming: u32,
    /// Covered over decided, as the sheets print it.
    pub rate: Rate,
}

#[derive(Debug, Clone, Deserialize)]
pub struct OfficerReport {
    pub officers: Vec<OfficerRow>,
}

/// The per-officer report of the range, in `lang` (`zh` or `en`).
pub async fn officer_report(
    from: NaiveDate,
    to: NaiveDate,
    lang: &str,
) -> Result<OfficerReport, ApiError> {
    get(&format!(
        "/api/reports/officers?from={from}&to={to}&lang={lang}"
    ))
    .await
}

/// `GET /api/swaps`: swap records with their authors, as a pull carries them.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct Swaps {
    pub swaps: Vec<Change>,
}

/// The swap requests in the user's scope the server counts as pending (which of them
/// still are is `pages::swaps::pending`'s to say, by the model's rules).
pub async fn pending_swaps() -> Result<Swaps, ApiError> {
    get("/api/swaps?status=pending").await
}

#[derive(Debug, Clone, Serialize)]
pub struct Decision {
    pub approve: bool,
    pub substitute: Option<Uuid>,
    pub note: String,
}

pub async fn decide_swap(id: Uuid, decision: &Decision) -> Result<(), ApiError> {
    post_json::<serde_json::Value>(&format!("/api/swaps/{id}/decision"), decision)
        .await
        .map(|_| ())
}
