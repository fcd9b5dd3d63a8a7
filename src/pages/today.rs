//! Today's board: each of my posts × today's peak windows, with a countdown to the
//! time to be on post, and today's coverage rate — all from this phone's records.

use chrono::{DateTime, Duration, FixedOffset, Timelike, Utc};
use gatewatch_model::board::{BoardItem, RowState};
use gatewatch_model::coverage::Rate;
use leptos::prelude::*;

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
    // A row opens the check-in for that gate.
    let open_row = move |ev: leptos::ev::MouseEvent| {
        if let Some((_, row)) = html::action(&ev).filter(|(a, _)| a == CHECK_IN_HERE) {
            if let Some(post) = row.get_attribute("data-post") {
                router.check_in_at(post);
            }
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
    let rows = move || items.with(|items| board_html(state, items, may_check_in()));
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
            <CoverageChart/>
        </section>
    }
}

/// The `data-action` of a board row: check in at its gate.
const CHECK_IN_HERE: &str = "checkin";

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
fn board_html(state: AppState, items: &[BoardItem], tappable: bool) -> String {
    use std::fmt::Write;
    let now = state.now.get_untracked();
    let mut h = String::new();
    for item in items {
        let post_label = untrack(|| state.post_label(&item.post_id));
        let alert = if item.needs_alert() { " alert" } else { "" };
        let status = item.status.as_str();
        let shown = item.row_state().as_str();
        let action = if tappable {
            format!(r#" data-action="{CHECK_IN_HERE}""#)
        } else {
            String::new()
        };
        let _ = write!(
            h,
            r#"<li class="row board-item{alert}" data-testid="board-item"{action} data-post="{}" data-kind="{}" data-status="{status}" data-state="{shown}" data-phase="{}"><div class="row-main"><b>{}</b><span class="event">{} {}–{}</span><span class="status {shown}">{}</span></div><div class="row-sync">{} {}"#,
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
        h.push_str("</div></li>");
    }
    h
}
