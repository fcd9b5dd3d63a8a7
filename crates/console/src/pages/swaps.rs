//! 换班: the pending swap requests of the manager's schools — who asks, for which slot,
//! why — approved with a chosen substitute or rejected with a note
//! (`POST /api/swaps/{id}/decision`; the server changes the roster on approval).

use chrono::NaiveDate;
use gatewatch_model::roster::Person;
use gatewatch_model::school::WindowKind;
use gatewatch_model::Post;
use leptos::prelude::*;
use leptos::task::spawn_local;
use serde::Deserialize;
use serde_json::Value;
use uuid::Uuid;

use crate::api::{self, ApiError, Decision};
use crate::grid::Names;
use crate::i18n::{window_name, Msg};
use crate::session::Session;
use crate::widgets::{explain, loaded, value_of};

/// One pending request, read from the server's list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SwapRequest {
    pub id: Uuid,
    pub post_id: String,
    pub date: NaiveDate,
    pub window: WindowKind,
    /// The asking officer.
    pub officer: Uuid,
    /// Whom they proposed, if anyone.
    pub substitute: Option<Uuid>,
    pub reason: String,
    /// The account that pushed the request, as the server recorded it.
    pub author: Option<Person>,
}

#[derive(Deserialize)]
struct SwapFields {
    post_id: String,
    #[serde(deserialize_with = "gatewatch_model::timefmt::date")]
    date: NaiveDate,
    window: WindowKind,
    officer: Uuid,
    #[serde(default)]
    substitute: Option<Uuid>,
    #[serde(default)]
    reason: String,
}

impl SwapRequest {
    /// The requests of `answer`: a list, or `{swaps: [...]}`, of pulled changes
    /// (`{record: {id, kind: "swap", data: {...}}, author}`) or of bare records.
    pub fn all(answer: &Value) -> Vec<SwapRequest> {
        let list = answer
            .as_array()
            .or_else(|| answer.get("swaps").and_then(Value::as_array));
        list.into_iter()
            .flatten()
            .filter_map(SwapRequest::read)
            .collect()
    }

    fn read(item: &Value) -> Option<SwapRequest> {
        let record = item.get("record").unwrap_or(item);
        let data = record.get("data").unwrap_or(record);
        let fields: SwapFields = serde_json::from_value(data.clone()).ok()?;
        let id = record.get("id").and_then(|v| Uuid::deserialize(v).ok())?;
        let author = item.get("author").and_then(|a| Person::deserialize(a).ok());
        Some(SwapRequest {
            id,
            post_id: fields.post_id,
            date: fields.date,
            window: fields.window,
            officer: fields.officer,
            substitute: fields.substitute,
            reason: fields.reason,
            author,
        })
    }
}

#[derive(Clone)]
struct Pending {
    requests: Vec<SwapRequest>,
    officers: Names,
    posts: Vec<Post>,
}

async fn pending() -> Result<Pending, ApiError> {
    let requests = SwapRequest::all(&api::pending_swaps().await?);
    let officers = Names::new(&api::officers().await?.people);
    let posts = api::posts().await?;
    Ok(Pending {
        requests,
        officers,
        posts,
    })
}

#[component]
pub fn SwapsPage() -> impl IntoView {
    let session = Session::expect();
    let reload = RwSignal::new(0u32);
    let list = LocalResource::new(move || {
        reload.track();
        pending()
    });
    view! {
        <section class="swaps">
            <h2>{move || session.t(Msg::NavSwaps)}</h2>
            {move || match loaded(session, list.get()) {
                Err(instead) => instead,
                Ok(p) if p.requests.is_empty() => {
                    view! { <p class="hint" data-testid="swaps-none">{session.t(Msg::NoSwaps)}</p> }.into_any()
                }
                Ok(p) => {
                    let officers = StoredValue::new(p.officers);
                    p.requests
                        .into_iter()
                        .map(|request| {
                            let gate = p.posts.iter().find(|g| g.id == request.post_id)
                                .map(Post::label).unwrap_or_else(|| request.post_id.clone());
                            view! { <SwapCard request gate officers reload/> }
                        })
                        .collect_view()
                        .into_any()
                }
            }}
        </section>
    }
}

/// One request with its decision form.
#[component]
fn SwapCard(
    request: SwapRequest,
    gate: String,
    officers: StoredValue<Names>,
    reload: RwSignal<u32>,
) -> impl IntoView {
    let session = Session::expect();
    let asker = request
        .author
        .as_ref()
        .map(Person::label)
        .or_else(|| officers.with_value(|n| n.person(request.officer).map(Person::label)))
        .unwrap_or_else(|| request.officer.to_string());
    let substitute = RwSignal::new(
        request
            .substitute
            .map(|u| u.to_string())
            .unwrap_or_default(),
    );
    let note = RwSignal::new(String::new());
    let error = RwSignal::new(String::new());
    let busy = RwSignal::new(false);
    let id = request.id;
    let decide = move |approve: bool| {
        let decision = Decision {
            approve,
            substitute: Uuid::parse_str(&substitute.get_untracked())
                .ok()
                .filter(|_| approve),
            note: note.get_untracked(),
        };
        if approve && decision.substitute.is_none() {
            error.set(session.t(Msg::ChooseSubstitute).to_string());
            return;
        }
        busy.set(true);
        spawn_local(async move {
            match api::decide_swap(id, &decision).await {
                Ok(()) => reload.update(|n| *n += 1),
                Err(e) => {
                    error.set(explain(session, &session.check(e)));
                    busy.set(false);
                }
            }
        });
    };
    let choices = officers.with_value(|n| {
        n.sorted()
            .into_iter()
            .filter(|p| p.user != request.officer)
            .map(|p| view! { <option value=p.user.to_string()>{p.label()}</option> })
            .collect_view()
    });
    let window = request.window;
    view! {
        <article class="card swap" data-testid="swap">
            <p><b data-testid="swap-asker">{asker}</b></p>
            <p>{gate}" · "{request.date.to_string()}" · "{move || window_name(session.lang.get(), window)}</p>
            <p class="why">{move || session.t(Msg::Reason)}{request.reason.clone()}</p>
            <label class="field">
                <span>{move || session.t(Msg::Substitute)}</span>
                <select data-testid="swap-substitute" prop:value=move || substitute.get()
                    on:change=move |ev| substitute.set(value_of(&ev))>
                    <option value="">{move || session.t(Msg::ChooseOfficer)}</option>
                    {choices}
                </select>
            </label>
            <label class="field">
                <span>{move || session.t(Msg::Note)}</span>
                <input type="text" data-testid="swap-note" bind:value=note/>
            </label>
            <p class="error" role="alert">{move || error.get()}</p>
            <div class="buttons">
                <button type="button" class="primary" data-testid="swap-approve"
                    disabled=move || busy.get() on:click=move |_| decide(true)>
                    {move || session.t(Msg::Approve)}
                </button>
                <button type="button" data-testid="swap-reject"
                    disabled=move || busy.get() on:click=move |_| decide(false)>
                    {move || session.t(Msg::Reject)}
                </button>
            </div>
        </article>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn requests_are_read_from_pulled_changes_or_bare_records() {
        let data = json!({"post_id": "s01-g1", "date": "2026-12-08", "window": "morning",
            "officer": Uuid::from_u128(1), "substitute": null, "reason": "病假", "decision": null});
        let change = json!({"seq": 3, "record": {"id": Uuid::from_u128(9), "version": "x",
            "kind": "swap", "data": data}, "author": {"user": Uuid::from_u128(1),
            "username": "zhang.wei", "display_name": "张伟"}});
        let read = SwapRequest::all(&json!({"swaps": [change]}));
        assert_eq!(read.len(), 1);
        assert_eq!(read[0].id, Uuid::from_u128(9));
        assert_eq!(read[0].reason, "病假");
        assert_eq!(
            read[0].author.as_ref().map(|a| a.label()).as_deref(),
            Some("张伟 (zhang.wei)")
        );
        let bare = json!([{"id": Uuid::from_u128(8), "kind": "swap", "data": data}]);
        assert_eq!(SwapRequest::all(&bare)[0].window, WindowKind::Morning);
        // Something else entirely: nothing, not a panic.
        assert!(SwapRequest::all(&json!({"error": "x"})).is_empty());
    }
}
