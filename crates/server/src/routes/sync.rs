//! `POST /api/sync/push` and `GET /api/sync/pull` (see docs/sync-protocol.md), both
//! as the signed-in user: what they may write is stored, what they may read is pulled.

use axum::extract::State;
use axum::routing::{get, post};
use axum::{Json, Router};
use gatewatch_model::{
    Cursor, PullResponse, PushRequest, PushResponse, MAX_PULL_PAGE, MAX_PUSH_BATCH,
};
use serde::Deserialize;
use uuid::Uuid;

use crate::auth::SignedIn;
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
    who: SignedIn,
    AppJson(request): AppJson<PushRequest>,
) -> Result<Json<PushResponse>, AppError> {
    if request.records.len() > MAX_PUSH_BATCH {
        return Err(AppError::BatchTooLarge(request.records.len()));
    }
    request
        .check_devices()
        .map_err(|e| AppError::InvalidRecord(e.to_string()))?;
    let now = state.clock.now();
    let principal = who.principal();
    Ok(Json(
        feed::push(&state.db, &request, &principal, state.push_limits, now).await?,
    ))
}

/// The query of a pull: `?since=<seq>&limit=<n>&teams=<id>,<id>`, all optional.
#[derive(Debug, Deserialize)]
struct PullQuery {
    #[serde(default)]
    since: Cursor,
    limit: Option<usize>,
    /// The teams whose rosters and sessions the phone follows (empty: none); absent,
    /// every team's.
    teams: Option<String>,
}

/// Most teams one pull may follow (the ids travel in the URL).
const MAX_FOLLOWED_TEAMS: usize = 50;

fn followed_teams(text: &str) -> Result<Vec<Uuid>, AppError> {
    let ids: Vec<&str> = text.split(',').filter(|t| !t.is_empty()).collect();
    if ids.len() > MAX_FOLLOWED_TEAMS {
        return Err(AppError::BadQuery(format!(
            "`teams` lists at most {MAX_FOLLOWED_TEAMS} teams"
        )));
    }
    ids.into_iter()
        .map(|t| {
            Uuid::parse_str(t).map_err(|_| {
                AppError::BadQuery(format!("`teams` must be team ids (UUIDs), not `{t}`"))
            })
        })
        .collect()
}

async fn pull(
    State(state): State<AppState>,
    who: SignedIn,
    AppQuery(query): AppQuery<PullQuery>,
) -> Result<Json<PullResponse>, AppError> {
    let limit = match query.limit {
        Some(0) => return Err(AppError::BadQuery("limit must be at least 1".into())),
        Some(n) => n.min(MAX_PULL_PAGE),
        None => MAX_PULL_PAGE,
    };
    let teams = query.teams.as_deref().map(followed_teams).transpose()?;
    Ok(Json(
        feed::pull(
            &state.db,
            &who.principal(),
            query.since,
            limit,
            teams.as_deref(),
        )
        .await?,
    ))
}
