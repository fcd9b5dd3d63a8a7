//! Banners for what the officer must know: storage full or unreadable, a new version.

use leptos::prelude::*;

use crate::i18n::{tr, Msg};
use crate::pages::today::{today_board, window_msg};
use crate::pwa;
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
    let board = today_board(state);
    let overdue = move || {
        board.with(|items| {
            items
                .iter()
                .filter(|i| i.needs_alert())
                .map(|i| {
                    let post = state.posts.with(|p| {
                        p.iter()
                            .find(|p| p.id == i.post_id)
                            .map(|p| p.label())
                            .unwrap_or_else(|| i.post_id.clone())
                    });
                    format!("{post} {}", state.t(window_msg(i.kind)))
                })
                .collect::<Vec<_>>()
        })
    };
    view! {
        <div class="notices">
            <Show when=move || !overdue().is_empty()>
                <div class="notice alert" data-testid="board-alert" role="alert">
                    <span>{tr(Msg::OverdueAlert)} " " {move || overdue().join("、")}</span>
                </div>
            </Show>
            <Show when=move || state.update_available.get()>
                <div class="notice update" data-testid="update-available">
                    <span>{tr(Msg::UpdateAvailable)}</span>
                    <button on:click=|_| pwa::apply_update()>{tr(Msg::UpdateNow)}</button>
                </div>
            </Show>
            <For
                each=move || state.notices.get().into_iter().enumerate()
                key=|(i, n)| (*i, n.testid())
                children=move |(i, n)| {
                    let testid = n.testid();
                    view! {
                        <div class="notice warn" data-testid=testid role="alert">
                            <span>{describe(&n)}</span>
                            <button on:click=move |_| state.notices.update(|v| { if i < v.len() { v.remove(i); } })>
                                {tr(Msg::Dismiss)}
                            </button>
                        </div>
                    }
                }
            />
        </div>
    }
}
