//! The app's screens and the tiny path router that switches between them.
//!
//! Why not leptos_router: the app has eight flat screens and no parameters, and the
//! router (with its nested matching and `EitherOf*` view choice) cost ~13 KB brotli of
//! the 250 KB first-load budget (BENCHMARKS.md). This module keeps what we used of it:
//! real paths (so reload and the back button work), client-side link clicks, and
//! `aria-current` on the active link.

use gatewatch_model::access::{may, Access, UserRole, GATE_SECRET};
use leptos::prelude::*;
use wasm_bindgen::JsValue;

/// The screens. Links are built from this enum, never from path strings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Page {
    CheckIn,
    Today,
    /// Reporting an incident at a post.
    Incident,
    History,
    Settings,
    /// The lead's gate-code screen, reached from settings.
    Gate,
    /// A volunteer team lead's roster, sessions and approvals.
    Team,
    /// The team's monthly report.
    TeamReport,
}

impl Page {
    pub fn href(self) -> &'static str {
        match self {
            Page::CheckIn => "/",
            Page::Today => "/today",
            Page::Incident => "/incident",
            Page::History => "/history",
            Page::Settings => "/settings",
            Page::Gate => "/gate",
            Page::Team => "/team",
            Page::TeamReport => "/team/report",
        }
    }

    /// The navigation entry a screen belongs to: the report is part of the team's, the
    /// gate-code screen of settings (where it is opened from).
    pub fn section(self) -> Page {
        match self {
            Page::TeamReport => Page::Team,
            Page::Gate => Page::Settings,
            page => page,
        }
    }

    /// What a user must be allowed to do for this screen to be theirs: a record kind
    /// and read or write, answered by the model's access rule (`access::may`), the
    /// same rule the server applies. `None`: every signed-in user (settings).
    fn needs(self) -> Option<(&'static str, Access)> {
        match self {
            Page::CheckIn => Some(("checkin", Access::Write)),
            Page::Incident => Some(("incident", Access::Write)),
            Page::Today | Page::History => Some(("checkin", Access::Read)),
            Page::Team | Page::TeamReport => Some(("team", Access::Write)),
            Page::Gate => Some((GATE_SECRET, Access::Read)),
            Page::Settings => None,
        }
    }

    /// Whether a user of `role` is shown this screen (and its navigation entry).
    pub fn allowed_for(self, role: UserRole) -> bool {
        self.needs()
            .is_none_or(|(kind, access)| may(role, kind, access))
    }

    /// Where a user of `role` lands: the first screen of theirs, in the order of the
    /// work (an officer checks in, a lead keeps the team).
    pub fn home(role: UserRole) -> Page {
        [Page::CheckIn, Page::Team, Page::Today, Page::History]
            .into_iter()
            .find(|p| p.allowed_for(role))
            .unwrap_or(Page::Settings)
    }

    /// The screen a user of `role` sees at this page: the page itself if it is theirs,
    /// else their home (a lead opening `/` lands on 队伍, not on a check-in they may
    /// not make).
    pub fn for_role(self, role: UserRole) -> Page {
        if self.allowed_for(role) {
            self
        } else {
            Page::home(role)
        }
    }

    /// The screen a path shows; unknown paths show the check-in screen, the app's home.
    pub fn from_path(path: &str) -> Page {
        match path.trim_end_matches('/') {
            "/today" => Page::Today,
            "/incident" => Page::Incident,
            "/history" => Page::History,
            "/settings" => Page::Settings,
            "/gate" => Page::Gate,
            "/team" => Page::Team,
            "/team/report" => Page::TeamReport,
            _ => Page::CheckIn,
        }
    }
}

/// The current screen, shared through context, and the post a screen asked the
/// check-in screen to open at (今日's rows).
#[derive(Clone, Copy)]
pub struct Router(RwSignal<Page>, StoredValue<Option<String>>);

impl Router {
    /// Creates the router from the address bar and follows the back/forward buttons.
    pub fn provide() -> Router {
        let router = Router(
            RwSignal::new(Page::from_path(&current_path())),
            StoredValue::new(None),
        );
        // The handle would only remove the listener; it lives as long as the page.
        let _ = window_event_listener(leptos::ev::popstate, move |_| {
            router.0.set(Page::from_path(&current_path()));
        });
        provide_context(router);
        router
    }

    pub fn expect() -> Router {
        expect_context()
    }

    pub fn page(&self) -> Page {
        self.0.get()
    }

    /// The screen shown: the current page if the signed-in user's role has it, else
    /// their home (`Page::for_role`); the page as is before anyone signed in.
    pub fn shown(&self) -> Page {
        let page = self.page();
        let role = crate::state::AppState::expect()
            .profile
            .with(|p| p.as_ref().map(|p| p.role));
        role.map_or(page, |role| page.for_role(role))
    }

    /// Shows `page` and records it in the browser history (so Back returns here).
    pub fn go(&self, page: Page) {
        if self.0.get_untracked() == page {
            return;
        }
        if let Ok(history) = window().history() {
            // Without the history entry only Back misses this screen; it still shows.
            let _ = history.push_state_with_url(&JsValue::NULL, "", Some(page.href()));
        }
        self.0.set(page);
    }
}

impl Router {
    /// Opens the check-in screen at `post` (a row of 今日 was tapped).
    pub fn check_in_at(&self, post: String) {
        self.1.set_value(Some(post));
        self.go(Page::CheckIn);
    }

    /// The post the check-in screen was asked to open at, once.
    pub fn take_requested_post(&self) -> Option<String> {
        self.1.try_update_value(Option::take).flatten()
    }
}

fn current_path() -> String {
    window().location().pathname().unwrap_or_default()
}

/// A link to a screen: a real `<a href>` (open in new tab still works) whose plain
/// clicks switch screens without a page load.
#[component]
pub fn Link(
    page: Page,
    class: &'static str,
    testid: &'static str,
    children: Children,
) -> impl IntoView {
    let router = Router::expect();
    let on_click = move |ev: leptos::ev::MouseEvent| {
        if ev.button() == 0 && !(ev.ctrl_key() || ev.meta_key() || ev.shift_key() || ev.alt_key()) {
            ev.prevent_default();
            router.go(page);
        }
    };
    view! {
        <a
            href=page.href()
            class=class
            data-testid=testid
            aria-current=move || (router.shown().section() == page).then_some("page")
            on:click=on_click
        >
            {children()}
        </a>
    }
}

#[cfg(test)]
mod tests {
    use super::Page;

    const ALL: [Page; 8] = [
        Page::CheckIn,
        Page::Today,
        Page::Incident,
        Page::History,
        Page::Settings,
        Page::Gate,
        Page::Team,
        Page::TeamReport,
    ];

    #[test]
    fn every_page_round_trips_through_its_path() {
        for p in ALL {
            assert_eq!(Page::from_path(p.href()), p);
        }
        assert_eq!(Page::from_path("/today/"), Page::Today);
        assert_eq!(Page::from_path("/nowhere"), Page::CheckIn);
        assert_eq!(Page::TeamReport.section(), Page::Team);
        assert_eq!(Page::History.section(), Page::History);
    }

    #[test]
    fn each_role_sees_only_what_it_may_do() {
        use gatewatch_model::access::UserRole::{Admin, Lead, Officer};
        let shown = |role| {
            ALL.into_iter()
                .filter(|p| p.allowed_for(role))
                .collect::<Vec<_>>()
        };
        use Page::*;
        assert_eq!(
            shown(Officer),
            [CheckIn, Today, Incident, History, Settings]
        );
        assert_eq!(
            shown(Lead),
            [Today, History, Settings, Gate, Team, TeamReport]
        );
        assert_eq!(shown(Admin), ALL);
        assert_eq!(Page::home(Officer), CheckIn);
        assert_eq!(Page::home(Lead), Team);
        assert_eq!(CheckIn.for_role(Lead), Team);
        assert_eq!(Incident.for_role(Lead), Team);
        assert_eq!(Team.for_role(Officer), CheckIn);
        assert_eq!(Gate.for_role(Officer), CheckIn);
        assert_eq!(History.for_role(Lead), History);
    }
}
