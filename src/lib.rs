//! Gatewatch (护学岗巡查): the offline-first PWA patrol officers use at school gates.
//!
//! Start-up order matters: local storage is read before anything renders, records
//! recovered from the durable journal are merged in, and only then does the sync loop
//! start.
//! See ARCHITECTURE.md for the code map.

pub mod account;
pub mod api;
pub mod app;
pub mod board;
pub mod components;
pub mod download;
pub mod geo;
pub mod i18n;
pub mod pages;
pub mod pwa;
pub mod routes;
pub mod scan;
pub mod state;
pub mod storage;
pub mod sync;
pub mod team;

use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::state::AppState;

/// Mounts the app on `<body>`, in place of the shell `index.html` paints while the app
/// downloads (removed in the same task as the mount: no frame shows neither).
pub fn run() {
    if let Some(shell) = document().get_element_by_id("app-shell") {
        shell.remove();
    }
    leptos::mount::mount_to_body(|| {
        let state = AppState::new(storage::load());
        provide_context(state);
        let (sync, sync_loop) = sync::channel();
        provide_context(sync.clone());
        // Replay the journal first, then sync: the two never interleave.
        spawn_local(async move {
            let held = state
                .records
                .with_untracked(|r| r.values().cloned().collect::<Vec<_>>());
            match storage::replay_journal(&held).await {
                Ok(mut replayed) => {
                    if let Some(profile) = replayed.profile.take() {
                        if state.profile.with_untracked(Option::is_none) {
                            state.profile_restored(profile);
                        }
                    }
                    state.add_replayed(replayed);
                }
                Err(e) => web_sys::console::warn_1(&format!("journal replay: {e}").into()),
            }
            state.starting.set(false);
            // Nobody signed in on this phone yet, but the browser may hold a session
            // (this profile's storage was cleared): carry on as that user.
            if state.profile.with_untracked(Option::is_none) {
                if let Ok(profile) = api::me().await {
                    state.signed_in(profile).await;
                }
            }
            sync_loop.run(state).await;
        });
        let on_online = sync.clone();
        // These handles only remove what they hold; both live as long as the page.
        let _ = window_event_listener(leptos::ev::online, move |_| on_online.sync_now());
        let _ = window_event_listener(leptos::ev::offline, move |_| {
            state.sync.set(state::SyncState::Offline)
        });
        // Countdowns and the board move with the wall clock. If the timer cannot be
        // set, the clock still moves with every save and sync.
        let _ = set_interval_with_handle(
            move || state.now.set(chrono::Utc::now()),
            std::time::Duration::from_secs(1),
        );
        pwa::register(state);
        view! { <app::App/> }
    })
}
