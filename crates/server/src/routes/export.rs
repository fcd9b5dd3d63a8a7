//! The managers' reports, all taking `?from=YYYY-MM-DD&to=YYYY-MM-DD` (at most 366
//! days) and `lang=zh|en` (Chinese unless `en`): the sheets `GET /api/export/
//! checkins.csv`, `incidents.csv`, `coverage.csv`, `assignments.csv` and
//! `officers.csv`, downloads named with their dates; and as JSON `GET /api/coverage`
//! (rates), `GET /api/reports/coverage` (per gate and per assignment, with why) and `GET
//! /api/reports/officers` (formats in `export` and `reports`).
//!
//! Managers only (`auth::managers_only`, applied by `routes::api`): an admin's cover
//! every school, a supervisor's their own schools.

use axum::extract::State;
use axum::http::header::{CACHE_CONTROL, CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, MethodRouter};
use axum::{Json, Router};
use chrono::{DateTime, Utc};
use gatewatch_model::csv::{file_name, Lang};
use serde::Deserialize;

use crate::auth::SignedIn;
use crate::error::AppError;
use crate::export::{self, DateRange, RecordSheet};
use crate::extract::AppQuery;
use crate::reports::{self, Inputs};
use crate::routes::sheet_lang;
use crate::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/export/checkins.csv", record_sheet(RecordSheet::CheckIns))
        .route(
            "/export/incidents.csv",
            record_sheet(RecordSheet::Incidents),
        )
        .route(
            "/export/coverage.csv",
            report_sheet(reports::coverage_sheet),
        )
        .route(
            "/export/assignments.csv",
            report_sheet(reports::assignments_sheet),
        )
        .route(
            "/export/officers.csv",
            report_sheet(reports::officers_sheet),
        )
        .route("/coverage", get(coverage_summary))
        .route("/reports/coverage", get(coverage_report))
        .route("/reports/officers", get(officers_report))
}

/// `?from=&to=[&lang=]`, checked by `DateRange::parse` and `sheet_lang` for messages
/// that say what is wrong.
#[derive(Debug, Deserialize)]
struct RangeQuery {
    from: Option<String>,
    to: Option<String>,
    lang: Option<String>,
}

impl RangeQuery {
    fn range(&self) -> Result<DateRange, AppError> {
        DateRange::parse(self.from.as_deref(), self.to.as_deref())
    }

    fn lang(&self) -> Result<Lang, AppError> {
        sheet_lang(self.lang.as_deref())
    }
}

/// The report inputs of the query's range for the caller's schools, and its language.
async fn inputs(
    state: &AppState,
    who: &SignedIn,
    query: &RangeQuery,
) -> Result<(Inputs, Lang), AppError> {
    let (range, lang) = (query.range()?, query.lang()?);
    let inputs = Inputs::load(&state.db, range, &who.school_scope()).await?;
    Ok((inputs, lang))
}

async fn coverage_summary(
    State(state): State<AppState>,
    who: SignedIn,
    AppQuery(query): AppQuery<RangeQuery>,
) -> Result<Json<reports::CoverageSummary>, AppError> {
    let (inputs, _) = inputs(&state, &who, &query).await?;
    Ok(Json(reports::coverage_summary(&inputs, state.clock.now())))
}

async fn coverage_report(
    State(state): State<AppState>,
    who: SignedIn,
    AppQuery(query): AppQuery<RangeQuery>,
) -> Result<Json<reports::CoverageReport>, AppError> {
    let (inputs, lang) = inputs(&state, &who, &query).await?;
    Ok(Json(reports::coverage_report(
        &inputs,
        state.clock.now(),
        lang,
    )))
}

async fn officers_report(
    State(state): State<AppState>,
    who: SignedIn,
    AppQuery(query): AppQuery<RangeQuery>,
) -> Result<Json<reports::OfficersReport>, AppError> {
    let (inputs, _) = inputs(&state, &who, &query).await?;
    Ok(Json(reports::officers_report(&inputs, state.clock.now())))
}

/// `GET` one of the verdict sheets of `reports`, made by `make`.
fn report_sheet(
    make: fn(&Inputs, DateTime<Utc>, Lang) -> reports::Sheet,
) -> MethodRouter<AppState> {
    get(
        move |State(state): State<AppState>,
              who: SignedIn,
              AppQuery(query): AppQuery<RangeQuery>| async move {
            let (inputs, lang) = inputs(&state, &who, &query).await?;
            let sheet = make(&inputs, state.clock.now(), lang);
            Ok::<_, AppError>(attachment(sheet.file_name, sheet.bytes))
        },
    )
}

/// `GET` the check-ins' or the incidents' sheet of the range.
fn record_sheet(which: RecordSheet) -> MethodRouter<AppState> {
    get(
        move |State(state): State<AppState>,
              who: SignedIn,
              AppQuery(query): AppQuery<RangeQuery>| async move {
            let (range, lang) = (query.range()?, query.lang()?);
            let body =
                export::records_csv(&state.db, which, range, &who.school_scope(), lang).await?;
            let name = file_name(which.sheet_kind(), range.from, range.to, lang);
            Ok::<_, AppError>(attachment(name, body))
        },
    )
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
