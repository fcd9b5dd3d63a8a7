//! Who is signed in to the console, and in which language it speaks: the one piece of
//! shared state, in context (`Session::expect`).

use gatewatch_model::access::{may, Access, UserRole, ROSTER};
use gatewatch_model::account::{LoginRequest, Profile};
use gatewatch_model::school::School;
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::api::{self, ApiError};
use crate::i18n::{text, Lang, Msg};
use crate::storage;

#[derive(Clone, Copy)]
pub struct Session {
    pub lang: RwSignal<Lang>,
    /// `None`: nobody signed in (or not known yet: see `checked`).
    pub profile: RwSignal<Option<Profile>>,
    /// Whether the server said who the browser's session cookie belongs to.
    pub checked: RwSignal<bool>,
}

impl Session {
    /// Puts the session in context and asks the server whether the browser's cookie
    /// is still someone's (a reload keeps the manager signed in).
    pub fn provide() {
        let session = Session {
            lang: RwSignal::new(storage::lang()),
            profile: RwSignal::new(None),
            checked: RwSignal::new(false),
        };
        provide_context(session);
        spawn_local(async move {
            // Any failure (no session, offline) shows the login form.
            session.profile.set(api::me().await.ok());
            session.checked.set(true);
        });
    }

    pub fn expect() -> Session {
        expect_context()
    }

    /// `msg` in the current language (tracked: the text follows a language change).
    pub fn t(&self, msg: Msg) -> &'static str {
        text(self.lang.get(), msg)
    }

    pub fn set_lang(&self, lang: Lang) {
        self.lang.set(lang);
        if let Err(e) = storage::save_lang(lang) {
            // Only the next visit forgets the choice.
            web_sys::console::warn_1(&e.to_string().into());
        }
    }

    pub async fn log_in(&self, username: &str, password: &str) -> Result<Profile, ApiError> {
        let (device, kept) = storage::device_id();
        if let Err(e) = kept {
            web_sys::console::warn_1(&e.to_string().into());
        }
        let request = LoginRequest {
            username: username.trim().to_string(),
            password: password.to_string(),
            device,
        };
        let profile = api::login(&request).await?;
        self.profile.set(Some(profile.clone()));
        Ok(profile)
    }

    /// Ends the session on the server; the form comes back even if the server could not
    /// be told (its cookie then expires by itself).
    pub async fn log_out(&self) -> Result<(), ApiError> {
        let done = api::logout().await;
        self.profile.set(None);
        done
    }

    /// What a screen does with any failed request: a session the server ended brings
    /// back the login form; the error is returned for the screen to show.
    pub fn check(&self, e: ApiError) -> ApiError {
        if e.signed_out() {
            self.profile.set(None);
        }
        e
    }

    pub fn role(&self) -> Option<UserRole> {
        self.profile.with(|p| p.as_ref().map(|p| p.role))
    }

    pub fn is_admin(&self) -> bool {
        self.role() == Some(UserRole::Admin)
    }

    /// The schools this manager answers for, of `all`: an admin's are all.
    pub fn schools_in_scope(&self, all: Vec<School>) -> Vec<School> {
        self.profile.with_untracked(|p| match p {
            Some(p) if p.role == UserRole::Admin => all,
            Some(p) => all
                .into_iter()
                .filter(|s| p.schools.contains(&s.id))
                .collect(),
            None => Vec::new(),
        })
    }
}

/// Whether the console is for someone of `role`: those who may make a roster (所长,
/// 指挥室 and admins), by the model's access rule, the one the server applies.
pub fn is_manager(role: UserRole) -> bool {
    may(role, ROSTER, Access::Write)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_console_is_for_supervisors_and_admins() {
        assert!(is_manager(UserRole::Supervisor));
        assert!(is_manager(UserRole::Admin));
        assert!(!is_manager(UserRole::Officer));
        assert!(!is_manager(UserRole::Lead));
    }
}
