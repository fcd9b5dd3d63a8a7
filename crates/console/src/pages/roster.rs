//! 排班: one school's week as a grid of gates × windows by Monday–Sunday. Cells the
//! calendar has not due are grey; each cell names its officers (display names) and car;
//! officers are added and removed per cell (`PUT /api/roster/slot`, an overlap refused
//! in words on the cell); the previous week is copied in one click; a 值班表 CSV is
//! imported (a refusal names its line) and exported.

use std::collections::BTreeMap;

use chrono::{Duration, NaiveDate};
use gatewatch_model::calendar::Calendar;
use gatewatch_model::roster::Slot;
use gatewatch_model::school::School;
use gatewatch_model::Post;
use leptos::prelude::*;
use leptos::task::spawn_local;
use uuid::Uuid;

use crate::api::{self, ApiError, SlotChange};
use crate::grid::{monday_of, week_grid, Cell, Names, Row};
use crate::i18n::{csv_lang, weekday, window_name, Msg};
use crate::session::Session;
use crate::widgets::{act, explain, loaded, value_of, CsvUpload, Said, StatusLine};

/// What the grid needs besides the week's roster, loaded once per visit.
#[derive(Clone)]
struct Catalog {
    schools: Vec<School>,
    posts: Vec<Post>,
    calendar: Calendar,
    officers: Names,
}

async fn load_catalog(session: Session) -> Result<Catalog, ApiError> {
    let schools = session.schools_in_scope(api::schools().await?);
    let posts = api::posts().await?;
    let calendar = Calendar::new(api::calendar().await?.entries);
    let officers = Names::new(&api::officers().await?.people);
    Ok(Catalog {
        schools,
        posts,
        calendar,
        officers,
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
            let grid = week_grid(
                school,
                &c.posts,
                &c.calendar,
                &roster.assignments,
                week.monday.get(),
            );
            let names = c.officers.clone().and(&roster.people);
            view! { <WeekTable days=grid.days rows=grid.rows names week/> }.into_any()
        })
    };
    view! {
        <RosterControls schools=catalog.with_value(|c| c.schools.clone()) week/>
        <StatusLine said=week.status testid="roster-status"/>
        <div class="table-scroll">{grid}</div>
    }
}

/// School, week, copy, import, export.
#[component]
fn RosterControls(schools: Vec<School>, week: Week) -> impl IntoView {
    let session = Session::expect();
    let shift = move |days: i64| week.monday.update(|m| *m += Duration::days(days));
    let copy_previous = move |_| {
        let to = week.monday.get_untracked();
        act(session, week.busy, week.status, week.reload, async move {
            let copied = api::copy_week(to - Duration::days(7), to).await?;
            Ok(format!("{} {}", session.t(Msg::Copied), copied.copied))
        });
    };
    let import = Callback::new(move |file: web_sys::File| {
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

/// The grid itself.
#[component]
fn WeekTable(days: [NaiveDate; 7], rows: Vec<Row>, names: Names, week: Week) -> impl IntoView {
    let session = Session::expect();
    let names = StoredValue::new(names);
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
                .map(|cell| view! { <CellView cell names week/> })
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

/// One cell: its officers (each removable), its car, an editor to add one, its refusal.
#[component]
fn CellView(cell: Cell, names: StoredValue<Names>, week: Week) -> impl IntoView {
    let session = Session::expect();
    let slot = cell.slot.clone();
    let class = match (cell.due, cell.assigned_but_not_due()) {
        (true, _) => "cell due",
        (false, true) => "cell not-due assigned",
        (false, false) => "cell not-due",
    };
    let officers = cell
        .officers
        .iter()
        .map(|officer| {
            let name = names.with_value(|n| n.display_name(*officer));
            let rest: Vec<Uuid> = cell
                .officers
                .iter()
                .copied()
                .filter(|o| o != officer)
                .collect();
            let (slot, car) = (slot.clone(), cell.car.clone());
            let remove = move |_| save(week, session, slot.clone(), rest.clone(), car.clone());
            let label = format!("{} {name}", session.t(Msg::Remove));
            view! {
                <span class="officer" data-testid="cell-officer">
                    {name}
                    <button type="button" class="remove" aria-label=label data-testid="cell-remove"
                        on:click=remove>"×"</button>
                </span>
            }
        })
        .collect_view();
    let error_slot = slot.clone();
    let error = move || week.errors.with(|e| e.get(&error_slot).cloned());
    let open_slot = slot.clone();
    let is_open = Memo::new(move |_| week.editing.get().as_ref() == Some(&open_slot));
    let open_this = slot.clone();
    let open = move |_| week.editing.set(Some(open_this.clone()));
    view! {
        <td class=class data-testid=cell_testid(&slot)>
            {officers}
            {cell.car.clone().map(|car| view! { <span class="car" data-testid="cell-car-plate">{car}</span> })}
            {(!cell.due).then(|| view! { <span class="not-due-note">{move || session.t(Msg::NotDue)}</span> })}
            <Show when=move || !is_open.get()>
                <button type="button" class="add" data-testid="cell-edit" on:click=open.clone()
                    aria-label=move || session.t(Msg::AddOfficer)>"+"</button>
            </Show>
            <Show when=move || is_open.get()>
                <CellEditor cell=cell.clone() names week/>
            </Show>
            {move || error().map(|e| view! { <p class="error" role="alert" data-testid="cell-error">{e}</p> })}
        </td>
    }
}

/// Add an officer (and set the car) to one cell.
#[component]
fn CellEditor(cell: Cell, names: StoredValue<Names>, week: Week) -> impl IntoView {
    let session = Session::expect();
    let choice = RwSignal::new(String::new());
    let car = RwSignal::new(cell.car.clone().unwrap_or_default());
    let options = names.with_value(|n| {
        n.sorted()
            .into_iter()
            .filter(|p| !cell.officers.contains(&p.user))
            .map(|p| view! { <option value=p.user.to_string()>{p.label()}</option> })
            .collect_view()
    });
    let submit = move |_| {
        let mut officers = cell.officers.clone();
        if let Ok(added) = Uuid::parse_str(&choice.get_untracked()) {
            officers.push(added);
        }
        let car = Some(car.get_untracked().trim().to_string()).filter(|c| !c.is_empty());
        save(week, session, cell.slot.clone(), officers, car);
    };
    view! {
        <div class="cell-editor">
            <label class="field">
                <span>{move || session.t(Msg::Officer)}</span>
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

/// Replaces one slot's officers and car; a refusal stays on the cell.
fn save(week: Week, session: Session, slot: Slot, officers: Vec<Uuid>, car: Option<String>) {
    let change = SlotChange {
        post_id: slot.post_id.clone(),
        date: slot.date,
        window: slot.window,
        officers,
        car,
    };
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
                let said = explain(session, &session.check(e));
                week.errors.update(|e| {
                    e.insert(slot, said);
                });
            }
        }
    });
}
