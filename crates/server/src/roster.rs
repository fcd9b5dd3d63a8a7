//! The duty roster in the database (`assignments`, migration 0011; docs/duty-roster.md
//! §3): reading a date range with the people it names, and the one way every change is
//! written — slots' officers replaced whole (`replace_slots`), inside the caller's write
//! transaction, after the checks every change needs: the slot's post exists and is in
//! the caller's scope, the date is from today to a year ahead (a day gone keeps its
//! roster, whoever asks: only the demo city's seed, `seed_demo`, writes one), each
//! officer is an active officer account of the slot's school, and none is already in
//! another slot of that date and window (the unique index says so too). An account's
//! change takes its officer off the slots they may no longer hold (`release`).

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use chrono::{DateTime, Days, NaiveDate, SecondsFormat, Utc};
use gatewatch_model::access::UserRole;
use gatewatch_model::csv_in::fits;
use gatewatch_model::roster::{
    assignable, changeable, Assignment, Person, Skipped, Slot, Unassignable, Unchangeable,
    WeekCopied, MAX_DAYS_AHEAD,
};
use gatewatch_model::roster_csv::MAX_CAR_CHARS;
use gatewatch_model::roster_edit::Officer;
use gatewatch_model::school::{WindowKind, DEFAULT_UTC_OFFSET_MINUTES};
use gatewatch_model::timefmt::parse_date;
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
        date: parse_date(&date).ok_or_else(|| bad("date"))?,
        window: WindowKind::parse(&window).ok_or_else(|| bad("window"))?,
        officer: Uuid::parse_str(&officer).map_err(|_| bad("officer"))?,
        car,
    })
}

/// A date as the `assignments` table keeps it, `YYYY-MM-DD` (chrono's `Display`).
fn day_text(date: NaiveDate) -> String {
    date.to_string()
}

/// Today as the roster counts it (mainland China time): a date before it, or more
/// than `MAX_DAYS_AHEAD` after it, is refused (`roster::changeable`).
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
        .map(|u| (person_of_user(&u), u.schools))
        .collect())
}

/// What a refusal of one assignment becomes: the import's says the file's line.
pub type Blame<'a> = &'a (dyn Fn(&Assignment, AppError) -> AppError + Sync);

/// A refusal as it is, for a change that did not come from a file.
pub fn as_is(_: &Assignment, error: AppError) -> AppError {
    error
}

/// What a change does with an assignment whose officer cannot be put there (not an
/// active officer of the slot's school, or already elsewhere that date and window).
enum Unfit<'a> {
    /// Refuses the whole change, as `blame` words it.
    Refuse(Blame<'a>),
    /// Leaves the assignment out and lists it (a week's copy: last week's officer
    /// disabled since is no reason to copy nothing).
    Skip(&'a mut Vec<Skipped>),
}

/// Which days a change may touch. Only the demo city's seed writes days gone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Reach {
    FromToday,
    Any,
}

/// Replaces the officers of every slot of `slots` by its assignments (an empty list
/// clears the slot), as `by` at `now`, after the checks in the module's doc; a refusal
/// as `blame` says. Every named slot is emptied before any is filled, so an officer
/// moved from one named slot to another is not an overlap. Runs in the caller's write
/// transaction: a refusal returns before the caller commits, so nothing of it stays.
pub async fn replace_slots(
    conn: &mut AnyConnection,
    slots: &BTreeMap<Slot, Vec<Assignment>>,
    scope: &SchoolScope,
    (by, now): (Uuid, DateTime<Utc>),
    blame: Blame<'_>,
) -> Result<(), AppError> {
    let mut refuse = Unfit::Refuse(blame);
    write_slots(conn, slots, scope, (by, now, Reach::FromToday), &mut refuse).await
}

/// The demo city's roster (`demo::seed_city`), which starts weeks before today: the
/// one writer of days gone. No route calls it.
pub async fn seed_demo(
    db: &Db,
    assignments: Vec<Assignment>,
    (by, now): (Uuid, DateTime<Utc>),
) -> Result<(), AppError> {
    let mut tx = db.begin_write().await?;
    let slots = by_slot(assignments);
    let mut refuse = Unfit::Refuse(&as_is);
    write_slots(
        &mut tx,
        &slots,
        &SchoolScope::All,
        (by, now, Reach::Any),
        &mut refuse,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

async fn write_slots(
    conn: &mut AnyConnection,
    slots: &BTreeMap<Slot, Vec<Assignment>>,
    scope: &SchoolScope,
    (by, now, reach): (Uuid, DateTime<Utc>, Reach),
    unfit: &mut Unfit<'_>,
) -> Result<(), AppError> {
    let mut known = Known::default();
    let mut schools = Vec::with_capacity(slots.len());
    for (slot, assignments) in slots {
        let on_slot = |error| match (assignments.first(), &*unfit) {
            (Some(first), Unfit::Refuse(blame)) => blame(first, error),
            _ => error,
        };
        schools.push(
            known
                .school(conn, &slot.post_id, scope)
                .await
                .map_err(on_slot)?,
        );
        if reach == Reach::FromToday {
            check_date(slot.date, now).map_err(on_slot)?;
        }
    }
    let all: Vec<&Slot> = slots.keys().collect();
    for batch in all.chunks(ROWS_PER_STATEMENT) {
        empty_slots(conn, batch).await?;
    }
    let updated_at = now.to_rfc3339_opts(SecondsFormat::Millis, true);
    known.taken = taken_between(conn, slots.keys()).await?;
    for ((slot, assignments), school) in slots.iter().zip(schools) {
        for assignment in assignments {
            let refused = |error| match &*unfit {
                Unfit::Refuse(blame) => blame(assignment, error),
                Unfit::Skip(_) => error,
            };
            check_car(assignment).map_err(refused)?;
            if known
                .taken
                .contains(&(assignment.officer, slot.date, slot.window))
            {
                // An overlap, maybe with a row of this write: stored first, to be named.
                insert(conn, &std::mem::take(&mut known.pending), (by, &updated_at)).await?;
            }
            match fitness(conn, &mut known, slot, assignment.officer, &school).await? {
                Ok(()) => {
                    known
                        .taken
                        .insert((assignment.officer, slot.date, slot.window));
                    known.pending.push(assignment.clone());
                    if known.pending.len() == ROWS_PER_STATEMENT {
                        insert(conn, &std::mem::take(&mut known.pending), (by, &updated_at))
                            .await?;
                    }
                }
                Err(unfit_here) => match unfit {
                    Unfit::Refuse(blame) => return Err(blame(assignment, unfit_here.error())),
                    Unfit::Skip(skipped) => skipped.push(unfit_here.skipped(assignment)),
                },
            }
        }
    }
    insert(conn, &known.pending, (by, &updated_at)).await
}

/// Rows one statement writes or deletes: a city month's 值班表 is ~18,000 assignments,
/// and one statement per row held the write lock for seconds (BENCHMARKS.md). 7 binds a
/// row stays under SQLite's 32,766 and PostgreSQL's 65,535.
const ROWS_PER_STATEMENT: usize = 500;

/// `$n, $n+1, …` groups for `rows` rows of `width` values: `($1, $2), ($3, $4)`.
fn value_groups(rows: usize, width: usize) -> String {
    let group = |row: usize| {
        let binds: Vec<String> = (1..=width)
            .map(|k| format!("${}", row * width + k))
            .collect();
        format!("({})", binds.join(", "))
    };
    let groups: Vec<String> = (0..rows).map(group).collect();
    groups.join(", ")
}

/// Empties `slots` in one statement.
async fn empty_slots(conn: &mut AnyConnection, slots: &[&Slot]) -> Result<(), AppError> {
    if slots.is_empty() {
        return Ok(());
    }
    let sql = format!(
        "DELETE FROM assignments WHERE (post_id, date, window_kind) IN (VALUES {})",
        value_groups(slots.len(), 3)
    );
    let mut query = sqlx::query(&sql);
    for slot in slots {
        query = query
            .bind(&slot.post_id)
            .bind(day_text(slot.date))
            .bind(slot.window.as_str());
    }
    query.execute(&mut *conn).await?;
    Ok(())
}

fn check_car(assignment: &Assignment) -> Result<(), AppError> {
    let car = assignment.car.as_deref().unwrap_or("");
    if fits(car, MAX_CAR_CHARS) {
        Ok(())
    } else {
        Err(AppError::InvalidRoster(format!(
            "a car is at most {MAX_CAR_CHARS} characters of plain text, not `{car}`"
        )))
    }
}

/// Writes `assignments`, already checked, in one statement.
async fn insert(
    conn: &mut AnyConnection,
    assignments: &[Assignment],
    (by, updated_at): (Uuid, &str),
) -> Result<(), AppError> {
    if assignments.is_empty() {
        return Ok(());
    }
    let sql = format!(
        "INSERT INTO assignments (post_id, date, window_kind, officer, car, updated_at,
                                  updated_by)
         VALUES {}",
        value_groups(assignments.len(), 7)
    );
    let by = by.to_string();
    let mut query = sqlx::query(&sql);
    for a in assignments {
        query = query
            .bind(&a.post_id)
            .bind(day_text(a.date))
            .bind(a.window.as_str())
            .bind(a.officer.to_string())
            .bind(a.car.as_deref().filter(|car| !car.is_empty()))
            .bind(updated_at)
            .bind(by.as_str());
    }
    query.execute(&mut *conn).await?;
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

/// 422 for a date whose roster may not change (`roster::changeable`): a day gone, or
/// more than a year ahead.
fn check_date(date: NaiveDate, now: DateTime<Utc>) -> Result<(), AppError> {
    let today = today(now);
    changeable(date, today).map_err(|why| {
        AppError::InvalidRoster(match why {
            Unchangeable::Past => format!(
                "{date} is past: the roster of a day gone stays as it was (today is {today})"
            ),
            Unchangeable::TooFar => {
                format!("{date} is more than {MAX_DAYS_AHEAD} days from today ({today})")
            }
        })
    })
}

/// Why an officer cannot be put on a slot, with the words a refusal gives.
struct Refusal {
    why: Unassignable,
    username: String,
    detail: String,
}

impl Refusal {
    fn error(self) -> AppError {
        match self.why {
            Unassignable::Overlap => AppError::Overlap(self.detail),
            _ => AppError::InvalidRoster(self.detail),
        }
    }

    fn skipped(self, assignment: &Assignment) -> Skipped {
        Skipped {
            post_id: assignment.post_id.clone(),
            date: assignment.date,
            window: assignment.window,
            officer: assignment.officer,
            username: self.username,
            why: self.why.code().to_owned(),
        }
    }
}

/// Whether account `id` may be put on `slot` of `school`: an active officer of that
/// school (`roster::assignable`), in no other slot of that date and window (this
/// slot's own rows are gone by now).
async fn fitness(
    conn: &mut AnyConnection,
    known: &mut Known,
    slot: &Slot,
    id: Uuid,
    school: &str,
) -> Result<Result<(), Refusal>, AppError> {
    let Some(user) = known.user(conn, id).await? else {
        return Ok(Err(Refusal {
            why: Unassignable::NoAccount,
            username: String::new(),
            detail: format!("no account has the id {id}"),
        }));
    };
    let person = person_of_user(&user);
    let refusal = |why, words: String| Refusal {
        why,
        username: person.username.clone(),
        detail: format!("{} ({}) {words}", person.username, person.display_name),
    };
    if let Err(why) = assignable(user.role, user.disabled, &user.schools, school) {
        let words = match why {
            Unassignable::NotOfficer => "is not an officer's account".to_owned(),
            Unassignable::Disabled => "is disabled".to_owned(),
            _ => format!("is not an officer of school `{school}`"),
        };
        return Ok(Err(refusal(why, words)));
    }
    // Most officers hold nothing else then: the slot held is looked up only to name it
    // (the write's rows checked so far are stored by then).
    if !known.taken.contains(&(id, slot.date, slot.window)) {
        return Ok(Ok(()));
    }
    let elsewhere = other_slot_of(conn, slot, id).await?;
    Ok(match elsewhere {
        None => Ok(()),
        Some((post_id, gate, school)) => Err(Refusal {
            why: Unassignable::Overlap,
            username: person.username.clone(),
            detail: format!(
                "{} is already at {school} {gate} (`{post_id}`) on {} {}",
                person.label(),
                slot.date,
                slot.window.as_str()
            ),
        }),
    })
}

/// What one roster write has looked up already: a city month's 值班表 names each of its
/// few hundred posts and officers many times, and the whole write holds the database's
/// write lock (phones' pushes wait behind it).
#[derive(Default)]
struct Known {
    /// A post's school, once in scope.
    schools: HashMap<String, String>,
    users: HashMap<Uuid, Option<accounts::User>>,
    /// (officer, date, window) held in the write's dates once its slots were emptied,
    /// and as it fills them.
    taken: HashSet<(Uuid, NaiveDate, WindowKind)>,
    /// Assignments checked and not yet written (`ROWS_PER_STATEMENT` at a time).
    pending: Vec<Assignment>,
}

impl Known {
    async fn school(
        &mut self,
        conn: &mut AnyConnection,
        post_id: &str,
        scope: &SchoolScope,
    ) -> Result<String, AppError> {
        if let Some(school) = self.schools.get(post_id) {
            return Ok(school.clone());
        }
        let school = school_in_scope(conn, post_id, scope).await?;
        self.schools.insert(post_id.to_owned(), school.clone());
        Ok(school)
    }

    async fn user(
        &mut self,
        conn: &mut AnyConnection,
        id: Uuid,
    ) -> Result<Option<accounts::User>, AppError> {
        if let Some(user) = self.users.get(&id) {
            return Ok(user.clone());
        }
        let user = accounts::get(&mut *conn, id).await?;
        self.users.insert(id, user.clone());
        Ok(user)
    }
}

/// Who holds which date × window among `slots`' dates: one read instead of one per
/// assignment.
async fn taken_between<'a>(
    conn: &mut AnyConnection,
    slots: impl Iterator<Item = &'a Slot> + Clone,
) -> Result<HashSet<(Uuid, NaiveDate, WindowKind)>, AppError> {
    let (Some(first), Some(last)) = (
        slots.clone().map(|s| s.date).min(),
        slots.map(|s| s.date).max(),
    ) else {
        return Ok(HashSet::new());
    };
    let rows: Vec<(String, String, String)> = sqlx::query_as(
        "SELECT officer, date, window_kind FROM assignments WHERE date >= $1 AND date <= $2",
    )
    .bind(day_text(first))
    .bind(day_text(last))
    .fetch_all(&mut *conn)
    .await?;
    rows.into_iter()
        .map(|(officer, date, window)| {
            let bad =
                || AppError::Internal(format!("assignments row {officer} {date} {window}").into());
            Ok((
                Uuid::parse_str(&officer).map_err(|_| bad())?,
                parse_date(&date).ok_or_else(bad)?,
                WindowKind::parse(&window).ok_or_else(bad)?,
            ))
        })
        .collect()
}

/// A user as records and the roster name them.
pub fn person_of_user(user: &accounts::User) -> Person {
    Person {
        user: user.id,
        username: user.username.clone(),
        display_name: user.display_name.clone(),
    }
}

/// The slot (post, gate, school name) `officer` already holds on `slot`'s date and
/// window, if any.
async fn other_slot_of(
    conn: &mut AnyConnection,
    slot: &Slot,
    officer: Uuid,
) -> Result<Option<(String, String, String)>, AppError> {
    Ok(sqlx::query_as(
        "SELECT a.post_id, p.gate, s.name
         FROM assignments a JOIN posts p ON p.id = a.post_id JOIN schools s ON s.id = p.school_id
         WHERE a.officer = $1 AND a.date = $2 AND a.window_kind = $3",
    )
    .bind(officer.to_string())
    .bind(day_text(slot.date))
    .bind(slot.window.as_str())
    .fetch_optional(&mut *conn)
    .await?)
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
/// `scope` (one school, from the grid): each slot the source week has replaces that
/// slot a week (or more) later, from today on (a day gone keeps its roster; 422 when
/// the whole target week is gone). An officer who can no longer be put there is
/// skipped and listed, not a refusal of everything.
pub async fn copy_week(
    db: &Db,
    (from, to): (NaiveDate, NaiveDate),
    scope: &SchoolScope,
    by: Uuid,
    now: DateTime<Utc>,
) -> Result<WeekCopied, AppError> {
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
    let today = today(now);
    let sunday = |monday: NaiveDate| monday.checked_add_days(Days::new(6)).unwrap_or(monday);
    if sunday(to) < today {
        return Err(AppError::InvalidRoster(format!(
            "the week of {to} is past: the roster of a day gone stays as it was (today is {today})"
        )));
    }
    let shift = to - from;
    let mut tx = db.begin_write().await?;
    let source = assignments_between(&mut tx, from, sunday(from), scope).await?;
    let moved: Vec<Assignment> = source
        .into_iter()
        .map(|a| Assignment {
            date: a.date + shift,
            ..a
        })
        .filter(|a| a.date >= today)
        .collect();
    let offered = moved.len();
    let mut skipped = Vec::new();
    let mut skip = Unfit::Skip(&mut skipped);
    let days = (by, now, Reach::FromToday);
    write_slots(&mut tx, &by_slot(moved), scope, days, &mut skip).await?;
    tx.commit().await?;
    Ok(WeekCopied {
        copied: offered - skipped.len(),
        skipped,
    })
}

/// `scope` narrowed to `school`: 403 when it is not the caller's, 422 when no school
/// has that id.
pub async fn one_school(
    db: &Db,
    scope: &SchoolScope,
    school: &str,
) -> Result<SchoolScope, AppError> {
    if !scope.contains(school) {
        return Err(AppError::Forbidden(format!(
            "school `{school}` is not in your scope"
        )));
    }
    let known = crate::catalog::schools(db)
        .await?
        .iter()
        .any(|s| s.id == school);
    if !known {
        return Err(AppError::InvalidRoster(format!(
            "no school has the id `{school}`"
        )));
    }
    Ok(SchoolScope::Only([school.to_owned()].into()))
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

/// Takes `user` off the roster, from `first` on, wherever they may no longer be
/// (`roster::assignable`): every slot once disabled or no longer an officer, the
/// slots of schools no longer theirs otherwise. Part of an account's change, in its
/// transaction: such assignments would count as missed and block a week's copy and a
/// 值班表's re-import. Days gone keep their roster. Returns how many were removed.
pub async fn release(
    conn: &mut AnyConnection,
    user: &accounts::User,
    first: NaiveDate,
) -> Result<u64, AppError> {
    let anywhere = user.role == UserRole::Officer && !user.disabled;
    let done = if anywhere {
        let dialect = crate::db::Dialect::of(conn);
        let served = dialect.in_json_array("school_id", "$3");
        sqlx::query(&format!(
            "DELETE FROM assignments WHERE officer = $1 AND date >= $2
             AND post_id NOT IN (SELECT id FROM posts WHERE {served})"
        ))
        .bind(user.id.to_string())
        .bind(day_text(first))
        .bind(serde_json::to_string(&user.schools)?)
        .execute(&mut *conn)
        .await?
    } else {
        sqlx::query("DELETE FROM assignments WHERE officer = $1 AND date >= $2")
            .bind(user.id.to_string())
            .bind(day_text(first))
            .execute(&mut *conn)
            .await?
    };
    Ok(done.rows_affected())
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
