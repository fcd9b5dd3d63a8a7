//! The installed-app shell: service-worker registration and updates (see pwa.js).

use leptos::prelude::*;
use wasm_bindgen::prelude::*;

use crate::state::AppState;

#[wasm_bindgen(module = "/src/pwa.js")]
extern "C" {
    #[wasm_bindgen(js_name = registerServiceWorker)]
    fn register_service_worker(on_update: &Closure<dyn Fn()>);
    #[wasm_bindgen(js_name = applyUpdate)]
    pub fn apply_update();
}

/// Registers the service worker; a waiting new version sets `update_available`.
pub fn register(state: AppState) {
    let on_update = Closure::<dyn Fn()>::new(move || state.update_available.set(true));
    register_service_worker(&on_update);
    // The callback must outlive this call: the page keeps it for its whole life.
    on_update.forget();
}
