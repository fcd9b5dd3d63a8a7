//! The change feed in the database: applying pushed records with the model's upsert
//! rule, reading the changes after a cursor, and the history of every version of a
//! record.
//!
//! Architecture invariant: sequence numbers are handed out only inside a write
//! transaction, and write transactions are serialized across every server process
//! (`Db::begin_write` takes the write lock up front). So seqs become visible in the
//! order they were given: a reader never sees seq n+1 while n is still uncommitted,
//! which is what lets a pull cursor skip nothing; and a push reads the state it replaces
//! after every earlier push committed, so no edit overwrites another unseen.

use std::collections::HashMap;

use chrono::{DateTime, SecondsFormat, Utc};
use gatewatch_model::gatecode::{self, Proof};
use gatewatch_model::intake::{self, Decision, Refused, Replaced};
use gatewatch_model::quota::PushLimits;
use gatewatch_model::report::Month;
use gatewatch_model::roster::Person;
use gatewatch_model::{
    Ack, Change, Cursor, DeviceId, Hlc, PullResponse, PushRequest, PushResponse, Record,
    RecordBody, RejectCode, Rejection,
};
use serde::Serialize;
use sqlx::AnyConnection;
use uuid::Uuid;

use gatewatch_model::access::{allowed, allowed_change, Access, Principal, Subject, UserRole};

use crate::db::Db;
use crate::error::AppError;
use crate::{accounts, catalog, push_limit};

/// Applies every record of a push by `who` in one transaction and says what happened
/// to each: the model decides (`intake::check`, `access`, `intake::decide`), this
/// looks up what the decision needs and carries it out.
///
/// `now` becomes the `received_at` of every version stored by this push. The caller
/// has already checked the batch size; records failing `Record::validate`, and records
/// `who` may not write (`gatewatch_model::access`), are rejected here, one by one,
/// without failing the others, and never stored. Teams are taken first, so the roster
/// and sessions of a team a lead creates in the same push are theirs already. What it
/// stored new is charged to `who` within `limits`: over them, nothing is kept
/// (`AppError::PushLimit`).
pub async fn push(
    db: &Db,
    request: &PushRequest,
    who: &Principal,
    limits: PushLimits,
    now: DateTime<Utc>,
) -> Result<PushResponse, AppError> {
    let mut who = who.clone();
    let mut records: Vec<&Record> = request.records.iter().collect();
    records.sort_by_key(|r| r.body.kind() != "team");
    let received_at = now.to_rfc3339_opts(SecondsFormat::Millis, true);
    let now_ms = u64::try_from(now.timestamp_millis()).unwrap_or(0);
    let mut acks = Vec::with_capacity(request.records.len());
    let mut rejected = Vec::new();
    let mut tx = db.begin_write().await?;
    let mut posts = PostSchools::default();
    for record in records {
        let refuse = |refused: Refused| Rejection {
            id: record.id,
            version: record.version.clone(),
            code: refused.code,
            reason: refused.reason,
            current: refused.current.map(|held| *held),
        };
        if let Err(refused) = intake::check(record, now_ms) {
            rejected.push(refuse(refused));
            continue;
        }
        let (held, author) = match load_with_author(&mut tx, record.id).await? {
            Some((held, author)) => (Some(held), author),
            None => (None, None),
        };
        if let Err((code, reason)) =
            may_write(&mut tx, &mut posts, &who, record, held.as_ref(), author).await?
        {
            rejected.push(refuse(Refused {
                code,
                reason,
                current: None,
            }));
            continue;
        }
        if held.is_none()
            && matches!(record.body, RecordBody::Team(_))
            && who.role == UserRole::Lead
        {
            accounts::add_team(&mut tx, who.user, record.id).await?;
            who.scope.teams.insert(record.id);
        }
        // A version edited from an older state than the one held was made concurrently
        // with it: its base is in the history, for the field-by-field merge.
        let base = match (&held, &record.base) {
            (Some(h), Some(b)) if *b != h.version => load_version(&mut tx, record.id, b).await?,
            _ => None,
        };
        let decision = intake::decide(held.as_ref(), record, base.as_ref(), now_ms);
        let Some(outcome) = decision.outcome() else {
            if let Decision::Refuse(refused) = decision {
                rejected.push(refuse(refused));
            }
            continue;
        };
        let pusher = Pusher {
            device: &request.device,
            user: who.user,
        };
        carry_out(&mut tx, &mut posts, decision, record, &pusher, &received_at).await?;
        acks.push(Ack {
            id: record.id,
            version: record.version.clone(),
            outcome,
        });
    }
    let spent = push_limit::spent(&request.records, &acks, now_ms)?;
    push_limit::charge(&mut tx, &who, limits, spent).await?;
    let cursor = last_seq(&mut tx).await?;
    tx.commit().await?;
    Ok(PushResponse {
        acks,
        rejected,
        cursor,
    })
}

/// Stores what `decision` (not a refusal) says for the pushed `record`: the record as
/// the new state, or in the history beside the state the server made, or in the
/// history only.
async fn carry_out(
    tx: &mut AnyConnection,
    posts: &mut PostSchools,
    decision: Decision,
    record: &Record,
    pusher: &Pusher<'_>,
    received_at: &str,
) -> Result<(), AppError> {
    match decision {
        Decision::Store => {
            let proof = proof_of(tx, record).await?;
            store(tx, posts, record, pusher, received_at, proof).await?;
        }
        Decision::Replace { state, why } => {
            match &why {
                Replaced::MergeInvalid { error } => {
                    tracing::info!(id = %record.id, %error, "merge invalid; the held state stays")
                }
                Replaced::Merged { conflicts } if !conflicts.is_empty() => {
                    tracing::info!(id = %record.id, fields = ?conflicts, "concurrent edits of one field: the higher version won")
                }
                _ => {}
            }
            keep_version(tx, record, pusher, received_at).await?;
            let server = DeviceId::server();
            let made_here = Pusher {
                device: &server,
                user: pusher.user,
            };
            let proof = proof_of(tx, &state).await?;
            store(tx, posts, &state, &made_here, received_at, proof).await?;
        }
        Decision::History => keep_version(tx, record, pusher, received_at).await?,
        Decision::Duplicate | Decision::Refuse(_) => {}
    }
    Ok(())
}

/// The changes after `since` that `who` may read, oldest first, at most `limit` of
/// them. With `teams`, rosters and duty sessions only of those teams (what the phone
/// follows, within what it may read): a phone gets the volunteers' phone numbers and
/// the sessions of the teams it follows, not a city's (migration 0006's `team` column
/// says whose a row is).
///
/// The scope is applied twice: in SQL, so a page is full of readable rows and an
/// officer's pull does not read a city's bodies, and by `access::allowed` on each row,
/// the one rule; a row the SQL let through but the rule refuses is dropped and logged.
pub async fn pull(
    db: &Db,
    who: &Principal,
    since: Cursor,
    limit: usize,
    teams: Option<&[Uuid]>,
) -> Result<PullResponse, AppError> {
    // Stored integers are i64; a cursor beyond that is past every seq there can be.
    let after = i64::try_from(since.0).unwrap_or(i64::MAX);
    // One extra row says whether there is more without a second query.
    let fetch = i64::try_from(limit).unwrap_or(i64::MAX).saturating_add(1);
    let mut binds: Vec<String> = Vec::new();
    let team_filter = match teams {
        None => String::new(),
        Some(list) => format!(
            " AND (r.team IS NULL OR r.team IN ({}))",
            placeholders(&mut binds, list.iter().map(Uuid::to_string))
        ),
    };
    let scope_filter = scope_sql(who, &mut binds);
    let limit_param = binds.len() + FIRST_LIST_PARAM;
    // The author's names joined in: each change says whose it is (`Change::author`).
    let sql = format!(
        "SELECT r.seq, r.received_at, r.body, r.proof, r.kind, r.school, r.team, {AUTHOR_COLUMNS} \
         FROM records r LEFT JOIN users u ON u.id = r.author \
         WHERE r.seq > $1 AND r.seq <= $2{team_filter}{scope_filter} \
         ORDER BY r.seq LIMIT ${limit_param}"
    );
    // One read transaction, one snapshot: every seq up to `last` is committed and seen
    // (seqs are handed out in commit order), so a pull that finds nothing more may move
    // the cursor to `last` and the next one does not read those rows again (an officer
    // of one school would otherwise rescan a city's tail on every sync).
    let mut tx = db.begin_read().await?;
    let last: i64 = sqlx::query_scalar("SELECT last_seq FROM feed WHERE id = 1")
        .fetch_one(&mut *tx)
        .await?;
    let mut query = sqlx::query_as(&sql).bind(after).bind(last);
    for value in &binds {
        query = query.bind(value);
    }
    #[derive(sqlx::FromRow)]
    struct Row {
        seq: i64,
        received_at: String,
        body: String,
        proof: Option<String>,
        kind: String,
        school: Option<String>,
        team: Option<String>,
        #[sqlx(flatten)]
        author: AuthorColumns,
    }
    let rows: Vec<Row> = query.bind(fetch).fetch_all(&mut *tx).await?;
    tx.commit().await?;
    let more = rows.len() > limit;
    let mut cursor = since;
    let mut changes = Vec::with_capacity(rows.len().min(limit));
    for row in rows.into_iter().take(limit) {
        let Row {
            seq,
            received_at,
            body,
            proof,
            kind,
            school,
            team,
            author,
        } = row;
        cursor = to_cursor(seq)?;
        let record: Record = serde_json::from_str(&body)?;
        let team = team
            .and_then(|t| Uuid::parse_str(&t).ok())
            .or((kind == "team").then_some(record.id));
        let author = author.person();
        let subject = Subject {
            kind: record.body.kind(),
            school: school.as_deref(),
            team,
            author: author.as_ref().map(|a| a.user),
        };
        if !allowed(who, &subject, Access::Read) {
            tracing::error!(id = %record.id, user = %who.user, "pull's SQL scope let through a record the access rule refuses");
            continue;
        }
        changes.push(Change {
            seq: cursor,
            received_at: parse_received(&received_at)?,
            record: record.as_seen_by(who.user, author.as_ref().map(|a| a.user)),
            proof: proof.as_deref().and_then(text_proof),
            author,
        });
    }
    if !more {
        cursor = cursor.max(to_cursor(last)?);
    }
    Ok(PullResponse {
        changes,
        cursor,
        more,
    })
}

/// The author's columns of a `LEFT JOIN users u`, as `AuthorColumns` reads them.
pub(crate) const AUTHOR_COLUMNS: &str =
    "u.id AS author_id, u.username AS author_username, u.display_name AS author_name";

/// An account's id, username and display name as a LEFT JOIN of `users` reads them
/// (`AUTHOR_COLUMNS`): all NULL for a record stored before accounts.
#[derive(sqlx::FromRow)]
pub(crate) struct AuthorColumns {
    author_id: Option<String>,
    author_username: Option<String>,
    author_name: Option<String>,
}

impl AuthorColumns {
    /// The person they name, if any (an unreadable id names nobody).
    pub(crate) fn person(self) -> Option<Person> {
        Some(Person {
            user: Uuid::parse_str(&self.author_id?).ok()?,
            username: self.author_username?,
            display_name: self.author_name?,
        })
    }
}

/// The parameter number of pull's first bound list value: `$1` and `$2` are the seqs.
const FIRST_LIST_PARAM: usize = 3;

/// `$n, $n+1, …` for `values`, which are appended to `binds` (bound, never spliced in),
/// numbered after those already there. A leading NULL keeps an empty list valid SQL
/// that matches nothing.
fn placeholders(binds: &mut Vec<String>, values: impl Iterator<Item = String>) -> String {
    let mut sql = String::from("NULL");
    for value in values {
        sql.push_str(&format!(",${}", binds.len() + FIRST_LIST_PARAM));
        binds.push(value);
    }
    sql
}

/// The rows `who` may read, as SQL over the `kind`, `school` and `team` columns of
/// `records r`: `access::allowed` for `Access::Read`, which `pull` checks again row by
/// row.
fn scope_sql(who: &Principal, binds: &mut Vec<String>) -> String {
    let schools = |kinds: &str, binds: &mut Vec<String>| {
        format!(
            "(r.kind IN ({kinds}) AND r.school IN ({}))",
            placeholders(binds, who.scope.schools.iter().cloned())
        )
    };
    match who.role {
        UserRole::Admin => String::new(),
        UserRole::Officer => {
            // Their own swap requests only: a request is the asking officer's.
            let records = schools("'checkin', 'incident'", binds);
            let swaps = schools("'swap'", binds);
            binds.push(who.user.to_string());
            let me = binds.len() + FIRST_LIST_PARAM - 1;
            format!(" AND ({records} OR ({swaps} AND r.author = ${me}))")
        }
        UserRole::Supervisor => {
            format!(" AND {}", schools("'checkin', 'incident', 'swap'", binds))
        }
        UserRole::Lead => {
            // Not incidents: a lead reads their schools' check-ins only.
            let schools = schools("'checkin'", binds);
            let teams = placeholders(binds, who.scope.teams.iter().map(Uuid::to_string));
            let teams_again = placeholders(binds, who.scope.teams.iter().map(Uuid::to_string));
            format!(
                " AND ({schools} OR (r.kind = 'team' AND r.id IN ({teams})) \
                 OR (r.kind IN ('volunteer', 'duty') AND r.team IN ({teams_again})))"
            )
        }
    }
}

/// Whether `who` may read record `id` as the server holds it; `None`: no such record.
pub async fn may_read(db: &Db, who: &Principal, id: Uuid) -> Result<Option<bool>, AppError> {
    type Row = (String, Option<String>, Option<String>, Option<String>);
    let row: Option<Row> =
        sqlx::query_as("SELECT kind, school, team, author FROM records WHERE id = $1")
            .bind(id.to_string())
            .fetch_optional(db.pool())
            .await?;
    Ok(row.map(|(kind, school, team, author)| {
        let team = match kind.as_str() {
            "team" => Some(id),
            _ => team.and_then(|t| Uuid::parse_str(&t).ok()),
        };
        let Some(kind) = ["checkin", "incident", "team", "volunteer", "duty", "swap"]
            .into_iter()
            .find(|k| *k == kind)
        else {
            return false;
        };
        let subject = Subject {
            kind,
            school: school.as_deref(),
            team,
            // A swap request is read by its own officer only.
            author: author.and_then(|a| Uuid::parse_str(&a).ok()),
        };
        allowed(who, &subject, Access::Read)
    }))
}

/// The stored state of record `id`, if the server has it.
pub(crate) async fn load(conn: &mut AnyConnection, id: Uuid) -> Result<Option<Record>, AppError> {
    let body: Option<String> = sqlx::query_scalar("SELECT body FROM records WHERE id = $1")
        .bind(id.to_string())
        .fetch_optional(&mut *conn)
        .await?;
    Ok(body.map(|b| serde_json::from_str(&b)).transpose()?)
}

/// The stored state of `id` and who first pushed it (`None` for records stored before
/// accounts existed).
async fn load_with_author(
    conn: &mut AnyConnection,
    id: Uuid,
) -> Result<Option<(Record, Option<Uuid>)>, AppError> {
    let row: Option<(String, Option<String>)> =
        sqlx::query_as("SELECT body, author FROM records WHERE id = $1")
            .bind(id.to_string())
            .fetch_optional(&mut *conn)
            .await?;
    row.map(|(body, author)| {
        let author = author.and_then(|a| Uuid::parse_str(&a).ok());
        Ok((serde_json::from_str(&body)?, author))
    })
    .transpose()
}

/// Version `version` of record `id` from its history, if the server ever had it.
async fn load_version(
    conn: &mut AnyConnection,
    id: Uuid,
    version: &Hlc,
) -> Result<Option<Record>, AppError> {
    let body: Option<String> =
        sqlx::query_scalar("SELECT body FROM record_versions WHERE id = $1 AND version = $2")
            .bind(id.to_string())
            .bind(version.to_string())
            .fetch_optional(&mut *conn)
            .await?;
    Ok(body.map(|b| serde_json::from_str(&b)).transpose()?)
}

/// The schools of the posts a write transaction has looked up. The access check and the
/// stored row both need a check-in's school, and a phone's batch is mostly one gate:
/// each post is read once while the write lock is held, not once per use.
#[derive(Default)]
struct PostSchools(HashMap<String, Option<String>>);

impl PostSchools {
    async fn of(
        &mut self,
        conn: &mut AnyConnection,
        post_id: &str,
    ) -> Result<Option<String>, AppError> {
        if let Some(school) = self.0.get(post_id) {
            return Ok(school.clone());
        }
        let school = catalog::school_of_post(&mut *conn, post_id).await?;
        self.0.insert(post_id.to_owned(), school.clone());
        Ok(school)
    }
}

/// The school a record concerns, as the `school` column keeps it: a check-in's or
/// incident's post's school, a team's own.
async fn school_of(
    conn: &mut AnyConnection,
    posts: &mut PostSchools,
    record: &Record,
) -> Result<Option<String>, AppError> {
    Ok(match &record.body {
        RecordBody::CheckIn(c) => posts.of(conn, &c.post_id).await?,
        RecordBody::Incident(i) => posts.of(conn, &i.post_id).await?,
        RecordBody::Swap(s) => posts.of(conn, &s.post_id).await?,
        RecordBody::Team(t) => Some(t.school_id.clone()),
        RecordBody::Volunteer(_) | RecordBody::Duty(_) => None,
    })
}

/// Whether `who` may store `record` over `held` (written by `author`): both the new
/// state and the one it replaces must be theirs to write, so nothing is moved out of
/// someone else's scope or into it. `Err` is the reason for the phone.
async fn may_write(
    conn: &mut AnyConnection,
    posts: &mut PostSchools,
    who: &Principal,
    record: &Record,
    held: Option<&Record>,
    author: Option<Uuid>,
) -> Result<Result<(), (RejectCode, String)>, AppError> {
    // Stored before accounts: nobody's own, so only an admin may change it.
    let author = match (held, author) {
        (Some(_), None) => Some(Uuid::nil()),
        (_, author) => author,
    };
    // A swap request is asked by the officer it names, never in someone else's name.
    if let RecordBody::Swap(swap) = &record.body {
        if who.role == UserRole::Officer && swap.officer != who.user {
            return Ok(Err((
                RejectCode::NotOwn,
                "refused: a swap request names the officer who asks for it".to_owned(),
            )));
        }
    }
    let new_school = school_of(conn, posts, record).await?;
    let new = Subject::of(record, |_| new_school.as_deref(), author);
    if !allowed(who, &new, Access::Write) {
        return Ok(Err(denial(who, &new)));
    }
    if let Some(held) = held {
        let held_school = school_of(conn, posts, held).await?;
        let old = Subject::of(held, |_| held_school.as_deref(), author);
        if !allowed(who, &old, Access::Write) {
            return Ok(Err(denial(who, &old)));
        }
        if !allowed_change(who, &old, &new) {
            let to = new_school.as_deref().unwrap_or("?");
            return Ok(Err((
                RejectCode::OutOfScope,
                format!("refused: school `{to}` is not in your scope; an admin moves teams between schools"),
            )));
        }
    }
    Ok(Ok(()))
}

/// Why `who` may not write `what`: the code the phone translates, and the words for
/// logs and admins.
fn denial(who: &Principal, what: &Subject) -> (RejectCode, String) {
    let kind = what.kind;
    match (who.role, kind) {
        (UserRole::Officer, "checkin" | "incident")
            if what.school.is_some_and(|s| who.scope.schools.contains(s)) =>
        {
            (
                RejectCode::NotOwn,
                "refused: only the officer who made this record may change it".to_owned(),
            )
        }
        (UserRole::Officer, "team" | "volunteer" | "duty") => (
            RejectCode::NotForRole,
            format!("refused: an officer's account may not write {kind} records"),
        ),
        (UserRole::Lead, "checkin") => (
            RejectCode::NotForRole,
            format!("refused: a team lead's account may read but not write {kind} records"),
        ),
        (UserRole::Lead, "swap") => (
            RejectCode::NotForRole,
            format!("refused: a team lead's account may not read or write {kind} records"),
        ),
        (UserRole::Lead, "incident") => (
            RejectCode::NotForRole,
            format!("refused: a team lead's account may not read or write {kind} records"),
        ),
        // A supervisor's records are the roster and swap decisions, made through their
        // own endpoints: none is pushed, in scope or out.
        (UserRole::Supervisor, _) => (
            RejectCode::NotForRole,
            format!("refused: a supervisor's account may not push {kind} records"),
        ),
        (_, _) => (
            RejectCode::OutOfScope,
            match (what.school, what.team) {
                (Some(school), _) if matches!(kind, "checkin" | "incident") => {
                    format!("refused: school `{school}` is not in your scope")
                }
                (None, None) => {
                    "refused: this record is not in your scope (unknown post)".to_owned()
                }
                (_, Some(team)) => format!("refused: team {team} is not in your scope"),
                (Some(school), None) => format!("refused: school `{school}` is not in your scope"),
            },
        ),
    }
}

/// The server's verdict on a check-in's gate code, checked against its post's secret
/// around the device time. A code for an unknown post cannot be verified: failed.
/// Other kinds carry no code and get no verdict.
async fn proof_of(conn: &mut AnyConnection, record: &Record) -> Result<Option<Proof>, AppError> {
    let RecordBody::CheckIn(c) = &record.body else {
        return Ok(None);
    };
    let Some(code) = c.gate_code.as_deref() else {
        return Ok(Some(Proof::Unverified));
    };
    let proof = match catalog::post_secret(&mut *conn, &c.post_id).await? {
        Some(secret) => gatecode::verify(&secret, Some(code), c.device_time),
        None => Proof::Failed,
    };
    Ok(Some(proof))
}

fn proof_text(p: Proof) -> &'static str {
    match p {
        Proof::Verified => "verified",
        Proof::Unverified => "unverified",
        Proof::Failed => "failed",
    }
}

fn text_proof(s: &str) -> Option<Proof> {
    match s {
        "verified" => Some(Proof::Verified),
        "unverified" => Some(Proof::Unverified),
        "failed" => Some(Proof::Failed),
        _ => None,
    }
}

/// An admin's correction of record `id` to `body`, approved hours included (no phone
/// may change those). The server makes the next version itself, on its own clock as
/// device `admin`, and stores it like a push would: the feed (so phones pull it) and
/// the history (so what was approved before stays on record). `None`: no such record.
/// Phones may not push as `admin` (`PushRequest::check_devices`).
pub async fn admin_correct(
    db: &Db,
    id: Uuid,
    body: RecordBody,
    admin: Uuid,
    now: DateTime<Utc>,
) -> Result<Option<Record>, AppError> {
    let mut tx = db.begin_write().await?;
    let Some(held) = load(&mut tx, id).await? else {
        return Ok(None);
    };
    if held.body.kind() != body.kind() {
        return Err(AppError::InvalidRecord(format!(
            "record {id} is a {}, not a {}",
            held.body.kind(),
            body.kind()
        )));
    }
    let next = store_next_version(
        &mut tx,
        &held,
        (body, NextVersion::Correction),
        &DeviceId::admin(),
        admin,
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(Some(next))
}

/// What a version the server makes is to the record: a correction counts as an edit
/// (`Record::corrected`), a revision does not (`Record::revised`: a swap's decision).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum NextVersion {
    Correction,
    Revision,
}

/// Makes and stores, in the caller's write transaction, the next version of `held`
/// with `body` (a correction or a revision), on the server's clock as the reserved
/// `device` (`admin` for a correction, `server` for a swap's decision) for `user`: in
/// the feed, so phones pull it, and in the history. 422 when the new state is not a
/// valid record.
pub(crate) async fn store_next_version(
    conn: &mut AnyConnection,
    held: &Record,
    (body, what): (RecordBody, NextVersion),
    device: &DeviceId,
    user: Uuid,
    now: DateTime<Utc>,
) -> Result<Record, AppError> {
    let now_ms = u64::try_from(now.timestamp_millis()).unwrap_or(0);
    let version = intake::next_version(device, [&held.version], now_ms);
    let next = match what {
        NextVersion::Correction => held.corrected(version, body),
        NextVersion::Revision => held.revised(version, body),
    };
    next.validate()
        .map_err(|e| AppError::InvalidRecord(e.to_string()))?;
    if intake::holds_nul(&next) {
        return Err(AppError::InvalidRecord(intake::NUL_REFUSED.to_owned()));
    }
    let received_at = now.to_rfc3339_opts(SecondsFormat::Millis, true);
    let proof = proof_of(conn, &next).await?;
    let pusher = Pusher { device, user };
    store(
        conn,
        &mut PostSchools::default(),
        &next,
        &pusher,
        &received_at,
        proof,
    )
    .await?;
    Ok(next)
}

/// Who a version is stored as: the device it came from and the signed-in user.
struct Pusher<'a> {
    device: &'a DeviceId,
    user: Uuid,
}

/// Writes `record` as the state of its id, at the next position of the feed. The first
/// user to store an id is its author, for good.
async fn store(
    conn: &mut AnyConnection,
    posts: &mut PostSchools,
    record: &Record,
    pusher: &Pusher<'_>,
    received_at: &str,
    proof: Option<Proof>,
) -> Result<(), AppError> {
    let seq: i64 = sqlx::query_scalar(
        "UPDATE feed SET last_seq = last_seq + 1 WHERE id = 1 RETURNING last_seq",
    )
    .fetch_one(&mut *conn)
    .await?;
    let (month, team) = projection(&record.body);
    let day = gate_day(&record.body);
    let school = school_of(&mut *conn, posts, record).await?;
    sqlx::query(
        "INSERT INTO records (id, kind, version, device, body, received_at, seq, proof, month,
                              team, school, author, day)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
         ON CONFLICT (id) DO UPDATE SET
             kind = excluded.kind, version = excluded.version, device = excluded.device,
             body = excluded.body, received_at = excluded.received_at, seq = excluded.seq,
             proof = excluded.proof, month = excluded.month, team = excluded.team,
             school = excluded.school, author = COALESCE(records.author, excluded.author),
             day = excluded.day",
    )
    .bind(record.id.to_string())
    .bind(record.body.kind())
    .bind(record.version.to_string())
    .bind(pusher.device.as_str())
    .bind(serde_json::to_string(record)?)
    .bind(received_at)
    .bind(seq)
    .bind(proof.map(proof_text))
    .bind(month)
    .bind(team)
    .bind(school)
    .bind(pusher.user.to_string())
    .bind(day)
    .execute(&mut *conn)
    .await?;
    keep_version(conn, record, pusher, received_at).await
}

/// The `month` and `team` columns of a stored row (migration 0006): what the duty
/// report selects sessions by.
fn projection(body: &RecordBody) -> (Option<String>, Option<String>) {
    match body {
        RecordBody::Duty(d) => (
            Some(Month::of(d.start).to_string()),
            Some(d.team.to_string()),
        ),
        RecordBody::Volunteer(v) => (None, Some(v.team.to_string())),
        RecordBody::CheckIn(_)
        | RecordBody::Incident(_)
        | RecordBody::Team(_)
        | RecordBody::Swap(_) => (None, None),
    }
}

/// The `day` column of a stored row (migration 0012): a check-in's or an incident's
/// device date in its own offset, what the reports and record sheets select by.
fn gate_day(body: &RecordBody) -> Option<String> {
    match body {
        RecordBody::CheckIn(_) | RecordBody::Incident(_) => Some(
            body.device_time()
                .date_naive()
                .format("%Y-%m-%d")
                .to_string(),
        ),
        RecordBody::Team(_)
        | RecordBody::Volunteer(_)
        | RecordBody::Duty(_)
        | RecordBody::Swap(_) => None,
    }
}

/// Adds `record` to its history. The table is append-only: a version already there
/// (pushed again) keeps its first arrival.
async fn keep_version(
    conn: &mut AnyConnection,
    record: &Record,
    pusher: &Pusher<'_>,
    received_at: &str,
) -> Result<(), AppError> {
    sqlx::query(
        "INSERT INTO record_versions (id, version, body, received_at, device, author)
         VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (id, version) DO NOTHING",
    )
    .bind(record.id.to_string())
    .bind(record.version.to_string())
    .bind(serde_json::to_string(record)?)
    .bind(received_at)
    .bind(pusher.device.as_str())
    .bind(pusher.user.to_string())
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// One version of a record in its history.
#[derive(Debug, Serialize)]
pub struct Version {
    pub version: Hlc,
    /// The server's clock when this version arrived.
    pub received_at: DateTime<Utc>,
    pub record: Record,
    /// The account that pushed this version (or made it: an admin's correction), absent
    /// for versions stored before accounts.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub author: Option<Person>,
}

/// Every version of record `id` the server accepted, oldest first (by version, so the
/// last one is the record as the feed has it), as `viewer` may see them
/// (`Record::as_seen_by`); `None` if the server has no such record.
pub async fn history(db: &Db, viewer: Uuid, id: Uuid) -> Result<Option<Vec<Version>>, AppError> {
    #[derive(sqlx::FromRow)]
    struct Row {
        received_at: String,
        body: String,
        #[sqlx(flatten)]
        author: AuthorColumns,
    }
    let rows: Vec<Row> = sqlx::query_as(&format!(
        "SELECT v.received_at, v.body, {AUTHOR_COLUMNS}
         FROM record_versions v LEFT JOIN users u ON u.id = v.author
         WHERE v.id = $1 ORDER BY v.version"
    ))
    .bind(id.to_string())
    .fetch_all(db.pool())
    .await?;
    if rows.is_empty() {
        return Ok(None);
    }
    rows.into_iter()
        .map(|row| {
            let record: Record = serde_json::from_str(&row.body)?;
            let author = row.author.person();
            Ok(Version {
                version: record.version.clone(),
                received_at: parse_received(&row.received_at)?,
                record: record.as_seen_by(viewer, author.as_ref().map(|a| a.user)),
                author,
            })
        })
        .collect::<Result<_, _>>()
        .map(Some)
}

async fn last_seq(conn: &mut AnyConnection) -> Result<Cursor, AppError> {
    let seq: i64 = sqlx::query_scalar("SELECT last_seq FROM feed WHERE id = 1")
        .fetch_one(&mut *conn)
        .await?;
    to_cursor(seq)
}

/// A stored `received_at` (RFC 3339, written by `push`) back as an instant.
pub fn parse_received(text: &str) -> Result<DateTime<Utc>, AppError> {
    DateTime::parse_from_rfc3339(text)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| AppError::Internal(Box::new(e)))
}

pub(crate) fn to_cursor(seq: i64) -> Result<Cursor, AppError> {
    // The schema keeps seqs non-negative; a negative one means the file was tampered with.
    u64::try_from(seq)
        .map(Cursor)
        .map_err(|e| AppError::Internal(Box::new(e)))
}
