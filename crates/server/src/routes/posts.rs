//! `GET /api/posts` and `GET /api/schools`: the school gates officers check in at, and
//! the schools' peak windows that coverage is measured against.

use axum::routing::get;
use axum::{Json, Router};
use gatewatch_model::school::{demo_schools, School};
use gatewatch_model::{demo_posts, Post};

use crate::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/posts", get(posts))
        .route("/schools", get(schools))
}

/// The demo posts, from code until posts can be managed on the server.
async fn posts() -> Json<Vec<Post>> {
    Json(demo_posts())
}

/// The demo schools behind the demo posts, likewise.
async fn schools() -> Json<Vec<School>> {
    Json(demo_schools())
}
