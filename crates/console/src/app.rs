//! The root: the header (navigation, who is signed in, language, logout) and the screen
//! the route and the session call for.

use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::i18n::{Lang, Msg};
use crate::pages::{
    calendar::CalendarPage, coverage::CoveragePage, login::LoginPage, login::NotForYou,
    roster::RosterPage, swaps::SwapsPage,
};
use crate::routes::{Nav, Page, Router};
use crate::session::{is_manager, Session};

#[component]
pub fn App() -> impl IntoView {
    let session = Session::expect();
    // Keep <html lang> right for screen readers and fonts.
    Effect::new(move |_| {
        if let Some(html) = document().document_element() {
            // Only pronunciation would suffer if this failed.
            let _ = html.set_attribute("lang", session.lang.get().tag());
        }
    });
    let router = Router::provide();
    let manager = move || session.role().is_some_and(is_manager);
    let screen = move || match session.role() {
        None if !session.checked.get() => ().into_any(),
        None => view! { <LoginPage/> }.into_any(),
        Some(role) if !is_manager(role) => view! { <NotForYou/> }.into_any(),
        Some(_) => match router.page() {
            Page::Roster => view! { <RosterPage/> }.into_any(),
            Page::Calendar => view! { <CalendarPage/> }.into_any(),
            Page::Coverage => view! { <CoveragePage/> }.into_any(),
            Page::Swaps => view! { <SwapsPage/> }.into_any(),
        },
    };
    view! {
        <header class="top">
            <h1 class="app-name">{move || session.t(Msg::AppName)}</h1>
            <Show when=manager><Nav/></Show>
            <UserBox/>
        </header>
        <main class="console">{screen}</main>
    }
}

/// Who is signed in, the language switch and logout.
#[component]
fn UserBox() -> impl IntoView {
    let session = Session::expect();
    let other = move || match session.lang.get() {
        Lang::ZhCn => Lang::En,
        Lang::En => Lang::ZhCn,
    };
    let who = move || {
        session.profile.with(|p| {
            p.as_ref()
                .map(|p| format!("{} ({})", p.display_name, p.username))
        })
    };
    let log_out = move |_| {
        spawn_local(async move {
            if let Err(e) = session.log_out().await {
                web_sys::console::warn_1(&format!("logout: {e}").into());
            }
        });
    };
    view! {
        <div class="user-box">
            <span data-testid="who">{who}</span>
            <button type="button" class="link-button" data-testid="lang"
                on:click=move |_| session.set_lang(other())>
                {move || session.t(Msg::OtherLanguage)}
            </button>
            <Show when=move || session.profile.with(Option::is_some)>
                <button type="button" class="link-button" data-testid="logout" on:click=log_out>
                    {move || session.t(Msg::Logout)}
                </button>
            </Show>
        </div>
    }
}
