//! The incident screen: report what happened at a post — bullying, fraud, traffic, a
//! suspicious person — saved and synced like a check-in, offline first.

use gatewatch_model::{FollowUp, IncidentCategory, Severity};
use leptos::prelude::*;

use crate::components::choice::{options, Choice};
use crate::components::post_select::{default_post, PostChoice, PostSelect};
use crate::i18n::{names, Msg};
use crate::pages::checkin::{SaveStatus, SaveStatusLine};
use crate::state::tr;
use crate::state::{AppState, IncidentDraft};
use crate::sync::SyncHandle;

#[component]
pub fn IncidentPage() -> impl IntoView {
    let state = AppState::expect();
    let sync = expect_context::<SyncHandle>();
    crate::geo::watch(state);
    let picked = RwSignal::new(None::<String>);
    let post_id = default_post(state, picked, PostChoice::Mine);
    let category = RwSignal::new(IncidentCategory::Other.as_str());
    let severity = RwSignal::new(Severity::Low.as_str());
    let follow_up = RwSignal::new(FollowUp::Open.as_str());
    let description = RwSignal::new(String::new());
    let people = RwSignal::new(String::new());
    let missing = RwSignal::new(false);
    let status = RwSignal::new(SaveStatus::Idle);

    // Whether a save is in flight (the button is disabled meanwhile). A task rather than
    // an `Action`: nothing else of an Action is used, and its machinery costs wasm.
    let saving = RwSignal::new(false);
    let submit = move |_| {
        if saving.get_untracked() {
            return;
        }
        let text = description.get_untracked();
        missing.set(text.trim().is_empty());
        if missing.get_untracked() {
            return;
        }
        status.set(SaveStatus::Saving);
        saving.set(true);
        let draft = IncidentDraft {
            position: crate::geo::recent_fix(state, js_sys::Date::now()),
            post_id: post_id.get_untracked(),
            // The selects only hold names from these enums' own lists.
            category: IncidentCategory::parse(category.get_untracked())
                .unwrap_or(IncidentCategory::Other),
            severity: Severity::parse(severity.get_untracked()).unwrap_or(Severity::Low),
            description: text,
            people: people.get_untracked(),
            status: FollowUp::parse(follow_up.get_untracked()).unwrap_or(FollowUp::Open),
        };
        // The task finishes the save even if the officer leaves the screen meanwhile.
        let sync = sync.clone();
        leptos::task::spawn_local(async move {
            match state.record_incident(draft).await {
                Ok(done) => {
                    status.try_set(SaveStatus::Done(done));
                    description.try_set(String::new());
                    people.try_set(String::new());
                    sync.sync_now();
                }
                Err(e) => {
                    status.try_set(SaveStatus::Failed(e));
                }
            }
            saving.try_set(false);
        });
    };

    view! {
        <section class="incident">
            <PostSelect current=post_id picked=picked choice=PostChoice::Mine testid="incident-post"/>
            <Choice label=Msg::Category options=options!(IncidentCategory, names::category)
                value=category testid="incident-category"/>
            <Choice label=Msg::SeverityLabel options=options!(Severity, names::severity)
                value=severity testid="incident-severity"/>
            <label class="field">
                <span>{tr(Msg::Description)}</span>
                <textarea
                    data-testid="incident-description"
                    maxlength="2000"
                    rows="4"
                    class=move || { if missing.get() { "invalid" } else { "" } }
                    placeholder=tr(Msg::DescriptionPlaceholder)
                    bind:value=description
                ></textarea>
                // The hidden attribute instead of <Show>: cheaper in wasm, same look.
                <small class="field-error" hidden=move || !missing.get()>{tr(Msg::DescriptionRequired)}</small>
            </label>
            <label class="field">
                <span>{tr(Msg::People)}</span>
                <input type="text" data-testid="incident-people" maxlength="500" bind:value=people/>
            </label>
            <Choice label=Msg::FollowUpLabel options=options!(FollowUp, names::follow_up)
                value=follow_up testid="incident-status"/>
            <button
                class="big-button"
                data-testid="incident-submit"
                disabled=move || saving.get()
                on:click=submit
            >
                {tr(Msg::ReportIncident)}
            </button>
            <SaveStatusLine status=status/>
        </section>
    }
}
