//! The check-in screen: pick the post, one big button. Nothing to set up first.

use gatewatch_model::gatecode::{is_code, parse_qr};
use gatewatch_model::{CheckInEvent, Presence};
use leptos::prelude::*;

use crate::components::post_select::{default_post, PostSelect};
use crate::i18n::{tr, Msg};
use crate::state::{AppState, CheckInDraft, SaveResult};
use crate::storage::StorageError;
use crate::sync::SyncHandle;

/// Outcome of the last tap, shown under the button (shared by the record forms).
#[derive(Debug, Clone, PartialEq)]
pub enum SaveStatus {
    Idle,
    Saving,
    Done(SaveResult),
    Failed(StorageError),
}

impl SaveStatus {
    pub fn data_state(&self) -> &'static str {
        match self {
            SaveStatus::Idle => "idle",
            SaveStatus::Saving => "saving",
            SaveStatus::Done(SaveResult::Saved(_)) => "saved",
            SaveStatus::Done(SaveResult::HeldInMemory(_)) => "held",
            SaveStatus::Failed(_) => "error",
        }
    }

    pub fn record_id(&self) -> String {
        match self {
            SaveStatus::Done(SaveResult::Saved(id) | SaveResult::HeldInMemory(id)) => {
                id.to_string()
            }
            _ => String::new(),
        }
    }
}

/// The check-in screen: post, arrival/departure, the three presence flags, a note and
/// the big button. Works on first open with no setup.
#[component]
pub fn CheckInPage() -> impl IntoView {
    let state = AppState::expect();
    let sync = expect_context::<SyncHandle>();
    // Where check-ins happen: follow the position from here on (never waited for).
    crate::geo::watch(state);
    let picked = RwSignal::new(None::<String>);
    let post_id = default_post(state, picked);
    let departure = RwSignal::new(false);
    let officer = RwSignal::new(true);
    let car = RwSignal::new(true);
    let lights = RwSignal::new(true);
    let note = RwSignal::new(String::new());
    let code = RwSignal::new(String::new());
    let code_ok = move || code.with(|c| c.trim().is_empty() || is_code(c.trim()));
    let status = RwSignal::new(SaveStatus::Idle);
    // Scanning the lead's QR code fills in the gate and its code.
    let scanning = RwSignal::new(false);
    let scan_error = RwSignal::new(String::new());
    on_cleanup(crate::scan::stop_scan);
    let toggle_scan = move |_| {
        if scanning.get_untracked() {
            crate::scan::stop_scan();
            return;
        }
        scanning.set(true);
        scan_error.set(String::new());
        leptos::task::spawn_local(async move {
            match crate::scan::scan().await {
                Ok(Some(payload)) => {
                    if let Some((post, found)) = parse_qr(&payload) {
                        picked.try_set(Some(post.to_string()));
                        code.try_set(found.to_string());
                    }
                }
                Ok(None) => {}
                Err(why) => {
                    scan_error.try_set(format!("{}: {why}", state.t(Msg::ScanFailed)));
                }
            }
            scanning.try_set(false);
        });
    };

    // Whether a save is in flight (the button is disabled meanwhile). A task rather than
    // an `Action`: nothing else of an Action is used, and its machinery costs wasm.
    let saving = RwSignal::new(false);
    let submit = move |_| {
        if saving.get_untracked() || !code_ok() {
            return;
        }
        let typed = code.get_untracked().trim().to_string();
        status.set(SaveStatus::Saving);
        saving.set(true);
        let draft = CheckInDraft {
            post_id: post_id.get_untracked(),
            event: if departure.get_untracked() {
                CheckInEvent::Departure
            } else {
                CheckInEvent::Arrival
            },
            presence: Presence {
                officer: officer.get_untracked(),
                car: car.get_untracked(),
                lights: lights.get_untracked(),
            },
            note: note.get_untracked(),
            gate_code: (!typed.is_empty()).then_some(typed),
        };
        // Everything after the save happens in the task itself, so it completes even if
        // the officer leaves the screen mid-save.
        let sync = sync.clone();
        leptos::task::spawn_local(async move {
            match state.record_check_in(draft).await {
                Ok(done) => {
                    status.try_set(SaveStatus::Done(done));
                    note.try_set(String::new());
                    code.try_set(String::new());
                    sync.sync_now();
                }
                Err(e) => {
                    status.try_set(SaveStatus::Failed(e));
                }
            }
            saving.try_set(false);
        });
    };

    // The box starts as the signal and reports its ticks (nothing else sets these
    // signals): cheaper in wasm than `bind:checked`, which nothing else uses.
    let flag = move |signal: RwSignal<bool>, msg: Msg, testid: &'static str| {
        view! {
            <label class=move || flag_class(signal.get())>
                <input type="checkbox" data-testid=testid checked=signal.get_untracked()
                    on:change=move |ev| signal.set(event_target_checked(&ev))/>
                <span>{tr(msg)}</span>
            </label>
        }
    };

    view! {
        <section class="checkin">
            <PostSelect current=post_id picked=picked testid="post-select"/>
            <div class="event-toggle" role="radiogroup">
                <button
                    class=move || { if departure.get() { "" } else { "active" } }
                    data-testid="event-arrival"
                    on:click=move |_| departure.set(false)
                >
                    {tr(Msg::Arrival)}
                </button>
                <button
                    class=move || { if departure.get() { "active" } else { "" } }
                    data-testid="event-departure"
                    on:click=move |_| departure.set(true)
                >
                    {tr(Msg::Departure)}
                </button>
            </div>
            <div class="flags">
                {flag(officer, Msg::Officer, "flag-officer")}
                {flag(car, Msg::Car, "flag-car")}
                {flag(lights, Msg::Lights, "flag-lights")}
            </div>
            <label class="field">
                <span>{tr(Msg::Note)}</span>
                <input
                    type="text"
                    data-testid="checkin-note"
                    maxlength="500"
                    placeholder=tr(Msg::NotePlaceholder)
                    bind:value=note
                />
            </label>
            <label class="field">
                <span>{tr(Msg::GateCode)}</span>
                <input
                    type="text"
                    inputmode="numeric"
                    autocomplete="one-time-code"
                    maxlength="6"
                    data-testid="checkin-code"
                    class=move || { if code_ok() { "" } else { "invalid" } }
                    placeholder=tr(Msg::GateCodePlaceholder)
                    bind:value=code
                />
                // The hidden attribute instead of <Show>: cheaper in wasm, same look.
                <small class="field-error" hidden=code_ok>{tr(Msg::GateCodeInvalid)}</small>
            </label>
            {crate::scan::can_scan().then(|| view! {
                <video id=crate::scan::VIDEO_ID class="scan-video" data-testid="scan-video"
                    playsinline="" muted="" hidden=move || !scanning.get()></video>
                <button class="link-button" data-testid="checkin-scan"
                    data-scanning=move || scanning.get().to_string() on:click=toggle_scan>
                    {move || state.t(if scanning.get() { Msg::StopScan } else { Msg::Scan })}
                </button>
                <small class="field-error" role="alert">{move || scan_error.get()}</small>
            })}
            <button
                class="big-button"
                data-testid="checkin-submit"
                disabled=move || saving.get()
                on:click=submit
            >
                {move || if departure.get() { state.t(Msg::Departure) } else { state.t(Msg::CheckInButton) }}
            </button>
            <SaveStatusLine status=status/>
        </section>
    }
}

/// The class of a flag's label, ticked or not. Reactive classes in this app are whole
/// class strings, never `class:name=`: nothing else used that form, and its code left
/// the wasm with it.
pub fn flag_class(on: bool) -> &'static str {
    if on {
        "flag on"
    } else {
        "flag"
    }
}

/// The line under a form's button: saving, saved (with the record id), held, failed.
#[component]
pub fn SaveStatusLine(status: RwSignal<SaveStatus>) -> impl IntoView {
    let state = AppState::expect();
    let text = move || match status.get() {
        SaveStatus::Idle => String::new(),
        SaveStatus::Saving => state.t(Msg::Saving).to_string(),
        SaveStatus::Done(SaveResult::Saved(_)) => format!("✓ {}", state.t(Msg::Saved)),
        SaveStatus::Done(SaveResult::HeldInMemory(_)) => state.t(Msg::HeldInMemory).to_string(),
        SaveStatus::Failed(e) => format!("{}: {e}", state.t(Msg::SaveFailed)),
    };
    view! {
        <p class="save-status" data-testid="save-status" data-state=move || status.with(|s| s.data_state())
            data-record-id=move || status.with(SaveStatus::record_id)
            role="status"
        >
            {text}
        </p>
    }
}
