//! Logging in and out: `POST /api/auth/login`, `POST /api/auth/logout`,
//! `GET /api/auth/me`, `POST /api/auth/password` (change one's own password).

use axum::extract::State;
use axum::routing::{get, post};
use axum::{Json, Router};
use axum_extra::extract::CookieJar;
use chrono::Utc;
use gatewatch_model::account::{check_password, LoginRequest, Profile};
use serde::Deserialize;

use crate::auth::{self, SignedIn};
use crate::error::AppError;
use crate::extract::AppJson;
use crate::{accounts, sessions, AppState};

/// Login is open to everyone; the rest of this area needs a session.
pub fn public_router() -> Router<AppState> {
    Router::new()
        .route("/auth/login", post(login))
        .route("/auth/logout", post(logout))
}

pub fn signed_in_router() -> Router<AppState> {
    Router::new()
        .route("/auth/me", get(me))
        .route("/auth/password", post(change_password))
}

/// Checks the password (rate limited: `sessions`), starts a session on the phone's
/// device and sets its cookie, and the device cookie that makes this browser a known
/// device of the user (`device_cookie`); answers with the profile.
async fn login(
    State(state): State<AppState>,
    client: auth::Client,
    jar: CookieJar,
    AppJson(login): AppJson<LoginRequest>,
) -> Result<(CookieJar, Json<Profile>), AppError> {
    let now = Utc::now();
    let policy = &state.sessions;
    let device = state.device_cookies.nonce(&jar, &login.username);
    let keys = sessions::login_keys(
        &state.db,
        policy,
        device.as_deref(),
        &login.username,
        client.address.as_deref(),
        now,
    )
    .await?;
    let found = accounts::by_username(&state.db, &login.username).await?;
    let matched = match &found {
        Some((_, hash)) => accounts::verify_password(login.password.clone(), hash.clone()).await?,
        None => {
            // As slow as a real check, so timing does not tell which usernames exist.
            let _ = accounts::verify_password(login.password.clone(), state.dummy_hash.to_string())
                .await?;
            false
        }
    };
    let user = match found {
        Some((user, _)) if matched => user,
        _ => {
            sessions::count_failure(&state.db, &keys, policy, now).await?;
            return Err(AppError::BadCredentials);
        }
    };
    // Right, but past a limit reached while it was checked: refused like any attempt
    // then, so a guesser cannot tell it was right.
    sessions::check_limits(&state.db, &keys, policy, now).await?;
    if user.disabled {
        return Err(AppError::AccountDisabled);
    }
    let token = sessions::start(
        &state.db,
        user.id,
        &login.device,
        &client.user_agent,
        policy.ttl,
        now,
    )
    .await?;
    tracing::info!(user = %user.username, device = %login.device.as_str(), "logged in");
    let jar = jar.add(auth::session_cookie(token, *policy));
    let jar = match state.device_cookies.cookie(&user.username, device, *policy) {
        Some(known_device) => jar.add(known_device),
        None => jar,
    };
    Ok((jar, Json(user.profile())))
}

/// Ends this session and removes its cookie. Without a session it only removes the
/// cookie: logging out is always possible.
async fn logout(
    State(state): State<AppState>,
    jar: CookieJar,
) -> Result<(CookieJar, Json<serde_json::Value>), AppError> {
    if let Some(cookie) = jar.get(auth::SESSION_COOKIE) {
        sessions::end(&state.db, cookie.value(), Utc::now()).await?;
    }
    let jar = jar.add(auth::removal_cookie(state.sessions));
    Ok((jar, Json(serde_json::json!({ "logged_out": true }))))
}

async fn me(who: SignedIn) -> Json<Profile> {
    Json(who.user.profile())
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PasswordChange {
    current: String,
    new: String,
}

/// Changes one's own password, given the current one; every other session of the user
/// ends (this one goes on).
async fn change_password(
    State(state): State<AppState>,
    who: SignedIn,
    jar: CookieJar,
    AppJson(change): AppJson<PasswordChange>,
) -> Result<Json<serde_json::Value>, AppError> {
    check_password(&change.new).map_err(|e| AppError::InvalidUser(e.to_string()))?;
    let now = Utc::now();
    let keys = sessions::password_change_keys(&who.user.username);
    sessions::check_limits(&state.db, &keys, &state.sessions, now).await?;
    let Some((_, hash)) = accounts::by_username(&state.db, &who.user.username).await? else {
        return Err(AppError::Unauthenticated("this account no longer exists"));
    };
    if !accounts::verify_password(change.current, hash).await? {
        sessions::count_failure(&state.db, &keys, &state.sessions, now).await?;
        return Err(AppError::BadCredentials);
    }
    let hash = accounts::hash_password(change.new).await?;
    accounts::set_password_hash(&state.db, who.user.id, &hash, now).await?;
    let this = jar.get(auth::SESSION_COOKIE).map(|c| c.value().to_owned());
    sessions::revoke_others(&state.db, who.user.id, this.as_deref(), now).await?;
    Ok(Json(serde_json::json!({ "changed": true })))
}
