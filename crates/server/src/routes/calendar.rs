//! The school calendar (docs/duty-roster.md §1, §7): `GET /api/calendar` for every
//! signed-in user (the entries that apply to their schools, which phones keep offline),
//! and for admins `GET /api/admin/calendar?year=`, `POST /api/admin/calendar/import?year=`
//! (a calendar CSV) and `POST /api/admin/calendar/national/{year}` (the shipped national
//! calendar). The admin routes are wrapped in `auth::admin_only` by `routes::api`.

use axum::extract::State;
use axum::routing::{get, post};
use axum::{Json, Router};
use gatewatch_model::calendar::CalendarEntry;
use serde::{Deserialize, Serialize};

use crate::auth::SignedIn;
use crate::calendar::{self, Imported, YEARS};
use crate::error::AppError;
use crate::extract::{AppPath, AppQuery, CsvBody};
use crate::routes::sheet_lang;
use crate::AppState;

pub fn signed_in_router() -> Router<AppState> {
    Router::new().route("/calendar", get(for_my_schools))
}

pub fn admin_router() -> Router<AppState> {
    Router::new()
        .route("/admin/calendar", get(of_year))
        .route("/admin/calendar/import", post(import))
        .route("/admin/calendar/national/{year}", post(national))
}

#[derive(Serialize)]
struct Entries {
    entries: Vec<CalendarEntry>,
}

async fn for_my_schools(
    State(state): State<AppState>,
    who: SignedIn,
) -> Result<Json<Entries>, AppError> {
    let entries = calendar::entries_for(&state.db, &who.school_scope()).await?;
    Ok(Json(Entries { entries }))
}

/// `?year=2026[&lang=zh|en]`: the year of a calendar, and the language of an import's
/// refusal (Chinese unless `en`).
#[derive(Deserialize)]
struct YearQuery {
    year: Option<String>,
    lang: Option<String>,
}

fn year(text: Option<&str>) -> Result<i32, AppError> {
    let text = text.ok_or_else(|| AppError::BadQuery("`year` is required, e.g. 2026".into()))?;
    text.parse()
        .ok()
        .filter(|y| YEARS.contains(y))
        .ok_or_else(|| {
            AppError::BadQuery(format!(
                "`year` must be a year from {} to {}, not `{text}`",
                YEARS.start(),
                YEARS.end()
            ))
        })
}

async fn of_year(
    State(state): State<AppState>,
    AppQuery(query): AppQuery<YearQuery>,
) -> Result<Json<Entries>, AppError> {
    let year = year(query.year.as_deref())?;
    let entries = calendar::entries_of_year(&state.db, year).await?;
    Ok(Json(Entries { entries }))
}

/// A calendar CSV for one year, all or nothing: `{stored, scopes}`, or 422
/// `invalid_csv` with the line.
async fn import(
    State(state): State<AppState>,
    AppQuery(query): AppQuery<YearQuery>,
    CsvBody(text): CsvBody,
) -> Result<Json<Imported>, AppError> {
    let year = year(query.year.as_deref())?;
    let lang = sheet_lang(query.lang.as_deref())?;
    Ok(Json(
        calendar::import_csv(&state.db, &text, year, lang, state.clock.now()).await?,
    ))
}

/// The national calendar of `year` shipped with Gatewatch; 404 for a year not shipped.
async fn national(
    State(state): State<AppState>,
    AppPath(year): AppPath<i32>,
) -> Result<Json<Imported>, AppError> {
    calendar::import_national(&state.db, year, state.clock.now())
        .await?
        .map(Json)
        .ok_or_else(|| AppError::Missing(format!("no national calendar ships for {year}")))
}
