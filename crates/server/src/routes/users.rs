//! Admins manage accounts: `GET/POST /api/admin/users`, `PUT /api/admin/users/{id}`,
//! `POST /api/admin/users/{id}/password` (reset), `GET /api/admin/users/{id}/devices`,
//! `POST /api/admin/users/{id}/devices/{device}/revoke`, `POST /api/admin/users/import`
//! (CSV), and `GET /api/admin/teams` (the teams there are to put in a lead's scope).
//! Wrapped in `auth::admin_only` by `routes::api`.

use std::collections::BTreeSet;

use axum::extract::State;
use axum::routing::{get, post, put};
use axum::{Json, Router};
use chrono::Utc;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::accounts::{self, User, UserFields};
use crate::auth::SignedIn;
use crate::error::AppError;
use crate::extract::{AppJson, AppPath, CsvBody};
use crate::{sessions, user_import, AppState};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/admin/users", get(list).post(create))
        .route("/admin/users/import", post(import))
        .route("/admin/users/{id}", put(update))
        .route("/admin/users/{id}/password", post(reset_password))
        .route("/admin/users/{id}/devices", get(devices))
        .route(
            "/admin/users/{id}/devices/{device}/revoke",
            post(revoke_device),
        )
        .route("/admin/teams", get(teams))
}

async fn list(State(state): State<AppState>) -> Result<Json<Vec<User>>, AppError> {
    Ok(Json(accounts::list(&state.db).await?))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NewUser {
    username: String,
    /// Absent: the server makes one up and answers it, once.
    password: Option<String>,
    display_name: String,
    role: gatewatch_model::access::UserRole,
    #[serde(default)]
    schools: BTreeSet<String>,
    #[serde(default)]
    teams: BTreeSet<Uuid>,
}

/// An account and, when the server made the password up, that password (shown once).
#[derive(Serialize)]
struct WithPassword {
    user: User,
    #[serde(skip_serializing_if = "Option::is_none")]
    password: Option<String>,
}

async fn create(
    State(state): State<AppState>,
    AppJson(new): AppJson<NewUser>,
) -> Result<Json<WithPassword>, AppError> {
    let (password, generated) = accounts::password_or_generated(new.password)?;
    let fields = UserFields {
        display_name: new.display_name,
        role: new.role,
        schools: new.schools,
        teams: new.teams,
        disabled: false,
    };
    // Hashed first: the write transaction holds the write lock.
    let hash = accounts::hash_password(password.clone()).await?;
    let mut tx = state.db.begin_write().await?;
    accounts::check_fields(&mut tx, &fields).await?;
    let user = accounts::create(&mut tx, &new.username, &fields, &hash, Utc::now()).await?;
    tx.commit().await?;
    tracing::info!(user = %user.username, role = user.role.as_str(), "account created");
    Ok(Json(WithPassword {
        user,
        password: generated.then_some(password),
    }))
}

/// Changes an account. An admin cannot disable their own account or give up their own
/// admin role: a server must not lose its last way in by a slip.
async fn update(
    State(state): State<AppState>,
    who: SignedIn,
    AppPath(id): AppPath<Uuid>,
    AppJson(fields): AppJson<UserFields>,
) -> Result<Json<User>, AppError> {
    if id == who.user.id && (fields.disabled || fields.role != who.user.role) {
        return Err(AppError::InvalidUser(
            "you cannot disable your own account or change your own role".into(),
        ));
    }
    // A write transaction: a push adding a lead's new team to their scope (on any
    // process) reads and writes the same row, and must not undo this change.
    let mut tx = state.db.begin_write().await?;
    accounts::check_fields(&mut tx, &fields).await?;
    let now = state.clock.now();
    let user = accounts::update(&mut tx, id, &fields, now)
        .await?
        .ok_or_else(|| AppError::Missing(format!("no account has the id {id}")))?;
    tx.commit().await?;
    // Disabled means out for good: its sessions end now, so enabling the account again
    // later does not bring back a lost phone's session.
    if user.disabled {
        sessions::revoke(&state.db, id, None, now).await?;
    }
    Ok(Json(user))
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct PasswordReset {
    password: Option<String>,
}

/// Sets a new password (given, or made up and answered once) and ends every session
/// of the account: whoever had it must log in with the new one.
async fn reset_password(
    State(state): State<AppState>,
    AppPath(id): AppPath<Uuid>,
    AppJson(reset): AppJson<PasswordReset>,
) -> Result<Json<serde_json::Value>, AppError> {
    let (password, generated) = accounts::password_or_generated(reset.password)?;
    let hash = accounts::hash_password(password.clone()).await?;
    let now = Utc::now();
    if !accounts::set_password_hash(&state.db, id, &hash, now).await? {
        return Err(AppError::Missing(format!("no account has the id {id}")));
    }
    let ended = sessions::revoke(&state.db, id, None, now).await?;
    Ok(Json(match generated {
        true => serde_json::json!({ "password": password, "sessions_ended": ended }),
        false => serde_json::json!({ "sessions_ended": ended }),
    }))
}

async fn devices(
    State(state): State<AppState>,
    AppPath(id): AppPath<Uuid>,
) -> Result<Json<Vec<sessions::Device>>, AppError> {
    Ok(Json(sessions::devices(&state.db, id, Utc::now()).await?))
}

/// Ends every session of the account on that device: the phone must log in again.
async fn revoke_device(
    State(state): State<AppState>,
    AppPath((id, device)): AppPath<(Uuid, String)>,
) -> Result<Json<serde_json::Value>, AppError> {
    let ended = sessions::revoke(&state.db, id, Some(&device), Utc::now()).await?;
    Ok(Json(serde_json::json!({ "sessions_ended": ended })))
}

/// What an import did: the accounts created with their made-up passwords (shown once),
/// and the usernames whose name, role and scope were updated.
#[derive(Serialize)]
struct ImportOutcome {
    created: Vec<Created>,
    updated: Vec<String>,
}

#[derive(Serialize)]
struct Created {
    username: String,
    password: String,
}

/// Creates or updates accounts from a CSV (`user_import`). The whole file is checked
/// first; nothing is written if any line is wrong. May take minutes: its deadline is
/// `security::LONG_REQUEST`, not the usual one.
async fn import(
    State(state): State<AppState>,
    who: SignedIn,
    CsvBody(text): CsvBody,
) -> Result<Json<ImportOutcome>, AppError> {
    let rows = user_import::parse(&text).map_err(|e| AppError::InvalidCsv(e.to_string()))?;
    let now = state.clock.now();
    // Passwords are hashed before the write transaction (each takes tens of ms), on
    // every core at once: the database stays writable for phones meanwhile.
    let held: BTreeSet<String> = accounts::list(&state.db)
        .await?
        .into_iter()
        .map(|user| user.username)
        .collect();
    let new_names: Vec<&String> = rows
        .iter()
        .map(|row| &row.username)
        .filter(|name| !held.contains(*name))
        .collect();
    let passwords: Vec<String> = new_names
        .iter()
        .map(|_| accounts::random_password())
        .collect();
    let hashes = accounts::hash_passwords(passwords.clone()).await?;
    let mut made_up: std::collections::HashMap<String, (String, String)> = new_names
        .into_iter()
        .cloned()
        .zip(passwords.into_iter().zip(hashes))
        .collect();
    let mut tx = state.db.begin_write().await?;
    let mut outcome = ImportOutcome {
        created: Vec::new(),
        updated: Vec::new(),
    };
    for row in rows {
        let line_error = |e: AppError| AppError::InvalidCsv(format!("line {}: {e}", row.line));
        accounts::check_fields(&mut tx, &row.fields)
            .await
            .map_err(line_error)?;
        let held = accounts::by_username_in(&mut tx, &row.username).await?;
        match (held, made_up.remove(&row.username)) {
            (Some(user), _) if user.id == who.user.id && row.fields.role != who.user.role => {
                return Err(line_error(AppError::InvalidUser(
                    "you cannot change your own role".into(),
                )));
            }
            // The file says who people are, not whether they may log in: a disabled
            // account stays disabled.
            (Some(user), _) => {
                let fields = UserFields {
                    disabled: user.disabled,
                    ..row.fields
                };
                accounts::update(&mut tx, user.id, &fields, now).await?;
                outcome.updated.push(row.username);
            }
            (None, Some((password, hash))) => {
                accounts::create(&mut tx, &row.username, &row.fields, &hash, now)
                    .await
                    .map_err(line_error)?;
                outcome.created.push(Created {
                    username: row.username,
                    password,
                });
            }
            // Made meanwhile by someone else, then removed again: try the import again.
            (None, None) => {
                return Err(line_error(AppError::InvalidUser(format!(
                    "`{}` changed while importing; import the file again",
                    row.username
                ))));
            }
        }
    }
    tx.commit().await?;
    Ok(Json(outcome))
}

/// A team the server holds, for an admin to put in a lead's scope.
#[derive(Serialize)]
struct TeamEntry {
    id: Uuid,
    name: String,
    school_id: String,
}

async fn teams(State(state): State<AppState>) -> Result<Json<Vec<TeamEntry>>, AppError> {
    let rows: Vec<(String, String)> =
        sqlx::query_as("SELECT id, body FROM records WHERE kind = 'team' ORDER BY id")
            .fetch_all(state.db.pool())
            .await?;
    let mut teams = Vec::with_capacity(rows.len());
    for (_, body) in rows {
        let record: gatewatch_model::Record = serde_json::from_str(&body)?;
        if let gatewatch_model::RecordBody::Team(t) = record.body {
            teams.push(TeamEntry {
                id: record.id,
                name: t.name,
                school_id: t.school_id,
            });
        }
    }
    teams.sort_by(|a, b| (&a.school_id, &a.name).cmp(&(&b.school_id, &b.name)));
    Ok(Json(teams))
}
