//! The check-in screen: pick the post, one big button. Nothing to set up first.

use chrono::Timelike;
use gatewatch_model::gatecode::{is_code, parse_qr, Proof};
use gatewatch_model::outbox::SyncStatus;
use gatewatch_model::repeat::repeated_check_in;
use gatewatch_model::stored::LocalRecord;
use gatewatch_model::{CheckInEvent, Presence, RecordBody};
use leptos::prelude::*;

use crate::components::post_select::{default_post, PostChoice, PostSelect};
use crate::i18n::Msg;
use crate::state::tr;
use crate::state::{AppState, CheckInDraft, SaveError, SaveResult};
use crate::sync::SyncHandle;

/// Outcome of the last tap, shown under the button (shared by the record forms).
#[derive(Debug, Clone, PartialEq)]
pub enum SaveStatus {
    Idle,
    Saving,
    Done(SaveResult),
    Failed(SaveError),
    /// The same check-in was just made (or is being saved): the officer confirms first.
    AskRepeat,
}

impl SaveStatus {
    pub fn data_state(&self) -> &'static str {
        match self {
            SaveStatus::Idle => "idle",
            SaveStatus::Saving => "saving",
            SaveStatus::Done(SaveResult::Saved(_)) => "saved",
            SaveStatus::Done(SaveResult::HeldInMemory(_)) => "held",
            SaveStatus::Failed(_) => "error",
            SaveStatus::AskRepeat => "ask-repeat",
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
    // Kept in a stored value so the save handler, used by two buttons, is `Copy`.
    let sync = StoredValue::new(expect_context::<SyncHandle>());
    // Where check-ins happen: follow the position from here on (never waited for).
    crate::geo::watch(state);
    // Opened from a row of 今日: that gate; else the picker's own choice.
    let picked = RwSignal::new(crate::routes::Router::expect().take_requested_post());
    let post_id = default_post(state, picked, PostChoice::Mine);
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

    // Whether a save is in flight. A task rather than an `Action`: nothing else of an
    // Action is used, and its machinery costs wasm.
    let saving = RwSignal::new(false);
    // The last outcome, kept apart from what the line shows now: a question asked
    // meanwhile, once answered "cancel", gives the confirmation back.
    let last = RwSignal::new(SaveStatus::Idle);
    // Which save is the latest: only its outcome is shown, so a slow earlier save that
    // finishes later never shows its post in place of this one's.
    let latest = StoredValue::new(0u32);
    let event = move || {
        if departure.get_untracked() {
            CheckInEvent::Departure
        } else {
            CheckInEvent::Arrival
        }
    };
    // A tap while saving, or the same post and event again within a minute (a double
    // tap, a "did it save?"), asks first: `confirmed` is the officer's answer.
    let save = move |confirmed: bool| {
        if !code_ok() {
            return;
        }
        let post = post_id.get_untracked();
        let repeats = saving.get_untracked()
            || state.records.with_untracked(|m| {
                // This phone's own check-ins only: a colleague at the same gate is no
                // repeat of ours.
                let own = m.values().map(|l| &l.record).filter(|r| state.is_own(r));
                repeated_check_in(own, &post, event(), chrono::Utc::now()).is_some()
            });
        if repeats && !confirmed {
            status.set(SaveStatus::AskRepeat);
            return;
        }
        let typed = code.get_untracked().trim().to_string();
        status.set(SaveStatus::Saving);
        saving.set(true);
        let this = latest.get_value().wrapping_add(1);
        latest.set_value(this);
        // The picker stays on the gate just saved: it never moves by itself under
        // "saved" (the officer is still standing there).
        picked.set(Some(post.clone()));
        let draft = CheckInDraft {
            position: crate::geo::recent_fix(state, js_sys::Date::now()),
            post_id: post,
            event: event(),
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
        let sync = sync.get_value();
        leptos::task::spawn_local(async move {
            let outcome = match state.record_check_in(draft).await {
                Ok(done) => {
                    note.try_set(String::new());
                    code.try_set(String::new());
                    sync.sync_now();
                    SaveStatus::Done(done)
                }
                Err(e) => SaveStatus::Failed(e),
            };
            // An earlier save finishing after a later one started: its record is saved
            // and counted, but the line belongs to the latest.
            if latest.try_get_value() != Some(this) {
                return;
            }
            last.try_set(outcome.clone());
            // A question asked while saving stays on screen until answered.
            if status.get_untracked() == SaveStatus::Saving {
                status.try_set(outcome);
            }
            saving.try_set(false);
        });
    };
    // Choosing another post or event starts a new attempt: the last confirmation goes.
    let new_attempt = move || {
        if !matches!(status.get_untracked(), SaveStatus::Saving) {
            status.set(SaveStatus::Idle);
            last.set(SaveStatus::Idle);
        }
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
            <div on:change=move |_| new_attempt()>
                <PostSelect current=post_id picked=picked choice=PostChoice::Mine testid="post-select"/>
            </div>
            <div class="event-toggle" role="radiogroup">
                <button
                    class=move || { if departure.get() { "" } else { "active" } }
                    data-testid="event-arrival"
                    on:click=move |_| { departure.set(false); new_attempt(); }
                >
                    {tr(Msg::Arrival)}
                </button>
                <button
                    class=move || { if departure.get() { "active" } else { "" } }
                    data-testid="event-departure"
                    on:click=move |_| { departure.set(true); new_attempt(); }
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
                on:click=move |_| save(false)
            >
                {move || if departure.get() { state.t(Msg::Departure) } else { state.t(Msg::CheckInButton) }}
            </button>
            <div class="repeat-ask" data-testid="repeat-ask" role="alert"
                hidden=move || status.get() != SaveStatus::AskRepeat>
                <p>{tr(Msg::RepeatQuestion)}</p>
                <div class="row-actions">
                    <button class="link-button" data-testid="repeat-confirm" on:click=move |_| save(true)>
                        {tr(Msg::RepeatConfirm)}
                    </button>
                    <button class="link-button" data-testid="repeat-cancel" on:click=move |_| status.set(last.get_untracked())>
                        {tr(Msg::Cancel)}
                    </button>
                </div>
            </div>
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

/// The line under a form's button: saving; saved — what (post, event or category,
/// time) and where it is now (only on this phone, on the server, refused, with the gate
/// code's verdict once the server gave it); held; failed.
#[component]
pub fn SaveStatusLine(status: RwSignal<SaveStatus>) -> impl IntoView {
    let state = AppState::expect();
    // Only a record the phone stored: one held in memory (storage full) is not "on
    // this phone" yet, and its own line says so.
    let saved = move || match status.get() {
        SaveStatus::Done(SaveResult::Saved(id)) => state.records.with(|m| m.get(&id).cloned()),
        _ => None,
    };
    let text = move || match status.get() {
        SaveStatus::Idle | SaveStatus::AskRepeat => String::new(),
        SaveStatus::Saving => state.t(Msg::Saving).to_string(),
        SaveStatus::Done(SaveResult::Saved(_)) => saved()
            .map(|l| {
                let colon = state.lang().colon();
                format!(
                    "✓ {}{colon}{}",
                    state.t(Msg::Saved),
                    what_was_saved(state, &l)
                )
            })
            .unwrap_or_default(),
        SaveStatus::Done(SaveResult::HeldInMemory(_)) => state.t(Msg::HeldInMemory).to_string(),
        SaveStatus::Failed(e) => format!("{}: {}", state.t(Msg::SaveFailed), e.message(state)),
    };
    let whereabouts = move || saved().map(|l| where_it_is(state, &l)).unwrap_or_default();
    view! {
        <div class="save-status" data-testid="save-status" data-state=move || status.with(|s| s.data_state())
            data-record-id=move || status.with(SaveStatus::record_id)
            data-sync=move || saved().map(|l| state.sync_status(&l).as_str())
            role="status"
        >
            <p>{text}</p>
            <p class="save-where" data-testid="save-where" hidden=move || saved().is_none()>{whereabouts}</p>
        </div>
    }
}

/// "东门 · 到岗 · 07:31": which post, what, when — so the officer knows exactly what
/// the phone holds.
fn what_was_saved(state: AppState, local: &LocalRecord) -> String {
    let body = &local.record.body;
    let post = state.post_label(body.post_id());
    let what = match body {
        RecordBody::CheckIn(c) if c.event == CheckInEvent::Departure => state.t(Msg::Departure),
        RecordBody::CheckIn(_) => state.t(Msg::Arrival),
        RecordBody::Incident(i) => state.t(crate::i18n::names::category(i.category)),
        _ => "",
    };
    let at = body.device_time();
    format!("{post} · {what} · {:02}:{:02}", at.hour(), at.minute())
}

/// Where the saved record is now: only on this phone (uploads by itself), on the
/// server, or refused with the reason; and the gate code's verdict once known.
fn where_it_is(state: AppState, local: &LocalRecord) -> String {
    let place = match state.sync_status(local) {
        SyncStatus::OnServer => state.t(Msg::SavedOnServer).to_string(),
        SyncStatus::OnPhoneOnly | SyncStatus::CorrectionPending => {
            state.t(Msg::SavedOnPhone).to_string()
        }
        SyncStatus::Refused => {
            let why = state.refusals.with(|r| {
                r.of(local.record.id, &local.record.version)
                    .map(|r| state.refusal_text(r))
                    .unwrap_or_default()
            });
            format!("{}: {why}", state.t(Msg::Rejected))
        }
    };
    let verdict = local.proof.map(|p| match p {
        Proof::Verified => Msg::ProofVerified,
        Proof::Unverified => Msg::ProofUnverified,
        Proof::Failed => Msg::ProofFailed,
    });
    match verdict {
        Some(v) => format!(
            "{place} · {}{}{}",
            state.t(Msg::CodeVerdict),
            state.lang().colon(),
            state.t(v)
        ),
        None => place,
    }
}
