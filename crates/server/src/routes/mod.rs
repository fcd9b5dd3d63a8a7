//! The HTTP surface: `/api/*` from the modules below, the admins' page from
//! `admin_page`, everything else from `pwa`.
//!
//! `console` serves the managers' console at `/console/`.
//!
//! `/api` is in four areas, each wrapped in its check here, not in each handler:
//! open to all (health, login, logout), signed-in users (their profile, the catalog,
//! sync, a record's history — scoped further by `gatewatch_model::access`), managers
//! (supervisors and admins: exports and coverage, the roster's writes and swap
//! decisions, each limited to the caller's schools), and admins (catalog changes, accounts, corrections, the volunteer duty
//! reports).

pub mod admin;
pub mod admin_page;
pub mod auth;
pub mod calendar;
pub mod console;
pub mod duty;
pub mod export;
pub mod health;
pub mod posts;
pub mod pwa;
pub mod records;
pub mod roster;
pub mod sync;
pub mod users;

use axum::middleware::{from_fn, from_fn_with_state};
use axum::Router;

use crate::error::AppError;
use crate::AppState;

/// Everything under `/api`. Unknown paths and wrong methods answer with JSON errors,
/// never with the PWA's index.html, so the app's fetches fail loudly. Every request
/// that may change something must carry the `X-Gatewatch` header.
pub fn api(state: &AppState) -> Router<AppState> {
    let signed_in = Router::new()
        .merge(auth::signed_in_router())
        .merge(posts::router())
        .merge(records::router())
        .merge(sync::router())
        .merge(calendar::signed_in_router())
        .merge(roster::signed_in_router())
        .route_layer(from_fn_with_state(state.clone(), crate::auth::signed_in));
    let managers = Router::new()
        .merge(export::router())
        .merge(roster::managers_router())
        .route_layer(from_fn_with_state(
            state.clone(),
            crate::auth::managers_only,
        ));
    let admin = Router::new()
        .merge(admin::router())
        .merge(calendar::admin_router())
        .merge(users::router())
        .merge(duty::router())
        .route_layer(from_fn_with_state(state.clone(), crate::auth::admin_only));
    Router::new()
        .merge(health::router())
        .merge(auth::public_router())
        .merge(signed_in)
        .merge(managers)
        .merge(admin)
        // Must come after the routes: it is set on the method routers already present.
        .method_not_allowed_fallback(method_not_allowed)
        .fallback(not_found)
        .layer(from_fn(crate::auth::require_csrf_header))
}

/// A sheet's or an upload's refusals' language from `?lang=`: Chinese unless `en`.
pub(crate) fn sheet_lang(text: Option<&str>) -> Result<gatewatch_model::csv::Lang, AppError> {
    text.map_or(Ok(Default::default()), |t| {
        t.parse()
            .map_err(|e: gatewatch_model::csv::UnknownLang| AppError::BadQuery(e.to_string()))
    })
}

async fn not_found() -> AppError {
    AppError::NotFound
}

async fn method_not_allowed() -> AppError {
    AppError::MethodNotAllowed
}
