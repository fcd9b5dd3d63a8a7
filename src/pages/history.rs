//! The history screen: check-ins on this phone, newest first, with where each one is.

use chrono::{Datelike, Timelike};
use gatewatch_model::gatecode::Proof;
use gatewatch_model::stored::LocalRecord;
use gatewatch_model::{CheckInEvent, RecordBody};
use leptos::prelude::*;

use crate::i18n::Msg;
use crate::state::AppState;

/// Rows rendered at once; a phone with a year of records stays quick.
const PAGE_ROWS: usize = 200;

/// The check-ins on this phone, newest first, a page of rows at a time.
#[component]
pub fn HistoryPage() -> impl IntoView {
    let state = AppState::expect();
    let shown = RwSignal::new(PAGE_ROWS);
    let rows = Memo::new(move |_| {
        let mut all: Vec<LocalRecord> = state.records.with(|m| m.values().cloned().collect());
        all.sort_by(|a, b| newest_first_key(b).cmp(&newest_first_key(a)));
        all
    });
    let total = move || rows.with(|r| r.len());
    view! {
        <section class="history">
            <Show when=move || total() == 0>
                <p class="empty">{move || state.t(Msg::NoRecords)}</p>
            </Show>
            <ul class="rows">
                <For
                    each=move || rows.get().into_iter().take(shown.get())
                    key=|l| (l.record.id, l.record.version.clone(), l.synced, l.received_at, l.proof)
                    children=move |l| view! { <HistoryRow local=l/> }
                />
            </ul>
            <Show when=move || { total() > shown.get() }>
                <button class="more" on:click=move |_| shown.update(|n| *n += PAGE_ROWS)>
                    {move || format!("+{}", (total() - shown.get()).min(PAGE_ROWS))}
                </button>
            </Show>
        </section>
    }
}

fn newest_first_key(l: &LocalRecord) -> (i64, &gatewatch_model::Hlc) {
    let RecordBody::CheckIn(c) = &l.record.body;
    (c.device_time.timestamp_millis(), &l.record.version)
}

/// One check-in: where, when, which flags, and whether the server has it.
#[component]
fn HistoryRow(local: LocalRecord) -> impl IntoView {
    let state = AppState::expect();
    let id = local.record.id;
    let version = local.record.version.clone();
    let RecordBody::CheckIn(c) = local.record.body.clone();
    let post_label = state
        .posts
        .with_untracked(|posts| posts.iter().find(|p| p.id == c.post_id).map(|p| p.label()))
        .unwrap_or_else(|| c.post_id.clone());
    let rejected = move || {
        state.rejected.with(|r| {
            r.get(&id)
                .filter(|(v, _)| *v == version)
                .map(|(_, why)| why.clone())
        })
    };
    let synced = local.synced;
    let proof = local.proof.map(|p| match p {
        Proof::Verified => ("verified", Msg::ProofVerified),
        Proof::Unverified => ("unverified", Msg::ProofUnverified),
        Proof::Failed => ("failed", Msg::ProofFailed),
    });
    let place = move || {
        if let Some(why) = rejected() {
            format!("{}: {why}", state.t(Msg::Rejected))
        } else if synced {
            state.t(Msg::OnServer).to_string()
        } else {
            state.t(Msg::OnPhoneOnly).to_string()
        }
    };
    let event = c.event;
    let flags = c.presence;
    // Formatted by hand: chrono's strftime machinery costs kilobytes of wasm.
    let time = format!(
        "{:02}-{:02} {:02}:{:02}",
        c.device_time.month(),
        c.device_time.day(),
        c.device_time.hour(),
        c.device_time.minute()
    );
    let received = local.received_at.map(|r| {
        let r = r.with_timezone(&c.device_time.timezone());
        format!("{:02}:{:02}:{:02}", r.hour(), r.minute(), r.second())
    });
    let flag = move |on: bool, msg: Msg| {
        view! { <span class="chip" class:off=!on>{move || state.t(msg)}</span> }
    };
    view! {
        <li
            class="row"
            class:synced=synced
            data-testid="checkin-row"
            data-id=id.to_string()
            data-synced=synced.to_string()
        >
            <div class="row-main">
                <b>{post_label}</b>
                <span class="event">
                    {move || match event {
                        CheckInEvent::Arrival => state.t(Msg::Arrival),
                        CheckInEvent::Departure => state.t(Msg::Departure),
                    }}
                </span>
                <time>{time}</time>
            </div>
            <div class="row-flags">
                {flag(flags.officer, Msg::Officer)}
                {flag(flags.car, Msg::Car)}
                {flag(flags.lights, Msg::Lights)}
            </div>
            {(!c.note.is_empty()).then(|| view! { <p class="note">{c.note.clone()}</p> })}
            {c.position.map(|p| view! {
                <p class="located" data-testid="row-located">
                    {move || state.t(Msg::Located)} " ±" {p.accuracy_m} " m"
                </p>
            })}
            {proof.map(|(name, msg)| view! {
                <p class=format!("proof {name}") data-testid="row-proof" data-proof=name>{move || state.t(msg)}</p>
            })}
            <div class="row-sync" data-testid="row-sync">
                {place}
                {received.map(|r| view! { <span class="received">" · " {move || state.t(Msg::ReceivedAt)} " " {r.clone()}</span> })}
            </div>
        </li>
    }
}
