//! `GET /api/posts` and `GET /api/schools`: the school gates officers check in at, and
//! the schools' peak windows that coverage is measured against. Both come from the
//! catalog an admin manages (`routes::admin`); phones pull them whole.

use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use gatewatch_model::school::School;
use gatewatch_model::Post;

use crate::error::AppError;
use crate::{catalog, AppState};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/posts", get(posts))
        .route("/schools", get(schools))
}

/// Every post, by id, with its school's name.
async fn posts(State(state): State<AppState>) -> Result<Json<Vec<Post>>, AppError> {
    Ok(Json(catalog::posts(&state.db).await?))
}

/// Every school, by id, with its windows.
async fn schools(State(state): State<AppState>) -> Result<Json<Vec<School>>, AppError> {
    Ok(Json(catalog::schools(&state.db).await?))
}
