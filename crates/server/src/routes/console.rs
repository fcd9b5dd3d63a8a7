//! `/console/`: the managers' web console (`crates/console`, a second Leptos app built
//! by trunk into `dist/console/`), served like the PWA — precompressed files, its
//! `index.html` for its own routes (`/console/calendar`), revalidated on every load.
//!
//! The page holds no data: what it shows comes from the API, which answers a manager
//! (`auth`, `gatewatch_model::access`) whatever page asks.

use axum::extract::{Request, State};
use axum::http::Uri;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::Router;

use crate::error::AppError;
use crate::AppState;

/// Where the console lives, and the folder of `dist` it is built into.
const PREFIX: &str = "/console";

pub fn router() -> Router<AppState> {
    Router::new()
        // Relative asset paths and the console's router need the trailing slash.
        .route(PREFIX, get(|| async { Redirect::permanent("/console/") }))
        .route("/console/", get(serve))
        .route("/console/{*rest}", get(serve))
        // Must come after the routes, as in `routes::api`.
        .method_not_allowed_fallback(|| async { AppError::MethodNotAllowed })
}

async fn serve(State(state): State<AppState>, request: Request) -> Response {
    let dir = state.dist.join("console");
    if !tokio::fs::try_exists(dir.join("index.html"))
        .await
        .unwrap_or(false)
    {
        return AppError::Missing(
            "the console has not been built: run `make run` (or `make console`)".into(),
        )
        .into_response();
    }
    // A missing file is a 404, not the console's page: only extension-less paths are
    // the console's own screens.
    let path = request.uri().path().to_string();
    let file_name = path.rsplit('/').next().unwrap_or_default();
    if file_name.contains('.')
        && !tokio::fs::try_exists(dir.join(&path[PREFIX.len() + 1..]))
            .await
            .unwrap_or(false)
    {
        return AppError::Missing(format!("no file `{path}` in the console")).into_response();
    }
    let (mut parts, body) = request.into_parts();
    let Ok(uri) = inner_uri(&parts.uri) else {
        return AppError::NotFound.into_response();
    };
    parts.uri = uri;
    super::pwa::serve_built(&dir, Request::from_parts(parts, body)).await
}

/// The request's address inside the console's folder: `/console/x.js` → `/x.js`.
fn inner_uri(uri: &Uri) -> Result<Uri, axum::http::Error> {
    let inner = uri.path().strip_prefix(PREFIX).unwrap_or("/");
    let inner = if inner.is_empty() { "/" } else { inner };
    let path_and_query = match uri.query() {
        Some(q) => format!("{inner}?{q}"),
        None => inner.to_string(),
    };
    Uri::builder().path_and_query(path_and_query).build()
}
