//! `POST /api/sync/push` and `GET /api/sync/pull` (see docs/sync-protocol.md).

use axum::extract::State;
use axum::routing::{get, post};
use axum::{Json, Router};
use chrono::Utc;
use gatewatch_model::{
    Cursor, PullResponse, PushRequest, PushResponse, MAX_PULL_PAGE, MAX_PUSH_BATCH,
};
use serde::Deserialize;

use crate::error::AppError;
use crate::extract::{AppJson, AppQuery};
use crate::{feed, AppState};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/sync/push", post(push))
        .route("/sync/pull", get(pull))
}

async fn push(
    State(state): State<AppState>,
    AppJson(request): AppJson<PushRequest>,
) -> Result<Json<PushResponse>, AppError> {
    if request.records.len() > MAX_PUSH_BATCH {
        return Err(AppError::BatchTooLarge(request.records.len()));
    }
    Ok(Json(feed::push(&state.db, &request, Utc::now()).await?))
}

/// The query of a pull: `?since=<seq>&limit=<n>`, both optional.
#[derive(Debug, Deserialize)]
struct PullQuery {
    #[serde(default)]
    since: Cursor,
    limit: Option<usize>,
}

async fn pull(
    State(state): State<AppState>,
    AppQuery(query): AppQuery<PullQuery>,
) -> Result<Json<PullResponse>, AppError> {
    let limit = match query.limit {
        Some(0) => return Err(AppError::BadQuery("limit must be at least 1".into())),
        Some(n) => n.min(MAX_PULL_PAGE),
        None => MAX_PULL_PAGE,
    };
    Ok(Json(feed::pull(&state.db, query.since, limit).await?))
}
