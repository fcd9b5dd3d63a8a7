//! The gate-code screen a team lead holds up at the gate: the post's current code as a
//! QR code and as digits, changing every 30 seconds, drawn on the phone with no network
//! once the post's secret has been fetched.

use gatewatch_model::gatecode::{code_at, qr_payload, seconds_left, secret_from_hex};
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::api;
use crate::components::html;
use crate::components::qr::QrCodeSvg;
use crate::i18n::Msg;
use crate::state::tr;
use crate::state::AppState;
use crate::storage;

/// The gate-code screen.
#[component]
pub fn GatePage() -> impl IntoView {
    let state = AppState::expect();
    let post_id = RwSignal::new(
        state
            .posts
            .with_untracked(|p| p.first().map(|p| p.id.clone()).unwrap_or_default()),
    );
    // The secret of the selected post as hex (empty while unknown): from this phone's
    // cache, else fetched once. Kept as text: one signal type less in the wasm.
    let secret = RwSignal::new(String::new());
    let fetch_failed = RwSignal::new(false);
    Effect::new(move |_| {
        let post = post_id.get();
        fetch_failed.set(false);
        let cached = storage::gate_secret(&post).filter(|hex| secret_from_hex(hex).is_some());
        let missing = cached.is_none();
        secret.set(cached.unwrap_or_default());
        if missing {
            spawn_local(async move {
                match api::gate_secret(&post).await {
                    Ok(hex) if secret_from_hex(&hex).is_some() => {
                        // Shown now either way; only showing it offline later needs it kept.
                        let _ = storage::save_gate_secret(&post, &hex);
                        if post_id.get_untracked() == post {
                            secret.set(hex);
                        }
                    }
                    _ => fetch_failed.set(true),
                }
            });
        }
    });
    let code = Memo::new(move |_| {
        let now = state.now.get().timestamp();
        secret.with(|hex| secret_from_hex(hex).map(|s| code_at(&s, now)))
    });
    // A Memo, not a derived Signal: the app's only derived Signal cost its own code.
    let payload = Memo::new(move |_| {
        code.get()
            .map(|c| qr_payload(&post_id.get(), &c))
            .unwrap_or_default()
    });
    // The posts as one HTML string of options: less wasm than a reactive element each.
    let option_html = move || {
        let current = post_id.get();
        state
            .posts
            .with(|posts| html::post_options(posts, &current))
    };
    view! {
        <section class="gate">
            <label class="field">
                <span>{tr(Msg::Post)}</span>
                <select data-testid="gate-post" on:change=move |ev| post_id.set(event_target_value(&ev))
                    inner_html=option_html></select>
            </label>
            // The hidden attribute instead of <Show>: cheaper in wasm, same look.
            <p class="empty" data-testid="gate-unavailable" hidden=move || code.get().is_some()>
                {move || if fetch_failed.get() { state.t(Msg::GateCodeNeedsNetwork) } else { "…" }}
            </p>
            <div class="gate-code" hidden=move || code.get().is_none()>
                <QrCodeSvg text=payload/>
                <p class="digits" data-testid="gate-code">{move || code.get().unwrap_or_default()}</p>
                <p class="next">
                    {move || seconds_left(state.now.get().timestamp())} " " {tr(Msg::GateCodeNextIn)}
                </p>
            </div>
            <p class="hint">{tr(Msg::GateCodeHint)}</p>
        </section>
    }
}
