//! Bottom navigation between the screens, thumb-reachable on a phone.

use leptos::prelude::*;
use leptos_router::components::A;

use crate::i18n::Msg;
use crate::routes::Page;
use crate::state::AppState;

/// The bottom navigation bar, one link per `Page`.
#[component]
pub fn Nav() -> impl IntoView {
    let state = AppState::expect();
    let link = move |page: Page, msg: Msg, testid: &'static str| {
        view! {
            <A href=page.href() attr:data-testid=testid attr:class="nav-link">
                {move || state.t(msg)}
            </A>
        }
    };
    view! {
        <nav class="bottom-nav">
            {link(Page::CheckIn, Msg::NavCheckIn, "nav-checkin")}
            {link(Page::Today, Msg::NavToday, "nav-today")}
            {link(Page::History, Msg::NavHistory, "nav-history")}
            {link(Page::Settings, Msg::NavSettings, "nav-settings")}
        </nav>
    }
}
