//! `GET /api/health`: is the server up and its database answering.

use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use serde_json::{json, Value};

use crate::error::AppError;
use crate::AppState;

pub fn router() -> Router<AppState> {
    Router::new().route("/health", get(health))
}

/// 200 `{"status":"ok"}`, or 503 `unavailable` when the database does not answer.
async fn health(State(state): State<AppState>) -> Result<Json<Value>, AppError> {
    sqlx::query("SELECT 1")
        .execute(state.db.pool())
        .await
        // Any failure here means "down" to a load balancer or a phone; the cause is logged.
        .map_err(AppError::Unavailable)?;
    Ok(Json(json!({ "status": "ok" })))
}
