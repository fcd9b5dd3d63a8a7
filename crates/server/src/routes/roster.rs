//! The duty roster and swap requests (docs/duty-roster.md §3, §7). `GET /api/roster`
//! for signed-in users who may read the roster (officers: their schools' slots); for
//! managers (`auth::managers_only`, applied by `routes::api`), each limited to their
//! schools: `PUT /api/roster/slot`, `POST /api/roster/copy-week`, `POST
//! /api/roster/import` (a 值班表 CSV), `GET /api/export/roster.csv`, `GET /api/officers`,
//! `GET /api/swaps` and `POST /api/swaps/{id}/decision`.

use axum::extract::State;
use axum::response::Response;
use axum::routing::{get, post, put};
use axum::{Json, Router};
use chrono::NaiveDate;
use gatewatch_model::access::{self, Access, ROSTER};
use gatewatch_model::csv::{file_name, SheetKind};
use gatewatch_model::roster::{Assignment, Person, WeekCopied};
use gatewatch_model::roster_edit::{Officer, SlotChange};
use gatewatch_model::{csv_in, roster_csv};
use gatewatch_model::{Change, Record};
use serde::{Deserialize, Serialize};
use sqlx::AnyConnection;
use uuid::Uuid;

use crate::auth::SignedIn;
use crate::error::AppError;
use crate::export::DateRange;
use crate::extract::{AppJson, AppPath, AppQuery, CsvBody};
use crate::roster::{self, RosterPage, MAX_RANGE_DAYS};
use crate::routes::export::attachment;
use crate::routes::sheet_lang;
use crate::swaps::{self, DecisionBody};
use crate::{catalog, AppState};

pub fn signed_in_router() -> Router<AppState> {
    Router::new().route("/roster", get(read))
}

pub fn managers_router() -> Router<AppState> {
    Router::new()
        .route("/roster/slot", put(put_slot))
        .route("/roster/copy-week", post(copy_week))
        .route("/roster/import", post(import))
        .route("/export/roster.csv", get(export))
        .route("/officers", get(officers))
        .route("/swaps", get(list_swaps))
        .route("/swaps/{id}/decision", post(decide))
}

/// `?from=&to=[&lang=]`: a roster's dates (at most `MAX_RANGE_DAYS`) and a sheet's
/// language.
#[derive(Deserialize)]
struct RangeQuery {
    from: Option<String>,
    to: Option<String>,
    lang: Option<String>,
}

impl RangeQuery {
    fn range(&self) -> Result<DateRange, AppError> {
        let range = DateRange::parse(self.from.as_deref(), self.to.as_deref())?;
        let days = (range.to - range.from).num_days() + 1;
        if days > MAX_RANGE_DAYS {
            return Err(AppError::BadQuery(format!(
                "the range covers {days} days; a roster read covers at most {MAX_RANGE_DAYS}"
            )));
        }
        Ok(range)
    }
}

/// The roster of the caller's schools over the range, with everyone it names.
async fn read(
    State(state): State<AppState>,
    who: SignedIn,
    AppQuery(query): AppQuery<RangeQuery>,
) -> Result<Json<RosterPage>, AppError> {
    if !access::may(who.user.role, ROSTER, Access::Read) {
        return Err(AppError::Forbidden(
            "the duty roster is for officers, supervisors and admins".into(),
        ));
    }
    let range = query.range()?;
    let page = roster::between(&state.db, range.from, range.to, &who.school_scope()).await?;
    Ok(Json(page))
}

/// `PUT /api/roster/slot` (`SlotChange`): a slot's officers, each with their own car,
/// replacing those it had. Answers with the slot's assignments as stored.
async fn put_slot(
    State(state): State<AppState>,
    who: SignedIn,
    AppJson(change): AppJson<SlotChange>,
) -> Result<Json<Vec<Assignment>>, AppError> {
    let slot = change.slot();
    let mut tx = state.db.begin_write().await?;
    let held = roster::of_slot(&mut tx, &slot).await?;
    let slots = [(slot.clone(), change.assignments())].into();
    // The change itself is checked first (the scope before anything, so a stale
    // answer never shows a slot out of scope; a day gone; each officer), then whether
    // it was made from the slot as it is. A refusal is never committed.
    roster::replace_slots(
        &mut tx,
        &slots,
        &who.school_scope(),
        (who.user.id, state.clock.now()),
        &roster::as_is,
    )
    .await?;
    refuse_stale(&mut tx, &change, held).await?;
    let stored = roster::of_slot(&mut tx, &slot).await?;
    tx.commit().await?;
    Ok(Json(stored))
}

/// 409 `stale`, with the slot as it was (`held`, before this change), when it held
/// other officers than the client showed: someone changed it since, and writing the
/// whole slot from the old view would silently undo their change.
async fn refuse_stale(
    conn: &mut AnyConnection,
    change: &SlotChange,
    held: Vec<Assignment>,
) -> Result<(), AppError> {
    let slot = change.slot();
    if !change.is_stale(&held) {
        return Ok(());
    }
    let people = roster::people(conn, held.iter().map(|a| a.officer)).await?;
    let now = match people.iter().map(Person::label).collect::<Vec<_>>() {
        names if names.is_empty() => "nobody".to_owned(),
        names => names.join(", "),
    };
    Err(AppError::Stale {
        detail: format!(
            "the slot `{}` {} {} was changed meanwhile; it now holds {now}",
            slot.post_id,
            slot.date,
            slot.window.as_str()
        ),
        assignments: held,
    })
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CopyWeek {
    #[serde(deserialize_with = "gatewatch_model::timefmt::date")]
    from: NaiveDate,
    #[serde(deserialize_with = "gatewatch_model::timefmt::date")]
    to: NaiveDate,
    /// Only this school's gates (the grid's); absent, every school of the caller's.
    #[serde(default)]
    school: Option<String>,
}

/// A week's roster copied onto another, with the assignments it had to leave out.
async fn copy_week(
    State(state): State<AppState>,
    who: SignedIn,
    AppJson(weeks): AppJson<CopyWeek>,
) -> Result<Json<WeekCopied>, AppError> {
    let scope = match &weeks.school {
        Some(school) => roster::one_school(&state.db, &who.school_scope(), school).await?,
        None => who.school_scope(),
    };
    let copied = roster::copy_week(
        &state.db,
        (weeks.from, weeks.to),
        &scope,
        who.user.id,
        state.clock.now(),
    )
    .await?;
    Ok(Json(copied))
}

#[derive(Deserialize)]
struct LangQuery {
    lang: Option<String>,
}

#[derive(Serialize)]
struct Stored {
    stored: usize,
}

/// A 值班表 CSV, all or nothing: every slot it names replaced. Schools outside the
/// caller's scope are unknown to it, so refused with their line.
async fn import(
    State(state): State<AppState>,
    who: SignedIn,
    AppQuery(query): AppQuery<LangQuery>,
    CsvBody(text): CsvBody,
) -> Result<Json<Stored>, AppError> {
    let lang = sheet_lang(query.lang.as_deref())?;
    let scope = who.school_scope();
    let now = state.clock.now();
    let mut schools = catalog::schools(&state.db).await?;
    schools.retain(|s| scope.contains(&s.id));
    let posts = catalog::posts(&state.db).await?;
    let staff = roster::officers_and_schools(&state.db, &scope).await?;
    let people: Vec<Person> = staff.iter().map(|(person, _)| person.clone()).collect();
    let serves = |person: &Person, school: &str| {
        staff
            .iter()
            .any(|(p, schools)| p.user == person.user && schools.contains(school))
    };
    let today = roster::today(now);
    let sheet =
        roster_csv::read_csv(&text, &schools, &posts, &people, &serves, today).map_err(|e| {
            AppError::CsvLine {
                line: e.line,
                detail: e.message(lang),
            }
        })?;
    // What only the stored roster shows (an officer already elsewhere that day, in a
    // slot the file does not name) is refused with its line too.
    let blame = |assignment: &Assignment, error: AppError| match (sheet.line_of(assignment), &error)
    {
        (Some(line), AppError::InvalidRoster(words) | AppError::Overlap(words)) => {
            AppError::CsvLine {
                line,
                detail: csv_in::on_line(line, words, lang),
            }
        }
        _ => error,
    };
    let stored = roster::store(
        &state.db,
        sheet.assignments.clone(),
        &scope,
        (who.user.id, now),
        &blame,
    )
    .await?;
    Ok(Json(Stored { stored }))
}

/// The roster as the import reads it, in `lang` (Chinese unless `en`).
async fn export(
    State(state): State<AppState>,
    who: SignedIn,
    AppQuery(query): AppQuery<RangeQuery>,
) -> Result<Response, AppError> {
    let range = query.range()?;
    let lang = sheet_lang(query.lang.as_deref())?;
    let page = roster::between(&state.db, range.from, range.to, &who.school_scope()).await?;
    let schools = catalog::schools(&state.db).await?;
    let posts = catalog::posts(&state.db).await?;
    let sheet = roster_csv::write_csv(&page.assignments, &posts, &schools, &page.people, lang);
    let name = file_name(SheetKind::Roster, range.from, range.to, lang);
    Ok(attachment(name, sheet.into_bytes()))
}

#[derive(Serialize)]
struct Staff {
    people: Vec<Officer>,
}

/// The active officers of the caller's schools, each with the schools of the caller's
/// they serve: whom the grid's and the swaps' pickers offer, per school.
async fn officers(State(state): State<AppState>, who: SignedIn) -> Result<Json<Staff>, AppError> {
    let people = roster::officers(&state.db, &who.school_scope()).await?;
    Ok(Json(Staff { people }))
}

/// `?status=pending` for the undecided ones only.
#[derive(Deserialize)]
struct SwapQuery {
    status: Option<String>,
}

#[derive(Serialize)]
struct Swaps {
    swaps: Vec<Change>,
}

async fn list_swaps(
    State(state): State<AppState>,
    who: SignedIn,
    AppQuery(query): AppQuery<SwapQuery>,
) -> Result<Json<Swaps>, AppError> {
    let pending_only = match query.status.as_deref() {
        None | Some("all") => false,
        Some("pending") => true,
        Some(other) => {
            return Err(AppError::BadQuery(format!(
                "`status` is `pending` or `all`, not `{other}`"
            )))
        }
    };
    let swaps = swaps::list(&state.db, &who.school_scope(), pending_only).await?;
    Ok(Json(Swaps { swaps }))
}

async fn decide(
    State(state): State<AppState>,
    who: SignedIn,
    AppPath(id): AppPath<Uuid>,
    AppJson(answer): AppJson<DecisionBody>,
) -> Result<Json<Record>, AppError> {
    let scope = who.school_scope();
    let decided = swaps::decide(
        &state.db,
        id,
        answer,
        &scope,
        who.user.id,
        state.clock.now(),
    )
    .await?;
    Ok(Json(decided))
}
