//! The screen of a phone the server locked (its device revoked, its account
//! disabled): why, in words; what is left — the records the server never got, hidden
//! — offered as a file with whatever was set aside unreadable; and the way back, the
//! same user's login.

use gatewatch_model::account::SessionEnd;
use gatewatch_model::Record;
use leptos::prelude::*;

use crate::i18n::Msg;
use crate::state::{tr, AppState};
use crate::storage;

/// What a locked phone still holds, as the file it offers.
#[derive(serde::Serialize)]
struct LeftOnPhone {
    records: Vec<Record>,
    /// Values set aside unreadable: (the key they were moved to, their text).
    quarantined: Vec<(String, String)>,
}

#[component]
pub fn LockedPage() -> impl IntoView {
    let state = AppState::expect();
    let why = move || {
        state.t(match state.locked.get() {
            Some(SessionEnd::Disabled) => Msg::LockedDisabled,
            _ => Msg::LockedRevoked,
        })
    };
    let reason = move || {
        state.locked.get().map(|w| match w {
            SessionEnd::Disabled => "account_disabled",
            _ => "device_revoked",
        })
    };
    let hidden = move || {
        let t = state.tally();
        t.pending + t.refused
    };
    let exported = RwSignal::new(false);
    let export = move |_| {
        let left = LeftOnPhone {
            records: state.unsynced_records(),
            quarantined: storage::quarantined_values(),
        };
        crate::download::save_records_file("gatewatch-unsynced", &left);
        exported.set(true);
    };
    let clear = move |_| leptos::task::spawn_local(async move { state.clear_locked_phone().await });
    view! {
        <section class="locked" data-testid="locked" data-reason=reason>
            <p class="field-error" data-testid="locked-why" role="alert">{why}</p>
            <p data-testid="locked-hidden" hidden=move || hidden() == 0>
                {tr(Msg::LockedHidden)} " " <b data-testid="locked-hidden-count">{hidden}</b>
            </p>
            <button class="link-button" data-testid="locked-export" hidden=move || hidden() == 0
                on:click=export>
                {tr(Msg::ExportHidden)}
            </button>
            <button class="link-button danger" data-testid="locked-clear" hidden=move || !exported.get()
                on:click=clear>
                {tr(Msg::ClearPhone)}
            </button>
            <button class="big-button" data-testid="locked-log-in" on:click=move |_| state.login_shown.set(true)>
                {tr(Msg::LogInAgain)}
            </button>
        </section>
    }
}
