//! The phone's position for check-ins, when the officer allows it (see geo.js).

use gatewatch_model::Position;
use leptos::prelude::*;
use wasm_bindgen::prelude::*;

use crate::state::AppState;

#[wasm_bindgen(module = "/src/geo.js")]
extern "C" {
    #[wasm_bindgen(js_name = watchPosition)]
    fn watch_position(on_fix: &Closure<dyn Fn(f64, f64, f64, f64)>);
}

/// A fix older than this is not attached to a check-in: the officer may have moved.
pub const MAX_FIX_AGE_MS: f64 = 120_000.0;

/// Starts following the position (asks for permission the first time); fixes land in
/// `state.last_fix`. Safe to call more than once.
pub fn watch(state: AppState) {
    let on_fix = Closure::<dyn Fn(f64, f64, f64, f64)>::new(move |lat, lon, accuracy, at_ms| {
        if let Some(p) = Position::from_degrees(lat, lon, accuracy) {
            state.last_fix.set(Some((p, at_ms)));
        }
    });
    watch_position(&on_fix);
    // The browser keeps calling it for the life of the page.
    on_fix.forget();
}

/// The last fix if it is recent enough to describe where the officer is now.
pub fn recent_fix(state: AppState, now_ms: f64) -> Option<Position> {
    state.last_fix.with_untracked(|f| fresh(*f, now_ms))
}

/// `recent_fix`, tracked: for views that follow the officer's position.
pub fn recent_fix_at(state: AppState, now_ms: f64) -> Option<Position> {
    state.last_fix.with(|f| fresh(*f, now_ms))
}

fn fresh(fix: Option<(Position, f64)>, now_ms: f64) -> Option<Position> {
    fix.filter(|(_, at)| now_ms - at <= MAX_FIX_AGE_MS)
        .map(|(p, _)| p)
}
