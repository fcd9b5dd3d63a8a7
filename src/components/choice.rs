//! A labelled `<select>` over a fixed list of named values (incident category,
//! severity, follow-up…). One non-generic component for every such list keeps the wasm
//! small; callers parse the chosen wire name back with the model's `parse`.

use leptos::prelude::*;

use crate::components::html;
use crate::i18n::Msg;
use crate::state::tr;
use crate::state::AppState;

/// (wire name, label) of every value of a model enum, for `Choice`.
macro_rules! options {
    ($ty:ty, $name:path) => {
        <$ty>::ALL
            .into_iter()
            .map(|v| (v.as_str(), $name(v)))
            .collect::<Vec<_>>()
    };
}
pub(crate) use options;

#[component]
pub fn Choice(
    label: Msg,
    /// (wire name, what the user sees) in display order.
    options: Vec<(&'static str, Msg)>,
    value: RwSignal<&'static str>,
    testid: &'static str,
) -> impl IntoView {
    let state = AppState::expect();
    let names: Vec<&'static str> = options.iter().map(|(n, _)| *n).collect();
    let pick = move |ev| {
        let chosen = event_target_value(&ev);
        if let Some(n) = names.iter().find(|n| **n == chosen) {
            value.set(n);
        }
    };
    // The options as one HTML string (redrawn on a pick or a change of language) instead
    // of a reactive element per option: less wasm for every list in the app.
    let option_html = move || {
        html::options(
            options.iter().map(|(name, msg)| (*name, state.t(*msg))),
            Some(value.get()),
        )
    };
    view! {
        <label class="field">
            <span>{tr(label)}</span>
            <select data-testid=testid on:change=pick inner_html=option_html></select>
        </label>
    }
}
