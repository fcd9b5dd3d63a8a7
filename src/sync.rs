//! The sync loop: push the outbox, pull what changed, and decide when to run again.
//!
//! One task owns syncing, so two syncs never overlap. It runs at start, then waits for
//! the next timer tick (exponential backoff after failures, capped at five minutes) or
//! a wake-up: the browser's `online` event, "sync now", or a newly saved record.

use futures::channel::mpsc::{unbounded, UnboundedSender};
use futures::future::{select, Either};
use futures::StreamExt;
use gatewatch_model::{Backoff, PushRequest, MAX_PUSH_BATCH};
use gloo_timers::future::TimeoutFuture;
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::api::{self, ApiError};
use crate::state::{AppState, SyncState};
use crate::storage;

/// Wakes the sync loop. Cheap to clone; kept in context.
#[derive(Clone)]
pub struct SyncHandle {
    wake: UnboundedSender<()>,
}

impl SyncHandle {
    pub fn sync_now(&self) {
        // The loop lives as long as the page; a closed channel only means it is gone.
        let _ = self.wake.unbounded_send(());
    }
}

fn browser_online() -> bool {
    web_sys::window()
        .map(|w| w.navigator().on_line())
        .unwrap_or(true)
}

/// Starts the sync loop and returns the handle that wakes it.
pub fn start(state: AppState) -> SyncHandle {
    let (wake, mut woken) = unbounded::<()>();
    spawn_local(async move {
        let mut backoff = Backoff::new();
        loop {
            let ok = run_once(state).await;
            let delay = backoff.next_delay_ms(ok);
            let timer = TimeoutFuture::new(delay);
            if let Either::Right((None, _)) = select(timer, woken.next()).await {
                break; // every handle dropped: the page is closing
            }
            // Several wake-ups while we slept or synced are one sync.
            while woken.try_recv().is_ok() {}
        }
    });
    SyncHandle { wake }
}

/// One full sync; updates the header state. Returns whether it succeeded.
async fn run_once(state: AppState) -> bool {
    if !browser_online() {
        state.sync.set(SyncState::Offline);
        return false;
    }
    state.sync.set(SyncState::Syncing);
    match sync(state).await {
        Ok(()) => {
            state.sync.set(SyncState::Synced);
            true
        }
        Err(ApiError::Network(_)) if !browser_online() => {
            state.sync.set(SyncState::Offline);
            false
        }
        Err(e) => {
            web_sys::console::warn_1(&format!("sync failed: {e}").into());
            state.sync.set(SyncState::Error(e.to_string()));
            false
        }
    }
}

async fn sync(state: AppState) -> Result<(), ApiError> {
    state.retry_unsaved();
    push(state).await?;
    pull(state).await?;
    // The post list is small; a failure here must not fail the sync.
    if let Ok(posts) = api::posts().await {
        state.set_posts(posts);
    }
    Ok(())
}

async fn push(state: AppState) -> Result<(), ApiError> {
    let outbox = state.outbox();
    for batch in outbox.chunks(MAX_PUSH_BATCH) {
        let req = PushRequest {
            device: state.device(),
            records: batch.to_vec(),
        };
        let resp = api::push(&req).await?;
        for ack in resp.acks {
            if state.acknowledge(ack.id, &ack.version) {
                let _ = storage::forget_journal(ack.id).await;
            }
        }
        for r in resp.rejected {
            state.reject(r.id, r.version, r.reason);
        }
    }
    Ok(())
}

/// Most pages one sync pulls, so a huge backlog cannot hold the loop forever; the next
/// sync continues from the saved cursor.
const MAX_PAGES_PER_SYNC: usize = 200;

async fn pull(state: AppState) -> Result<(), ApiError> {
    for _ in 0..MAX_PAGES_PER_SYNC {
        let since = state.cursor();
        let page = api::pull(since).await?;
        let more = page.more && page.cursor > since;
        for id in state.apply_changes(page.changes, page.cursor) {
            let _ = storage::forget_journal(id).await;
        }
        if !more {
            break;
        }
    }
    Ok(())
}
