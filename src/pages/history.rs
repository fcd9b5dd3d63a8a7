//! The history screen: the records on this phone, newest first, filtered by date, post
//! and kind; CSV exports made on the phone; corrections and voids of own records.

use chrono::{Datelike, Days, NaiveDate, Timelike};
use gatewatch_model::coverage::{arrivals, coverage};
use gatewatch_model::csv::{self, Row};
use gatewatch_model::filter::Filter;
use gatewatch_model::gatecode::Proof;
use gatewatch_model::stored::LocalRecord;
use gatewatch_model::{
    CheckIn, CheckInEvent, FollowUp, Incident, IncidentCategory, Record, RecordBody, Severity,
};
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::components::choice::{options, Choice};
use crate::components::post_select::{default_post, PostSelect};
use crate::i18n::{names, tr, Msg};
use crate::state::AppState;
use crate::sync::SyncHandle;

/// Rows rendered at once; a phone with a year of records stays quick.
const PAGE_ROWS: usize = 200;
/// The coverage export's span when the filter gives no dates.
const DEFAULT_COVERAGE_DAYS: u64 = 30;

fn date(text: &str) -> Option<NaiveDate> {
    gatewatch_model::timefmt::parse_date(text)
}

/// The records on this phone that pass the filter, newest first.
#[component]
pub fn HistoryPage() -> impl IntoView {
    let state = AppState::expect();
    let shown = RwSignal::new(PAGE_ROWS);
    let from = RwSignal::new(String::new());
    let to = RwSignal::new(String::new());
    let post = RwSignal::new(String::new());
    let kind = RwSignal::new("");
    let filter = Memo::new(move |_| Filter {
        from: from.with(|f| date(f)),
        to: to.with(|t| date(t)),
        post: post.with(|p| (!p.is_empty()).then(|| p.clone())),
        kind: (!kind.get().is_empty()).then(|| kind.get().to_string()),
    });
    let rows = Memo::new(move |_| {
        let filter = filter.get();
        let mut all: Vec<LocalRecord> = state.records.with(|m| {
            m.values()
                // Team records have their own screens (队伍).
                .filter(|l| l.record.body.is_patrol() && filter.matches(&l.record))
                .cloned()
                .collect()
        });
        all.sort_by(|a, b| newest_first_key(b).cmp(&newest_first_key(a)));
        all
    });
    let total = move || rows.with(|r| r.len());
    let export = move |what: Export| {
        let today = state
            .now
            .get_untracked()
            .with_timezone(&chrono::Local)
            .date_naive();
        let sheet = export_sheet(
            state,
            what,
            &rows.get_untracked(),
            &filter.get_untracked(),
            today,
        );
        crate::download::save_csv(&sheet.0, &sheet.1);
    };
    let post_options = move || {
        state.posts.with(|posts| {
            posts
                .iter()
                .map(|p| view! { <option value=p.id.clone()>{p.label()}</option> })
                .collect_view()
        })
    };
    view! {
        <section class="history">
            <div class="filters">
                <label class="field small">
                    <span>{tr(Msg::FilterFrom)}</span>
                    <input type="date" data-testid="filter-from" bind:value=from/>
                </label>
                <label class="field small">
                    <span>{tr(Msg::FilterTo)}</span>
                    <input type="date" data-testid="filter-to" bind:value=to/>
                </label>
                <label class="field small">
                    <span>{tr(Msg::Post)}</span>
                    <select data-testid="filter-post" on:change=move |ev| post.set(event_target_value(&ev))>
                        <option value="">{tr(Msg::AllPosts)}</option>
                        {post_options}
                    </select>
                </label>
                <Choice label=Msg::Category value=kind testid="filter-kind" options=vec![
                    ("", Msg::AllKinds),
                    ("checkin", Msg::KindCheckIns),
                    ("incident", Msg::KindIncidents),
                ]/>
            </div>
            <div class="exports">
                <button class="link-button" data-testid="export-checkins" on:click=move |_| export(Export::CheckIns)>
                    {tr(Msg::ExportCheckIns)}
                </button>
                <button class="link-button" data-testid="export-incidents" on:click=move |_| export(Export::Incidents)>
                    {tr(Msg::ExportIncidents)}
                </button>
                <button class="link-button" data-testid="export-coverage" on:click=move |_| export(Export::Coverage)>
                    {tr(Msg::ExportCoverage)}
                </button>
            </div>
            <p class="count" data-testid="history-count">{total}</p>
            <Show when=move || total() == 0>
                <p class="empty">{tr(Msg::NoRecords)}</p>
            </Show>
            <ul class="rows">
                <For
                    each=move || rows.get().into_iter().take(shown.get())
                    key=|l| (l.record.id, l.record.version.clone(), l.synced, l.received_at, l.proof)
                    children=move |l| view! { <HistoryRow local=l/> }
                />
            </ul>
            <Show when=move || { total() > shown.get() }>
                <button class="more" on:click=move |_| shown.update(|n| *n += PAGE_ROWS)>
                    {move || format!("+{}", (total() - shown.get()).min(PAGE_ROWS))}
                </button>
            </Show>
        </section>
    }
}

/// The sheets the history screen exports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Export {
    CheckIns,
    Incidents,
    Coverage,
}

/// The file name and content of one export of the filtered records.
fn export_sheet(
    state: AppState,
    what: Export,
    rows: &[LocalRecord],
    filter: &Filter,
    today: NaiveDate,
) -> (String, String) {
    let posts = state.posts.get_untracked();
    let post_of = |id: &str| posts.iter().find(|p| p.id == id);
    let sheet_rows: Vec<Row> = rows
        .iter()
        .map(|l| Row {
            record: &l.record,
            received_at: l.received_at,
        })
        .collect();
    match what {
        Export::CheckIns => (
            "gatewatch-checkins.csv".into(),
            csv::check_ins(&sheet_rows, post_of),
        ),
        Export::Incidents => (
            "gatewatch-incidents.csv".into(),
            csv::incidents(&sheet_rows, post_of),
        ),
        Export::Coverage => {
            let to = filter.to.unwrap_or(today);
            let from = filter.from.unwrap_or_else(|| {
                to.checked_sub_days(Days::new(DEFAULT_COVERAGE_DAYS - 1))
                    .unwrap_or(to)
            });
            // One post picked: its school only; else every school the phone knows.
            let school_of = |post: &str| post_of(post).map(|p| p.school_id.clone());
            let wanted = filter.post.as_deref().and_then(school_of);
            let schools: Vec<_> = state
                .schools
                .get_untracked()
                .into_iter()
                .filter(|s| wanted.as_ref().is_none_or(|w| *w == s.id))
                .collect();
            let arrived = state
                .records
                .with_untracked(|m| arrivals(m.values().map(|l| &l.record), school_of));
            let cells = coverage(&schools, &arrived, from..=to, state.now.get_untracked());
            let name_of = |id: &str| schools.iter().find(|s| s.id == id).map(|s| s.name.as_str());
            let label = format!("{from}..{to}");
            (
                format!("gatewatch-coverage-{from}-{to}.csv"),
                csv::coverage(&cells, name_of, &label),
            )
        }
    }
}

fn newest_first_key(l: &LocalRecord) -> (i64, &gatewatch_model::Hlc) {
    (
        l.record.body.device_time().timestamp_millis(),
        &l.record.version,
    )
}

/// What the row's action panel shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Panel {
    Closed,
    Edit,
    Void,
}

/// One record: where, when, what, and whether the server has it; own records can be
/// corrected or voided.
#[component]
fn HistoryRow(local: LocalRecord) -> impl IntoView {
    let state = AppState::expect();
    let id = local.record.id;
    let version = local.record.version.clone();
    let body = local.record.body.clone();
    let post_label = state
        .posts
        .with_untracked(|posts| {
            posts
                .iter()
                .find(|p| p.id == body.post_id())
                .map(|p| p.label())
        })
        .unwrap_or_else(|| body.post_id().to_string());
    let rejected = move || {
        state.rejected.with(|r| {
            r.get(&id)
                .filter(|(v, _)| *v == version)
                .map(|(_, why)| why.clone())
        })
    };
    let synced = local.synced;
    let proof = local.proof.map(|p| match p {
        Proof::Verified => ("verified", Msg::ProofVerified),
        Proof::Unverified => ("unverified", Msg::ProofUnverified),
        Proof::Failed => ("failed", Msg::ProofFailed),
    });
    let place = move || {
        if let Some(why) = rejected() {
            format!("{}: {why}", state.t(Msg::Rejected))
        } else if synced {
            state.t(Msg::OnServer).to_string()
        } else {
            state.t(Msg::OnPhoneOnly).to_string()
        }
    };
    let at = body.device_time();
    // Formatted by hand: chrono's strftime machinery costs kilobytes of wasm.
    let time = format!(
        "{:02}-{:02} {:02}:{:02}",
        at.month(),
        at.day(),
        at.hour(),
        at.minute()
    );
    let received = local.received_at.map(|r| {
        let r = r.with_timezone(&at.timezone());
        format!("{:02}:{:02}:{:02}", r.hour(), r.minute(), r.second())
    });
    let (testid, kind_view, position) = match &body {
        RecordBody::CheckIn(c) => ("checkin-row", check_in_details(state, c), c.position),
        RecordBody::Incident(i) => ("incident-row", incident_details(i), i.position),
        RecordBody::Team(_) | RecordBody::Volunteer(_) | RecordBody::Duty(_) => {
            ("team-record-row", ().into_any(), None)
        }
    };
    let voided = local.record.voided.clone();
    let is_voided = voided.is_some();
    let edits = local.record.edits;
    let own = state.is_own(&local.record) && voided.is_none();
    let panel = RwSignal::new(Panel::Closed);
    let record = local.record.clone();
    view! {
        <li
            class="row"
            class:synced=synced
            class:voided=is_voided
            data-testid=testid
            data-id=id.to_string()
            data-synced=synced.to_string()
            data-voided=is_voided.to_string()
        >
            <div class="row-main">
                <b>{post_label}</b>
                <time>{time}</time>
            </div>
            {kind_view}
            {voided.map(|why| view! {
                <p class="voided" data-testid="row-voided">{tr(Msg::Voided)} ": " {why.clone()}</p>
            })}
            {(edits > 0).then(|| view! {
                <p class="edited" data-testid="row-edited">{tr(Msg::Edited)} " ×" {edits}</p>
            })}
            {position.map(|p| view! {
                <p class="located" data-testid="row-located">
                    {tr(Msg::Located)} " ±" {p.accuracy_m} " m"
                </p>
            })}
            {proof.map(|(name, msg)| view! {
                <p class=format!("proof {name}") data-testid="row-proof" data-proof=name>{tr(msg)}</p>
            })}
            <div class="row-sync" data-testid="row-sync">
                {place}
                {received.map(|r| view! { <span class="received">" · " {tr(Msg::ReceivedAt)} " " {r.clone()}</span> })}
            </div>
            <Show when=move || own>
                <div class="row-actions">
                    <button class="link-button" data-testid="row-edit" on:click=move |_| panel.set(Panel::Edit)>
                        {tr(Msg::Edit)}
                    </button>
                    <button class="link-button" data-testid="row-void" on:click=move |_| panel.set(Panel::Void)>
                        {tr(Msg::Void)}
                    </button>
                </div>
            </Show>
            {
                let record = record.clone();
                move || match panel.get() {
                    Panel::Closed => None,
                    Panel::Edit => Some(view! { <EditPanel record=record.clone() panel=panel/> }.into_any()),
                    Panel::Void => Some(view! { <VoidPanel id=id panel=panel/> }.into_any()),
                }
            }
        </li>
    }
}

fn check_in_details(state: AppState, c: &CheckIn) -> AnyView {
    let event = c.event;
    let flags = c.presence;
    let flag = move |on: bool, msg: Msg| {
        view! { <span class="chip" class:off=!on>{tr(msg)}</span> }
    };
    view! {
        <span class="event">
            {move || match event {
                CheckInEvent::Arrival => state.t(Msg::Arrival),
                CheckInEvent::Departure => state.t(Msg::Departure),
            }}
        </span>
        <div class="row-flags">
            {flag(flags.officer, Msg::Officer)}
            {flag(flags.car, Msg::Car)}
            {flag(flags.lights, Msg::Lights)}
        </div>
        {(!c.note.is_empty()).then(|| view! { <p class="note">{c.note.clone()}</p> })}
    }
    .into_any()
}

fn incident_details(i: &Incident) -> AnyView {
    let (category, severity, status) = (i.category, i.severity, i.status);
    view! {
        <div class="row-flags">
            <span class="chip">{tr(names::category(category))}</span>
            <span class=format!("chip severity-{}", severity.as_str())>{tr(names::severity(severity))}</span>
            <span class="chip" data-testid="row-follow-up" data-status=status.as_str()>{tr(names::follow_up(status))}</span>
        </div>
        <p class="note">{i.description.clone()}</p>
        {(!i.people.is_empty()).then(|| view! { <p class="note">{i.people.clone()}</p> })}
    }
    .into_any()
}

/// Saves a new state of a record from a panel, then closes the panel (the row
/// re-renders with the new version); a refusal is shown in the panel.
fn save_from_panel(
    state: AppState,
    panel: RwSignal<Panel>,
    error: RwSignal<String>,
    change: impl std::future::Future<Output = Result<crate::state::SaveResult, crate::storage::StorageError>>
        + 'static,
) {
    let sync = expect_context::<SyncHandle>();
    spawn_local(async move {
        match change.await {
            Ok(_) => {
                panel.try_set(Panel::Closed);
                sync.sync_now();
            }
            Err(e) => {
                error.try_set(format!("{}: {e}", state.t(Msg::SaveFailed)));
            }
        }
    });
}

/// Corrects an own record: the fields an officer gets wrong at a gate.
#[component]
fn EditPanel(record: Record, panel: RwSignal<Panel>) -> impl IntoView {
    let state = AppState::expect();
    let error = RwSignal::new(String::new());
    let picked = RwSignal::new(Some(record.body.post_id().to_string()));
    let post_id = default_post(state, picked);
    let note = RwSignal::new(String::new());
    let departure = RwSignal::new(false);
    let (officer, car, lights) = (
        RwSignal::new(true),
        RwSignal::new(true),
        RwSignal::new(true),
    );
    let category = RwSignal::new(IncidentCategory::Other.as_str());
    let severity = RwSignal::new(Severity::Low.as_str());
    let follow_up = RwSignal::new(FollowUp::Open.as_str());
    let people = RwSignal::new(String::new());
    let fields = match &record.body {
        RecordBody::CheckIn(c) => {
            note.set(c.note.clone());
            departure.set(c.event == CheckInEvent::Departure);
            officer.set(c.presence.officer);
            car.set(c.presence.car);
            lights.set(c.presence.lights);
            let flag = move |signal: RwSignal<bool>, msg: Msg| {
                view! {
                    <label class="flag" class:on=move || signal.get()>
                        <input type="checkbox" bind:checked=signal/>
                        <span>{tr(msg)}</span>
                    </label>
                }
            };
            view! {
                <label class="flag" class:on=move || departure.get()>
                    <input type="checkbox" data-testid="edit-departure" bind:checked=departure/>
                    <span>{tr(Msg::Departure)}</span>
                </label>
                <div class="flags">
                    {flag(officer, Msg::Officer)}
                    {flag(car, Msg::Car)}
                    {flag(lights, Msg::Lights)}
                </div>
            }
            .into_any()
        }
        RecordBody::Incident(i) => {
            note.set(i.description.clone());
            category.set(i.category.as_str());
            severity.set(i.severity.as_str());
            follow_up.set(i.status.as_str());
            people.set(i.people.clone());
            view! {
                <Choice label=Msg::Category options=options!(IncidentCategory, names::category) value=category testid="edit-category"/>
                <Choice label=Msg::SeverityLabel options=options!(Severity, names::severity) value=severity testid="edit-severity"/>
                <Choice label=Msg::FollowUpLabel options=options!(FollowUp, names::follow_up) value=follow_up testid="edit-status"/>
                <label class="field">
                    <span>{tr(Msg::People)}</span>
                    <input type="text" maxlength="500" data-testid="edit-people" bind:value=people/>
                </label>
            }
            .into_any()
        }
        // Not listed here (see the list's filter); team records are edited on 队伍.
        RecordBody::Team(_) | RecordBody::Volunteer(_) | RecordBody::Duty(_) => ().into_any(),
    };
    let text_label = if matches!(record.body, RecordBody::CheckIn(_)) {
        Msg::Note
    } else {
        Msg::Description
    };
    let save = move |_| {
        let post_id = post_id.get_untracked();
        let body = match &record.body {
            RecordBody::CheckIn(c) => RecordBody::CheckIn(CheckIn {
                post_id,
                event: if departure.get_untracked() {
                    CheckInEvent::Departure
                } else {
                    CheckInEvent::Arrival
                },
                presence: gatewatch_model::Presence {
                    officer: officer.get_untracked(),
                    car: car.get_untracked(),
                    lights: lights.get_untracked(),
                },
                note: note.get_untracked().trim().to_string(),
                ..c.clone()
            }),
            RecordBody::Incident(i) => RecordBody::Incident(Incident {
                post_id,
                category: IncidentCategory::parse(category.get_untracked()).unwrap_or(i.category),
                severity: Severity::parse(severity.get_untracked()).unwrap_or(i.severity),
                status: FollowUp::parse(follow_up.get_untracked()).unwrap_or(i.status),
                description: note.get_untracked().trim().to_string(),
                people: people.get_untracked().trim().to_string(),
                ..i.clone()
            }),
            other => other.clone(),
        };
        if body == record.body {
            panel.set(Panel::Closed);
            return;
        }
        let id = record.id;
        save_from_panel(
            state,
            panel,
            error,
            async move { state.correct(id, body).await },
        );
    };
    view! {
        <div class="panel" data-testid="edit-panel">
            <PostSelect current=post_id picked=picked testid="edit-post"/>
            {fields}
            <label class="field">
                <span>{tr(text_label)}</span>
                <input type="text" maxlength="2000" data-testid="edit-text" bind:value=note/>
            </label>
            <p class="field-error" role="alert">{move || error.get()}</p>
            <div class="row-actions">
                <button class="link-button" data-testid="edit-save" on:click=save>{tr(Msg::SaveChanges)}</button>
                <button class="link-button" on:click=move |_| panel.set(Panel::Closed)>{tr(Msg::Cancel)}</button>
            </div>
        </div>
    }
}

/// Voids an own record after asking why; nothing is deleted.
#[component]
fn VoidPanel(id: uuid::Uuid, panel: RwSignal<Panel>) -> impl IntoView {
    let state = AppState::expect();
    let reason = RwSignal::new(String::new());
    let error = RwSignal::new(String::new());
    let confirm = move |_| {
        let why = reason.get_untracked();
        if why.trim().is_empty() {
            error.set(state.t(Msg::VoidReason).to_string());
            return;
        }
        save_from_panel(
            state,
            panel,
            error,
            async move { state.void(id, why).await },
        );
    };
    view! {
        <div class="panel" data-testid="void-panel">
            <label class="field">
                <span>{tr(Msg::VoidReason)}</span>
                <input type="text" maxlength="200" data-testid="void-reason" bind:value=reason/>
            </label>
            <p class="field-error" role="alert">{move || error.get()}</p>
            <div class="row-actions">
                <button class="link-button danger" data-testid="void-confirm" on:click=confirm>{tr(Msg::ConfirmVoid)}</button>
                <button class="link-button" on:click=move |_| panel.set(Panel::Closed)>{tr(Msg::Cancel)}</button>
            </div>
        </div>
    }
}
