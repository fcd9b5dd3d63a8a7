//! The login screen: shown instead of the app until someone has signed in on this
//! phone, and when the user chooses to log in again after the session ended.

use leptos::prelude::*;

use crate::account::AccountError;
use crate::i18n::Msg;
use crate::state::tr;
use crate::state::AppState;
use crate::sync::SyncHandle;

/// Username, password, one button. Errors say what to do next, in the user's language.
#[component]
pub fn LoginPage() -> impl IntoView {
    let state = AppState::expect();
    let sync = expect_context::<SyncHandle>();
    let username = RwSignal::new(
        state
            .profile
            .with_untracked(|p| p.as_ref().map(|p| p.username.clone()).unwrap_or_default()),
    );
    let password = RwSignal::new(String::new());
    let error = RwSignal::new(String::new());
    let busy = RwSignal::new(false);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        busy.set(true);
        error.set(String::new());
        let sync = sync.clone();
        leptos::task::spawn_local(async move {
            let outcome = state
                .log_in(&username.get_untracked(), &password.get_untracked())
                .await;
            match outcome {
                // Signed in: this screen is gone, its signals with it; touch none.
                Ok(_) => sync.sync_now(),
                Err(e) => {
                    busy.set(false);
                    error.set(describe(state, &e));
                }
            }
        });
    };
    view! {
        <section class="login">
            <h2>{tr(Msg::Login)}</h2>
            <p class="hint">{tr(Msg::LoginIntro)}</p>
            <form on:submit=submit>
                <label class="field">
                    <span>{tr(Msg::Username)}</span>
                    <input type="text" data-testid="login-username" autocomplete="username"
                        autocapitalize="none" required bind:value=username/>
                </label>
                <label class="field">
                    <span>{tr(Msg::Password)}</span>
                    <input type="password" data-testid="login-password"
                        autocomplete="current-password" required bind:value=password/>
                </label>
                <p class="field-error" data-testid="login-error" role="alert">{move || error.get()}</p>
                <button class="big-button" type="submit" data-testid="login-submit"
                    disabled=move || busy.get()>
                    {tr(Msg::Login)}
                </button>
            </form>
        </section>
    }
}

/// What the user reads for a failed login.
fn describe(state: AppState, e: &AccountError) -> String {
    let msg = match e {
        AccountError::Offline => Msg::NeedsNetwork,
        AccountError::Refused(code) => match code.as_str() {
            "bad_credentials" | "invalid_record" => Msg::BadCredentials,
            "account_disabled" => Msg::AccountDisabled,
            "too_many_attempts" => Msg::TooManyAttempts,
            _ => Msg::LoginFailed,
        },
        AccountError::OtherUsersRecords(who) => {
            return format!("{} {who}", state.t(Msg::OtherUsersRecords))
        }
        AccountError::Unsynced(_) | AccountError::Storage(_) => {
            return format!("{}: {e}", state.t(Msg::LoginFailed))
        }
    };
    state.t(msg).to_owned()
}
