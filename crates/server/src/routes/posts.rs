//! `GET /api/posts` and `GET /api/schools`: the school gates officers check in at, and
//! the schools' peak windows that coverage is measured against. Both come from the
//! catalog an admin manages (`routes::admin`); phones pull the schools whole and the
//! posts of their user's schools.

use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use gatewatch_model::school::School;
use gatewatch_model::Post;

use gatewatch_model::access::{self, Access, Subject, UserRole, GATE_SECRET};

use crate::auth::SignedIn;
use crate::error::AppError;
use crate::extract::AppPath;
use crate::{catalog, AppState};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/posts", get(posts))
        .route("/schools", get(schools))
        .route("/posts/{id}/secret", get(secret))
}

#[derive(serde::Serialize)]
struct Secret {
    secret: String,
}

/// A post's gate-code secret, for the lead's phone that shows the code at the gate:
/// only team leads of the post's school and admins may have it (an officer who had it
/// could make the code without being at the gate).
async fn secret(
    State(state): State<AppState>,
    who: SignedIn,
    AppPath(id): AppPath<String>,
) -> Result<Json<Secret>, AppError> {
    let school = catalog::school_of_post(state.db.pool(), &id)
        .await?
        .ok_or_else(|| AppError::Missing(format!("no post has the id `{id}`")))?;
    let subject = Subject {
        kind: GATE_SECRET,
        school: Some(&school),
        team: None,
        author: None,
    };
    let may = access::allowed(&who.principal(), &subject, Access::Read);
    if !may {
        return Err(AppError::Forbidden(
            "only a team lead of this post's school or an admin may show its gate code".into(),
        ));
    }
    let secret = catalog::post_secret(state.db.pool(), &id)
        .await?
        .ok_or_else(|| AppError::Missing(format!("no post has the id `{id}`")))?;
    Ok(Json(Secret {
        secret: gatewatch_model::gatecode::secret_to_hex(&secret),
    }))
}

/// The posts of the user's schools (every post, for an admin), by id, with their
/// school's name: the gates an officer may check in at, the ones a lead shows codes
/// for, and what the phone's coverage board counts (posts of other schools would show
/// there as never covered: their check-ins are not the phone's to pull).
async fn posts(State(state): State<AppState>, who: SignedIn) -> Result<Json<Vec<Post>>, AppError> {
    let mut posts = catalog::posts(&state.db).await?;
    if who.user.role != UserRole::Admin {
        posts.retain(|p| who.user.schools.contains(&p.school_id));
    }
    Ok(Json(posts))
}

/// Every school, by id, with its windows.
async fn schools(State(state): State<AppState>) -> Result<Json<Vec<School>>, AppError> {
    Ok(Json(catalog::schools(&state.db).await?))
}
