//! `GET /api/export/checkins.csv`, `incidents.csv` and `coverage.csv`, all taking
//! `?from=YYYY-MM-DD&to=YYYY-MM-DD`: downloads for the office (format in `export`).
//!
//! Managers only (`auth::managers_only`, applied by `routes::api`): an admin's cover
//! every school, a supervisor's their own schools.

use axum::extract::State;
use axum::http::header::{CACHE_CONTROL, CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use chrono::Utc;
use serde::Deserialize;

use crate::auth::SignedIn;
use crate::error::AppError;
use crate::export::{self, DateRange};
use crate::extract::AppQuery;
use crate::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/export/checkins.csv", get(checkins))
        .route("/export/incidents.csv", get(incidents))
        .route("/export/coverage.csv", get(coverage))
        .route("/coverage", get(coverage_json))
}

/// `GET /api/coverage?from=&to=`: the same coverage as rates (overall, per day, per
/// window kind, per school), for screens rather than spreadsheets.
async fn coverage_json(
    State(state): State<AppState>,
    who: SignedIn,
    AppQuery(query): AppQuery<RangeQuery>,
) -> Result<Json<export::CoverageSummary>, AppError> {
    let range = query.range()?;
    let scope = who.school_scope();
    Ok(Json(
        export::coverage_summary(&state.db, range, &scope, Utc::now()).await?,
    ))
}

/// `?from=&to=`, checked by `DateRange::parse` for messages that say what is wrong.
#[derive(Debug, Deserialize)]
struct RangeQuery {
    from: Option<String>,
    to: Option<String>,
}

impl RangeQuery {
    fn range(&self) -> Result<DateRange, AppError> {
        DateRange::parse(self.from.as_deref(), self.to.as_deref())
    }
}

async fn checkins(
    State(state): State<AppState>,
    who: SignedIn,
    AppQuery(query): AppQuery<RangeQuery>,
) -> Result<Response, AppError> {
    let range = query.range()?;
    let body = export::checkins_csv(&state.db, range, &who.school_scope()).await?;
    Ok(attachment(
        format!("gatewatch-checkins_{}.csv", range.label()),
        body,
    ))
}

async fn incidents(
    State(state): State<AppState>,
    who: SignedIn,
    AppQuery(query): AppQuery<RangeQuery>,
) -> Result<Response, AppError> {
    let range = query.range()?;
    let body = export::incidents_csv(&state.db, range, &who.school_scope()).await?;
    Ok(attachment(
        format!("gatewatch-incidents_{}.csv", range.label()),
        body,
    ))
}

async fn coverage(
    State(state): State<AppState>,
    who: SignedIn,
    AppQuery(query): AppQuery<RangeQuery>,
) -> Result<Response, AppError> {
    let range = query.range()?;
    let body = export::coverage_csv(&state.db, range, &who.school_scope(), Utc::now()).await?;
    Ok(attachment(
        format!("gatewatch-coverage_{}.csv", range.label()),
        body,
    ))
}

/// A CSV download. `no-store`: reports name officers and must not linger in caches.
pub(crate) fn attachment(filename: String, body: Vec<u8>) -> Response {
    (
        [
            (CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (CONTENT_DISPOSITION, disposition(&filename)),
            (CACHE_CONTROL, "no-store".to_owned()),
        ],
        body,
    )
        .into_response()
}

/// `attachment; filename="…"`, and for a name that is not ASCII (`值班表_….csv`) also
/// `filename*=UTF-8''…` (RFC 6266): a header carries ASCII only, and browsers take the
/// UTF-8 name from `filename*`, older ones the ASCII rest from `filename`.
fn disposition(filename: &str) -> String {
    if filename.is_ascii() {
        return format!("attachment; filename=\"{filename}\"");
    }
    let ascii: String = filename.chars().filter(char::is_ascii).collect();
    let encoded: String = url::form_urlencoded::byte_serialize(filename.as_bytes()).collect();
    format!("attachment; filename=\"gatewatch{ascii}\"; filename*=UTF-8''{encoded}")
}
