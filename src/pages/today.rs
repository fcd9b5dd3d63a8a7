//! Today's board: each of my posts × today's peak windows, with a countdown to the
//! time to be on post, and today's coverage rate — all from this phone's records.

use chrono::{DateTime, Days, Duration, FixedOffset, NaiveDate, Timelike, Utc};
use std::collections::BTreeMap;

use gatewatch_model::board::{BoardItem, Phase, RowState};
use gatewatch_model::coverage::Rate;
use gatewatch_model::outbox::SyncStatus;
use gatewatch_model::roster::{at_slot, duties_of, substitutes_for, Assignment, Person, Slot};
use gatewatch_model::school::{schools_today, WindowKind};
use gatewatch_model::timefmt::parse_date;
use gatewatch_model::RecordBody;
use leptos::prelude::*;
use uuid::Uuid;

use crate::board::Board;
use crate::components::coverage_chart::CoverageChart;
use crate::components::html;
use crate::i18n::{names, Msg};
use crate::routes::{Page, Router};
use crate::state::tr;
use crate::state::AppState;

/// The board screen.
#[component]
pub fn TodayPage() -> impl IntoView {
    let state = AppState::expect();
    let Board(items) = Board::expect();
    let router = Router::expect();
    // The model's rate, rounded as everywhere else (half up).
    let rate = move || {
        items.with(|items| Rate::of_statuses(items.iter().map(|i| i.status)).whole_percent())
    };
    // The slot whose swap request form is open, and whether a request was just saved.
    let asking = RwSignal::new(None::<Slot>);
    let swap_saved = RwSignal::new(false);
    // A row opens the check-in for that gate; its 申请换班 button the swap form.
    let open_row = move |ev: leptos::ev::MouseEvent| {
        let Some((action, el)) = html::action(&ev) else {
            return;
        };
        match action.as_str() {
            CHECK_IN_HERE => {
                if let Some(post) = el.get_attribute("data-post") {
                    router.check_in_at(post);
                }
            }
            ASK_SWAP => {
                swap_saved.set(false);
                asking.set(slot_of(&el));
            }
            // An action this screen does not name does nothing.
            _ => {}
        }
    };
    // The rows as one escaped HTML string (a fraction of the wasm of a reactive view per
    // row), redrawn only when the board itself changes; the countdowns tick in place.
    // A row opens the check-in at its gate only for a role that checks in (a lead's
    // board is to read).
    let may_check_in = move || {
        state.profile.with(|p| {
            p.as_ref()
                .is_some_and(|p| Page::CheckIn.allowed_for(p.role))
        })
    };
    let rows = move || {
        let duty = Duty::read(state);
        items.with(|items| board_html(state, items, may_check_in(), &duty))
    };
    // The coming days' duties, redrawn when the day, the roster or a request changes
    // (not with the clock's every second).
    let day = Memo::new(move |_| {
        state
            .schools
            .with(|schools| state.now.with(|now| schools_today(schools, *now)))
    });
    let duties = Memo::new(move |_| duties_html(state, &Duty::read(state), day.get()));
    // Only the board has `.countdown`s (found through the document: no NodeRef's code).
    Effect::new(move |_| {
        let now = state.now.get();
        let spans = document().get_elements_by_class_name("countdown");
        for n in 0..spans.length() {
            let Some(span) = spans.item(n) else { continue };
            if let Some(due) = span
                .get_attribute("data-due")
                .and_then(|d| d.parse::<i64>().ok())
            {
                span.set_text_content(Some(&countdown_text(state, due, now)));
            }
        }
    });
    view! {
        <section class="today">
            <p class="rate" data-testid="board-rate" data-rate=move || rate().map(|r| r.to_string()).unwrap_or_default()>
                {tr(Msg::TodayRate)} ": "
                <b>{move || rate().map(|r| format!("{r}%")).unwrap_or_else(|| "—".into())}</b>
            </p>
            // The hidden attribute instead of <Show>: cheaper in wasm, same look.
            <p class="empty" hidden=move || !items.with(Vec::is_empty)>{tr(Msg::NoWindowsToday)}</p>
            <ul class="rows" on:click=open_row inner_html=rows></ul>
            <section class="my-duties" hidden=move || duties.with(String::is_empty)>
                <h2>{tr(Msg::MyDuties)}</h2>
                <ul class="rows" data-testid="my-duties" on:click=open_row inner_html=duties></ul>
            </section>
            {move || asking.get().map(|slot| view! { <SwapForm wanted=slot asking=asking saved=swap_saved/> })}
            <p class="save-status" role="status" data-testid="swap-saved" hidden=move || !swap_saved.get()>{tr(Msg::SwapSaved)}</p>
            <MySwaps/>
            <CoverageChart/>
        </section>
    }
}

/// The `data-action` of a board row: check in at its gate.
const CHECK_IN_HERE: &str = "checkin";
/// The `data-action` of an own row's button: ask for a swap of that slot.
const ASK_SWAP: &str = "swap";

/// The slot a swap button names (`data-post`, `data-date`, `data-kind`).
fn slot_of(el: &web_sys::Element) -> Option<Slot> {
    Some(Slot {
        post_id: el.get_attribute("data-post")?,
        date: parse_date(&el.get_attribute("data-date")?)?,
        window: WindowKind::parse(&el.get_attribute("data-kind")?)?,
    })
}

/// What the board's rows need of the roster, read once per drawing (tracked).
struct Duty {
    me: Option<Uuid>,
    assignments: Vec<Assignment>,
    people: BTreeMap<Uuid, Person>,
    /// Slots the user asked to swap, still waiting for a decision.
    pending: Vec<Slot>,
}

impl Duty {
    fn read(state: AppState) -> Duty {
        // A request the server refused waits for nothing: the slot may be asked again.
        let pending = state
            .my_swaps()
            .into_iter()
            .filter(|l| state.sync_status(l) != SyncStatus::Refused)
            .filter_map(|l| match l.record.body {
                RecordBody::Swap(s) if s.is_pending() && l.record.voided.is_none() => {
                    Some(s.slot())
                }
                _ => None,
            })
            .collect();
        Duty {
            me: state.profile.with(|p| p.as_ref().map(|p| p.user)),
            assignments: state.roster.with(|r| r.assignments.clone()),
            people: state.known_people(),
            pending,
        }
    }

    fn name(&self, user: Uuid) -> String {
        self.people.get(&user).map_or_else(
            || user.to_string()[..8].to_string(),
            |p| p.display_name.clone(),
        )
    }
}

/// The label of a board row's state, in the current language.
pub fn status_msg(item: &BoardItem) -> Msg {
    match item.row_state() {
        RowState::Upcoming => Msg::StatusUpcoming,
        RowState::Overdue => Msg::StatusOverdue,
        RowState::OnDuty => Msg::StatusOnDuty,
        RowState::LateOnDuty => Msg::StatusLateOnDuty,
        RowState::Left => Msg::StatusLeft,
        RowState::Covered => Msg::StatusCovered,
        RowState::Late => Msg::StatusLate,
        RowState::Partial => Msg::StatusPartial,
        RowState::Missed => Msg::StatusMissed,
    }
}

fn hhmm(t: DateTime<FixedOffset>) -> String {
    // By hand: chrono's strftime machinery costs kilobytes of wasm.
    format!("{:02}:{:02}", t.hour(), t.minute())
}

fn countdown(left: Duration) -> String {
    let secs = left.num_seconds().max(0);
    format!("{}:{:02}:{:02}", secs / 3600, secs / 60 % 60, secs % 60)
}

/// " · due in 0:14:59", the text of a row's countdown `due_ms` (Unix milliseconds) away.
fn countdown_text(state: AppState, due_ms: i64, now: DateTime<Utc>) -> String {
    let left = Duration::milliseconds(due_ms - now.timestamp_millis());
    format!(" · {} {}", state.t(Msg::DueIn), countdown(left))
}

/// The board's rows as HTML: each post × window, where, when, and where it stands. Post
/// labels come from the server and are escaped; the rest is numbers, ids and UI text.
fn board_html(state: AppState, items: &[BoardItem], tappable: bool, duty: &Duty) -> String {
    use std::fmt::Write;
    let now = state.now.get_untracked();
    let mut h = String::new();
    for item in items {
        let post_label = untrack(|| state.post_label(&item.post_id));
        let alert = if item.needs_alert() { " alert" } else { "" };
        let date = item.opens.date_naive();
        let assigned: Vec<&Assignment> =
            at_slot(&duty.assignments, &item.post_id, date, item.kind).collect();
        let mine = duty
            .me
            .is_some_and(|me| assigned.iter().any(|a| a.officer == me));
        let mine_class = if mine { " mine" } else { "" };
        let status = item.status.as_str();
        let shown = item.row_state().as_str();
        let action = if tappable {
            format!(r#" data-action="{CHECK_IN_HERE}""#)
        } else {
            String::new()
        };
        let _ = write!(
            h,
            r#"<li class="row board-item{alert}{mine_class}" data-testid="board-item"{action} data-post="{}" data-kind="{}" data-mine="{mine}" data-status="{status}" data-state="{shown}" data-phase="{}"><div class="row-main"><b>{}</b><span class="event">{} {}–{}</span><span class="status {shown}">{}</span></div><div class="row-sync">{} {}"#,
            html::escape(&item.post_id),
            item.kind.as_str(),
            item.phase.as_str(),
            html::escape(&post_label),
            state.t(names::window(item.kind)),
            hhmm(item.opens),
            hhmm(item.closes),
            state.t(status_msg(item)),
            state.t(Msg::OnPostBy),
            hhmm(item.due),
        );
        if item.row_state() == RowState::Upcoming {
            let due = item.due.timestamp_millis();
            let _ = write!(
                h,
                r#"<span class="countdown" data-testid="board-countdown" data-due="{due}">{}</span>"#,
                countdown_text(state, due, now)
            );
        }
        h.push_str("</div>");
        assigned_html(state, &mut h, item, &assigned, mine, duty);
        h.push_str("</li>");
    }
    h
}

/// Who the roster has at a row's slot, and, on the user's own row while the window is
/// to come, the swap button (or that a request waits).
fn assigned_html(
    state: AppState,
    h: &mut String,
    item: &BoardItem,
    assigned: &[&Assignment],
    mine: bool,
    duty: &Duty,
) {
    use std::fmt::Write;
    if assigned.is_empty() {
        return;
    }
    let mut names = String::new();
    for (n, a) in assigned.iter().enumerate() {
        if n > 0 {
            names.push('、');
        }
        names.push_str(&duty.name(a.officer));
        if let Some(car) = &a.car {
            let _ = write!(names, " ({car})");
        }
    }
    let _ = write!(
        h,
        r#"<div class="row-assigned" data-testid="board-assigned">{}{}{}"#,
        state.t(Msg::Assigned),
        state.lang().colon(),
        html::escape(&names)
    );
    if mine {
        let _ = write!(
            h,
            r#" <span class="chip mine">{}</span>"#,
            state.t(Msg::MyPost)
        );
    }
    let slot = Slot {
        post_id: item.post_id.clone(),
        date: item.opens.date_naive(),
        window: item.kind,
    };
    if mine && item.phase != Phase::Closed {
        swap_html(state, h, &slot, duty);
    }
    h.push_str("</div>");
}

/// The swap button of one of the user's slots, or that a request for it waits.
fn swap_html(state: AppState, h: &mut String, slot: &Slot, duty: &Duty) {
    use std::fmt::Write;
    if duty.pending.contains(slot) {
        let _ = write!(
            h,
            r#" <span class="chip" data-testid="board-swap-pending">{}</span>"#,
            state.t(Msg::SwapPending)
        );
    } else {
        let _ = write!(
            h,
            r#" <button type="button" class="link-button" data-testid="board-swap" data-action="{ASK_SWAP}" data-post="{}" data-date="{}" data-kind="{}">{}</button>"#,
            html::escape(&slot.post_id),
            slot.date,
            slot.window.as_str(),
            state.t(Msg::AskSwap)
        );
    }
}

/// How far ahead 我的排班 lists the user's duties (the phone keeps four weeks).
const DUTY_DAYS_AHEAD: u64 = 14;

/// The user's duties after `today` (today's are the board's own rows), each with its
/// gate, window, car and swap button, as HTML like the board's.
fn duties_html(state: AppState, duty: &Duty, today: NaiveDate) -> String {
    use std::fmt::Write;
    let Some(me) = duty.me else {
        return String::new();
    };
    let first = today.succ_opt().unwrap_or(today);
    let last = today
        .checked_add_days(Days::new(DUTY_DAYS_AHEAD))
        .unwrap_or(today);
    let mut h = String::new();
    for a in duties_of(&duty.assignments, me, first..=last) {
        let car = a
            .car
            .as_ref()
            .map(|car| format!(" ({})", html::escape(car)))
            .unwrap_or_default();
        let _ = write!(
            h,
            r#"<li class="row" data-testid="my-duty" data-post="{}" data-date="{}" data-kind="{}"><div class="row-main"><b>{}</b><span class="event">{} {}{car}</span></div><div class="row-assigned">"#,
            html::escape(&a.post_id),
            a.date,
            a.window.as_str(),
            html::escape(&untrack(|| state.post_label(&a.post_id))),
            a.date,
            state.t(names::window(a.window)),
        );
        swap_html(state, &mut h, &a.slot(), duty);
        h.push_str("</div></li>");
    }
    h
}

/// The swap request form for one of the user's slots: a reason, and who could take it.
#[component]
fn SwapForm(wanted: Slot, asking: RwSignal<Option<Slot>>, saved: RwSignal<bool>) -> impl IntoView {
    let state = AppState::expect();
    let slot = wanted;
    let reason = RwSignal::new(String::new());
    let substitute = RwSignal::new(String::new());
    let result = RwSignal::new(None::<Result<(), String>>);
    let title = format!(
        "{} · {} {}",
        untrack(|| state.post_label(&slot.post_id)),
        slot.date,
        untrack(|| state.t(names::window(slot.window)))
    );
    // Colleagues the roster has at this school (the user aside), as options: only an
    // officer of the slot's school may take it.
    let me = state.profile.with_untracked(|p| p.as_ref().map(|p| p.user));
    let post_id = slot.post_id.clone();
    let colleagues = move || {
        let people = state.people.get();
        let candidates = state.roster.with(|r| {
            state.posts.with(|posts| {
                substitutes_for(&r.assignments, posts, &post_id, me.unwrap_or_default())
            })
        });
        let mut options = vec![(String::new(), state.t(Msg::NoSubstitute).to_string())];
        options.extend(
            candidates
                .iter()
                .filter_map(|u| people.get(u))
                .map(|p| (p.user.to_string(), p.label())),
        );
        html::options(
            options.iter().map(|(v, l)| (v.as_str(), l.as_str())),
            Some(&substitute.get_untracked()),
        )
    };
    let sync = StoredValue::new(expect_context::<crate::sync::SyncHandle>());
    // A second tap while the first is saving does nothing: one request per tap.
    let saving = RwSignal::new(false);
    let send = move |_| {
        if saving.get_untracked() {
            return;
        }
        let text = reason.get_untracked();
        if text.trim().is_empty() {
            result.set(Some(Err(state.t(Msg::SwapNeedsReason).to_string())));
            return;
        }
        let who = Uuid::parse_str(&substitute.get_untracked()).ok();
        let slot = slot.clone();
        saving.set(true);
        // Everything after the save happens in the task itself, with what it needs
        // taken out first: the form may be gone (cancelled, another row) by then.
        let sync = sync.get_value();
        leptos::task::spawn_local(async move {
            match state.ask_swap(slot, who, text).await {
                Ok(_) => {
                    saved.try_set(true);
                    sync.sync_now();
                    asking.try_set(None);
                }
                Err(e) => {
                    result.try_set(Some(Err(e.message(state))));
                }
            }
            saving.try_set(false);
        });
    };
    view! {
        <form class="swap-form card" data-testid="swap-form" on:submit=|ev| ev.prevent_default()>
            <h2>{tr(Msg::AskSwap)}</h2>
            <p>{title}</p>
            <label class="field">
                <span>{tr(Msg::SwapReason)}</span>
                // One line: the model keeps a request's reason to a single line.
                <input type="text" data-testid="swap-reason" maxlength="200" bind:value=reason/>
            </label>
            <label class="field">
                <span>{tr(Msg::SwapSubstitute)}</span>
                <select data-testid="swap-substitute" on:change=move |ev| substitute.set(event_target_value(&ev)) inner_html=colleagues></select>
            </label>
            <p class="error" role="alert">{move || result.get().and_then(Result::err)}</p>
            <div class="buttons">
                <button type="button" class="big-button" data-testid="swap-send" disabled=move || saving.get() on:click=send>{tr(Msg::SendSwap)}</button>
                <button type="button" class="link-button" data-testid="swap-cancel" on:click=move |_| asking.set(None)>{tr(Msg::Cancel)}</button>
            </div>
        </form>
    }
}

/// The user's swap requests: which slot, why, the decision, and where the request is.
#[component]
fn MySwaps() -> impl IntoView {
    let state = AppState::expect();
    let list = move || {
        use std::fmt::Write;
        let mut h = String::new();
        let people = state.people.get();
        for local in state.my_swaps() {
            let RecordBody::Swap(s) = &local.record.body else {
                continue;
            };
            let (state_name, msg) = match &s.decision {
                None => ("pending", Msg::SwapPending),
                Some(d) if d.approved => ("approved", Msg::SwapApproved),
                Some(_) => ("refused", Msg::SwapRefused),
            };
            let mut decision = state.t(msg).to_string();
            if let Some(d) = &s.decision {
                if let Some(p) = d.substitute.and_then(|u| people.get(&u)) {
                    let _ = write!(decision, " · {}", p.display_name);
                }
                if !d.note.is_empty() {
                    let _ = write!(decision, " · {}", d.note);
                }
            }
            let sync = state.sync_status(&local);
            let where_it_is = match sync {
                SyncStatus::OnServer => state.t(Msg::OnServer).to_string(),
                SyncStatus::CorrectionPending => format!(
                    "{} · {}",
                    state.t(Msg::OnServer),
                    state.t(Msg::CorrectionPending)
                ),
                SyncStatus::OnPhoneOnly => state.t(Msg::OnPhoneOnly).to_string(),
                SyncStatus::Refused => state.t(Msg::Rejected).to_string(),
            };
            let _ = write!(
                h,
                r#"<li class="row" data-testid="my-swap" data-decision="{state_name}" data-sync="{}"><div class="row-main"><b>{}</b><span class="event">{} {}</span></div><p class="note">{}</p><p class="status">{}</p><p class="row-sync">{}</p></li>"#,
                sync.as_str(),
                html::escape(&state.post_label(&s.post_id)),
                s.date,
                state.t(names::window(s.window)),
                html::escape(&s.reason),
                html::escape(&decision),
                where_it_is,
            );
        }
        h
    };
    view! {
        <section class="my-swaps" hidden=move || state.my_swaps().is_empty()>
            <h2>{tr(Msg::MySwaps)}</h2>
            <ul class="rows" inner_html=list></ul>
        </section>
    }
}
