//! `GET /api/posts`: the school gates officers can check in at.

use axum::routing::get;
use axum::{Json, Router};
use gatewatch_model::{demo_posts, Post};

use crate::AppState;

pub fn router() -> Router<AppState> {
    Router::new().route("/posts", get(posts))
}

/// The demo posts, from code until posts can be managed on the server.
async fn posts() -> Json<Vec<Post>> {
    Json(demo_posts())
}
