//! Settings: the officer's display name and the language. Optional; check-in works
//! without ever opening this screen.

use std::fmt::Write;

use gatewatch_model::access::{may, Access, ROSTER};
use leptos::prelude::*;
use wasm_bindgen::JsCast;

use gatewatch_model::access::UserRole;

use crate::account::AccountError;
use crate::components::html;
use crate::i18n::{Lang, Msg};
use crate::routes::{Link, Page};
use crate::state::tr;
use crate::state::AppState;

/// Language and the officer's own posts; who is signed in (the name on their records).
#[component]
pub fn SettingsPage() -> impl IntoView {
    let state = AppState::expect();
    let saved = RwSignal::new(None::<Result<(), String>>);
    let set_lang = move |tag: String| {
        if let Some(lang) = Lang::from_tag(&tag) {
            let mut s = state.settings.get_untracked();
            s.lang = lang;
            // The language changes at once either way; if storage refused it, say so.
            saved.set(Some(state.save_settings(s).map_err(|e| e.to_string())));
        }
    };
    let toggle_post = move |id: String, on: bool| {
        let mut s = state.settings.get_untracked();
        s.my_posts.retain(|p| *p != id);
        if on {
            s.my_posts.push(id);
        }
        saved.set(Some(state.save_settings(s).map_err(|e| e.to_string())));
    };
    // The post checkboxes as one HTML string with one change handler (less wasm than a
    // reactive element per post). Drawn from the posts only, with the ticks as they are
    // then: a tick is the browser's own, so the box keeps its focus.
    let post_checks = move || {
        state.posts.with(|posts| {
            state.settings.with_untracked(|s| {
                let mut h = String::new();
                for p in posts {
                    let checked = if s.my_posts.contains(&p.id) { " checked" } else { "" };
                    let _ = write!(
                        h,
                        r#"<label class="check"><input type="checkbox" data-testid="settings-my-post" value="{}"{checked}>{}</label>"#,
                        html::escape(&p.id),
                        html::escape(&p.label())
                    );
                }
                h
            })
        })
    };
    let on_post_change = move |ev: leptos::ev::Event| {
        if let Some(input) = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
        {
            toggle_post(input.value(), input.checked());
        }
    };
    view! {
        <section class="settings">
            <label class="field">
                <span>{tr(Msg::Language)}</span>
                // Options as HTML with the current language selected instead of
                // `prop:value`: its code leaves the wasm once no screen uses it (the team
                // screen's session note still does).
                <select
                    data-testid="settings-lang"
                    on:change=move |ev| set_lang(event_target_value(&ev))
                    inner_html=move || html::options([("zh-CN", "简体中文"), ("en", "English")], Some(state.lang().tag()))
                ></select>
            </label>
            <fieldset class="field my-posts">
                <legend>{tr(Msg::MyPosts)}</legend>
                <small>{tr(Msg::MyPostsHint)}</small>
                <div class="my-posts-list" on:change=on_post_change inner_html=post_checks></div>
            </fieldset>
            <p class="save-status" role="status">
                {move || match saved.get() {
                    Some(Ok(())) => state.t(Msg::SettingsSaved).to_string(),
                    Some(Err(e)) => format!("{}: {e}", state.t(Msg::SaveFailed)),
                    None => String::new(),
                }}
            </p>
            <span hidden=move || !state.profile.with(|p| p.as_ref().is_some_and(|p| Page::Gate.allowed_for(p.role)))>
                <Link page=Page::Gate class="link-button" testid="nav-gate">
                    {tr(Msg::NavGate)}
                </Link>
            </span>
            // Supervisors and admins make the roster and read the reports in the
            // managers' console, a page of its own (not this app's screens).
            <span hidden=move || !state.profile.with(|p| p.as_ref().is_some_and(|p| may(p.role, ROSTER, Access::Write)))>
                <a class="link-button" href="/console/" data-testid="nav-console">{tr(Msg::OpenConsole)}</a>
            </span>
            <StorageBox/>
            <AccountBox/>
            <p class="device">{tr(Msg::DeviceId)} ": " <code>{state.device().to_string()}</code></p>
        </section>
    }
}

/// Who is signed in, and logging out: refused while records are unsynced (it syncs
/// first and offers them as a file) and while offline.
#[component]
fn AccountBox() -> impl IntoView {
    let state = AppState::expect();
    let sync = expect_context::<crate::sync::SyncHandle>();
    let problem = RwSignal::new(None::<AccountError>);
    let who = move || {
        state.profile.with(|p| {
            p.as_ref().map(|p| {
                let role = match p.role {
                    UserRole::Officer => Msg::UserOfficer,
                    UserRole::Lead => Msg::UserLead,
                    UserRole::Supervisor => Msg::UserSupervisor,
                    UserRole::Admin => Msg::UserAdmin,
                };
                format!("{} ({}) · {}", p.display_name, p.username, state.t(role))
            })
        })
    };
    // Logging out asks first: logging in again needs a signal, and records the server
    // refused leave the phone with the person's data (export them first).
    let confirming = RwSignal::new(false);
    let log_out = move |_| {
        problem.set(None);
        confirming.set(false);
        let sync = sync.clone();
        leptos::task::spawn_local(async move {
            if let Err(e) = state.log_out().await {
                if matches!(e, AccountError::Unsynced(_)) {
                    sync.sync_now();
                }
                problem.set(Some(e));
            }
        });
    };
    let refused = move || state.tally().refused;
    let export_refused = move |_| {
        crate::download::save_records_file("gatewatch-refused", &state.refused_records());
    };
    let export = move |_| {
        crate::download::save_records_file("gatewatch-unsynced", &state.unsynced_records());
    };
    // Values set aside unreadable (`gw:bad:`) leave with the person's data: offered
    // first. Read when the question opens.
    let quarantined = move || {
        if confirming.get() {
            crate::storage::quarantined_values().len()
        } else {
            0
        }
    };
    let export_quarantined = move |_| {
        crate::download::save_records_file(
            "gatewatch-unreadable",
            &crate::storage::quarantined_values(),
        );
    };
    let message = move || {
        problem.with(|p| match p {
            None => String::new(),
            Some(AccountError::Unsynced(_)) => {
                format!("{} {}", state.t(Msg::LogoutBlocked), state.pending_count())
            }
            Some(AccountError::Offline) => state.t(Msg::NeedsNetwork).to_owned(),
            Some(other) => other.to_string(),
        })
    };
    view! {
        <div class="account">
            <p>{tr(Msg::Account)} ": " <b data-testid="account-who">{who}</b></p>
            <p class="field-error" data-testid="logout-problem" role="alert">{message}</p>
            <button class="link-button" data-testid="export-unsynced" on:click=export
                hidden=move || !problem.with(|p| matches!(p, Some(AccountError::Unsynced(_))))>
                {tr(Msg::ExportUnsynced)}
            </button>
            <button class="link-button" data-testid="logout" hidden=move || confirming.get()
                on:click=move |_| confirming.set(true)>
                {tr(Msg::Logout)}
            </button>
            <div class="panel" data-testid="logout-confirm-panel" hidden=move || !confirming.get()>
                <p>{tr(Msg::LogoutQuestion)}</p>
                <p class="field-error" data-testid="logout-refused" hidden=move || refused() == 0>
                    {refused} " " {tr(Msg::LogoutRefusedWillGo)}
                </p>
                <button class="link-button" data-testid="export-refused" hidden=move || refused() == 0
                    on:click=export_refused>
                    {tr(Msg::ExportRefused)}
                </button>
                <p class="field-error" data-testid="logout-quarantined" hidden=move || quarantined() == 0>
                    {quarantined} " " {tr(Msg::LogoutQuarantinedWillGo)}
                </p>
                <button class="link-button" data-testid="export-quarantined" hidden=move || quarantined() == 0
                    on:click=export_quarantined>
                    {tr(Msg::ExportQuarantined)}
                </button>
                <div class="row-actions">
                    <button class="link-button danger" data-testid="logout-confirm" on:click=log_out>
                        {tr(Msg::ConfirmLogout)}
                    </button>
                    <button class="link-button" data-testid="logout-cancel" on:click=move |_| confirming.set(false)>
                        {tr(Msg::Cancel)}
                    </button>
                </div>
            </div>
        </div>
    }
}

/// Whether the browser keeps this app's data, and the space it uses (read when the
/// screen opens).
#[component]
fn StorageBox() -> impl IntoView {
    use crate::storage::persist::{self, Persistence};
    let state = AppState::expect();
    let kept = RwSignal::new(None::<Persistence>);
    let used = RwSignal::new(None::<f64>);
    leptos::task::spawn_local(async move {
        kept.try_set(Some(persist::persistence().await));
        used.try_set(persist::used_bytes().await);
    });
    let kept_text = move || {
        kept.get().map(|k| {
            state.t(match k {
                Persistence::Granted => Msg::StoragePersisted,
                Persistence::Denied => Msg::StorageNotPersisted,
                Persistence::Unknown => Msg::StorageUnknown,
            })
        })
    };
    let used_text = move || {
        used.get().map(|bytes| {
            format!(
                "{}{}{}",
                state.t(Msg::StorageUsed),
                state.lang().colon(),
                megabytes(bytes)
            )
        })
    };
    view! {
        <div class="storage-box" data-testid="storage-box"
            data-persisted=move || kept.get().map(Persistence::as_str)>
            <p>{kept_text}</p>
            <p data-testid="storage-used" hidden=move || used.get().is_none()>{used_text}</p>
        </div>
    }
}

/// Bytes as megabytes with one decimal ("1.2 MB"), worked out in integers: `{:.1}` of
/// an `f64` brings Rust's float printer into the wasm (~9 KB, BENCHMARKS.md).
fn megabytes(bytes: f64) -> String {
    let tenths = (bytes / 100_000.0).round() as u64;
    format!("{}.{} MB", tenths / 10, tenths % 10)
}

#[cfg(test)]
mod tests {
    use super::megabytes;

    #[test]
    fn storage_use_reads_in_megabytes_with_one_decimal() {
        assert_eq!(megabytes(0.0), "0.0 MB");
        assert_eq!(megabytes(1_234_567.0), "1.2 MB");
        assert_eq!(megabytes(1_250_000.0), "1.3 MB", "halves round up");
        assert_eq!(megabytes(12_960_000.0), "13.0 MB");
    }
}
