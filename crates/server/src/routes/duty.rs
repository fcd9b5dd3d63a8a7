//! `GET /api/reports/duty` and `GET /api/export/duty-hours.csv`, both taking
//! `?month=YYYY-MM[&team=<team id>]`: the volunteer teams' monthly duty report for
//! screens and the hours sheet for the office (format in `duty`).
//!
//! Admins only (`auth::admin_only`): volunteer teams are not a supervisor's.

use axum::extract::State;
use axum::response::Response;
use axum::routing::get;
use axum::{Json, Router};
use gatewatch_model::csv::{self, SheetKind};
use serde::Deserialize;

use crate::duty::{self, DutyQuery, DutyReportView};
use crate::error::AppError;
use crate::extract::AppQuery;
use crate::routes::export::attachment;
use crate::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/reports/duty", get(report))
        .route("/export/duty-hours.csv", get(hours_csv))
}

/// `?month=&team=`, checked by `DutyQuery::parse` for messages that say what is wrong.
#[derive(Debug, Deserialize)]
struct MonthQuery {
    month: Option<String>,
    team: Option<String>,
    /// The sheet's language: `zh` (the default) or `en`.
    lang: Option<String>,
}

impl MonthQuery {
    fn parse(&self) -> Result<DutyQuery, AppError> {
        DutyQuery::parse(self.month.as_deref(), self.team.as_deref())
    }
}

/// Sessions still open count up to the server's clock (or to the open limit).
async fn report(
    State(state): State<AppState>,
    AppQuery(query): AppQuery<MonthQuery>,
) -> Result<Json<DutyReportView>, AppError> {
    let query = query.parse()?;
    let now = state.clock.now().fixed_offset();
    Ok(Json(duty::report_json(&state.db, query, now).await?))
}

async fn hours_csv(
    State(state): State<AppState>,
    AppQuery(query): AppQuery<MonthQuery>,
) -> Result<Response, AppError> {
    let lang = super::sheet_lang(query.lang.as_deref())?;
    let query = query.parse()?;
    let body = duty::hours_csv(&state.db, query, state.clock.now().fixed_offset(), lang).await?;
    Ok(attachment(
        csv::period_file_name(SheetKind::Hours, &query.label(), lang),
        body,
    ))
}
