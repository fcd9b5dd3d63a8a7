//! 排班: one school's week as a grid of gates × windows by Monday–Sunday. Cells the
//! calendar has not due are grey; each cell names its officers (display names), each
//! with their own car; officers are added and removed and their cars set per cell
//! (`PUT /api/roster/slot`, naming the officers the cell showed: a cell someone changed
//! meanwhile is reloaded and said so, an overlap refused in words on the cell); days
//! before today are read-only; the previous week of the school is copied in one click
//! (saying what was left out and why); a 值班表 CSV is imported (a refusal names its
//! line) and exported.

use std::collections::BTreeMap;

use chrono::{Duration, NaiveDate, Utc};
use gatewatch_model::calendar::Calendar;
use gatewatch_model::roster::{Person, Slot};
use gatewatch_model::roster_edit::{OnSlot, SlotChange};
use gatewatch_model::school::School;
use gatewatch_model::Post;
use leptos::prelude::*;
use leptos::task::spawn_local;
use uuid::Uuid;

use crate::api::{self, ApiError, Copied, Skipped};
use crate::grid::{monday_of, plate, roster_today, week_grid, Cell, Names, Row, Staff};
use crate::i18n::{csv_lang, skipped_why, text, weekday, window_name, Lang, Msg};
use crate::session::Session;
use crate::widgets::{act, explain, loaded, value_of, CsvUpload, Said, StatusLine};

/// What the grid needs besides the week's roster, loaded once per visit.
#[derive(Clone)]
struct Catalog {
    schools: Vec<School>,
    posts: Vec<Post>,
    calendar: Calendar,
    staff: Staff,
}

async fn load_catalog(session: Session) -> Result<Catalog, ApiError> {
    let schools = session.schools_in_scope(api::schools().await?);
    let posts = api::posts().await?;
    let calendar = Calendar::new(api::calendar().await?.entries);
    let staff = Staff::new(api::officers().await?.people);
    Ok(Catalog {
        schools,
        posts,
        calendar,
        staff,
    })
}

/// The screen: the catalog first, then the grid.
#[component]
pub fn RosterPage() -> impl IntoView {
    let session = Session::expect();
    let catalog = LocalResource::new(move || load_catalog(session));
    view! {
        <section class="roster">
            <h2>{move || session.t(Msg::NavRoster)}</h2>
            {move || match loaded(session, catalog.get()) {
                Err(instead) => instead,
                Ok(catalog) if catalog.schools.is_empty() => {
                    view! { <p class="hint">{session.t(Msg::NoSchools)}</p> }.into_any()
                }
                Ok(catalog) => view! { <RosterWeek catalog/> }.into_any(),
            }}
        </section>
    }
}

/// The page's own state, shared by its parts.
#[derive(Clone, Copy)]
struct Week {
    school: RwSignal<String>,
    monday: RwSignal<NaiveDate>,
    /// Bumped after every change, to read the roster again.
    reload: RwSignal<u32>,
    /// The cell whose editor is open.
    editing: RwSignal<Option<Slot>>,
    /// A refusal per cell, shown on it.
    errors: RwSignal<BTreeMap<Slot, String>>,
    /// What the last copy or import did, or why it failed.
    status: RwSignal<Said>,
    /// What the last copy left out, and why.
    skipped: RwSignal<Vec<Skipped>>,
    busy: RwSignal<bool>,
}

#[component]
fn RosterWeek(catalog: Catalog) -> impl IntoView {
    let session = Session::expect();
    let today = chrono::Local::now().date_naive();
    let week = Week {
        school: RwSignal::new(catalog.schools[0].id.clone()),
        monday: RwSignal::new(monday_of(today)),
        reload: RwSignal::new(0),
        editing: RwSignal::new(None),
        errors: RwSignal::new(BTreeMap::new()),
        status: RwSignal::new(Said::default()),
        skipped: RwSignal::new(Vec::new()),
        busy: RwSignal::new(false),
    };
    let roster = LocalResource::new(move || {
        let (monday, _) = (week.monday.get(), week.reload.get());
        api::roster(monday, monday + Duration::days(6))
    });
    let catalog = StoredValue::new(catalog);
    let grid = move || {
        let roster = match loaded(session, roster.get()) {
            Ok(roster) => roster,
            Err(instead) => return instead,
        };
        catalog.with_value(|c| {
            let Some(school) = c.schools.iter().find(|s| s.id == week.school.get()) else {
                return ().into_any();
            };
            let today = roster_today(Utc::now());
            let grid = week_grid(
                school,
                &c.posts,
                &c.calendar,
                &roster.assignments,
                (week.monday.get(), today),
            );
            let pickers = Pickers {
                names: c.staff.names().and(&roster.people),
                offered: c.staff.serving(&school.id, &[]),
            };
            let past = grid.days[0] < today;
            view! {
                {past.then(|| view! {
                    <p class="hint" data-testid="roster-past-hint">{move || session.t(Msg::PastReadOnly)}</p>
                })}
                <div class="table-scroll"><WeekTable days=grid.days rows=grid.rows pickers week/></div>
            }
            .into_any()
        })
    };
    let gate_of = move |post_id: &str| {
        catalog.with_value(|c| {
            c.posts
                .iter()
                .find(|p| p.id == post_id)
                .map(Post::label)
                .unwrap_or_else(|| post_id.to_string())
        })
    };
    view! {
        <RosterControls schools=catalog.with_value(|c| c.schools.clone()) week/>
        <StatusLine said=week.status testid="roster-status"/>
        <SkippedList week gate_of/>
        {grid}
    }
}

/// The assignments the last copy left out, one line each with the server's reason.
#[component]
fn SkippedList(
    week: Week,
    gate_of: impl Fn(&str) -> String + Send + Sync + 'static,
) -> impl IntoView {
    let session = Session::expect();
    move || {
        let lang = session.lang.get();
        let rows = week.skipped.get();
        (!rows.is_empty()).then(|| {
            let items = rows
                .iter()
                .map(|s| {
                    let line = format!(
                        "{} {} {} {}：{}",
                        s.date,
                        window_name(lang, s.window),
                        gate_of(&s.post_id),
                        s.username,
                        skipped_why(lang, &s.why)
                    );
                    view! { <li>{line}</li> }
                })
                .collect_view();
            view! { <ul class="skipped" data-testid="roster-skipped">{items}</ul> }
        })
    }
}

/// School, week, copy, import, export.
#[component]
fn RosterControls(schools: Vec<School>, week: Week) -> impl IntoView {
    let session = Session::expect();
    let shift = move |days: i64| week.monday.update(|m| *m += Duration::days(days));
    let copy_previous = move |_| {
        let to = week.monday.get_untracked();
        let school = week.school.get_untracked();
        week.skipped.set(Vec::new());
        act(session, week.busy, week.status, week.reload, async move {
            let copied = api::copy_week(to - Duration::days(7), to, &school).await?;
            let said = copied_text(session.lang.get_untracked(), &copied);
            week.skipped.set(copied.skipped);
            Ok(said)
        });
    };
    let import = Callback::new(move |file: web_sys::File| {
        week.skipped.set(Vec::new());
        act(session, week.busy, week.status, week.reload, async move {
            let lang = csv_lang(session.lang.get_untracked());
            let stored = api::import_roster(file, lang).await?;
            Ok(format!("{} {}", session.t(Msg::Imported), stored.stored))
        });
    });
    let export = move || {
        let monday = week.monday.get();
        format!(
            "/api/export/roster.csv?from={monday}&to={}&lang={}",
            monday + Duration::days(6),
            csv_lang(session.lang.get())
        )
    };
    let options = schools
        .into_iter()
        .map(|s| view! { <option value=s.id.clone()>{s.name}</option> })
        .collect_view();
    view! {
        <div class="controls">
            <label class="field">
                <span>{move || session.t(Msg::School)}</span>
                <select data-testid="roster-school" prop:value=move || week.school.get()
                    on:change=move |ev| week.school.set(value_of(&ev))>
                    {options}
                </select>
            </label>
            <label class="field">
                <span>{move || session.t(Msg::WeekOf)}</span>
                <input type="date" data-testid="roster-week" prop:value=move || week.monday.get().to_string()
                    on:change=move |ev| {
                        if let Some(d) = gatewatch_model::timefmt::parse_date(&value_of(&ev)) {
                            week.monday.set(monday_of(d));
                        }
                    }/>
            </label>
            <div class="buttons">
                <button type="button" data-testid="roster-prev" on:click=move |_| shift(-7)>
                    {move || session.t(Msg::PreviousWeek)}
                </button>
                <button type="button" data-testid="roster-next" on:click=move |_| shift(7)>
                    {move || session.t(Msg::NextWeek)}
                </button>
                <button type="button" data-testid="roster-copy-previous" on:click=copy_previous
                    disabled=move || week.busy.get()>
                    {move || session.t(Msg::CopyPreviousWeek)}
                </button>
                <a class="button" data-testid="roster-export" href=export download="">
                    {move || session.t(Msg::ExportCsv)}
                </a>
            </div>
            <CsvUpload testid="roster-import" send_testid="roster-import-send" label=Msg::RosterCsv
                on_file=import busy=week.busy.into()/>
        </div>
    }
}

/// Whom the grid names, and whom its cells may offer.
#[derive(Clone)]
struct Pickers {
    /// Everyone the week or the officer list names.
    names: Names,
    /// The officers of the grid's school, by display name.
    offered: Vec<Person>,
}

/// The grid itself.
#[component]
fn WeekTable(days: [NaiveDate; 7], rows: Vec<Row>, pickers: Pickers, week: Week) -> impl IntoView {
    let session = Session::expect();
    let pickers = StoredValue::new(pickers);
    let head = days
        .iter()
        .map(|d| {
            let d = *d;
            view! { <th scope="col">{move || weekday(session.lang.get(), d)}<br/>{d.format("%m-%d").to_string()}</th> }
        })
        .collect_view();
    let body = rows
        .into_iter()
        .map(|row| {
            let label = move || {
                format!(
                    "{} · {}",
                    row.gate,
                    window_name(session.lang.get(), row.window)
                )
            };
            let cells = row
                .cells
                .into_iter()
                .map(|cell| view! { <CellView cell pickers week/> })
                .collect_view();
            view! { <tr><th scope="row">{label}</th>{cells}</tr> }
        })
        .collect_view();
    view! {
        <table class="week" data-testid="roster-grid">
            <thead><tr><th></th>{head}</tr></thead>
            <tbody>{body}</tbody>
        </table>
    }
}

fn cell_testid(slot: &Slot) -> String {
    format!(
        "cell-{}-{}-{}",
        slot.post_id,
        slot.date,
        slot.window.as_str()
    )
}

/// One cell: its officers, each with their car (removable while the day has not
/// passed), an editor to add one or set their cars, its refusal.
#[component]
fn CellView(cell: Cell, pickers: StoredValue<Pickers>, week: Week) -> impl IntoView {
    let session = Session::expect();
    let slot = cell.slot.clone();
    let class = match (cell.due, cell.assigned_but_not_due(), cell.editable) {
        (true, _, true) => "cell due",
        (true, _, false) => "cell due past",
        (false, true, _) => "cell not-due assigned",
        (false, false, _) => "cell not-due",
    };
    let officers =
        cell.assigned
            .iter()
            .map(|on| {
                let name = pickers.with_value(|p| p.names.display_name(on.officer));
                let change = cell.without(on.officer);
                let label = format!("{} {name}", session.t(Msg::Remove));
                let remove = cell.editable.then(|| {
                let remove = move |_| save(week, session, change.clone());
                view! {
                    <button type="button" class="remove" aria-label=label data-testid="cell-remove"
                        on:click=remove>"×"</button>
                }
            });
                let car = on.car.clone().map(
                    |car| view! { <span class="car" data-testid="cell-car-plate">{car}</span> },
                );
                view! {
                    <span class="officer" data-testid="cell-officer">{name}{car}{remove}</span>
                }
            })
            .collect_view();
    let error_slot = slot.clone();
    let error = move || week.errors.with(|e| e.get(&error_slot).cloned());
    let open_slot = slot.clone();
    let is_open = Memo::new(move |_| week.editing.get().as_ref() == Some(&open_slot));
    let open_this = slot.clone();
    let open = move |_| week.editing.set(Some(open_this.clone()));
    let editable = cell.editable;
    view! {
        <td class=class data-testid=cell_testid(&slot)>
            {officers}
            {(!cell.due).then(|| view! { <span class="not-due-note">{move || session.t(Msg::NotDue)}</span> })}
            <Show when=move || editable && !is_open.get()>
                <button type="button" class="add" data-testid="cell-edit" on:click=open.clone()
                    aria-label=move || session.t(Msg::AddOfficer)>"+"</button>
            </Show>
            <Show when=move || editable && is_open.get()>
                <CellEditor cell=cell.clone() pickers week/>
            </Show>
            {move || error().map(|e| view! { <p class="error" role="alert" data-testid="cell-error">{e}</p> })}
        </td>
    }
}

/// One cell's editor: each officer's car, and an officer of the school to add.
#[component]
fn CellEditor(cell: Cell, pickers: StoredValue<Pickers>, week: Week) -> impl IntoView {
    let session = Session::expect();
    let choice = RwSignal::new(String::new());
    let car = RwSignal::new(String::new());
    // The cars typed for the cell's officers, by officer (prefilled with their own).
    let cars = RwSignal::new(
        cell.assigned
            .iter()
            .map(|on| (on.officer, on.car.clone().unwrap_or_default()))
            .collect::<BTreeMap<Uuid, String>>(),
    );
    let own_cars = cell
        .assigned
        .iter()
        .map(|on| {
            let officer = on.officer;
            let name = pickers.with_value(|p| p.names.display_name(officer));
            let value = move || cars.with(|c| c.get(&officer).cloned().unwrap_or_default());
            let typed = move |ev| {
                cars.update(|c| {
                    c.insert(officer, value_of(&ev));
                })
            };
            view! {
                <label class="field">
                    <span>{name}" · "{move || session.t(Msg::Car)}</span>
                    <input type="text" data-testid="cell-officer-car" data-officer=officer.to_string()
                        prop:value=value on:input=typed/>
                </label>
            }
        })
        .collect_view();
    let options = pickers.with_value(|p| {
        p.offered
            .iter()
            .filter(|p| !cell.officers().contains(&p.user))
            .map(|p| view! { <option value=p.user.to_string()>{p.label()}</option> })
            .collect_view()
    });
    let submit = move |_| {
        let added = Uuid::parse_str(&choice.get_untracked())
            .ok()
            .map(|officer| OnSlot {
                officer,
                car: plate(&car.get_untracked()),
            });
        save(week, session, cell.edited(&cars.get_untracked(), added));
    };
    view! {
        <div class="cell-editor">
            {own_cars}
            <label class="field">
                <span>{move || session.t(Msg::AddOfficer)}</span>
                <select data-testid="cell-officer-choice" on:change=move |ev| choice.set(value_of(&ev))>
                    <option value="">{move || session.t(Msg::ChooseOfficer)}</option>
                    {options}
                </select>
            </label>
            <label class="field">
                <span>{move || session.t(Msg::Car)}</span>
                <input type="text" data-testid="cell-car" bind:value=car/>
            </label>
            <div class="buttons">
                <button type="button" class="primary" data-testid="cell-save" on:click=submit>
                    {move || session.t(Msg::Save)}
                </button>
                <button type="button" data-testid="cell-close" on:click=move |_| week.editing.set(None)>
                    {move || session.t(Msg::Close)}
                </button>
            </div>
        </div>
    }
}

/// Writes one slot. A refusal stays on the cell; a cell someone changed meanwhile is
/// reloaded (the week read again) and says so, so the manager edits what is there now.
fn save(week: Week, session: Session, change: SlotChange) {
    let slot = change.slot();
    spawn_local(async move {
        match api::put_slot(&change).await {
            Ok(()) => {
                week.errors.update(|e| {
                    e.remove(&slot);
                });
                week.editing.set(None);
                week.reload.update(|n| *n += 1);
            }
            Err(e) => {
                let stale = e.code() == Some("stale");
                let said = explain(session, &session.check(e));
                week.errors.update(|e| {
                    e.insert(slot, said);
                });
                if stale {
                    week.editing.set(None);
                    week.reload.update(|n| *n += 1);
                }
            }
        }
    });
}

/// What a copy did, in words: how many it copied, how many it left out (listed below
/// the line), or that the previous week had nothing to copy.
fn copied_text(lang: Lang, copied: &Copied) -> String {
    let say = |msg| text(lang, msg);
    match (copied.copied, copied.skipped.len()) {
        (0, 0) => say(Msg::NothingToCopy).to_string(),
        (n, 0) => format!("{} {n}", say(Msg::Copied)),
        (n, left) => format!("{} {n}; {} {left}", say(Msg::Copied), say(Msg::NotCopied)),
    }
}
