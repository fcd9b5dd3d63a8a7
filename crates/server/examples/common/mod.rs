//! What the benchmark reports share: their database (a temp SQLite file, or the
//! PostgreSQL database in `GATEWATCH_BENCH_DATABASE_URL`) and the app signed in as its
//! admin.

use axum::body::Body;
use axum::http::{header, HeaderValue, Request};
use axum::Router;
use gatewatch_server::db::Location;
use gatewatch_server::AppState;
use tempfile::TempDir;
use tower::util::MapRequestLayer;
use tower::ServiceExt;

pub type Error = Box<dyn std::error::Error>;

/// Opens the benchmark's database (`file` in `dir`, unless PostgreSQL is given) as a
/// fresh server does; returns where it is, the state and the app signed in as admin.
pub async fn open(dir: &TempDir, file: &str) -> Result<(Location, AppState, Router), Error> {
    let database = match std::env::var("GATEWATCH_BENCH_DATABASE_URL") {
        Ok(url) => Location::from_flags(dir.path(), Some(&url))?,
        Err(_) => Location::File(dir.path().join(file)),
    };
    println!("database: {database}");
    let (state, _) = AppState::open_with(
        database.clone(),
        dir.path().join("dist"),
        Some(ADMIN_PASSWORD.into()),
        false,
    )
    .await?;
    let app = signed_in(gatewatch_server::app(state.clone())).await?;
    Ok((database, state, app))
}

/// The password of the benchmark database's admin, who seeds and reads it all.
const ADMIN_PASSWORD: &str = "bench-admin-password";

/// `app` with every request sent as its admin: logged in once, each request then
/// carrying the session cookie and the `X-Gatewatch` header, as the phone's do.
pub async fn signed_in(app: Router) -> Result<Router, Error> {
    let login = serde_json::json!({
        "username": "admin",
        "password": ADMIN_PASSWORD,
        "device": "benchseed",
    });
    let request = Request::post("/api/auth/login")
        .header("content-type", "application/json")
        .header("x-gatewatch", "1")
        .body(Body::from(login.to_string()))?;
    let response = app.clone().oneshot(request).await?;
    let cookie = response
        .headers()
        .get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok()?.split(';').next())
        .find(|c| c.starts_with("gw_session="))
        .ok_or_else(|| format!("login: {}", response.status()))?;
    let cookie = HeaderValue::from_str(cookie)?;
    Ok(
        app.layer(MapRequestLayer::new(move |mut request: Request<Body>| {
            let headers = request.headers_mut();
            headers.insert(header::COOKIE, cookie.clone());
            headers.insert("x-gatewatch", HeaderValue::from_static("1"));
            request
        })),
    )
}
