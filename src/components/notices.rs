//! Banners for what the officer must know: storage full or unreadable, a new version.

use std::fmt::Write;

use leptos::prelude::*;

use crate::components::html;
use crate::i18n::Msg;
use crate::pwa;
use crate::state::tr;
use crate::state::{AppState, Notice};

/// Banners above the screen: update available, storage full, data set aside.
#[component]
pub fn Notices() -> impl IntoView {
    let state = AppState::expect();
    let describe = move |n: &Notice| -> String {
        match n {
            Notice::QuotaFull => state.t(Msg::QuotaFull).to_string(),
            Notice::StorageUnavailable(e) => format!("{} ({e})", state.t(Msg::StorageUnavailable)),
            Notice::NotCrashSafe => state.t(Msg::NotCrashSafe).to_string(),
            Notice::JournalUnreadable(keys) => {
                format!("{} {}", state.t(Msg::JournalUnreadable), keys.join(", "))
            }
            Notice::Quarantined(items) => {
                let keys: Vec<String> = items
                    .iter()
                    .map(|q| format!("{} → {}", q.key, q.moved_to.as_deref().unwrap_or("-")))
                    .collect();
                format!("{} {}", state.t(Msg::Quarantined), keys.join(", "))
            }
        }
    };
    let crate::board::Board(board) = crate::board::Board::expect();
    let overdue = move || {
        board.with(|items| {
            items
                .iter()
                .filter(|i| i.needs_alert())
                .map(|i| {
                    let post = state.post_label(&i.post_id);
                    format!("{post} {}", state.t(crate::i18n::names::window(i.kind)))
                })
                .collect::<Vec<_>>()
        })
    };
    // The warnings as one escaped HTML string (error texts and storage keys included)
    // with one click handler for their Dismiss buttons: less wasm than a keyed <For>.
    let warnings = move || {
        let dismiss = state.t(Msg::Dismiss);
        state.notices.with(|notices| {
            let mut h = String::new();
            for (i, n) in notices.iter().enumerate() {
                let _ = write!(
                    h,
                    r#"<div class="notice warn" data-testid="{}" role="alert"><span>{}</span><button data-action="dismiss" data-index="{i}">{dismiss}</button></div>"#,
                    n.testid(),
                    html::escape(&describe(n))
                );
            }
            h
        })
    };
    let dismiss = move |ev: leptos::ev::MouseEvent| {
        let Some((_, el)) = html::action(&ev) else {
            return;
        };
        if let Some(i) = el
            .get_attribute("data-index")
            .and_then(|i| i.parse::<usize>().ok())
        {
            state.notices.update(|v| {
                if i < v.len() {
                    v.remove(i);
                }
            });
        }
    };
    view! {
        <div class="notices">
            // The hidden attribute instead of <Show> (cheaper in wasm): a hidden element
            // is out of the accessibility tree, so the alert is announced when shown.
            <div class="notice alert" data-testid="board-alert" role="alert" hidden=move || overdue().is_empty()>
                <span>{tr(Msg::OverdueAlert)} " " {move || overdue().join("、")}</span>
            </div>
            <div class="notice warn" data-testid="session-ended" role="alert"
                // A locked phone says why on its own screen: not "expired" over it.
                hidden=move || {
                    !state.session_ended.get()
                        || state.needs_login()
                        || state.locked.with(Option::is_some)
                }>
                <span>{tr(Msg::SessionEnded)}</span>
                <button data-testid="log-in-again" on:click=move |_| state.login_shown.set(true)>
                    {tr(Msg::LogInAgain)}
                </button>
            </div>
            <div class="notice update" data-testid="update-available" hidden=move || !state.update_available.get()>
                <span>{tr(Msg::UpdateAvailable)}</span>
                <button on:click=|_| pwa::apply_update()>{tr(Msg::UpdateNow)}</button>
            </div>
            <div class="notice-list" on:click=dismiss inner_html=warnings></div>
        </div>
    }
}
