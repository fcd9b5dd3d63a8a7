//! The history screen: the records on this phone, newest first, filtered by date, post
//! and kind; CSV exports made on the phone; corrections and voids of own records.

use chrono::{Datelike, Days, NaiveDate, Timelike};
use gatewatch_model::access::{may, Access};
use gatewatch_model::coverage::coverage;
use gatewatch_model::csv::{self, Row};
use gatewatch_model::filter::Filter;
use gatewatch_model::gatecode::Proof;
use gatewatch_model::outbox::SyncStatus;
use gatewatch_model::roster::assignment_verdicts;
use gatewatch_model::sorting;
use gatewatch_model::stored::LocalRecord;
use gatewatch_model::{
    CheckIn, CheckInEvent, FollowUp, Incident, IncidentCategory, Record, RecordBody, Severity,
};
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::components::choice::{options, Choice};
use crate::components::html;
use crate::components::post_select::{default_post, PostChoice, PostSelect};
use crate::i18n::{names, Msg};
use crate::pages::checkin::flag_class;
use crate::state::tr;
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
    // A plain closure, not a Memo: cheap to rebuild, and one Memo type less in the wasm.
    let filter = move || Filter {
        from: from.with(|f| date(f)),
        to: to.with(|t| date(t)),
        post: post.with(|p| (!p.is_empty()).then(|| p.clone())),
        kind: (!kind.get().is_empty()).then(|| kind.get().to_string()),
    };
    let rows = Memo::new(move |_| {
        let filter = filter();
        let mut all: Vec<LocalRecord> = state.records.with(|m| {
            m.values()
                // Team records have their own screens (队伍).
                .filter(|l| l.record.body.is_patrol() && filter.matches(&l.record))
                .cloned()
                .collect()
        });
        sorting::sort_by(&mut all, |a, b| {
            newest_first_key(b).cmp(&newest_first_key(a))
        });
        all
    });
    let total = move || rows.with(|r| r.len());
    let export = move |what: Export| {
        let today = state
            .now
            .get_untracked()
            .with_timezone(&chrono::Local)
            .date_naive();
        let sheet = export_sheet(state, what, &rows.get_untracked(), &untrack(filter), today);
        crate::download::save_csv(&sheet.0, &sheet.1);
    };
    // The posts as one HTML string of options (no reactive element per option); the
    // pick is kept when the list is redrawn (posts or language changed).
    let post_options = move || {
        let all = state.t(Msg::AllPosts);
        let posts: Vec<(String, String)> = state
            .posts
            .with(|posts| posts.iter().map(|p| (p.id.clone(), p.label())).collect());
        let all_and_posts = std::iter::once(("", all)).chain(
            posts
                .iter()
                .map(|(id, label)| (id.as_str(), label.as_str())),
        );
        post.with_untracked(|picked| html::options(all_and_posts, Some(picked)))
    };
    // Incidents only for those who may read them (not a team lead): the access rule.
    let reads_incidents = state.profile.with_untracked(|p| {
        p.as_ref()
            .is_none_or(|p| may(p.role, "incident", Access::Read))
    });
    let mut kinds = vec![("", Msg::AllKinds), ("checkin", Msg::KindCheckIns)];
    if reads_incidents {
        kinds.push(("incident", Msg::KindIncidents));
    }
    // One handler for the three export buttons, told apart by their data-action.
    let on_export = move |ev: leptos::ev::MouseEvent| {
        let what = match html::action(&ev).as_ref().map(|(a, _)| a.as_str()) {
            Some("checkins") => Export::CheckIns,
            Some("incidents") => Export::Incidents,
            Some("coverage") => Export::Coverage,
            Some("assignments") => Export::Assignments,
            // An action this screen does not name does nothing.
            _ => return,
        };
        export(what);
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
                    <select data-testid="filter-post" on:change=move |ev| post.set(event_target_value(&ev))
                        inner_html=post_options></select>
                </label>
                <Choice label=Msg::Category value=kind testid="filter-kind" options=kinds/>
            </div>
            <div class="exports" on:click=on_export>
                <button class="link-button" data-testid="export-checkins" data-action="checkins">
                    {tr(Msg::ExportCheckIns)}
                </button>
                <button class="link-button" data-testid="export-incidents" data-action="incidents"
                    hidden=!reads_incidents>
                    {tr(Msg::ExportIncidents)}
                </button>
                <button class="link-button" data-testid="export-coverage" data-action="coverage">
                    {tr(Msg::ExportCoverage)}
                </button>
                <button class="link-button" data-testid="export-assignments" data-action="assignments"
                    hidden=move || state.roster.with(|r| r.assignments.is_empty())>
                    {tr(Msg::ExportAssignments)}
                </button>
            </div>
            <p class="count" data-testid="history-count">{total}</p>
            // The hidden attribute instead of <Show>: cheaper in wasm, same look.
            <p class="empty" hidden=move || total() != 0>{tr(Msg::NoRecords)}</p>
            <ul class="rows">
                // Keyed by id alone: a row keeps its open panel when a sync or an edit
                // changes the record (the row reads its record reactively).
                <For
                    each=move || rows.with(|r| r.iter().take(shown.get()).map(|l| l.record.id).collect::<Vec<_>>())
                    key=|id| *id
                    children=move |id| view! { <HistoryRow id=id/> }
                />
            </ul>
            <button class="more" hidden=move || total() <= shown.get()
                on:click=move |_| shown.update(|n| *n += PAGE_ROWS)>
                {move || format!("+{}", total().saturating_sub(shown.get()).min(PAGE_ROWS))}
            </button>
        </section>
    }
}

/// The sheets the history screen exports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Export {
    CheckIns,
    Incidents,
    Coverage,
    /// The roster this phone holds (last week to four weeks ahead), each assignment's
    /// verdict: did the assigned officer come, who came instead.
    Assignments,
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
    let schools = state.schools.get_untracked();
    let gates = csv::Gates::new(&posts, &schools);
    let lang = state.lang().sheet();
    let people = untrack(|| state.known_people());
    let sheet_rows: Vec<Row> = rows
        .iter()
        .map(|l| Row {
            record: &l.record,
            received_at: l.received_at,
            author: untrack(|| state.author_of(l)).and_then(|u| people.get(&u)),
        })
        .collect();
    // The file is named by the days it covers: the filter's, else the records'.
    let dates = || {
        rows.iter()
            .map(|l| l.record.body.device_time().date_naive())
    };
    let from = filter.from.or_else(|| dates().min()).unwrap_or(today);
    let to = filter.to.or_else(|| dates().max()).unwrap_or(today);
    match what {
        Export::CheckIns => (
            csv::file_name(csv::SheetKind::CheckIns, from, to, lang),
            csv::check_ins(&sheet_rows, &gates, lang),
        ),
        Export::Incidents => (
            csv::file_name(csv::SheetKind::Incidents, from, to, lang),
            csv::incidents(&sheet_rows, &gates, lang),
        ),
        Export::Coverage => {
            let to = filter.to.unwrap_or(today);
            let from = filter.from.unwrap_or_else(|| {
                to.checked_sub_days(Days::new(DEFAULT_COVERAGE_DAYS - 1))
                    .unwrap_or(to)
            });
            // One post picked: that gate only; else every gate the phone knows.
            let picked: Vec<_> = posts
                .iter()
                .filter(|p| filter.post.as_ref().is_none_or(|w| *w == p.id))
                .cloned()
                .collect();
            let visits = untrack(|| state.visits());
            let now = state.now.get_untracked();
            let cells = state.calendar.with_untracked(|calendar| {
                coverage(calendar, &schools, &picked, &visits, from..=to, now)
            });
            let label = format!("{from}..{to}");
            (
                csv::file_name(csv::SheetKind::Coverage, from, to, lang),
                csv::coverage(&cells, &gates, |u| people.get(&u), &label, lang),
            )
        }
        Export::Assignments => {
            let visits = untrack(|| state.visits());
            let now = state.now.get_untracked();
            let roster = state.roster.get_untracked();
            let verdicts = state.calendar.with_untracked(|calendar| {
                assignment_verdicts(
                    calendar,
                    &schools,
                    &posts,
                    &visits,
                    &roster.assignments,
                    now,
                )
            });
            let dates = roster.assignments.iter().map(|a| a.date);
            let (from, to) = (
                dates.clone().min().unwrap_or(today),
                dates.max().unwrap_or(today),
            );
            (
                csv::file_name(csv::SheetKind::Assignments, from, to, lang),
                csv::assignments(&verdicts, &gates, |u| people.get(&u), lang),
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
    /// Asks before a refused record leaves the phone.
    Discard,
}

/// The buttons a history row draws and its one click handler reads back (their
/// `data-action`). An action this list does not name does nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RowAction {
    Edit,
    Void,
    /// Save a refused record to a file.
    Export,
    /// Remove a refused record from the phone (after confirming).
    Discard,
}

impl RowAction {
    pub fn as_str(self) -> &'static str {
        match self {
            RowAction::Edit => "edit",
            RowAction::Void => "void",
            RowAction::Export => "export",
            RowAction::Discard => "discard",
        }
    }

    pub fn parse(text: &str) -> Option<RowAction> {
        [
            RowAction::Edit,
            RowAction::Void,
            RowAction::Export,
            RowAction::Discard,
        ]
        .into_iter()
        .find(|a| a.as_str() == text)
    }

    fn label(self) -> Msg {
        match self {
            RowAction::Edit => Msg::Edit,
            RowAction::Void => Msg::Void,
            RowAction::Export => Msg::ExportRefused,
            RowAction::Discard => Msg::DiscardRefused,
        }
    }
}

/// The actions a row offers: a refused record is exported or discarded; an own record
/// not voided is corrected or voided.
fn row_actions(status: SyncStatus, own: bool, voided: bool) -> &'static [RowAction] {
    match status {
        SyncStatus::Refused => &[RowAction::Export, RowAction::Discard],
        _ if own && !voided => &[RowAction::Edit, RowAction::Void],
        _ => &[],
    }
}

/// One record: where, when, what, and whether the server has it; own records can be
/// corrected or voided, refused ones exported or discarded.
///
/// The read-only part is one escaped HTML string (see `components/html.rs`): a reactive
/// element per line of the row cost several KB of the first-load wasm. Only the `<li>`
/// (its data-* attributes) and the open panel are Leptos views; the row's buttons are
/// found by one click handler through their `data-action` (`RowAction`). The row reads
/// its record from the state, so a sync updates it in place and an open panel stays.
#[component]
fn HistoryRow(id: uuid::Uuid) -> impl IntoView {
    let state = AppState::expect();
    let local = Memo::new(move |_| state.records.with(|m| m.get(&id).cloned()));
    let synced = move || local.with(|l| l.as_ref().is_some_and(|l| l.synced));
    let is_voided = move || local.with(|l| l.as_ref().is_some_and(|l| l.record.voided.is_some()));
    let testid = local.with_untracked(|l| match l.as_ref().map(|l| &l.record.body) {
        Some(RecordBody::Incident(_)) => "incident-row",
        _ => "checkin-row",
    });
    let class = move || match (synced(), is_voided()) {
        (false, false) => "row",
        (true, false) => "row synced",
        (false, true) => "row voided",
        (true, true) => "row synced voided",
    };
    let panel = RwSignal::new(Panel::Closed);
    let error = RwSignal::new(String::new());
    let act = move |ev: leptos::ev::MouseEvent| {
        let action = html::action(&ev).and_then(|(a, _)| RowAction::parse(&a));
        match action {
            Some(RowAction::Edit) => panel.set(Panel::Edit),
            Some(RowAction::Void) => panel.set(Panel::Void),
            Some(RowAction::Discard) => panel.set(Panel::Discard),
            Some(RowAction::Export) => export_refused(state, id),
            None => {}
        }
    };
    // Re-drawn when the record, the language or its refusal changes.
    let body = move || local.with(|l| l.as_ref().map(|l| row_html(state, l)).unwrap_or_default());
    let record = move || local.with_untracked(|l| l.as_ref().map(|l| l.record.clone()));
    view! {
        <li
            class=class
            data-testid=testid
            data-id=id.to_string()
            data-synced=move || synced().to_string()
            data-voided=move || is_voided().to_string()
            data-status=move || local.with(|l| l.as_ref().map(|l| state.sync_status(l).as_str()))
            on:click=act
        >
            <div class="row-body" inner_html=body></div>
            <p class="field-error" role="alert" hidden=move || error.with(String::is_empty)>{move || error.get()}</p>
            {move || match (panel.get(), record()) {
                (Panel::Edit, Some(record)) => Some(view! { <EditPanel record=record panel=panel/> }.into_any()),
                (Panel::Void, Some(_)) => Some(view! { <VoidPanel id=id panel=panel/> }.into_any()),
                (Panel::Discard, Some(_)) => Some(view! { <DiscardPanel id=id panel=panel error=error/> }.into_any()),
                _ => None,
            }}
        </li>
    }
}

/// Saves one refused record, with the server's refusal, as a JSON file.
fn export_refused(state: AppState, id: uuid::Uuid) {
    let refused: Vec<_> = state
        .refused_records()
        .into_iter()
        .filter(|r| r.record.id == id)
        .collect();
    crate::download::save_records_file("gatewatch-refused", &refused);
}

/// Asks before a refused record leaves the phone (the server will never take it; the
/// file export keeps a copy).
#[component]
fn DiscardPanel(id: uuid::Uuid, panel: RwSignal<Panel>, error: RwSignal<String>) -> impl IntoView {
    let state = AppState::expect();
    // Taken here, where the context is: the task below runs after the component's turn.
    let sync = StoredValue::new(expect_context::<SyncHandle>());
    let confirm = move |_| {
        let sync = sync.get_value();
        spawn_local(async move {
            match state.discard_refused(id).await {
                Ok(()) => {
                    // A discarded correction reads the feed again: fetch the server's
                    // version now rather than at the next timer.
                    sync.sync_now();
                    error.try_set(String::new())
                }
                Err(e) => error.try_set(format!(
                    "{}: {}",
                    state.t(Msg::SaveFailed),
                    e.message(state)
                )),
            };
        });
    };
    view! {
        <div class="panel" data-testid="discard-panel">
            <p>{tr(Msg::DiscardRefusedQuestion)}</p>
            <div class="row-actions">
                <button class="link-button danger" data-testid="discard-confirm" on:click=confirm>{tr(Msg::DiscardRefused)}</button>
                <button class="link-button" on:click=move |_| panel.set(Panel::Closed)>{tr(Msg::Cancel)}</button>
            </div>
        </div>
    }
}

/// The read-only part of a history row as HTML. Everything a person typed (notes,
/// descriptions, people, void reasons) and what came from the server (post labels,
/// rejection reasons) is escaped; the UI strings come from `i18n.rs` and hold no markup.
fn row_html(state: AppState, local: &LocalRecord) -> String {
    use std::fmt::Write;
    let t = |msg| state.t(msg);
    let record = &local.record;
    let body = &record.body;
    let post_label = state.post_label(body.post_id());
    let at = body.device_time();
    let mut h = String::new();
    // Formatted by hand: chrono's strftime machinery costs kilobytes of wasm.
    let _ = write!(
        h,
        r#"<div class="row-main"><b>{}</b><time>{:02}-{:02} {:02}:{:02}</time></div>"#,
        html::escape(&post_label),
        at.month(),
        at.day(),
        at.hour(),
        at.minute()
    );
    let note = |h: &mut String, text: &str| {
        let _ = write!(h, r#"<p class="note">{}</p>"#, html::escape(text));
    };
    // Whose record it is: the account the server recorded (a lead or a supervisor reads
    // colleagues' check-ins), else, for an old record, the name it carries.
    let typed_name = match body {
        RecordBody::CheckIn(c) => c.officer_name.as_str(),
        RecordBody::Incident(i) => i.officer_name.as_str(),
        _ => "",
    };
    let author = state
        .author_name(local)
        .unwrap_or_else(|| typed_name.to_string());
    if !author.is_empty() {
        let _ = write!(
            h,
            r#"<p class="author" data-testid="row-author">{}{}{}</p>"#,
            t(Msg::RecordedBy),
            state.lang().colon(),
            html::escape(&author)
        );
    }
    let position = match body {
        RecordBody::CheckIn(c) => {
            let event = match c.event {
                CheckInEvent::Arrival => t(Msg::Arrival),
                CheckInEvent::Departure => t(Msg::Departure),
            };
            let _ = write!(
                h,
                r#"<span class="event">{event}</span><div class="row-flags">"#
            );
            for (on, msg) in [
                (c.presence.officer, Msg::Officer),
                (c.presence.car, Msg::Car),
                (c.presence.lights, Msg::Lights),
            ] {
                let off = if on { "" } else { " off" };
                let _ = write!(h, r#"<span class="chip{off}">{}</span>"#, t(msg));
            }
            h.push_str("</div>");
            if !c.note.is_empty() {
                note(&mut h, &c.note);
            }
            c.position
        }
        RecordBody::Incident(i) => {
            let _ = write!(
                h,
                r#"<div class="row-flags"><span class="chip">{}</span><span class="chip severity-{}">{}</span><span class="chip" data-testid="row-follow-up" data-status="{}">{}</span></div>"#,
                t(names::category(i.category)),
                i.severity.as_str(),
                t(names::severity(i.severity)),
                i.status.as_str(),
                t(names::follow_up(i.status)),
            );
            note(&mut h, &i.description);
            if !i.people.is_empty() {
                note(&mut h, &i.people);
            }
            i.position
        }
        RecordBody::Team(_)
        | RecordBody::Volunteer(_)
        | RecordBody::Duty(_)
        | RecordBody::Swap(_) => None,
    };
    if let Some(why) = &record.voided {
        let _ = write!(
            h,
            r#"<p class="voided" data-testid="row-voided">{}: {}</p>"#,
            t(Msg::Voided),
            html::escape(why)
        );
    }
    if record.edits > 0 {
        let _ = write!(
            h,
            r#"<p class="edited" data-testid="row-edited">{} ×{}</p>"#,
            t(Msg::Edited),
            record.edits
        );
    }
    if let Some(p) = position {
        let _ = write!(
            h,
            r#"<p class="located" data-testid="row-located">{} ±{} m</p>"#,
            t(Msg::Located),
            p.accuracy_m
        );
    }
    if let Some(proof) = local.proof {
        let (name, msg) = match proof {
            Proof::Verified => ("verified", Msg::ProofVerified),
            Proof::Unverified => ("unverified", Msg::ProofUnverified),
            Proof::Failed => ("failed", Msg::ProofFailed),
        };
        let _ = write!(
            h,
            r#"<p class="proof {name}" data-testid="row-proof" data-proof="{name}">{}</p>"#,
            t(msg)
        );
    }
    let status = state.sync_status(local);
    let _ = write!(
        h,
        r#"<div class="row-sync {0}" data-testid="row-sync" data-status="{0}">"#,
        status.as_str()
    );
    match status {
        SyncStatus::Refused => {
            let why = state.refusals.with(|r| {
                r.of(record.id, &record.version)
                    .map(|r| state.refusal_text(r))
                    .unwrap_or_default()
            });
            let _ = write!(h, "{}: {}", t(Msg::Rejected), html::escape(&why));
        }
        SyncStatus::OnServer => h.push_str(t(Msg::OnServer)),
        SyncStatus::OnPhoneOnly => h.push_str(t(Msg::OnPhoneOnly)),
        SyncStatus::CorrectionPending => {
            let _ = write!(h, "{} · {}", t(Msg::OnServer), t(Msg::CorrectionPending));
        }
    }
    if let Some(r) = local.received_at {
        let r = r.with_timezone(&at.timezone());
        let _ = write!(
            h,
            r#"<span class="received"> · {} {:02}:{:02}:{:02}</span>"#,
            t(Msg::ReceivedAt),
            r.hour(),
            r.minute(),
            r.second()
        );
    }
    h.push_str("</div>");
    let actions = row_actions(status, state.is_own(record), record.voided.is_some());
    if !actions.is_empty() {
        h.push_str(r#"<div class="row-actions">"#);
        for action in actions {
            let _ = write!(
                h,
                r#"<button class="link-button" data-testid="row-{0}" data-action="{0}">{1}</button>"#,
                action.as_str(),
                t(action.label())
            );
        }
        h.push_str("</div>");
    }
    h
}

/// Saves a new state of a record from a panel, then closes the panel (the row
/// re-renders with the new version); a refusal is shown in the panel.
fn save_from_panel(
    state: AppState,
    panel: RwSignal<Panel>,
    error: RwSignal<String>,
    change: impl std::future::Future<Output = Result<crate::state::SaveResult, crate::state::SaveError>>
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
                error.try_set(format!(
                    "{}: {}",
                    state.t(Msg::SaveFailed),
                    e.message(state)
                ));
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
    let post_id = default_post(state, picked, PostChoice::All);
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
            // Each box starts as its signal (set above) and reports its ticks: cheaper in
            // wasm than `bind:checked`.
            let flag = move |signal: RwSignal<bool>, msg: Msg| {
                view! {
                    <label class=move || flag_class(signal.get())>
                        <input type="checkbox" checked=signal.get_untracked()
                            on:change=move |ev| signal.set(event_target_checked(&ev))/>
                        <span>{tr(msg)}</span>
                    </label>
                }
            };
            view! {
                <label class=move || flag_class(departure.get())>
                    <input type="checkbox" data-testid="edit-departure" checked=departure.get_untracked()
                        on:change=move |ev| departure.set(event_target_checked(&ev))/>
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
        RecordBody::Team(_)
        | RecordBody::Volunteer(_)
        | RecordBody::Duty(_)
        | RecordBody::Swap(_) => ().into_any(),
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
            <PostSelect current=post_id picked=picked choice=PostChoice::All testid="edit-post"/>
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn row_actions_read_back_and_unknown_ones_do_nothing() {
        for action in [
            RowAction::Edit,
            RowAction::Void,
            RowAction::Export,
            RowAction::Discard,
        ] {
            assert_eq!(RowAction::parse(action.as_str()), Some(action));
        }
        assert_eq!(RowAction::parse("approve"), None);
        assert_eq!(RowAction::parse(""), None);
    }

    #[test]
    fn a_refused_record_offers_export_and_discard_only() {
        use RowAction::*;
        assert_eq!(
            row_actions(SyncStatus::Refused, true, false),
            [Export, Discard]
        );
        assert_eq!(row_actions(SyncStatus::OnServer, true, false), [Edit, Void]);
        assert_eq!(
            row_actions(SyncStatus::CorrectionPending, true, false),
            [Edit, Void]
        );
        assert!(row_actions(SyncStatus::OnServer, false, false).is_empty());
        assert!(row_actions(SyncStatus::OnServer, true, true).is_empty());
    }
}
