//! The root component: header, the current screen, bottom navigation.

use leptos::prelude::*;
use leptos_router::components::{Route, Router, Routes};
use leptos_router::path;

use crate::components::header::Header;
use crate::components::nav::Nav;
use crate::components::notices::Notices;
use crate::pages::{
    checkin::CheckInPage, gate::GatePage, history::HistoryPage, settings::SettingsPage,
    today::TodayPage,
};
use crate::state::AppState;

/// The whole app: router, header, notices, the current screen and the navigation.
#[component]
pub fn App() -> impl IntoView {
    let state = AppState::expect();
    // Keep <html lang> right for screen readers and fonts.
    Effect::new(move |_| {
        let tag = state.lang().tag();
        if let Some(html) = document().document_element() {
            let _ = html.set_attribute("lang", tag);
        }
    });
    view! {
        <Router>
            <Header/>
            <Notices/>
            <main class="screen">
                <Routes fallback=|| view! { <CheckInPage/> }>
                    <Route path=path!("/") view=CheckInPage/>
                    <Route path=path!("/today") view=TodayPage/>
                    <Route path=path!("/history") view=HistoryPage/>
                    <Route path=path!("/settings") view=SettingsPage/>
                    <Route path=path!("/gate") view=GatePage/>
                </Routes>
            </main>
            <Nav/>
        </Router>
    }
}
