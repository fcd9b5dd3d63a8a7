//! 换班: the pending swap requests of the manager's schools — who asks, for which slot,
//! why — approved with a chosen substitute or rejected with a note
//! (`POST /api/swaps/{id}/decision`; the server changes the roster on approval).

use gatewatch_model::roster::Person;
use gatewatch_model::swap::SwapRequest;
use gatewatch_model::{Change, Post, RecordBody};
use leptos::prelude::*;
use leptos::task::spawn_local;
use uuid::Uuid;

use crate::api::{self, ApiError, Decision};
use crate::grid::{Names, Staff};
use crate::i18n::{window_name, Msg};
use crate::session::Session;
use crate::widgets::{explain, loaded, value_of};

/// One request waiting for a decision, as the server sent it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingSwap {
    pub id: Uuid,
    pub request: SwapRequest,
    /// The account that pushed the request, as the server recorded it.
    pub author: Option<Person>,
}

/// The requests of `changes` that wait for a decision, by the model's rules: a swap
/// record that still counts (an officer's withdrawal voids it) and is undecided.
pub fn pending(changes: Vec<Change>) -> Vec<PendingSwap> {
    changes
        .into_iter()
        .filter(|c| c.record.counts())
        .filter_map(|c| match c.record.body {
            RecordBody::Swap(request) if request.is_pending() => Some(PendingSwap {
                id: c.record.id,
                request,
                author: c.author,
            }),
            _ => None,
        })
        .collect()
}

#[derive(Clone)]
struct Pending {
    requests: Vec<PendingSwap>,
    staff: Staff,
    posts: Vec<Post>,
}

async fn load_pending() -> Result<Pending, ApiError> {
    let requests = pending(api::pending_swaps().await?.swaps);
    let staff = Staff::new(api::officers().await?.people);
    let posts = api::posts().await?;
    Ok(Pending {
        requests,
        staff,
        posts,
    })
}

#[component]
pub fn SwapsPage() -> impl IntoView {
    let session = Session::expect();
    let reload = RwSignal::new(0u32);
    let list = LocalResource::new(move || {
        reload.track();
        load_pending()
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
                    let names = StoredValue::new(p.staff.names());
                    p.requests
                        .into_iter()
                        .map(|swap| {
                            let post = p.posts.iter().find(|g| g.id == swap.request.post_id);
                            let gate = post.map(Post::label).unwrap_or_else(|| swap.request.post_id.clone());
                            // Only an officer of the slot's school may stand in there.
                            let school = post.map(|g| g.school_id.as_str()).unwrap_or_default();
                            let offered = p.staff.serving(school, &[swap.request.officer]);
                            view! { <SwapCard swap gate offered names reload/> }
                        })
                        .collect_view()
                        .into_any()
                }
            }}
        </section>
    }
}

/// One request with its decision form; the substitute is one of `offered`.
#[component]
fn SwapCard(
    swap: PendingSwap,
    gate: String,
    offered: Vec<Person>,
    names: StoredValue<Names>,
    reload: RwSignal<u32>,
) -> impl IntoView {
    let session = Session::expect();
    let PendingSwap {
        id,
        request,
        author,
    } = swap;
    let asker = author
        .as_ref()
        .map(Person::label)
        .or_else(|| names.with_value(|n| n.person(request.officer).map(Person::label)))
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
    let choices = offered
        .iter()
        .map(|p| view! { <option value=p.user.to_string()>{p.label()}</option> })
        .collect_view();
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

    fn change(id: u128, extra: serde_json::Value) -> Change {
        let mut data = json!({"post_id": "s01-g1", "date": "2026-12-08", "window": "morning",
            "officer": Uuid::from_u128(1), "reason": "病假",
            "device_time": "2026-12-01T20:00:00+08:00"});
        let mut record = json!({"id": Uuid::from_u128(id), "version": "0000000000a1-0000-phone1",
            "kind": "swap", "data": data.take()});
        for (key, value) in extra.as_object().unwrap() {
            match key.as_str() {
                "voided" => record["voided"] = value.clone(),
                _ => record["data"][key] = value.clone(),
            }
        }
        serde_json::from_value(json!({"seq": id, "received_at": "2026-12-01T12:00:00Z",
            "record": record, "author": {"user": Uuid::from_u128(1),
            "username": "zhang.wei", "display_name": "张伟"}}))
        .unwrap()
    }

    /// Finding 1 of review 14b: a request its officer withdrew (voided) is not pending,
    /// whatever a server lists; nor is a decided one.
    #[test]
    fn only_undecided_requests_that_still_count_are_pending() {
        let decided = json!({"decision": {"approved": false, "by": Uuid::from_u128(9),
            "at": "2026-12-02T01:00:00Z", "note": "人手不足"}});
        let list = pending(vec![
            change(0x11, json!({})),
            change(0x12, json!({"voided": "不需要了"})),
            change(0x13, decided),
        ]);
        let ids: Vec<Uuid> = list.iter().map(|p| p.id).collect();
        assert_eq!(ids, [Uuid::from_u128(0x11)]);
        assert_eq!(list[0].request.reason, "病假");
        assert_eq!(
            list[0].author.as_ref().map(Person::label).as_deref(),
            Some("张伟 (zhang.wei)")
        );
    }
}
