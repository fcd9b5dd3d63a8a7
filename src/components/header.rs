//! The header on every screen: sync state, records not yet on the server, records the
//! server refused, "sync now", and — when a sync failed or the phone is offline with
//! records waiting — what happened, in words, on screen (phones cannot hover).

use gatewatch_model::outbox::{headline, Headline};
use leptos::prelude::*;

use crate::i18n::{Lang, Msg};
use crate::state::tr;
use crate::state::{AppState, SyncFailure, SyncState};
use crate::sync::SyncHandle;

/// The top bar: app name, sync state (`sync-status`), pending count, refused count,
/// "sync now", and the sync problem line under it.
#[component]
pub fn Header() -> impl IntoView {
    let state = AppState::expect();
    let sync = expect_context::<SyncHandle>();
    let tally = Memo::new(move |_| state.tally());
    let pending = move || tally.with(|t| t.pending);
    let refused = move || tally.with(|t| t.refused);
    let shown = Memo::new(move |_| headline(state.sync.with(SyncState::phase), tally.get()));
    let status_label = move || {
        state.t(match shown.get() {
            Headline::Offline => Msg::SyncOffline,
            Headline::Syncing => Msg::SyncSyncing,
            Headline::AllOnServer => Msg::SyncSynced,
            Headline::Waiting => Msg::SyncWaiting,
            Headline::SignedOut => Msg::SyncSignedOut,
            Headline::Failed => Msg::SyncError,
        })
    };
    view! {
        // Who is signed in, for tests and scripts (设置 shows it to people; a phone's
        // header has no room for a name).
        <header
            class="top"
            data-testid="signed-in-user"
            data-user=move || state.profile.with(|p| p.as_ref().map(|p| p.username.clone()))
        >
            <h1 class="app-name">{tr(Msg::AppName)}</h1>
            <div class="sync-box">
                <span
                    class="sync-status"
                    data-testid="sync-status"
                    data-state=move || shown.get().as_str()
                >
                    {status_label}
                </span>
                // One class string, not `class=("has-pending", …)`: nothing else used that form.
                <span class=move || { if pending() > 0 { "pending has-pending" } else { "pending" } }>
                    {tr(Msg::Pending)} " "
                    <b data-testid="pending-count">{pending}</b>
                </span>
                <span class="refused-count" data-testid="refused-count" hidden=move || refused() == 0>
                    {tr(Msg::RefusedCount)} " " <b>{refused}</b>
                </span>
                <button class="sync-now" data-testid="sync-now" on:click=move |_| sync.sync_now()>
                    {tr(Msg::SyncNow)}
                </button>
            </div>
        </header>
        <p class="sync-problem" data-testid="sync-problem" role="status" hidden=move || problem(state).is_empty()>
            {move || problem(state)}
        </p>
    }
}

/// What the officer should know about sync right now, in words: why the last try
/// failed, that the records are safe here, and when the next try is; or, offline with
/// records waiting, that they go up once there is a signal. Empty when all is well.
fn problem(state: AppState) -> String {
    let waiting = state.pending_count() > 0;
    let (stop, semicolon) = match state.lang() {
        Lang::ZhCn => ("。", "；"),
        Lang::En => (". ", "; "),
    };
    state.sync.with(|s| match s {
        SyncState::Error(failure) => {
            let what = match failure {
                SyncFailure::NoAnswer => state.t(Msg::SyncProblemNoAnswer).to_string(),
                SyncFailure::ServerError(status) => {
                    format!("{} (HTTP {status})", state.t(Msg::SyncProblemServer))
                }
                SyncFailure::BadAnswer => state.t(Msg::SyncProblemBadAnswer).to_string(),
                SyncFailure::PushLimit => state.t(Msg::SyncProblemPushLimit).to_string(),
            };
            let next = state
                .next_try
                .get()
                .map(|at| {
                    let local = at.with_timezone(&chrono::Local);
                    // Formatted by hand: chrono's strftime machinery costs wasm.
                    use chrono::{Datelike, Timelike};
                    // Another day (a day's upload limit): the date too, or it reads as today.
                    let day = match local.date_naive() == chrono::Local::now().date_naive() {
                        true => String::new(),
                        false => format!("{:02}-{:02} ", local.month(), local.day()),
                    };
                    format!(
                        "{semicolon}{} {day}{:02}:{:02}:{:02}",
                        state.t(Msg::NextTryAt),
                        local.hour(),
                        local.minute(),
                        local.second()
                    )
                })
                .unwrap_or_default();
            format!("{what}{stop}{}{next}", state.t(Msg::RecordsSafeHere))
        }
        SyncState::Offline if waiting => state.t(Msg::OfflineWaiting).to_string(),
        _ => String::new(),
    })
}
