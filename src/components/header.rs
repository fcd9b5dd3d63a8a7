//! The header on every screen: sync state, records not yet on the server, "sync now".

use leptos::prelude::*;

use crate::i18n::{tr, Msg};
use crate::state::{AppState, SyncState};
use crate::sync::SyncHandle;

/// The top bar: app name, sync state (`sync-status`), pending count, "sync now".
#[component]
pub fn Header() -> impl IntoView {
    let state = AppState::expect();
    let sync = expect_context::<SyncHandle>();
    let pending = Memo::new(move |_| state.pending_count());
    let status_label = move || {
        state.sync.with(|s| match s {
            SyncState::Offline => state.t(Msg::SyncOffline),
            SyncState::Syncing => state.t(Msg::SyncSyncing),
            SyncState::Synced => state.t(Msg::SyncSynced),
            SyncState::SignedOut => state.t(Msg::SyncSignedOut),
            SyncState::Error(_) => state.t(Msg::SyncError),
        })
    };
    let status_title = move || {
        state.sync.with(|s| match s {
            SyncState::Error(e) => e.clone(),
            _ => String::new(),
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
                    data-state=move || state.sync.with(|s| s.data_state())
                    title=status_title
                >
                    {status_label}
                </span>
                // One class string, not `class=("has-pending", …)`: nothing else used that form.
                <span class=move || { if pending.get() > 0 { "pending has-pending" } else { "pending" } }>
                    {tr(Msg::Pending)} " "
                    <b data-testid="pending-count">{move || pending.get()}</b>
                </span>
                <button class="sync-now" data-testid="sync-now" on:click=move |_| sync.sync_now()>
                    {tr(Msg::SyncNow)}
                </button>
            </div>
        </header>
    }
}
