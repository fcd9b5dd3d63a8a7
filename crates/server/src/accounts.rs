//! User accounts in the database: creating, listing, changing and disabling them,
//! their argon2id password hashes, and the first admin of an empty database.
//!
//! Architecture invariant: a password is never stored, logged or answered back except
//! a generated one, answered once to the admin who asked for it.

use std::collections::BTreeSet;

use crate::db::Db;
use argon2::password_hash::rand_core::{OsRng, RngCore};
use chrono::{DateTime, SecondsFormat, Utc};
use gatewatch_model::access::UserRole;
use gatewatch_model::account::{check_display_name, check_password, normalize_username, Profile};
use serde::{Deserialize, Serialize};
use sqlx::AnyConnection;
use uuid::Uuid;

use crate::error::AppError;

/// The PHC string of `password` with a fresh salt (argon2id, `hashing`'s workers).
/// Slow by design (tens of ms); other requests go on meanwhile.
pub async fn hash_password(password: String) -> Result<String, AppError> {
    Ok(crate::hashing::hash(password).await?)
}

/// The PHC strings of `passwords`, in order, hashed on every core at once.
pub async fn hash_passwords(passwords: Vec<String>) -> Result<Vec<String>, AppError> {
    Ok(crate::hashing::hash_all(passwords).await?)
}

/// Whether `password` matches the stored PHC string. An unreadable hash matches nothing.
pub async fn verify_password(password: String, phc: String) -> Result<bool, AppError> {
    Ok(crate::hashing::verify(password, phc).await?)
}

/// A hash no password matches, verified against when a username is unknown so that a
/// login takes as long whether the account exists or not.
pub async fn dummy_hash() -> Result<String, AppError> {
    hash_password(random_password()).await
}

/// 16 characters from an alphabet without look-alikes (no 0/O, 1/l/I): ~93 bits, to be
/// read off a screen and typed on a phone.
pub fn random_password() -> String {
    const ALPHABET: &[u8] = b"23456789abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ";
    let mut bytes = [0u8; 16];
    OsRng.fill_bytes(&mut bytes);
    bytes
        .iter()
        .map(|b| ALPHABET[usize::from(*b) % ALPHABET.len()] as char)
        .collect()
}

/// `n` random bytes as lower-case hex (session tokens).
pub fn random_hex(n: usize) -> String {
    let mut bytes = vec![0u8; n];
    OsRng.fill_bytes(&mut bytes);
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// An account as admins see it (never its hash).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct User {
    pub id: Uuid,
    pub username: String,
    pub display_name: String,
    pub role: UserRole,
    pub schools: BTreeSet<String>,
    pub teams: BTreeSet<Uuid>,
    pub disabled: bool,
    pub created_at: DateTime<Utc>,
}

impl User {
    pub fn profile(&self) -> Profile {
        Profile {
            user: self.id,
            username: self.username.clone(),
            display_name: self.display_name.clone(),
            role: self.role,
            schools: self.schools.iter().cloned().collect(),
            teams: self.teams.iter().copied().collect(),
        }
    }
}

/// What an admin sets on an account (create or change).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UserFields {
    pub display_name: String,
    pub role: UserRole,
    #[serde(default)]
    pub schools: BTreeSet<String>,
    #[serde(default)]
    pub teams: BTreeSet<Uuid>,
    #[serde(default)]
    pub disabled: bool,
}

/// A `users` row as stored (`USER_COLUMNS`); `user_of` reads it.
#[derive(sqlx::FromRow)]
pub(crate) struct UserRow {
    id: String,
    username: String,
    display_name: String,
    role: String,
    schools: String,
    teams: String,
    disabled: i64,
    created_at: String,
}

/// The columns of a `UserRow`, for a SELECT list (prefixed, e.g. `u.`, in a join).
pub(crate) fn user_columns(prefix: &str) -> String {
    [
        "id",
        "username",
        "display_name",
        "role",
        "schools",
        "teams",
        "disabled",
        "created_at",
    ]
    .map(|c| format!("{prefix}{c}"))
    .join(", ")
}

pub(crate) fn user_of(row: UserRow) -> Result<User, AppError> {
    let id = row.id;
    let bad = |what: &str| AppError::Internal(format!("users row {id}: bad {what}").into());
    Ok(User {
        id: Uuid::parse_str(&id).map_err(|_| bad("id"))?,
        role: UserRole::parse(&row.role).ok_or_else(|| bad("role"))?,
        schools: serde_json::from_str(&row.schools)?,
        teams: serde_json::from_str(&row.teams)?,
        disabled: row.disabled != 0,
        created_at: crate::feed::parse_received(&row.created_at)?,
        username: row.username,
        display_name: row.display_name,
    })
}

fn timestamp(now: DateTime<Utc>) -> String {
    now.to_rfc3339_opts(SecondsFormat::Millis, true)
}

pub async fn list(db: &Db) -> Result<Vec<User>, AppError> {
    let rows: Vec<UserRow> = sqlx::query_as(&format!(
        "SELECT {} FROM users ORDER BY username",
        user_columns("")
    ))
    .fetch_all(db.pool())
    .await?;
    rows.into_iter().map(user_of).collect()
}

pub async fn get(conn: &mut AnyConnection, id: Uuid) -> Result<Option<User>, AppError> {
    let row: Option<UserRow> = sqlx::query_as(&format!(
        "SELECT {} FROM users WHERE id = $1",
        user_columns("")
    ))
    .bind(id.to_string())
    .fetch_optional(conn)
    .await?;
    row.map(user_of).transpose()
}

/// The account of `username` (any case) and its password hash.
pub async fn by_username(db: &Db, username: &str) -> Result<Option<(User, String)>, AppError> {
    let Ok(name) = normalize_username(username) else {
        return Ok(None);
    };
    #[derive(sqlx::FromRow)]
    struct WithHash {
        #[sqlx(flatten)]
        user: UserRow,
        password_hash: String,
    }
    let row: Option<WithHash> = sqlx::query_as(&format!(
        "SELECT {}, password_hash FROM users WHERE username = $1",
        user_columns("")
    ))
    .bind(&name)
    .fetch_optional(db.pool())
    .await?;
    row.map(|r| Ok((user_of(r.user)?, r.password_hash)))
        .transpose()
}

/// The account of an already normalized `username`, inside a transaction.
pub async fn by_username_in(
    conn: &mut AnyConnection,
    username: &str,
) -> Result<Option<User>, AppError> {
    let row: Option<UserRow> = sqlx::query_as(&format!(
        "SELECT {} FROM users WHERE username = $1",
        user_columns("")
    ))
    .bind(username)
    .fetch_optional(conn)
    .await?;
    row.map(user_of).transpose()
}

/// Checks `fields` against the rules and the catalog: every school must exist, every
/// team must be a team the server holds.
pub async fn check_fields(conn: &mut AnyConnection, fields: &UserFields) -> Result<(), AppError> {
    let invalid = |e: gatewatch_model::account::AccountError| AppError::InvalidUser(e.to_string());
    check_display_name(&fields.display_name).map_err(invalid)?;
    for school in &fields.schools {
        let known: Option<i64> = sqlx::query_scalar("SELECT 1 FROM schools WHERE id = $1")
            .bind(school)
            .fetch_optional(&mut *conn)
            .await?;
        if known.is_none() {
            return Err(AppError::InvalidUser(format!(
                "no school has the id `{school}`"
            )));
        }
    }
    for team in &fields.teams {
        let known: Option<i64> =
            sqlx::query_scalar("SELECT 1 FROM records WHERE id = $1 AND kind = 'team'")
                .bind(team.to_string())
                .fetch_optional(&mut *conn)
                .await?;
        if known.is_none() {
            return Err(AppError::InvalidUser(format!("no team has the id {team}")));
        }
    }
    Ok(())
}

/// Creates an account with an already hashed password; 409 if the username is taken.
pub async fn create(
    conn: &mut AnyConnection,
    username: &str,
    fields: &UserFields,
    password_hash: &str,
    now: DateTime<Utc>,
) -> Result<User, AppError> {
    let name = normalize_username(username).map_err(|e| AppError::InvalidUser(e.to_string()))?;
    let id = Uuid::new_v4();
    let at = timestamp(now);
    let inserted = sqlx::query(
        "INSERT INTO users (id, username, display_name, role, schools, teams, password_hash,
                            disabled, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
         ON CONFLICT (username) DO NOTHING",
    )
    .bind(id.to_string())
    .bind(&name)
    .bind(fields.display_name.trim())
    .bind(fields.role.as_str())
    .bind(serde_json::to_string(&fields.schools)?)
    .bind(serde_json::to_string(&fields.teams)?)
    .bind(password_hash)
    .bind(i64::from(fields.disabled))
    .bind(&at)
    .bind(&at)
    .execute(&mut *conn)
    .await?;
    if inserted.rows_affected() == 0 {
        return Err(AppError::UsernameTaken(name));
    }
    get(conn, id)
        .await?
        .ok_or_else(|| AppError::Internal("a user just created is missing".into()))
}

/// Changes an account's name, role, scope and whether it is disabled; `None` if there
/// is no such account. An officer disabled, or no longer of a school, leaves the
/// roster there from tomorrow on, in the same transaction (`roster::release`).
pub async fn update(
    conn: &mut AnyConnection,
    id: Uuid,
    fields: &UserFields,
    now: DateTime<Utc>,
) -> Result<Option<User>, AppError> {
    sqlx::query(
        "UPDATE users SET display_name = $1, role = $2, schools = $3, teams = $4, disabled = $5,
                          updated_at = $6
         WHERE id = $7",
    )
    .bind(fields.display_name.trim())
    .bind(fields.role.as_str())
    .bind(serde_json::to_string(&fields.schools)?)
    .bind(serde_json::to_string(&fields.teams)?)
    .bind(i64::from(fields.disabled))
    .bind(timestamp(now))
    .bind(id.to_string())
    .execute(&mut *conn)
    .await?;
    let user = get(&mut *conn, id).await?;
    if let Some(user) = &user {
        // Today's roster stays: part of it may be judged already, and the supervisor
        // may still change today's slots.
        let today = crate::roster::today(now);
        crate::roster::release(&mut *conn, user, today.succ_opt().unwrap_or(today)).await?;
    }
    Ok(user)
}

/// Replaces an account's password hash; whether the account exists.
pub async fn set_password_hash(
    db: &Db,
    id: Uuid,
    password_hash: &str,
    now: DateTime<Utc>,
) -> Result<bool, AppError> {
    let done = sqlx::query("UPDATE users SET password_hash = $1, updated_at = $2 WHERE id = $3")
        .bind(password_hash)
        .bind(timestamp(now))
        .bind(id.to_string())
        .execute(db.pool())
        .await?;
    Ok(done.rows_affected() == 1)
}

/// Adds a team a lead just created to their scope (inside the push's transaction).
pub async fn add_team(conn: &mut AnyConnection, user: Uuid, team: Uuid) -> Result<(), AppError> {
    let Some(mut held) = get(&mut *conn, user).await? else {
        return Ok(());
    };
    if held.teams.insert(team) {
        sqlx::query("UPDATE users SET teams = $1 WHERE id = $2")
            .bind(serde_json::to_string(&held.teams)?)
            .bind(user.to_string())
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

/// A password checked against the rules, or a generated one when none was given.
pub fn password_or_generated(given: Option<String>) -> Result<(String, bool), AppError> {
    match given {
        Some(p) => {
            check_password(&p).map_err(|e| AppError::InvalidUser(e.to_string()))?;
            Ok((p, false))
        }
        None => Ok((random_password(), true)),
    }
}

/// A demo login's account: `role` at `schools`.
fn demo_fields(display_name: &str, role: UserRole, schools: BTreeSet<String>) -> UserFields {
    UserFields {
        display_name: display_name.into(),
        role,
        schools,
        teams: BTreeSet::new(),
        disabled: false,
    }
}

/// The accounts a fresh database starts with: an admin whose password is the given
/// one or a generated one. Returns the logins to print (none if accounts exist).
/// With `demo`, also an officer, a team lead and a supervisor for the demo schools and
/// the demo city's officers (`demo::DEMO_OFFICERS`), each with a made-up password.
pub async fn bootstrap(
    db: &Db,
    admin_password: Option<String>,
    demo_schools: Option<BTreeSet<String>>,
    now: DateTime<Utc>,
) -> Result<Vec<(String, String)>, AppError> {
    let count = "SELECT COUNT(*) FROM users";
    let users: i64 = sqlx::query_scalar(count).fetch_one(db.pool()).await?;
    if users > 0 {
        return Ok(Vec::new());
    }
    // Hashed before the write transaction (hashing is slow; the transaction holds the
    // write lock), then the accounts are made only if there are still none: server
    // processes starting together on a fresh database make them once.
    let (password, _) = password_or_generated(admin_password)?;
    let admin = UserFields {
        display_name: "管理员 Admin".into(),
        role: UserRole::Admin,
        schools: BTreeSet::new(),
        teams: BTreeSet::new(),
        disabled: false,
    };
    let mut accounts = vec![("admin", admin, Some(password))];
    if let Some(schools) = demo_schools {
        for (username, display_name, role) in [
            ("officer1", "民警 Officer", UserRole::Officer),
            ("lead1", "队长 Team lead", UserRole::Lead),
            ("supervisor1", "所长 Supervisor", UserRole::Supervisor),
        ] {
            accounts.push((
                username,
                demo_fields(display_name, role, schools.clone()),
                None,
            ));
        }
        // The demo city's officers, each of the demo schools they serve (crate::demo).
        for (username, display_name, theirs) in crate::demo::DEMO_OFFICERS {
            let theirs: BTreeSet<String> = theirs
                .iter()
                .map(|s| s.to_string())
                .filter(|s| schools.contains(s))
                .collect();
            if !theirs.is_empty() {
                let fields = demo_fields(display_name, UserRole::Officer, theirs);
                accounts.push((username, fields, None));
            }
        }
    }
    let mut hashed = Vec::with_capacity(accounts.len());
    for (username, fields, password) in accounts {
        let password = password.unwrap_or_else(random_password);
        let hash = hash_password(password.clone()).await?;
        hashed.push((username, fields, password, hash));
    }
    let mut tx = db.begin_write().await?;
    let users: i64 = sqlx::query_scalar(count).fetch_one(&mut *tx).await?;
    if users > 0 {
        return Ok(Vec::new());
    }
    let mut logins = Vec::new();
    for (username, fields, password, hash) in hashed {
        create(&mut tx, username, &fields, &hash, now).await?;
        logins.push((username.to_owned(), password));
    }
    tx.commit().await?;
    Ok(logins)
}
