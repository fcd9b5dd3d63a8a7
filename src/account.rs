//! Who is signed in on this phone, and the rules of logging in and out.
//!
//! The session is an HttpOnly cookie the server set: no script here can read it, and
//! nothing here stores a token. What the phone keeps is the profile (who, which role and
//! scope), so it works offline after one login. When the server ends the session, the
//! records stay on the phone and go up after the next login; logging out wipes the
//! person's data, and is refused while anything is unsynced.

use gatewatch_model::account::{normalize_username, LoginRequest, Profile, SessionEnd};
use gatewatch_model::Record;
use leptos::prelude::*;

use crate::api::{self, ApiError};
use crate::state::AppState;
use crate::storage::{self, StorageError};

/// Why a login or logout did not happen.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AccountError {
    /// The server answered with a refusal (wrong password, disabled, too many tries).
    #[error("{0}")]
    Refused(String),
    /// No answer: logging in (or out) needs the server.
    #[error("no network")]
    Offline,
    /// Another account's records are still unsynced on this phone.
    #[error("{0}")]
    OtherUsersRecords(String),
    /// Unsynced records: logout would lose them.
    #[error("{0} unsynced")]
    Unsynced(usize),
    #[error(transparent)]
    Storage(#[from] StorageError),
}

impl From<ApiError> for AccountError {
    fn from(e: ApiError) -> Self {
        match e {
            ApiError::Network(_) => AccountError::Offline,
            ApiError::Server { body, .. } | ApiError::TryLater { body, .. } => {
                AccountError::Refused(body.error)
            }
            ApiError::Decode(d) => AccountError::Refused(d),
        }
    }
}

impl AppState {
    /// Whether the login screen is shown instead of the app: nobody has signed in on
    /// this phone yet (known once the journal has been read), or the user asked to log
    /// in again.
    pub fn needs_login(&self) -> bool {
        !self.starting.get() && (self.profile.with(Option::is_none) || self.login_shown.get())
    }

    /// The server said the session is over: sync stops asking it until the next
    /// login. Expired: every record stays. The device revoked or the account disabled:
    /// the phone is locked (`lock_phone`).
    pub fn session_has_ended(&self, end: SessionEnd) {
        self.session_ended.set(true);
        if end.locks_phone() {
            self.lock_phone(end);
        }
    }

    /// The server locked this phone (`why`): what the server already has leaves it —
    /// synced records (rosters with full phone numbers among them), gate secrets,
    /// cached lists, the feed position — and what it has not stays, hidden behind the
    /// locked screen, until the same user logs in again or exports it.
    pub fn lock_phone(&self, why: SessionEnd) {
        // What the server has goes first: on a full phone that frees the room the lock
        // itself needs to be kept (a reload must not open the phone again).
        self.drop_synced();
        if let Err(e) = storage::lock(why) {
            web_sys::console::warn_1(&format!("lock not kept: {e}").into());
        }
        self.server_copies.set(Default::default());
        self.followed_teams.set(Vec::new());
        self.team.set(None);
        // Storage dropped its copies of these: emptied here too, so the next login's
        // fetch is stored again rather than found equal to what memory still held.
        self.calendar.set(Default::default());
        self.roster.set(Default::default());
        self.people.set(Default::default());
        self.reset_cursor();
        self.locked.set(Some(why));
        self.session_ended.set(true);
        // The locked screen says why, even over a login screen that was open.
        self.login_shown.set(false);
    }

    /// Signed in as `profile`: kept for offline use (durably: see `save_profile`); a
    /// lead's teams are followed.
    pub async fn signed_in(&self, profile: Profile) {
        if let Err(e) = storage::save_profile(&profile).await {
            web_sys::console::warn_1(&format!("profile not kept: {e}").into());
        }
        self.profile_restored(profile);
    }

    /// `profile` is who is signed in (from storage, or just logged in).
    pub fn profile_restored(&self, profile: Profile) {
        // A school newly in scope: its earlier records are behind the feed position,
        // so read the feed again from the start (the upsert rule makes that harmless).
        let new_school = self.profile.with_untracked(|held| {
            held.as_ref()
                .is_some_and(|h| profile.schools.iter().any(|s| !h.schools.contains(s)))
        });
        if new_school {
            self.reset_cursor();
        }
        for team in &profile.teams {
            // Followed in memory either way; following is tried again at every sync.
            if let Err(e) = self.follow_team(*team) {
                web_sys::console::warn_1(&format!("team not followed in storage: {e}").into());
            }
        }
        self.drop_unreadable(profile.role);
        self.profile.set(Some(profile));
        self.session_ended.set(false);
        self.login_shown.set(false);
    }

    /// Logs in as `username`. Another person's unsynced records on this phone block a
    /// different account (they must go up under their author); when a different account
    /// signs in on a phone with nothing unsynced, the previous person's data is wiped and
    /// the page reloads clean. Returns whether the page is reloading.
    pub async fn log_in(&self, username: &str, password: &str) -> Result<bool, AccountError> {
        let previous = self.profile.get_untracked();
        let someone_else = previous
            .as_ref()
            .filter(|p| normalize_username(username).is_ok_and(|name| name != p.username));
        if let Some(p) = someone_else {
            // Refused records too: they are the other person's to export or discard.
            let left = untrack(|| self.tally());
            if left.pending + left.refused > 0 {
                return Err(AccountError::OtherUsersRecords(p.display_name.clone()));
            }
        }
        let request = LoginRequest {
            username: username.to_owned(),
            password: password.to_owned(),
            device: self.device(),
        };
        let profile = match api::login(&request).await {
            Ok(profile) => profile,
            Err(e) => {
                // The person this phone holds was disabled while their session lapsed
                // (the browser dropped the cookie, so no sync could say so): the phone
                // locks now, as it would have then.
                let same_person = previous.is_some() && someone_else.is_none();
                if same_person && e.session_end() == Some(SessionEnd::Disabled) {
                    self.lock_phone(SessionEnd::Disabled);
                }
                return Err(e.into());
            }
        };
        if someone_else.is_some() {
            storage::forget_personal_data(storage::SetAside::Kept).await?;
            storage::save_profile(&profile).await?;
            reload();
            return Ok(true);
        }
        if self.locked.get_untracked().is_some() {
            // The same user again: their hidden records are theirs to see and push.
            if let Err(e) = storage::unlock() {
                web_sys::console::warn_1(&format!("unlock not kept: {e}").into());
            }
            self.locked.set(None);
        }
        self.signed_in(profile).await;
        // From now on this phone holds a person's work: ask the browser not to clear it
        // when space runs low (设置 shows its answer). Not awaited here: a browser may
        // ask its user, and the first sync must not wait for that.
        leptos::task::spawn_local(async {
            let kept = storage::persist::ask_to_persist().await;
            web_sys::console::info_1(&format!("storage persistence: {}", kept.as_str()).into());
        });
        Ok(false)
    }

    /// Logs out: refused while anything is unsynced (the caller syncs or offers the
    /// export first) and while offline (the server must end the session, or the cookie
    /// would still open it). Then the person's data leaves the phone and the page
    /// reloads on the login screen.
    pub async fn log_out(&self) -> Result<(), AccountError> {
        let unsynced = self.pending_count_untracked();
        if unsynced > 0 {
            return Err(AccountError::Unsynced(unsynced));
        }
        api::logout().await?;
        // A record saved while the request was on its way is unsynced: keep it (the
        // session is over; it goes up after the next login).
        let unsynced = self.pending_count_untracked();
        if unsynced > 0 {
            self.session_has_ended(SessionEnd::Expired);
            return Err(AccountError::Unsynced(unsynced));
        }
        // The logout's question offered them as a file.
        storage::forget_personal_data(storage::SetAside::Offered).await?;
        reload();
        Ok(())
    }

    /// Empties a locked phone after its hidden records were offered as a file: the
    /// person's data goes and the page reloads on the login screen, for anyone.
    pub async fn clear_locked_phone(&self) {
        match storage::forget_personal_data(storage::SetAside::Kept).await {
            Ok(()) => reload(),
            Err(e) => self.notice(crate::state::Notice::StorageUnavailable(e.to_string())),
        }
    }

    /// Every record and earlier version the server has not acknowledged, for the
    /// "export unsynced records" file.
    pub fn unsynced_records(&self) -> Vec<Record> {
        let mut out = self.superseded.get_untracked();
        self.records.with_untracked(|m| {
            out.extend(m.values().filter(|l| !l.synced).map(|l| l.record.clone()))
        });
        out
    }

    fn pending_count_untracked(&self) -> usize {
        untrack(|| self.pending_count())
    }
}

fn reload() {
    if let Some(w) = web_sys::window() {
        // If the browser refuses to navigate, the wiped app stays on screen and the
        // next start shows the login screen.
        let _ = w.location().replace("/");
    }
}
