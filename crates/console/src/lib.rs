//! Gatewatch's web console (管理台) for managers — police-station chiefs (所长), the
//! command room (指挥室) and admins: the duty roster's week grid (排班), the school
//! calendar (校历), 落实率 with its heatmap and per-officer table, and swap approvals
//! (换班). Served by the sync server at `/console/`.
//!
//! A second app beside the phone's PWA, not screens inside it: the phone's first load
//! has a budget and an offline promise a desk tool needs neither of, and its screens
//! are what a person at a gate needs. Both share `gatewatch-model`, so the grid's due
//! windows, the rates' rounding and who may do what are the same rules everywhere.
//!
//! Code map: `api` (the HTTP client, one typed error), `session` (who is signed in, the
//! device id, the language), `storage` (the two localStorage keys), `routes` (the
//! screens and a small path router), `i18n` (every string), `grid` (the week grid as
//! plain data, tested natively), `heatmap` (the school × day SVG), `pages/` one module
//! per screen, `widgets` the small pieces screens share.

pub mod api;
pub mod app;
pub mod grid;
pub mod heatmap;
pub mod i18n;
pub mod pages;
pub mod routes;
pub mod session;
pub mod storage;
pub mod widgets;

use leptos::prelude::*;

/// Mounts the console on `<body>` in place of the loading line.
pub fn run() {
    if let Some(loading) = document().get_element_by_id("loading") {
        loading.remove();
    }
    leptos::mount::mount_to_body(|| {
        session::Session::provide();
        view! { <app::App/> }
    });
}
