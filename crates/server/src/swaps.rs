//! Swap requests (换班) on the server (docs/duty-roster.md §3): the requests of a
//! manager's schools, and a manager's decision — the request's next version, written as
//! device `server` on the server's clock, and on approval the asking officer replaced by
//! the substitute in that slot, both in one write transaction.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use gatewatch_model::roster::{Assignment, Slot};
use gatewatch_model::swap::{awaits_decision, SwapDecision, SwapRequest};
use gatewatch_model::{Change, DeviceId, Record, RecordBody};
use serde::Deserialize;
use uuid::Uuid;

use crate::auth::SchoolScope;
use crate::db::Db;
use crate::error::AppError;
use crate::feed::{self, AuthorColumns, NextVersion, AUTHOR_COLUMNS};
use crate::roster;

/// The swap requests at the schools of `scope`, oldest first, each with its author;
/// with `pending_only`, those neither decided nor withdrawn.
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
        if pending_only && !awaits_decision(&record) {
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
/// version. In this order, so that nobody learns a request's state outside their
/// scope: 404 for no such request, 403 out of scope, 409 `withdrawn` (voided by its
/// officer), 409 `already_decided`; then an approval without a substitute (422), for
/// an officer no longer on the slot (409 `not_assigned`), or one the roster refuses,
/// is refused whole.
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
    let slot = request.slot();
    roster::school_in_scope(&mut tx, &slot.post_id, scope).await?;
    if !awaits_decision(&held) {
        return Err(match held.voided {
            Some(_) => {
                AppError::Withdrawn(format!("swap request {id} was withdrawn by its officer"))
            }
            None => AppError::AlreadyDecided(format!("swap request {id} was decided already")),
        });
    }
    let substitute = match answer.approve {
        true => Some(answer.substitute.or(request.substitute).ok_or_else(|| {
            AppError::InvalidRoster("an approval names who takes the slot (`substitute`)".into())
        })?),
        false => None,
    };
    if let Some(substitute) = substitute {
        let after = slot_after(&mut tx, &slot, request, substitute).await?;
        let slots = BTreeMap::from([(slot, after)]);
        roster::replace_slots(&mut tx, &slots, scope, (by, now), &roster::as_is).await?;
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
    // A decision is the request going on, not a correction of it: `edits` stays.
    let next = feed::store_next_version(
        &mut tx,
        &held,
        (RecordBody::Swap(decided), NextVersion::Revision),
        &DeviceId::server(),
        by,
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(next)
}

/// The slot's assignments once `substitute` takes the asking officer's place (and car);
/// 409 `not_assigned` when the asking officer is not on it.
async fn slot_after(
    conn: &mut sqlx::AnyConnection,
    slot: &Slot,
    request: &SwapRequest,
    substitute: Uuid,
) -> Result<Vec<Assignment>, AppError> {
    let mut assignments = roster::of_slot(conn, slot).await?;
    // Nobody to relieve: approving would only add the substitute beside whoever holds it.
    let Some(asker) = assignments.iter().find(|a| a.officer == request.officer) else {
        return Err(AppError::NotAssigned(format!(
            "the officer who asked is not (or no longer) on {} {} {}",
            slot.post_id,
            slot.date,
            slot.window.as_str()
        )));
    };
    let car = asker.car.clone();
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
