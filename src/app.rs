//! The root component: header, the current screen, bottom navigation.

use leptos::prelude::*;

use crate::components::header::Header;
use crate::components::nav::Nav;
use crate::components::notices::Notices;
use crate::pages::{
    checkin::CheckInPage, gate::GatePage, history::HistoryPage, incident::IncidentPage,
    locked::LockedPage, login::LoginPage, settings::SettingsPage, team::TeamPage,
    team_report::TeamReportPage, today::TodayPage,
};
use crate::routes::{Page, Router};
use crate::state::AppState;

/// The whole app: router, header, notices, the current screen and the navigation.
#[component]
pub fn App() -> impl IntoView {
    let state = AppState::expect();
    // Keep <html lang> right for screen readers and fonts.
    Effect::new(move |_| {
        let tag = state.lang().tag();
        if let Some(html) = document().document_element() {
            // Setting a plain attribute on <html> does not fail in practice; if it did,
            // only screen readers' pronunciation would suffer.
            let _ = html.set_attribute("lang", tag);
        }
    });
    let router = Router::provide();
    // Once for every screen, per tick (today, the overdue banner, the post picker).
    crate::board::Board::provide(state);
    let screen = move || match router.shown() {
        // Nothing yet while the journal says whether anyone is signed in here.
        _ if state.starting.get() && state.profile.with(Option::is_none) => ().into_any(),
        _ if state.needs_login() => view! { <LoginPage/> }.into_any(),
        // Locked by the server: nothing of the app until its user logs in again.
        _ if state.locked.with(Option::is_some) => view! { <LockedPage/> }.into_any(),
        Page::CheckIn => view! { <CheckInPage/> }.into_any(),
        Page::Today => view! { <TodayPage/> }.into_any(),
        Page::Incident => view! { <IncidentPage/> }.into_any(),
        Page::History => view! { <HistoryPage/> }.into_any(),
        Page::Settings => view! { <SettingsPage/> }.into_any(),
        Page::Gate => view! { <GatePage/> }.into_any(),
        Page::Team => view! { <TeamPage/> }.into_any(),
        Page::TeamReport => view! { <TeamReportPage/> }.into_any(),
    };
    view! {
        <Header/>
        <Notices/>
        <main class="screen">{screen}</main>
        <Nav/>
    }
}
