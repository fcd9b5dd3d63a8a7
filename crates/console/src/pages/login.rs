//! Signing in, and what an officer or a lead is told instead of the console.

use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::i18n::Msg;
use crate::session::Session;
use crate::widgets::explain;

/// Username, password, one button.
#[component]
pub fn LoginPage() -> impl IntoView {
    let session = Session::expect();
    let username = RwSignal::new(String::new());
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
        spawn_local(async move {
            let outcome = session
                .log_in(&username.get_untracked(), &password.get_untracked())
                .await;
            // Signed in: this screen is gone with its signals; touch none of them.
            if let Err(e) = outcome {
                busy.set(false);
                error.set(match e.code() {
                    Some("bad_credentials") => session.t(Msg::BadCredentials).to_string(),
                    _ => explain(session, &e),
                });
            }
        });
    };
    view! {
        <section class="card narrow">
            <h2>{move || session.t(Msg::Login)}</h2>
            <p class="hint">{move || session.t(Msg::LoginIntro)}</p>
            <form on:submit=submit>
                <label class="field">
                    <span>{move || session.t(Msg::Username)}</span>
                    <input type="text" data-testid="login-username" autocomplete="username"
                        autocapitalize="none" required bind:value=username/>
                </label>
                <label class="field">
                    <span>{move || session.t(Msg::Password)}</span>
                    <input type="password" data-testid="login-password"
                        autocomplete="current-password" required bind:value=password/>
                </label>
                <p class="error" data-testid="login-error" role="alert">{move || error.get()}</p>
                <button class="primary" type="submit" data-testid="login-submit"
                    disabled=move || busy.get()>
                    {move || session.t(Msg::Login)}
                </button>
            </form>
        </section>
    }
}

/// For an officer or a team lead who signed in here: the console is for managers, their
/// work is on the phone app.
#[component]
pub fn NotForYou() -> impl IntoView {
    let session = Session::expect();
    view! {
        <section class="card narrow" data-testid="not-for-you" role="alert">
            <h2>{move || session.t(Msg::ForManagers)}</h2>
            <p>{move || session.t(Msg::UseThePhoneApp)}</p>
            <p><a href="/" class="primary" data-testid="to-phone-app">{move || session.t(Msg::OpenPhoneApp)}</a></p>
        </section>
    }
}
