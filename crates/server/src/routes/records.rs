//! `GET /api/records/{id}/history`: every version of one record, for a supervisor (or
//! the phone) to see what was corrected or voided, when and by which device.

use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use uuid::Uuid;

use crate::auth::SignedIn;
use crate::error::AppError;
use crate::extract::AppPath;
use crate::feed::{self, Version};
use crate::AppState;

pub fn router() -> Router<AppState> {
    Router::new().route("/records/{id}/history", get(history))
}

/// The versions oldest first; 404 for an id the server never received, 403 for a
/// record the user may not read, 400 for a path that is not a UUID.
async fn history(
    State(state): State<AppState>,
    who: SignedIn,
    AppPath(id): AppPath<Uuid>,
) -> Result<Json<Vec<Version>>, AppError> {
    if feed::may_read(&state.db, &who.principal(), id).await? == Some(false) {
        return Err(AppError::Forbidden(format!(
            "record {id} is not in your scope"
        )));
    }
    feed::history(&state.db, who.user.id, id)
        .await?
        .map(Json)
        .ok_or_else(|| AppError::Missing(format!("no record has the id {id}")))
}
