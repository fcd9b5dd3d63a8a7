//! The sync loop: push the outbox, pull what changed, and decide when to run again.
//!
//! One task owns syncing, so two syncs never overlap. It runs at start, then waits for
//! the next timer tick (exponential backoff after failures, capped at five minutes) or
//! a wake-up: the browser's `online` event, "sync now", or a newly saved record.

use chrono::{DateTime, Utc};
use futures::channel::mpsc::{unbounded, UnboundedReceiver, UnboundedSender};
use futures::future::{select, Either};
use futures::StreamExt;
use gatewatch_model::access::{may, Access, ROSTER};
use gatewatch_model::outbox::Refusal;
use gatewatch_model::sync::push_batches;
use gatewatch_model::{Backoff, PushRequest, Record, RejectCode};
use gloo_timers::future::TimeoutFuture;
use leptos::prelude::*;

use crate::api::{self, ApiError};
use crate::state::{AppState, SyncFailure, SyncState};
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

/// The sync loop, not yet started: the app provides the handle at once, and starts
/// the loop only after the journal replay, so replay and sync never interleave.
pub struct SyncLoop {
    woken: UnboundedReceiver<()>,
}

/// A handle for the UI and the loop it wakes.
pub fn channel() -> (SyncHandle, SyncLoop) {
    let (wake, woken) = unbounded::<()>();
    (SyncHandle { wake }, SyncLoop { woken })
}

/// How one sync went, for when the next one runs.
enum Outcome {
    Done,
    Failed,
    /// The server said when this account may push again (seconds from now).
    PushWaits(u64),
}

/// The server told this account to wait before pushing again (`429` with
/// `Retry-After`): until when, and its answer. Until then syncs only pull.
type PushWait = Option<(DateTime<Utc>, ApiError)>;

impl SyncLoop {
    /// Runs for the life of the page: a sync now, then one per timer tick or wake-up.
    pub async fn run(mut self, state: AppState) {
        let mut backoff = Backoff::new();
        let mut push_wait: PushWait = None;
        loop {
            let outcome = run_once(state, &mut push_wait).await;
            let delay = match outcome {
                Outcome::Done => backoff.next_delay_ms(true),
                Outcome::Failed => backoff.next_delay_ms(false),
                // The pushes wait (`push_wait`); the pulls keep their pace.
                Outcome::PushWaits(secs) => backoff.next_delay_after_ms(secs),
            };
            // Told to the officer with a failure ("next try at 09:41"): for a push told
            // to wait, when uploads resume, not the next pull.
            let now = Utc::now();
            state.next_try.set(match outcome {
                Outcome::Done => None,
                Outcome::Failed => Some(now + chrono::Duration::milliseconds(i64::from(delay))),
                Outcome::PushWaits(secs) => {
                    let secs = i64::try_from(secs)
                        .unwrap_or(MAX_WAIT_SECS)
                        .min(MAX_WAIT_SECS);
                    Some(now + chrono::Duration::seconds(secs))
                }
            });
            let timer = TimeoutFuture::new(delay);
            if let Either::Right((None, _)) = select(timer, self.woken.next()).await {
                break; // every handle dropped: the page is closing
            }
            // Several wake-ups while we slept or synced are one sync.
            while self.woken.try_recv().is_ok() {}
        }
    }
}

/// One full sync; updates the header state.
async fn run_once(state: AppState, push_wait: &mut PushWait) -> Outcome {
    // Storage may have room again (even offline): write what it refused before.
    state.retry_unsaved();
    if !browser_online() {
        state.sync.set(SyncState::Offline);
        return Outcome::Failed;
    }
    // Without a session the server would only answer 401: wait for the login, which
    // wakes this loop.
    if state.profile.with_untracked(Option::is_none) || state.session_ended.get_untracked() {
        state.sync.set(SyncState::SignedOut);
        return Outcome::Failed;
    }
    state.sync.set(SyncState::Syncing);
    match sync(state, push_wait).await {
        Ok(()) => {
            state.drop_expired(chrono::Local::now().date_naive());
            state.sync.set(SyncState::Synced);
            Outcome::Done
        }
        Err(ApiError::Network(_)) if !browser_online() => {
            state.sync.set(SyncState::Offline);
            Outcome::Failed
        }
        Err(e) if e.session_end().is_some() => {
            if let Some(end) = e.session_end() {
                state.session_has_ended(end);
            }
            state.sync.set(SyncState::SignedOut);
            Outcome::Failed
        }
        Err(e) => {
            web_sys::console::warn_1(&format!("sync failed: {e}").into());
            state.sync.set(SyncState::Error(failure(&e)));
            match e {
                ApiError::TryLater {
                    retry_after_secs, ..
                } => Outcome::PushWaits(retry_after_secs),
                _ => Outcome::Failed,
            }
        }
    }
}

/// What the officer is told about a failed sync.
fn failure(e: &ApiError) -> SyncFailure {
    match e {
        ApiError::Network(_) => SyncFailure::NoAnswer,
        ApiError::TryLater { body, .. } if body.error == "push_limit" => SyncFailure::PushLimit,
        ApiError::TryLater { .. } => SyncFailure::ServerError(429),
        ApiError::Server { status, .. } => SyncFailure::ServerError(*status),
        ApiError::Decode(_) => SyncFailure::BadAnswer,
    }
}

async fn sync(state: AppState, push_wait: &mut PushWait) -> Result<(), ApiError> {
    // Whose session the browser holds, first: records are pushed only as the user who
    // made them. (Someone logging in to /admin in this browser shares the cookie.)
    let profile = api::me().await?;
    if state
        .profile
        .with_untracked(|p| p.as_ref().is_some_and(|p| p.user != profile.user))
    {
        return Err(ApiError::Server {
            status: 401,
            body: gatewatch_model::ErrorBody {
                error: "unauthenticated".into(),
                detail: "this browser is signed in as someone else".into(),
            },
        });
    }
    // The profile may have changed: an admin gave a lead another team (its roster is
    // then followed and pulled) or another school.
    if state
        .profile
        .with_untracked(|p| p.as_ref() != Some(&profile))
    {
        state.signed_in(profile).await;
    }
    // Told to wait before pushing: the records stay in the outbox (not refused), and
    // the pull still brings what colleagues did.
    let pushed = push_unless_told_to_wait(state, push_wait).await;
    if let Err(e) = &pushed {
        if !matches!(e, ApiError::TryLater { .. }) {
            return pushed;
        }
    }
    pull(state).await?;
    // Posts and schools are small; failing to fetch them must not fail the sync.
    if let Ok(posts) = api::posts().await {
        state.set_posts(posts);
    }
    if let Ok(schools) = api::schools().await {
        state.set_schools(schools);
    }
    refresh_duty(state).await;
    pushed
}

/// How far back and ahead the phone keeps the roster: last week (the roster's coverage
/// sheet) and the next four weeks (today's posts offline; coming days' as they come).
const ROSTER_DAYS_BACK: u64 = 7;
const ROSTER_DAYS_AHEAD: u64 = 27;

/// The calendar and the roster: small, and kept as they were if they cannot be fetched
/// (the phone works on its last copy; the next sync tries again).
async fn refresh_duty(state: AppState) {
    if let Ok(entries) = api::calendar().await {
        state.set_calendar(entries);
    }
    // Only a role that is put on the roster (and asks for swaps) keeps it on the phone:
    // a supervisor's or an admin's scope can be a whole city's roster, which is theirs
    // to read in the console, not to carry in localStorage.
    let is_on_roster = state.profile.with_untracked(|p| {
        p.as_ref().is_some_and(|p| {
            may(p.role, ROSTER, Access::Read) && may(p.role, "swap", Access::Write)
        })
    });
    if !is_on_roster {
        return;
    }
    let today = chrono::Local::now().date_naive();
    let from = today - chrono::Days::new(ROSTER_DAYS_BACK);
    let to = today + chrono::Days::new(ROSTER_DAYS_AHEAD);
    if let Ok(roster) = api::roster(from, to).await {
        state.set_roster(roster);
    }
}

/// The longest `Retry-After` a push waits for.
const MAX_WAIT_SECS: i64 = 7 * 24 * 3600;

/// Pushes the outbox, unless the server said to wait (`push_wait`): then its answer
/// again, with the seconds still to wait. A new `429` starts a wait.
async fn push_unless_told_to_wait(
    state: AppState,
    push_wait: &mut PushWait,
) -> Result<(), ApiError> {
    let now = Utc::now();
    if let Some((until, answer)) = push_wait.as_ref().filter(|(until, _)| now < *until) {
        let left_ms = (*until - now).num_milliseconds().max(1).unsigned_abs();
        return Err(match answer.clone() {
            ApiError::TryLater { body, .. } => ApiError::TryLater {
                body,
                retry_after_secs: left_ms.div_ceil(1000),
            },
            other => other,
        });
    }
    *push_wait = None;
    let pushed = push(state).await;
    if let Err(
        e @ ApiError::TryLater {
            retry_after_secs, ..
        },
    ) = &pushed
    {
        // Our server waits at most a day; a stranger's header is held to a week.
        let secs = i64::try_from(*retry_after_secs).map_or(MAX_WAIT_SECS, |s| s.min(MAX_WAIT_SECS));
        *push_wait = Some((now + chrono::Duration::seconds(secs), e.clone()));
    }
    pushed
}

async fn push(state: AppState) -> Result<(), ApiError> {
    let outbox = state.outbox();
    // Sized as sent: a count alone would let 500 duty sessions exceed the server's
    // request limit and be refused whole on every retry.
    let sizes: Vec<usize> = outbox
        .iter()
        .map(|r| serde_json::to_string(r).map_or(0, |s| s.len()))
        .collect();
    for batch in push_batches(&sizes).into_iter().map(|b| &outbox[b]) {
        match push_batch(state, batch).await {
            // The server refused the batch as a whole (a record it cannot parse, a
            // size limit): send the records one by one, so one bad record is marked
            // rejected instead of holding back all the others.
            Err(ApiError::Server { status, body })
                if is_refusal(status, &body) && batch.len() > 1 =>
            {
                for record in batch {
                    match push_batch(state, std::slice::from_ref(record)).await {
                        Err(ApiError::Server { status, body }) if is_refusal(status, &body) => {
                            state.reject(record.id, whole_refusal(record, body.detail));
                        }
                        other => other?,
                    }
                }
            }
            Err(ApiError::Server { status, body }) if is_refusal(status, &body) => {
                for record in batch {
                    state.reject(record.id, whole_refusal(record, body.detail.clone()));
                }
            }
            other => other?,
        }
    }
    Ok(())
}

/// A request refused as a whole (no code per record): the server's words are the reason.
fn whole_refusal(record: &Record, detail: String) -> Refusal {
    Refusal {
        version: record.version.clone(),
        code: RejectCode::Other,
        reason: detail,
    }
}

/// Our server refused the content itself (a record it cannot parse, too large), in its
/// own words: the same records would be refused again. Anything else — a proxy's or
/// captive portal's 400 (its body is not ours), a 403 or 404, a missing route, a
/// timeout, a rate limit, the end of the session — is a failed sync, retried: records
/// are never marked refused for what is not about them.
fn is_refusal(status: u16, body: &gatewatch_model::ErrorBody) -> bool {
    const CONTENT_REFUSALS: [&str; 5] = [
        "malformed_json",
        "bad_request",
        "invalid_record",
        "payload_too_large",
        "batch_too_large",
    ];
    matches!(status, 400 | 413 | 422) && CONTENT_REFUSALS.contains(&body.error.as_str())
}

async fn push_batch(state: AppState, batch: &[Record]) -> Result<(), ApiError> {
    let req = PushRequest {
        device: state.device(),
        records: batch.to_vec(),
    };
    let resp = api::push(&req).await?;
    // Refusals first, then acks: a later version acknowledged in the same answer then
    // answers the refusal of an earlier one.
    for r in resp.rejected {
        let refusal = Refusal {
            version: r.version,
            code: r.code,
            reason: r.reason,
        };
        match r.current {
            Some(current) => state.reject_with_copy(r.id, refusal, current),
            None => state.reject(r.id, refusal),
        }
    }
    for local in state.acknowledge_all(&resp.acks) {
        // A leftover journal entry is harmless: replay finds the same version stored.
        let _ = storage::forget_journal(&local).await;
    }
    // The server's feed is behind what we pulled: its database was replaced or
    // restored. Pull it all again; the upsert rule makes that harmless.
    if gatewatch_model::replica::server_restarted(resp.cursor, state.cursor()) {
        state.reset_cursor();
    }
    Ok(())
}

/// Most pages one sync pulls, so a huge backlog cannot hold the loop forever; the next
/// sync continues from the saved cursor.
const MAX_PAGES_PER_SYNC: usize = 200;

async fn pull(state: AppState) -> Result<(), ApiError> {
    for _ in 0..MAX_PAGES_PER_SYNC {
        let since = state.cursor();
        let teams = state.followed_teams.get_untracked();
        let page = api::pull(since, &teams).await?;
        let more = page.more && page.cursor > since;
        for local in state.apply_changes_since(since, page.changes, page.cursor) {
            // As after a push: a leftover entry is replayed as a duplicate, harmlessly.
            let _ = storage::forget_journal(&local).await;
        }
        // A team followed meanwhile: this page was filtered for the old list, so start
        // the feed again for the new one.
        if state.followed_teams.with_untracked(|now| *now != teams) {
            state.reset_cursor();
            break;
        }
        if !more {
            break;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::is_refusal;
    use gatewatch_model::ErrorBody;

    fn body(error: &str) -> ErrorBody {
        ErrorBody {
            error: error.into(),
            detail: "x".into(),
        }
    }

    #[test]
    fn only_our_servers_content_refusals_mark_records_refused() {
        assert!(is_refusal(422, &body("invalid_record")));
        assert!(is_refusal(413, &body("batch_too_large")));
        assert!(is_refusal(400, &body("malformed_json")));
        // A proxy's or captive portal's 400 (not our JSON): a failed sync, retried.
        assert!(!is_refusal(400, &body("http_error")));
        assert!(!is_refusal(403, &body("csrf_header_missing")));
        assert!(!is_refusal(401, &body("unauthenticated")));
        assert!(!is_refusal(503, &body("unavailable")));
    }
}
