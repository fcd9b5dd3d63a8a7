//! The per-user push limit (`gatewatch_model::quota`: records and bytes over a sliding
//! day), counted in the database so every server process agrees. A push is charged
//! for the versions it stored new, inside its own write transaction: over the limit, the
//! transaction is dropped (nothing of the push is kept) and the phone is told when to
//! try again.

use std::collections::HashSet;

use chrono::{DateTime, SecondsFormat, Utc};
use gatewatch_model::access::{Principal, UserRole};
use gatewatch_model::quota::{PushLimits, Usage, WINDOW_MS};
use gatewatch_model::{Ack, AckOutcome, Hlc, Record};
use sqlx::AnyConnection;
use uuid::Uuid;

use crate::error::AppError;

fn timestamp(ms: u64) -> String {
    let ms = i64::try_from(ms).unwrap_or(i64::MAX);
    DateTime::<Utc>::from_timestamp_millis(ms)
        .unwrap_or_default()
        .to_rfc3339_opts(SecondsFormat::Millis, true)
}

/// What a push stored at `at_ms`: the records acknowledged as anything but a
/// duplicate (a version the server already had is free, so a phone repeating a push
/// whose answer it lost is not charged twice) and their JSON bytes.
pub fn spent(records: &[Record], acks: &[Ack], at_ms: u64) -> Result<Usage, AppError> {
    let new: HashSet<(Uuid, &Hlc)> = acks
        .iter()
        .filter(|a| a.outcome != AckOutcome::Duplicate)
        .map(|a| (a.id, &a.version))
        .collect();
    let mut usage = Usage {
        at_ms,
        ..Usage::default()
    };
    // Each stored version once, however often the request repeats it.
    let mut charged = HashSet::new();
    for record in records.iter().filter(|r| new.contains(&(r.id, &r.version))) {
        if !charged.insert((record.id, &record.version)) {
            continue;
        }
        usage.records += 1;
        usage.bytes += serde_json::to_string(record)?.len() as u64;
    }
    Ok(usage)
}

/// Charges `spent` to `who` within `limits`, in the push's transaction: `Err(PushLimit)`
/// with the seconds until the window frees enough when it does not fit, or
/// `Err(PushOverADay)` when several records would not fit even in an empty day. Admins are
/// not limited (they load a city's data through push).
pub async fn charge(
    conn: &mut AnyConnection,
    who: &Principal,
    limits: PushLimits,
    spent: Usage,
) -> Result<(), AppError> {
    if who.role == UserRole::Admin || spent.records == 0 {
        return Ok(());
    }
    if !limits.fits_in_a_day(spent) && spent.records > 1 {
        return Err(AppError::PushOverADay(spent.records));
    }
    let user = who.user.to_string();
    let since = timestamp(spent.at_ms.saturating_sub(WINDOW_MS));
    let rows: Vec<(String, i64, i64)> =
        sqlx::query_as("SELECT at, records, bytes FROM push_usage WHERE user_id = $1 AND at > $2")
            .bind(&user)
            .bind(&since)
            .fetch_all(&mut *conn)
            .await?;
    let used = rows
        .into_iter()
        .map(|(at, records, bytes)| {
            let at = crate::feed::parse_received(&at)?;
            Ok(Usage {
                at_ms: u64::try_from(at.timestamp_millis()).unwrap_or(0),
                records: records.unsigned_abs(),
                bytes: bytes.unsigned_abs(),
            })
        })
        .collect::<Result<Vec<_>, AppError>>()?;
    if let Err(retry_after) = limits.admit(&used, spent, spent.at_ms) {
        return Err(AppError::PushLimit {
            retry_after,
            limits,
        });
    }
    sqlx::query("INSERT INTO push_usage (user_id, at, records, bytes) VALUES ($1, $2, $3, $4)")
        .bind(&user)
        .bind(timestamp(spent.at_ms))
        .bind(i64::try_from(spent.records).unwrap_or(i64::MAX))
        .bind(i64::try_from(spent.bytes).unwrap_or(i64::MAX))
        .execute(&mut *conn)
        .await?;
    sqlx::query("DELETE FROM push_usage WHERE user_id = $1 AND at <= $2")
        .bind(&user)
        .bind(&since)
        .execute(&mut *conn)
        .await?;
    Ok(())
}
