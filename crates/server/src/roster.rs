//! The duty roster in the database (`assignments`, migration 0011; docs/duty-roster.md
//! §3): reading a date range with the people it names, and the one way every change is
//! written — slots' officers replaced whole (`replace_slots`), inside the caller's write
//! transaction, after the checks every change needs: the slot's post exists and is in
//! the caller's scope, the date is within a year, each officer is an active officer
//! account of the slot's school, and none is already in another slot of that date and
//! window (the unique index says so too).

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Days, NaiveDate, SecondsFormat, Utc};
use gatewatch_model::access::UserRole;
use gatewatch_model::csv_in::fits;
use gatewatch_model::roster::{Assignment, Person, Slot};
use gatewatch_model::roster_csv::{MAX_CAR_CHARS, MAX_DAYS_AWAY};
use gatewatch_model::roster_edit::Officer;
use gatewatch_model::school::{WindowKind, DEFAULT_UTC_OFFSET_MINUTES};
use sqlx::AnyConnection;
use uuid::Uuid;

use crate::accounts;
use crate::auth::SchoolScope;
use crate::db::Db;
use crate::error::AppError;

/// Longest range one roster read covers: two months.
pub const MAX_RANGE_DAYS: i64 = 62;

pub use gatewatch_model::roster::RosterPage;

/// An `assignments` row: post, date, window, officer, car.
type AssignmentRow = (String, String, String, String, Option<String>);

fn assignment_of_row(
    (post_id, date, window, officer, car): AssignmentRow,
) -> Result<Assignment, AppError> {
    let bad = |what: &str| AppError::Internal(format!("assignments row: bad {what}").into());
    Ok(Assignment {
        post_id,
        date: day(&date).ok_or_else(|| bad("date"))?,
        window: window_kind(&window).ok_or_else(|| bad("window"))?,
        officer: Uuid::parse_str(&officer).map_err(|_| bad("officer"))?,
        car,
    })
}

fn day(text: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").ok()
}

fn day_text(date: NaiveDate) -> String {
    date.format("%Y-%m-%d").to_string()
}

fn window_kind(text: &str) -> Option<WindowKind> {
    serde_json::from_value(serde_json::Value::String(text.into())).ok()
}

/// Today as the roster counts it (mainland China time): a date more than
/// `MAX_DAYS_AWAY` from it is refused.
pub fn today(now: DateTime<Utc>) -> NaiveDate {
    (now + chrono::Duration::minutes(i64::from(DEFAULT_UTC_OFFSET_MINUTES))).date_naive()
}

/// The assignments from `from` to `to` (both included) at the schools of `scope`, by
/// date, post, window and officer, with the people they name.
pub async fn between(
    db: &Db,
    from: NaiveDate,
    to: NaiveDate,
    scope: &SchoolScope,
) -> Result<RosterPage, AppError> {
    let mut tx = db.begin_read().await?;
    let assignments = assignments_between(&mut tx, from, to, scope).await?;
    let people = people(&mut tx, assignments.iter().map(|a| a.officer)).await?;
    tx.commit().await?;
    Ok(RosterPage {
        assignments,
        people,
    })
}

async fn assignments_between(
    conn: &mut AnyConnection,
    from: NaiveDate,
    to: NaiveDate,
    scope: &SchoolScope,
) -> Result<Vec<Assignment>, AppError> {
    let dialect = crate::db::Dialect::of(conn);
    let in_scope = scope.and_sql(dialect, "p.school_id", "$3");
    let sql = format!(
        "SELECT a.post_id, a.date, a.window_kind, a.officer, a.car
         FROM assignments a JOIN posts p ON p.id = a.post_id
         WHERE a.date BETWEEN $1 AND $2{in_scope}
         ORDER BY a.date, a.post_id, a.window_kind, a.officer"
    );
    let mut query = sqlx::query_as(&sql).bind(day_text(from)).bind(day_text(to));
    if let Some(schools) = scope.json() {
        query = query.bind(schools);
    }
    let rows: Vec<AssignmentRow> = query.fetch_all(&mut *conn).await?;
    rows.into_iter().map(assignment_of_row).collect()
}

/// The accounts `ids` names, as records and sheets name people, by username.
pub async fn people(
    conn: &mut AnyConnection,
    ids: impl Iterator<Item = Uuid>,
) -> Result<Vec<Person>, AppError> {
    let ids: BTreeSet<String> = ids.map(|id| id.to_string()).collect();
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let dialect = crate::db::Dialect::of(conn);
    let sql = format!(
        "SELECT id, username, display_name FROM users WHERE {} ORDER BY username",
        dialect.in_json_array("id", "$1")
    );
    let rows: Vec<(String, String, String)> = sqlx::query_as(&sql)
        .bind(serde_json::to_string(&ids)?)
        .fetch_all(&mut *conn)
        .await?;
    rows.into_iter().map(person_of_row).collect()
}

fn person_of_row(
    (id, username, display_name): (String, String, String),
) -> Result<Person, AppError> {
    Ok(Person {
        user: Uuid::parse_str(&id)
            .map_err(|_| AppError::Internal(format!("users row {id}: bad id").into()))?,
        username,
        display_name,
    })
}

/// The active officer accounts with a school of `scope` (every one for an admin), by
/// username, each with the schools of `scope` they serve (no other: a supervisor learns
/// nothing of other stations): whom a manager may put on which school's roster.
pub async fn officers(db: &Db, scope: &SchoolScope) -> Result<Vec<Officer>, AppError> {
    let staff = officers_and_schools(db, scope).await?;
    Ok(staff
        .into_iter()
        .map(|(person, schools)| Officer {
            user: person.user,
            username: person.username,
            display_name: person.display_name,
            schools: schools.into_iter().filter(|s| scope.contains(s)).collect(),
        })
        .collect())
}

/// `officers`, each with every school they serve.
pub async fn officers_and_schools(
    db: &Db,
    scope: &SchoolScope,
) -> Result<Vec<(Person, BTreeSet<String>)>, AppError> {
    let users = accounts::list(db).await?;
    Ok(users
        .into_iter()
        .filter(|u| u.role == UserRole::Officer && !u.disabled)
        .filter(|u| u.schools.iter().any(|s| scope.contains(s)))
        .map(|u| {
            let person = Person {
                user: u.id,
                username: u.username,
                display_name: u.display_name,
            };
            (person, u.schools)
        })
        .collect())
}

/// What a refusal of one assignment becomes: the import's says the file's line.
pub type Blame<'a> = &'a (dyn Fn(&Assignment, AppError) -> AppError + Sync);

/// A refusal as it is, for a change that did not come from a file.
pub fn as_is(_: &Assignment, error: AppError) -> AppError {
    error
}

/// Replaces the officers of every slot of `slots` by its assignments (an empty list
/// clears the slot), as `by` at `now`, after the checks in the module's doc. Every
/// named slot is emptied before any is filled, so an officer moved from one named slot
/// to another is not an overlap. Runs in the caller's write transaction: a refusal
/// returns before the caller commits, so nothing of it stays.
pub async fn replace_slots(
    conn: &mut AnyConnection,
    slots: &BTreeMap<Slot, Vec<Assignment>>,
    scope: &SchoolScope,
    (by, now): (Uuid, DateTime<Utc>),
    blame: Blame<'_>,
) -> Result<(), AppError> {
    let mut schools = Vec::with_capacity(slots.len());
    for (slot, assignments) in slots {
        let on_slot = |error| match assignments.first() {
            Some(first) => blame(first, error),
            None => error,
        };
        schools.push(
            school_in_scope(conn, &slot.post_id, scope)
                .await
                .map_err(on_slot)?,
        );
        check_date(slot.date, now).map_err(on_slot)?;
        sqlx::query(
            "DELETE FROM assignments WHERE post_id = $1 AND date = $2 AND window_kind = $3",
        )
        .bind(&slot.post_id)
        .bind(day_text(slot.date))
        .bind(slot.window.as_str())
        .execute(&mut *conn)
        .await?;
    }
    let updated_at = now.to_rfc3339_opts(SecondsFormat::Millis, true);
    for ((slot, assignments), school) in slots.iter().zip(schools) {
        for assignment in assignments {
            insert(conn, slot, assignment, &school, (by, &updated_at))
                .await
                .map_err(|error| blame(assignment, error))?;
        }
    }
    Ok(())
}

/// Writes one assignment of `slot` (at `school`) after checking its car, its officer
/// and that the officer is in no other slot of that date and window.
async fn insert(
    conn: &mut AnyConnection,
    slot: &Slot,
    assignment: &Assignment,
    school: &str,
    (by, updated_at): (Uuid, &str),
) -> Result<(), AppError> {
    let car = assignment.car.as_deref().unwrap_or("");
    if !fits(car, MAX_CAR_CHARS) {
        return Err(AppError::InvalidRoster(format!(
            "a car is at most {MAX_CAR_CHARS} characters of plain text, not `{car}`"
        )));
    }
    let officer = officer_of(conn, assignment.officer, school).await?;
    refuse_overlap(conn, slot, &officer).await?;
    sqlx::query(
        "INSERT INTO assignments (post_id, date, window_kind, officer, car, updated_at,
                                  updated_by)
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(&slot.post_id)
    .bind(day_text(slot.date))
    .bind(slot.window.as_str())
    .bind(assignment.officer.to_string())
    .bind((!car.is_empty()).then_some(car))
    .bind(updated_at)
    .bind(by.to_string())
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// The school of `post_id`, which must be in `scope`: 422 for no such post, 403 out of
/// scope.
pub(crate) async fn school_in_scope(
    conn: &mut AnyConnection,
    post_id: &str,
    scope: &SchoolScope,
) -> Result<String, AppError> {
    let school = crate::catalog::school_of_post(&mut *conn, post_id)
        .await?
        .ok_or_else(|| AppError::InvalidRoster(format!("no post has the id `{post_id}`")))?;
    if !scope.contains(&school) {
        return Err(AppError::Forbidden(format!(
            "school `{school}` (post `{post_id}`) is not in your scope"
        )));
    }
    Ok(school)
}

fn check_date(date: NaiveDate, now: DateTime<Utc>) -> Result<(), AppError> {
    let today = today(now);
    if (date - today).num_days().abs() > MAX_DAYS_AWAY {
        return Err(AppError::InvalidRoster(format!(
            "{date} is more than {MAX_DAYS_AWAY} days from today ({today})"
        )));
    }
    Ok(())
}

/// The account `id` as a person, if it is an active officer of `school`; else 422
/// saying why not.
async fn officer_of(conn: &mut AnyConnection, id: Uuid, school: &str) -> Result<Person, AppError> {
    let user = accounts::get(&mut *conn, id)
        .await?
        .ok_or_else(|| AppError::InvalidRoster(format!("no account has the id {id}")))?;
    let refuse = |why: &str| {
        Err(AppError::InvalidRoster(format!(
            "{} ({}) {why}",
            user.username, user.display_name
        )))
    };
    if user.role != UserRole::Officer {
        return refuse("is not an officer's account");
    }
    if user.disabled {
        return refuse("is disabled");
    }
    if !user.schools.contains(school) {
        return refuse(&format!("is not an officer of school `{school}`"));
    }
    Ok(Person {
        user: user.id,
        username: user.username,
        display_name: user.display_name,
    })
}

/// 409 when `officer` is already in another slot of `slot`'s date and window (this
/// slot's own rows are gone by now), naming that slot.
async fn refuse_overlap(
    conn: &mut AnyConnection,
    slot: &Slot,
    officer: &Person,
) -> Result<(), AppError> {
    let other: Option<(String, String, String)> = sqlx::query_as(
        "SELECT a.post_id, p.gate, s.name
         FROM assignments a JOIN posts p ON p.id = a.post_id JOIN schools s ON s.id = p.school_id
         WHERE a.officer = $1 AND a.date = $2 AND a.window_kind = $3",
    )
    .bind(officer.user.to_string())
    .bind(day_text(slot.date))
    .bind(slot.window.as_str())
    .fetch_optional(&mut *conn)
    .await?;
    match other {
        None => Ok(()),
        Some((post_id, gate, school)) => Err(AppError::Overlap(format!(
            "{} is already at {school} {gate} (`{post_id}`) on {} {}",
            officer.label(),
            slot.date,
            slot.window.as_str()
        ))),
    }
}

/// `assignments` grouped by slot, each slot's in order.
pub fn by_slot(assignments: Vec<Assignment>) -> BTreeMap<Slot, Vec<Assignment>> {
    let mut slots: BTreeMap<Slot, Vec<Assignment>> = BTreeMap::new();
    for a in assignments {
        slots.entry(a.slot()).or_default().push(a);
    }
    slots
}

/// Copies the week from Monday `from` onto the week from Monday `to` at the schools of
/// `scope`: each slot the source week has replaces that slot a week (or more) later.
/// Returns how many assignments were copied.
pub async fn copy_week(
    db: &Db,
    from: NaiveDate,
    to: NaiveDate,
    scope: &SchoolScope,
    by: Uuid,
    now: DateTime<Utc>,
) -> Result<usize, AppError> {
    use chrono::Datelike;
    for (name, monday) in [("from", from), ("to", to)] {
        if monday.weekday() != chrono::Weekday::Mon {
            return Err(AppError::InvalidRoster(format!(
                "`{name}` ({monday}) is not a Monday"
            )));
        }
    }
    if from == to {
        return Err(AppError::InvalidRoster(
            "`from` and `to` are the same week".into(),
        ));
    }
    let shift = to - from;
    let last = from.checked_add_days(Days::new(6)).unwrap_or(from);
    let mut tx = db.begin_write().await?;
    let source = assignments_between(&mut tx, from, last, scope).await?;
    let copied = source.len();
    let moved = source.into_iter().map(|a| Assignment {
        date: a.date + shift,
        ..a
    });
    replace_slots(&mut tx, &by_slot(moved.collect()), scope, (by, now), &as_is).await?;
    tx.commit().await?;
    Ok(copied)
}

/// The roster of `assignments` (an import) stored: every slot they name replaced, in
/// one transaction; a refusal as `blame` says. Returns how many were stored.
pub async fn store(
    db: &Db,
    assignments: Vec<Assignment>,
    scope: &SchoolScope,
    (by, now): (Uuid, DateTime<Utc>),
    blame: Blame<'_>,
) -> Result<usize, AppError> {
    let stored = assignments.len();
    let mut tx = db.begin_write().await?;
    replace_slots(&mut tx, &by_slot(assignments), scope, (by, now), blame).await?;
    tx.commit().await?;
    Ok(stored)
}

/// The assignments of one slot as stored now.
pub async fn of_slot(conn: &mut AnyConnection, slot: &Slot) -> Result<Vec<Assignment>, AppError> {
    let rows: Vec<AssignmentRow> = sqlx::query_as(
        "SELECT post_id, date, window_kind, officer, car FROM assignments
         WHERE post_id = $1 AND date = $2 AND window_kind = $3 ORDER BY officer",
    )
    .bind(&slot.post_id)
    .bind(day_text(slot.date))
    .bind(slot.window.as_str())
    .fetch_all(&mut *conn)
    .await?;
    rows.into_iter().map(assignment_of_row).collect()
}
