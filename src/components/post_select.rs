//! The post picker every form shares, and which post it starts on.

use gatewatch_model::board::next_post;
use gatewatch_model::nearest_post;
use leptos::prelude::*;

use crate::board::Board;
use crate::components::html;
use crate::i18n::Msg;
use crate::state::tr;
use crate::state::AppState;

/// Which posts a picker offers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PostChoice {
    /// The officer's own posts (设置 → 我的岗位; all when none are marked): where new
    /// records are made.
    Mine,
    /// Every post the phone knows: correcting a record made elsewhere.
    All,
}

impl PostChoice {
    fn posts(self, state: AppState) -> Vec<gatewatch_model::Post> {
        match self {
            PostChoice::Mine => state.my_posts(),
            PostChoice::All => state.posts.get(),
        }
    }
}

/// The post a form shows: the officer's pick if still a post; else the gate the phone
/// stands at (a recent, precise enough fix); else the post whose window is due next;
/// else the first post. So a check-in is one tap from opening the app.
pub fn default_post(
    state: AppState,
    picked: RwSignal<Option<String>>,
    choice: PostChoice,
) -> Memo<String> {
    let Board(board) = Board::expect();
    Memo::new(move |_| {
        let now_ms = state.now.get().timestamp_millis() as f64;
        let fix = crate::geo::recent_fix_at(state, now_ms);
        let posts = choice.posts(state);
        picked
            .get()
            .filter(|id| posts.iter().any(|p| p.id == *id))
            .or_else(|| {
                fix.and_then(|f| nearest_post(&posts, &f))
                    .map(|p| p.id.clone())
            })
            .or_else(|| board.with(|b| next_post(b).map(str::to_string)))
            .or_else(|| posts.first().map(|p| p.id.clone()))
            .unwrap_or_default()
    })
}

/// A labelled `<select>` of the posts; choosing one sets `picked`.
#[component]
pub fn PostSelect(
    current: Memo<String>,
    picked: RwSignal<Option<String>>,
    choice: PostChoice,
    testid: &'static str,
) -> impl IntoView {
    let state = AppState::expect();
    // One HTML string of options, not a reactive element per post (less wasm); redrawn
    // when the posts or the current post change.
    let option_html = move || html::post_options(&choice.posts(state), &current.get());
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
