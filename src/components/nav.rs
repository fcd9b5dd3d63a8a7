//! Bottom navigation between the screens, thumb-reachable on a phone.

use leptos::prelude::*;

use crate::i18n::Msg;
use crate::routes::{Link, Page};
use crate::state::tr;

/// The bottom navigation bar, one link per `Page`.
#[component]
pub fn Nav() -> impl IntoView {
    let state = crate::state::AppState::expect();
    // Each role sees only the screens it may use (`Page::allowed_for`, the model's
    // access rule): an officer has no 队伍, a lead no 签到.
    let role = move || state.profile.with(|p| p.as_ref().map(|p| p.role));
    let link = move |page: Page, msg: Msg, testid: &'static str| {
        view! {
            <span class="nav-item" hidden=move || !role().is_none_or(|r| page.allowed_for(r))>
                <Link page=page class="nav-link" testid=testid>
                    {tr(msg)}
                </Link>
            </span>
        }
    };
    view! {
        // Nothing to navigate to until someone is signed in.
        <nav class="bottom-nav" hidden=move || state.needs_login()>
            {link(Page::CheckIn, Msg::NavCheckIn, "nav-checkin")}
            {link(Page::Today, Msg::NavToday, "nav-today")}
            {link(Page::Incident, Msg::NavIncident, "nav-incident")}
            {link(Page::History, Msg::NavHistory, "nav-history")}
            {link(Page::Team, Msg::NavTeam, "nav-team")}
            {link(Page::Settings, Msg::NavSettings, "nav-settings")}
        </nav>
    }
}
