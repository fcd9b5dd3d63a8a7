//! The admin API: `PUT /api/admin/schools/{id}`, `PUT /api/admin/posts/{id}`,
//! `POST /api/admin/import` (a CSV of schools and posts) and
//! `PUT /api/admin/records/{id}` (an admin's correction, approved hours included).
//! Admins only (`auth::admin_only`, applied by `routes::api`).

use axum::extract::State;
use axum::routing::{post, put};
use axum::{Json, Router};
use chrono::Utc;
use gatewatch_model::school::School;
use gatewatch_model::{GeoPoint, Post};
use serde::{Deserialize, Serialize};

use crate::catalog::{self, PostDef};
use crate::error::AppError;
use crate::extract::{AppJson, AppPath, CsvBody};
use crate::{import, AppState};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/admin/schools/{id}", put(put_school))
        .route("/admin/posts/{id}", put(put_post))
        .route("/admin/import", post(import_csv))
        .route("/admin/records/{id}", put(correct_record))
}

/// An admin's correction of a record: the body is the record's new content
/// (`{"kind": …, "data": …}`); the server makes and stores the next version and answers
/// with it. The only way to change volunteer hours a lead approved.
async fn correct_record(
    State(state): State<AppState>,
    who: crate::auth::SignedIn,
    AppPath(id): AppPath<uuid::Uuid>,
    AppJson(body): AppJson<gatewatch_model::RecordBody>,
) -> Result<Json<gatewatch_model::Record>, AppError> {
    crate::feed::admin_correct(&state.db, id, body, who.user.id, Utc::now())
        .await?
        .map(Json)
        .ok_or_else(|| AppError::Missing(format!("no record has the id {id}")))
}

/// Creates or replaces a school; answers with it. The body's `id` must be the path's.
async fn put_school(
    State(state): State<AppState>,
    AppPath(id): AppPath<String>,
    AppJson(school): AppJson<School>,
) -> Result<Json<School>, AppError> {
    if school.id != id {
        return Err(AppError::InvalidSchool(format!(
            "the body's id `{}` is not the path's `{id}`",
            school.id
        )));
    }
    school
        .validate()
        .map_err(|e| AppError::InvalidSchool(e.to_string()))?;
    catalog::put_school(&state.db, &school, Utc::now()).await?;
    Ok(Json(school))
}

/// The body of `PUT /api/admin/posts/{id}`. A PUT replaces: no `location` (or `null`)
/// means the gate has none.
#[derive(Debug, Deserialize)]
struct PostBody {
    school_id: String,
    gate: String,
    #[serde(default)]
    location: Option<GeoPoint>,
}

/// Creates or replaces a post; answers with it as phones will see it.
async fn put_post(
    State(state): State<AppState>,
    AppPath(id): AppPath<String>,
    AppJson(body): AppJson<PostBody>,
) -> Result<Json<Post>, AppError> {
    let def = PostDef {
        id,
        school_id: body.school_id,
        gate: body.gate.trim().to_owned(),
        location: body.location,
    };
    def.validate()
        .map_err(|e| AppError::InvalidPost(format!("post `{}`: {e}", def.id)))?;
    catalog::put_post(&state.db, &def, Utc::now())
        .await?
        .map(Json)
        .ok_or_else(|| AppError::InvalidPost(format!("no school has the id `{}`", def.school_id)))
}

/// What an import wrote: how many schools and posts the file holds (all upserted).
#[derive(Debug, Serialize)]
struct Imported {
    schools: usize,
    posts: usize,
}

/// Upserts every school and post of a CSV, all or nothing (format in `import`).
async fn import_csv(
    State(state): State<AppState>,
    CsvBody(text): CsvBody,
) -> Result<Json<Imported>, AppError> {
    let catalog = import::parse(&text).map_err(|e| AppError::InvalidCsv(e.to_string()))?;
    catalog::import(&state.db, &catalog, Utc::now()).await?;
    Ok(Json(Imported {
        schools: catalog.schools.len(),
        posts: catalog.posts.len(),
    }))
}
