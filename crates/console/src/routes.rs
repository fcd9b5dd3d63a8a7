//! The console's screens and the small path router between them (not leptos_router:
//! four flat screens under `/console/`, as the PWA's `src/routes.rs` does for its own).

use leptos::prelude::*;
use wasm_bindgen::JsValue;

use crate::i18n::Msg;
use crate::session::Session;

/// The screens. Links are built from this enum, never from path strings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Page {
    /// 排班: the week grid.
    Roster,
    /// 校历: the year's calendar and one school's month.
    Calendar,
    /// 落实率: the rate, the heatmap, per gate, per assignment, per officer.
    Coverage,
    /// 换班: pending swap requests.
    Swaps,
}

impl Page {
    pub const ALL: [Page; 4] = [Page::Roster, Page::Calendar, Page::Coverage, Page::Swaps];

    pub fn href(self) -> &'static str {
        match self {
            Page::Roster => "/console/",
            Page::Calendar => "/console/calendar",
            Page::Coverage => "/console/coverage",
            Page::Swaps => "/console/swaps",
        }
    }

    /// The screen a path shows; anything else under `/console/` shows the roster.
    pub fn from_path(path: &str) -> Page {
        match path.trim_end_matches('/') {
            "/console/calendar" => Page::Calendar,
            "/console/coverage" => Page::Coverage,
            "/console/swaps" => Page::Swaps,
            _ => Page::Roster,
        }
    }

    pub fn title(self) -> Msg {
        match self {
            Page::Roster => Msg::NavRoster,
            Page::Calendar => Msg::NavCalendar,
            Page::Coverage => Msg::NavCoverage,
            Page::Swaps => Msg::NavSwaps,
        }
    }

    pub fn testid(self) -> &'static str {
        match self {
            Page::Roster => "nav-roster",
            Page::Calendar => "nav-calendar",
            Page::Coverage => "nav-coverage",
            Page::Swaps => "nav-swaps",
        }
    }
}

/// The current screen, in context.
#[derive(Clone, Copy)]
pub struct Router(RwSignal<Page>);

impl Router {
    /// From the address bar; follows the back and forward buttons.
    pub fn provide() -> Router {
        let router = Router(RwSignal::new(Page::from_path(&current_path())));
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

    /// Shows `page` and records it in the browser history.
    pub fn go(&self, page: Page) {
        if self.0.get_untracked() == page {
            return;
        }
        if let Ok(history) = window().history() {
            // Without the entry only Back misses this screen; it still shows.
            let _ = history.push_state_with_url(&JsValue::NULL, "", Some(page.href()));
        }
        self.0.set(page);
    }
}

fn current_path() -> String {
    window().location().pathname().unwrap_or_default()
}

/// The navigation: a real link per screen whose plain clicks switch screens in place.
#[component]
pub fn Nav() -> impl IntoView {
    let router = Router::expect();
    let session = Session::expect();
    let link = move |page: Page| {
        let on_click = move |ev: leptos::ev::MouseEvent| {
            if ev.button() == 0
                && !(ev.ctrl_key() || ev.meta_key() || ev.shift_key() || ev.alt_key())
            {
                ev.prevent_default();
                router.go(page);
            }
        };
        view! {
            <a href=page.href() data-testid=page.testid() on:click=on_click
                aria-current=move || (router.page() == page).then_some("page")>
                {move || session.t(page.title())}
            </a>
        }
    };
    view! { <nav class="nav" aria-label="管理台">{Page::ALL.map(link)}</nav> }
}

#[cfg(test)]
mod tests {
    use super::Page;

    #[test]
    fn every_page_round_trips_through_its_path() {
        for p in Page::ALL {
            assert_eq!(Page::from_path(p.href()), p);
        }
        assert_eq!(Page::from_path("/console"), Page::Roster);
        assert_eq!(Page::from_path("/console/swaps/"), Page::Swaps);
        assert_eq!(Page::from_path("/console/nowhere"), Page::Roster);
    }
}
