//! Swap requests (换班) on the server (docs/duty-roster.md §3): the requests of a
//! manager's schools, and a manager's decision — the request's next version, written as
//! device `server` on the server's clock, and on approval the asking officer replaced by
//! the substitute in that slot, both in one write transaction.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use gatewatch_model::roster::{Assignment, Slot};
use gatewatch_model::swap::{SwapDecision, SwapRequest};
use gatewatch_model::{Change, DeviceId, Record, RecordBody};
use serde::Deserialize;
use uuid::Uuid;

use crate::auth::SchoolScope;
use crate::db::Db;
use crate::error::AppError;
use crate::feed::{self, AuthorColumns, AUTHOR_COLUMNS};
use crate::roster;

/// The swap requests at the schools of `scope`, oldest first, each with its author;
/// with `pending_only`, those not decided yet.
pub async fn list(
    db: &Db,
    scope: &SchoolScope,
    pending_only: bool,
) -> Result<Vec<Change>, AppError> {
    #[derive(sqlx::FromRow)]
    struct Row {
        seq: i64,
        received_at: String,
        body: String,
        #[sqlx(flatten)]
        author: AuthorColumns,
    }
    let in_scope = scope.and_sql(db.dialect(), "r.school", "$1");
    let sql = format!(
        "SELECT r.seq, r.received_at, r.body, {AUTHOR_COLUMNS}
         FROM records r LEFT JOIN users u ON u.id = r.author
         WHERE r.kind = 'swap'{in_scope} ORDER BY r.seq"
    );
    let mut query = sqlx::query_as(&sql);
    if let Some(schools) = scope.json() {
        query = query.bind(schools);
    }
    let rows: Vec<Row> = query.fetch_all(db.pool()).await?;
    let mut swaps = Vec::with_capacity(rows.len());
    for row in rows {
        let record: Record = serde_json::from_str(&row.body)?;
        let pending = matches!(&record.body, RecordBody::Swap(s) if s.is_pending());
        if pending_only && !pending {
            continue;
        }
        swaps.push(Change {
            seq: feed::to_cursor(row.seq)?,
            received_at: feed::parse_received(&row.received_at)?,
            record,
            proof: None,
            author: row.author.person(),
        });
    }
    Ok(swaps)
}

/// A manager's answer, `POST /api/swaps/{id}/decision`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DecisionBody {
    pub approve: bool,
    /// Who takes the slot; absent, the one the officer proposed.
    #[serde(default)]
    pub substitute: Option<Uuid>,
    #[serde(default)]
    pub note: String,
}

/// Decides swap request `id` as `by` (a manager of `scope`) at `now`: the request's new
/// version. 404 for no such request, 403 out of scope, 409 `already_decided`; an
/// approval without a substitute, or one the roster refuses, is refused whole.
pub async fn decide(
    db: &Db,
    id: Uuid,
    answer: DecisionBody,
    scope: &SchoolScope,
    by: Uuid,
    now: DateTime<Utc>,
) -> Result<Record, AppError> {
    let mut tx = db.begin_write().await?;
    let missing = || AppError::Missing(format!("no swap request has the id {id}"));
    let held = feed::load(&mut tx, id).await?.ok_or_else(missing)?;
    let RecordBody::Swap(request) = &held.body else {
        return Err(missing());
    };
    if !request.is_pending() {
        return Err(AppError::AlreadyDecided(format!(
            "swap request {id} was decided already"
        )));
    }
    let substitute = match answer.approve {
        true => Some(answer.substitute.or(request.substitute).ok_or_else(|| {
            AppError::InvalidRoster("an approval names who takes the slot (`substitute`)".into())
        })?),
        false => None,
    };
    let slot = request.slot();
    match substitute {
        Some(substitute) => {
            let after = slot_after(&mut tx, &slot, request, substitute).await?;
            let slots = BTreeMap::from([(slot, after)]);
            roster::replace_slots(&mut tx, &slots, scope, (by, now), &roster::as_is).await?;
        }
        // A refusal changes no assignment, but the request must be the manager's.
        None => {
            roster::school_in_scope(&mut tx, &slot.post_id, scope).await?;
        }
    }
    let decided = SwapRequest {
        decision: Some(SwapDecision {
            approved: answer.approve,
            by,
            at: now,
            substitute,
            note: answer.note,
        }),
        ..request.clone()
    };
    let next = feed::store_next_version(
        &mut tx,
        &held,
        RecordBody::Swap(decided),
        &DeviceId::server(),
        by,
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(next)
}

/// The slot's assignments once `substitute` takes the asking officer's place (and car).
async fn slot_after(
    conn: &mut sqlx::AnyConnection,
    slot: &Slot,
    request: &SwapRequest,
    substitute: Uuid,
) -> Result<Vec<Assignment>, AppError> {
    let mut assignments = roster::of_slot(conn, slot).await?;
    let car = assignments
        .iter()
        .find(|a| a.officer == request.officer)
        .and_then(|a| a.car.clone());
    assignments.retain(|a| a.officer != request.officer && a.officer != substitute);
    assignments.push(Assignment {
        post_id: slot.post_id.clone(),
        date: slot.date,
        window: slot.window,
        officer: substitute,
        car,
    });
    Ok(assignments)
}
