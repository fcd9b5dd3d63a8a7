//! Today's board: each of my posts × today's peak windows, with a countdown to the
//! time to be on post, and today's coverage rate — all from this phone's records.

use chrono::{DateTime, Duration, FixedOffset, Timelike, Utc};
use gatewatch_model::board::{board, BoardItem, Phase};
use gatewatch_model::coverage::Status;
use gatewatch_model::school::WindowKind;
use leptos::prelude::*;

use crate::components::coverage_chart::CoverageChart;
use crate::i18n::{tr, Msg};
use crate::state::AppState;

/// The board screen.
#[component]
pub fn TodayPage() -> impl IntoView {
    let state = AppState::expect();
    let items = today_board(state);
    let rate = move || {
        items.with(|items| {
            let decided = items
                .iter()
                .filter(|i| i.status != Status::Upcoming)
                .count();
            let covered = items.iter().filter(|i| i.status == Status::Covered).count();
            (decided > 0).then(|| covered * 100 / decided)
        })
    };
    view! {
        <section class="today">
            <p class="rate" data-testid="board-rate" data-rate=move || rate().map(|r| r.to_string()).unwrap_or_default()>
                {tr(Msg::TodayRate)} ": "
                <b>{move || rate().map(|r| format!("{r}%")).unwrap_or_else(|| "—".into())}</b>
            </p>
            <Show when=move || items.with(Vec::is_empty)>
                <p class="empty">{tr(Msg::NoWindowsToday)}</p>
            </Show>
            <ul class="rows">
                <For
                    each=move || items.get()
                    key=|i| (i.post_id.clone(), i.kind, i.phase, i.status)
                    children=move |item| view! { <BoardRow item=item/> }
                />
            </ul>
            <CoverageChart/>
        </section>
    }
}

/// Today's board for my posts, recomputed as records arrive and the clock ticks.
pub fn today_board(state: AppState) -> Memo<Vec<BoardItem>> {
    // Keyed by the date, so the second-by-second clock does not re-scan the records.
    let day = Memo::new(move |_| state.now.with(|n| n.date_naive()));
    let arrivals = Memo::new(move |_| state.arrivals_near(day.get()));
    Memo::new(move |_| {
        let now = state.now.get();
        let posts = state.my_posts();
        state
            .schools
            .with(|schools| arrivals.with(|a| board(schools, &posts, a, now)))
    })
}

/// The label of a board item's state, in the current language.
pub fn status_msg(item: &BoardItem) -> Msg {
    match (item.phase, item.status) {
        (_, Status::Covered | Status::Late) if item.phase != Phase::Closed => Msg::StatusOnDuty,
        (_, Status::Covered) => Msg::StatusCovered,
        (_, Status::Late) => Msg::StatusLate,
        (_, Status::Partial) => Msg::StatusPartial,
        (_, Status::Missed) => Msg::StatusMissed,
        (Phase::Open, Status::Upcoming) => Msg::StatusOverdue,
        (_, Status::Upcoming) => Msg::StatusUpcoming,
    }
}

pub fn window_msg(kind: WindowKind) -> Msg {
    match kind {
        WindowKind::Morning => Msg::WindowMorning,
        WindowKind::Noon => Msg::WindowNoon,
        WindowKind::Afternoon => Msg::WindowAfternoon,
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

/// One post × window: where, when, and where it stands.
#[component]
fn BoardRow(item: BoardItem) -> impl IntoView {
    let state = AppState::expect();
    let post_label = state
        .posts
        .with_untracked(|posts| {
            posts
                .iter()
                .find(|p| p.id == item.post_id)
                .map(|p| p.label())
        })
        .unwrap_or_else(|| item.post_id.clone());
    let status = status_msg(&item);
    let status_class = format!("status {}", item.status.as_str());
    let due = item.due.with_timezone(&Utc);
    let before_due = item.phase == Phase::BeforeDue && item.status == Status::Upcoming;
    let left = move || countdown(due - state.now.get());
    let span = format!("{}–{}", hhmm(item.opens), hhmm(item.closes));
    let due_at = hhmm(item.due);
    view! {
        <li
            class="row board-item"
            class:alert=item.needs_alert()
            data-testid="board-item"
            data-post=item.post_id.clone()
            data-kind=item.kind.as_str()
            data-status=item.status.as_str()
            data-phase=item.phase.as_str()
        >
            <div class="row-main">
                <b>{post_label}</b>
                <span class="event">{tr(window_msg(item.kind))} " " {span}</span>
                <span class=status_class>{tr(status)}</span>
            </div>
            <div class="row-sync">
                {tr(Msg::OnPostBy)} " " {due_at.clone()}
                {before_due.then(|| view! {
                    <span class="countdown" data-testid="board-countdown">
                        " · " {tr(Msg::DueIn)} " " {left}
                    </span>
                })}
            </div>
        </li>
    }
}
