//! Settings: the officer's display name and the language. Optional; check-in works
//! without ever opening this screen.

use leptos::prelude::*;

use crate::i18n::{tr, Lang, Msg};
use crate::routes::{Link, Page};
use crate::state::AppState;
use crate::storage::Settings;

/// Officer name and language; optional.
#[component]
pub fn SettingsPage() -> impl IntoView {
    let state = AppState::expect();
    let name = RwSignal::new(state.settings.with_untracked(|s| s.officer_name.clone()));
    let saved = RwSignal::new(None::<Result<(), String>>);
    let save = move |_| {
        let settings = Settings {
            officer_name: name
                .get_untracked()
                .trim()
                .chars()
                .take(gatewatch_model::record::MAX_NAME_CHARS)
                .collect(),
            lang: state.lang(),
            my_posts: state.settings.with_untracked(|s| s.my_posts.clone()),
        };
        saved.set(Some(
            state.save_settings(settings).map_err(|e| e.to_string()),
        ));
    };
    let set_lang = move |tag: String| {
        if let Some(lang) = Lang::from_tag(&tag) {
            let mut s = state.settings.get_untracked();
            s.lang = lang;
            let _ = state.save_settings(s);
        }
    };
    let toggle_post = move |id: String, on: bool| {
        let mut s = state.settings.get_untracked();
        s.my_posts.retain(|p| *p != id);
        if on {
            s.my_posts.push(id);
        }
        let _ = state.save_settings(s);
    };
    view! {
        <section class="settings">
            <label class="field">
                <span>{tr(Msg::OfficerName)}</span>
                <input
                    type="text"
                    data-testid="settings-name"
                    maxlength="40"
                    placeholder=tr(Msg::OfficerNamePlaceholder)
                    bind:value=name
                />
            </label>
            <label class="field">
                <span>{tr(Msg::Language)}</span>
                <select
                    data-testid="settings-lang"
                    prop:value=move || state.lang().tag()
                    on:change=move |ev| set_lang(event_target_value(&ev))
                >
                    <option value="zh-CN">"简体中文"</option>
                    <option value="en">"English"</option>
                </select>
            </label>
            <fieldset class="field my-posts">
                <legend>{tr(Msg::MyPosts)}</legend>
                <small>{tr(Msg::MyPostsHint)}</small>
                <For
                    each=move || state.posts.get()
                    key=|p| p.id.clone()
                    children=move |p| {
                        let id = p.id.clone();
                        let checked = {
                            let id = id.clone();
                            move || state.settings.with(|s| s.my_posts.contains(&id))
                        };
                        view! {
                            <label class="check">
                                <input
                                    type="checkbox"
                                    data-testid="settings-my-post"
                                    value=id.clone()
                                    prop:checked=checked
                                    on:change=move |ev| toggle_post(id.clone(), event_target_checked(&ev))
                                />
                                {p.label()}
                            </label>
                        }
                    }
                />
            </fieldset>
            <button class="big-button" data-testid="settings-save" on:click=save>
                {tr(Msg::SaveSettings)}
            </button>
            <p class="save-status" role="status">
                {move || match saved.get() {
                    Some(Ok(())) => state.t(Msg::SettingsSaved).to_string(),
                    Some(Err(e)) => format!("{}: {e}", state.t(Msg::SaveFailed)),
                    None => String::new(),
                }}
            </p>
            <Link page=Page::Gate class="link-button" testid="nav-gate">
                {tr(Msg::NavGate)}
            </Link>
            <p class="device">{tr(Msg::DeviceId)} ": " <code>{state.device().to_string()}</code></p>
        </section>
    }
}
