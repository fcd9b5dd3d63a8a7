//! The post picker every form shares, and which post it starts on.

use gatewatch_model::board::next_post;
use gatewatch_model::nearest_post;
use leptos::prelude::*;

use crate::components::html;
use crate::i18n::{tr, Msg};
use crate::pages::today::today_board;
use crate::state::AppState;

/// The post a form shows: the officer's pick if still a post; else the gate the phone
/// stands at (a recent, precise enough fix); else the post whose window is due next;
/// else the first post. So a check-in is one tap from opening the app.
pub fn default_post(state: AppState, picked: RwSignal<Option<String>>) -> Memo<String> {
    let board = today_board(state);
    Memo::new(move |_| {
        let now_ms = state.now.get().timestamp_millis() as f64;
        let fix = crate::geo::recent_fix_at(state, now_ms);
        state.posts.with(|posts| {
            picked
                .get()
                .filter(|id| posts.iter().any(|p| p.id == *id))
                .or_else(|| {
                    fix.and_then(|f| nearest_post(posts, &f))
                        .map(|p| p.id.clone())
                })
                .or_else(|| board.with(|b| next_post(b).map(str::to_string)))
                .or_else(|| posts.first().map(|p| p.id.clone()))
                .unwrap_or_default()
        })
    })
}

/// A labelled `<select>` of the posts; choosing one sets `picked`.
#[component]
pub fn PostSelect(
    current: Memo<String>,
    picked: RwSignal<Option<String>>,
    testid: &'static str,
) -> impl IntoView {
    let state = AppState::expect();
    // One HTML string of options, not a reactive element per post (less wasm); redrawn
    // when the posts or the current post change.
    let option_html = move || {
        let current = current.get();
        state.posts.with(|posts| {
            let labels: Vec<String> = posts.iter().map(|p| p.label()).collect();
            html::options(
                posts
                    .iter()
                    .zip(&labels)
                    .map(|(p, l)| (p.id.as_str(), l.as_str())),
                Some(&current),
            )
        })
    };
    view! {
        <label class="field">
            <span>{tr(Msg::Post)}</span>
            <select
                data-testid=testid
                on:change=move |ev| picked.set(Some(event_target_value(&ev)))
                inner_html=option_html
            ></select>
        </label>
    }
}
