//! The change feed in SQLite: applying pushed records with the model's upsert rule,
//! reading the changes after a cursor, and the history of every version of a record.
//!
//! Architecture invariant: sequence numbers are handed out only inside a write
//! transaction, and write transactions are serialized (`BEGIN IMMEDIATE` takes the
//! write lock up front). So seqs become visible in the order they were given: a reader
//! never sees seq n+1 while n is still uncommitted, which is what lets a pull cursor
//! skip nothing.

use chrono::{DateTime, SecondsFormat, Utc};
use gatewatch_model::gatecode::{self, Proof};
use gatewatch_model::merge::{upsert, Upsert};
use gatewatch_model::report::Month;
use gatewatch_model::{
    Ack, AckOutcome, Change, Clock, Cursor, DeviceId, Hlc, PullResponse, PushRequest, PushResponse,
    Record, RecordBody, Rejection,
};
use serde::Serialize;
use sqlx::{SqliteConnection, SqlitePool};
use uuid::Uuid;

use crate::catalog;
use crate::error::AppError;

/// Why a version that changes approved volunteer hours is refused.
pub const APPROVED_HOURS_LOCKED: &str =
    "approved hours are locked; only an admin may change them (admins come with accounts)";

/// Applies every record of a push in one transaction and says what happened to each.
///
/// `now` becomes the `received_at` of every version stored by this push. The caller
/// has already checked the batch size; records failing `Record::validate` are rejected
/// here, one by one, without failing the others.
pub async fn push(
    db: &SqlitePool,
    request: &PushRequest,
    now: DateTime<Utc>,
) -> Result<PushResponse, AppError> {
    let received_at = now.to_rfc3339_opts(SecondsFormat::Millis, true);
    let now_ms = u64::try_from(now.timestamp_millis()).unwrap_or(0);
    let mut acks = Vec::with_capacity(request.records.len());
    let mut rejected = Vec::new();
    let mut tx = db.begin_with("BEGIN IMMEDIATE").await?;
    for record in &request.records {
        let reject = |reason: String| Rejection {
            id: record.id,
            version: record.version.clone(),
            reason,
            current: None,
        };
        if let Err(e) = record.validate() {
            rejected.push(reject(e.to_string()));
            continue;
        }
        if record.version.is_too_far_ahead(now_ms) {
            rejected.push(reject(format!(
                "version {} is more than a day ahead of the server's clock; \
                 check the phone's date and time",
                record.version
            )));
            continue;
        }
        let held = load(&mut tx, record.id).await?;
        let outcome = match upsert(held.as_ref(), record) {
            // Approved volunteer hours are locked: a newer version may approve or reject
            // more, or edit the note, but not change what was approved (nor void it).
            // Only an admin may (`admin_correct`).
            Upsert::Replaced
                if held
                    .as_ref()
                    .is_some_and(|h| h.changes_approved_hours(record)) =>
            {
                match held.as_ref().and_then(|h| rebased(h, record)) {
                    // Only because it did not know of approvals made meanwhile on another
                    // phone: both phones' decisions go into a version made here (the
                    // phone's own is kept in the history, and it pulls the merge).
                    Some(merged) => {
                        keep_version(&mut tx, record, &request.device, &received_at).await?;
                        let device = own_device(SERVER_DEVICE)?;
                        let merged = Record {
                            version: next_version(
                                &device,
                                [&record.version, &merged.version],
                                now_ms,
                            ),
                            ..merged
                        };
                        store(&mut tx, &merged, &device, &received_at, None).await?;
                        AckOutcome::Superseded
                    }
                    // Refused whole, never stored (not even in the history), with the
                    // state that locked it, so the phone can adopt it.
                    None => {
                        rejected.push(Rejection {
                            current: held,
                            ..reject(APPROVED_HOURS_LOCKED.to_owned())
                        });
                        continue;
                    }
                }
            }
            Upsert::Inserted | Upsert::Replaced => {
                let proof = proof_of(&mut tx, record).await?;
                store(&mut tx, record, &request.device, &received_at, proof).await?;
                AckOutcome::Stored
            }
            Upsert::Duplicate => AckOutcome::Duplicate,
            Upsert::Superseded => {
                // Never the record's state here, but an edit someone made (e.g. offline,
                // while another phone edited it later): its history keeps it.
                keep_version(&mut tx, record, &request.device, &received_at).await?;
                AckOutcome::Superseded
            }
            Upsert::Conflict => {
                rejected.push(reject(format!(
                    "version {} of this record is already stored with different content; \
                     an edit must carry a new version",
                    record.version
                )));
                continue;
            }
        };
        acks.push(Ack {
            id: record.id,
            version: record.version.clone(),
            outcome,
        });
    }
    let cursor = last_seq(&mut tx).await?;
    tx.commit().await?;
    Ok(PushResponse {
        acks,
        rejected,
        cursor,
    })
}

/// The changes after `since`, oldest first, at most `limit` of them. With `teams`,
/// rosters and duty sessions only of those teams (every other kind, teams included,
/// always): a phone gets the volunteers' phone numbers and the sessions of the teams it
/// follows, not a city's (migration 0006's `team` column says whose a row is).
pub async fn pull(
    db: &SqlitePool,
    since: Cursor,
    limit: usize,
    teams: Option<&[Uuid]>,
) -> Result<PullResponse, AppError> {
    // SQLite integers are i64; a cursor beyond that is past every seq there can be.
    let after = i64::try_from(since.0).unwrap_or(i64::MAX);
    // One extra row says whether there is more without a second query.
    let fetch = i64::try_from(limit).unwrap_or(i64::MAX).saturating_add(1);
    let team_filter = match teams {
        None => String::new(),
        Some(list) => format!(
            " AND (team IS NULL OR team IN ({}))",
            // One placeholder per team: the list is bound, never spliced in.
            std::iter::once("NULL")
                .chain(list.iter().map(|_| "?"))
                .collect::<Vec<_>>()
                .join(",")
        ),
    };
    let sql = format!(
        "SELECT seq, received_at, body, proof FROM records WHERE seq > ?{team_filter} \
         ORDER BY seq LIMIT ?"
    );
    let mut query = sqlx::query_as(&sql).bind(after);
    for team in teams.unwrap_or_default() {
        query = query.bind(team.to_string());
    }
    let rows: Vec<(i64, String, String, Option<String>)> = query.bind(fetch).fetch_all(db).await?;
    let more = rows.len() > limit;
    let changes = rows
        .into_iter()
        .take(limit)
        .map(|(seq, received_at, body, proof)| {
            Ok(Change {
                seq: to_cursor(seq)?,
                received_at: parse_received(&received_at)?,
                record: serde_json::from_str(&body)?,
                proof: proof.as_deref().and_then(text_proof),
            })
        })
        .collect::<Result<Vec<_>, AppError>>()?;
    let cursor = changes.last().map_or(since, |c| c.seq);
    Ok(PullResponse {
        changes,
        cursor,
        more,
    })
}

async fn load(conn: &mut SqliteConnection, id: Uuid) -> Result<Option<Record>, AppError> {
    let body: Option<String> = sqlx::query_scalar("SELECT body FROM records WHERE id = ?")
        .bind(id.to_string())
        .fetch_optional(&mut *conn)
        .await?;
    Ok(body.map(|b| serde_json::from_str(&b)).transpose()?)
}

/// The server's verdict on a check-in's gate code, checked against its post's secret
/// around the device time. A code for an unknown post cannot be verified: failed.
/// Other kinds carry no code and get no verdict.
async fn proof_of(conn: &mut SqliteConnection, record: &Record) -> Result<Option<Proof>, AppError> {
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

/// The device versions made by the server itself are stored as (merges).
pub const SERVER_DEVICE: &str = "server";

/// One of the device names the server writes versions as (`SERVER_DEVICE`,
/// `ADMIN_DEVICE`).
fn own_device(name: &str) -> Result<DeviceId, AppError> {
    DeviceId::new(name).map_err(|e| AppError::Internal(Box::new(e)))
}

/// A version the server makes as `device`: later than every one of `seen`.
fn next_version<'a>(
    device: &DeviceId,
    seen: impl IntoIterator<Item = &'a Hlc>,
    now_ms: u64,
) -> Hlc {
    let mut clock = Clock::new(device.clone());
    for version in seen {
        clock.observe(version, now_ms);
    }
    clock.tick(now_ms)
}

/// `incoming` with the approvals `held` already has put back, when that is all that
/// kept it from being accepted (see `DutySession::rebased_on`); its version is still
/// `held`'s, for the caller to replace. Voiding is never merged.
fn rebased(held: &Record, incoming: &Record) -> Option<Record> {
    let (RecordBody::Duty(h), RecordBody::Duty(i)) = (&held.body, &incoming.body) else {
        return None;
    };
    if held.voided != incoming.voided {
        return None;
    }
    let body = RecordBody::Duty(i.rebased_on(h)?);
    Some(Record {
        version: held.version.clone(),
        body,
        ..incoming.clone()
    })
}

/// The device an admin's corrections are stored as, in the feed and the history.
pub const ADMIN_DEVICE: &str = "admin";

/// An admin's correction of record `id` to `body`, approved hours included (no phone
/// may change those). The server makes the next version itself, on its own clock as
/// device `admin`, and stores it like a push would: the feed (so phones pull it) and
/// the history (so what was approved before stays on record). `None`: no such record.
pub async fn admin_correct(
    db: &SqlitePool,
    id: Uuid,
    body: RecordBody,
    now: DateTime<Utc>,
) -> Result<Option<Record>, AppError> {
    let mut tx = db.begin_with("BEGIN IMMEDIATE").await?;
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
    let device = own_device(ADMIN_DEVICE)?;
    let now_ms = u64::try_from(now.timestamp_millis()).unwrap_or(0);
    let next = held.corrected(next_version(&device, [&held.version], now_ms), body);
    next.validate()
        .map_err(|e| AppError::InvalidRecord(e.to_string()))?;
    let received_at = now.to_rfc3339_opts(SecondsFormat::Millis, true);
    let proof = proof_of(&mut tx, &next).await?;
    store(&mut tx, &next, &device, &received_at, proof).await?;
    tx.commit().await?;
    Ok(Some(next))
}

/// Writes `record` as the state of its id, at the next position of the feed.
async fn store(
    conn: &mut SqliteConnection,
    record: &Record,
    device: &DeviceId,
    received_at: &str,
    proof: Option<Proof>,
) -> Result<(), AppError> {
    let seq: i64 = sqlx::query_scalar(
        "UPDATE feed SET last_seq = last_seq + 1 WHERE id = 1 RETURNING last_seq",
    )
    .fetch_one(&mut *conn)
    .await?;
    let (month, team) = projection(&record.body);
    sqlx::query(
        "INSERT INTO records (id, kind, version, device, body, received_at, seq, proof, month, team)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (id) DO UPDATE SET
             kind = excluded.kind, version = excluded.version, device = excluded.device,
             body = excluded.body, received_at = excluded.received_at, seq = excluded.seq,
             proof = excluded.proof, month = excluded.month, team = excluded.team",
    )
    .bind(record.id.to_string())
    .bind(record.body.kind())
    .bind(record.version.to_string())
    .bind(device.as_str())
    .bind(serde_json::to_string(record)?)
    .bind(received_at)
    .bind(seq)
    .bind(proof.map(proof_text))
    .bind(month)
    .bind(team)
    .execute(&mut *conn)
    .await?;
    keep_version(conn, record, device, received_at).await
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
        RecordBody::CheckIn(_) | RecordBody::Incident(_) | RecordBody::Team(_) => (None, None),
    }
}

/// Adds `record` to its history. The table is append-only: a version already there
/// (pushed again) keeps its first arrival.
async fn keep_version(
    conn: &mut SqliteConnection,
    record: &Record,
    device: &DeviceId,
    received_at: &str,
) -> Result<(), AppError> {
    sqlx::query(
        "INSERT INTO record_versions (id, version, body, received_at, device)
         VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (id, version) DO NOTHING",
    )
    .bind(record.id.to_string())
    .bind(record.version.to_string())
    .bind(serde_json::to_string(record)?)
    .bind(received_at)
    .bind(device.as_str())
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
}

/// Every version of record `id` the server accepted, oldest first (by version, so the
/// last one is the record as the feed has it); `None` if the server has no such record.
pub async fn history(db: &SqlitePool, id: Uuid) -> Result<Option<Vec<Version>>, AppError> {
    let rows: Vec<(String, String)> = sqlx::query_as(
        "SELECT received_at, body FROM record_versions WHERE id = ? ORDER BY version",
    )
    .bind(id.to_string())
    .fetch_all(db)
    .await?;
    if rows.is_empty() {
        return Ok(None);
    }
    rows.into_iter()
        .map(|(received_at, body)| {
            let record: Record = serde_json::from_str(&body)?;
            Ok(Version {
                version: record.version.clone(),
                received_at: parse_received(&received_at)?,
                record,
            })
        })
        .collect::<Result<_, _>>()
        .map(Some)
}

async fn last_seq(conn: &mut SqliteConnection) -> Result<Cursor, AppError> {
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

fn to_cursor(seq: i64) -> Result<Cursor, AppError> {
    // The schema keeps seqs non-negative; a negative one means the file was tampered with.
    u64::try_from(seq)
        .map(Cursor)
        .map_err(|e| AppError::Internal(Box::new(e)))
}
