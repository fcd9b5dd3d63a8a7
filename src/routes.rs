//! The app's screens and the tiny path router that switches between them.
//!
//! Why not leptos_router: the app has eight flat screens and no parameters, and the
//! router (with its nested matching and `EitherOf*` view choice) cost ~13 KB brotli of
//! the 250 KB first-load budget (BENCHMARKS.md). This module keeps what we used of it:
//! real paths (so reload and the back button work), client-side link clicks, and
//! `aria-current` on the active link.

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

/// The current screen, shared through context.
#[derive(Clone, Copy)]
pub struct Router(RwSignal<Page>);

impl Router {
    /// Creates the router from the address bar and follows the back/forward buttons.
    pub fn provide() -> Router {
        let router = Router(RwSignal::new(Page::from_path(&current_path())));
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

    /// Shows `page` and records it in the browser history (so Back returns here).
    pub fn go(&self, page: Page) {
        if self.0.get_untracked() == page {
            return;
        }
        if let Ok(history) = window().history() {
            let _ = history.push_state_with_url(&JsValue::NULL, "", Some(page.href()));
        }
        self.0.set(page);
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
            aria-current=move || (router.page().section() == page).then_some("page")
            on:click=on_click
        >
            {children()}
        </a>
    }
}

#[cfg(test)]
mod tests {
    use super::Page;

    #[test]
    fn every_page_round_trips_through_its_path() {
        for p in [
            Page::CheckIn,
            Page::Today,
            Page::Incident,
            Page::History,
            Page::Settings,
            Page::Gate,
            Page::Team,
            Page::TeamReport,
        ] {
            assert_eq!(Page::from_path(p.href()), p);
        }
        assert_eq!(Page::from_path("/today/"), Page::Today);
        assert_eq!(Page::from_path("/nowhere"), Page::CheckIn);
        assert_eq!(Page::TeamReport.section(), Page::Team);
        assert_eq!(Page::History.section(), Page::History);
    }
}
