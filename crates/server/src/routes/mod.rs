//! The HTTP surface: `/api/*` from the modules below, the admins' page from
//! `admin_page`, everything else from `pwa`.

pub mod admin;
pub mod admin_page;
pub mod duty;
pub mod export;
pub mod health;
pub mod posts;
pub mod pwa;
pub mod records;
pub mod sync;

use axum::Router;

use crate::error::AppError;
use crate::AppState;

/// Everything under `/api`. Unknown paths and wrong methods answer with JSON errors,
/// never with the PWA's index.html, so the app's fetches fail loudly.
pub fn api() -> Router<AppState> {
    Router::new()
        .merge(admin::router())
        .merge(duty::router())
        .merge(export::router())
        .merge(health::router())
        .merge(posts::router())
        .merge(records::router())
        .merge(sync::router())
        // Must come after the routes: it is set on the method routers already present.
        .method_not_allowed_fallback(method_not_allowed)
        .fallback(not_found)
}

async fn not_found() -> AppError {
    AppError::NotFound
}

async fn method_not_allowed() -> AppError {
    AppError::MethodNotAllowed
}
