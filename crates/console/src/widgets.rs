//! Small pieces the screens share: an error in words, a CSV upload, a verdict's reason.

use leptos::prelude::*;
use wasm_bindgen::JsCast;

use crate::api::ApiError;
use crate::i18n::Msg;
use crate::session::Session;

/// What the manager reads for a failed request: the refusal in their language, the
/// server's own detail after it, and the CSV line an import names.
pub fn explain(session: Session, e: &ApiError) -> String {
    let lang = session.lang.get_untracked();
    let say = |msg| crate::i18n::text(lang, msg);
    match e {
        ApiError::Network(_) => say(Msg::Offline).to_string(),
        ApiError::Decode(detail) => format!("{}: {detail}", say(Msg::BadAnswer)),
        ApiError::Server { status, refusal } => {
            let what = refusal_words(*status, &refusal.error);
            // The server's detail names the line itself; an answer that does not gets
            // it added.
            let line = refusal
                .line
                .filter(|n| !refusal.detail.contains(&n.to_string()))
                .map(|n| format!(" {}", crate::i18n::line_no(lang, n)))
                .unwrap_or_default();
            format!("{}{line}: {}", say(what), refusal.detail)
        }
    }
}

/// What a refusal means for the manager, by its status and code.
pub fn refusal_words(status: u16, code: &str) -> Msg {
    match (status, code) {
        (_, "overlap") => Msg::Overlap,
        (_, "stale") => Msg::Stale,
        (_, "withdrawn") => Msg::SwapWithdrawn,
        (_, "not_assigned") => Msg::SwapNotAssigned,
        (_, "invalid_csv" | "invalid_encoding") => Msg::CsvRefused,
        (401, _) => Msg::SessionEnded,
        (403, _) => Msg::OutOfScope,
        (404, "not_found") => Msg::NotOnServer,
        _ => Msg::Refused,
    }
}

/// A screen's data, or what it shows instead: a loading line while the request is out,
/// the failure in words (and the login form, if the session ended) when it failed.
pub fn loaded<T>(session: Session, answer: Option<Result<T, ApiError>>) -> Result<T, AnyView> {
    match answer {
        Some(Ok(data)) => Ok(data),
        None => Err(view! { <p class="hint">{session.t(Msg::Loading)}</p> }.into_any()),
        Some(Err(e)) => {
            let said = explain(session, &session.check(e));
            Err(
                view! { <p class="error" role="alert" data-testid="load-error">{said}</p> }
                    .into_any(),
            )
        }
    }
}

/// What a whole-screen action (a copy, an import) did, or why it failed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Said {
    pub text: String,
    pub failed: bool,
}

impl Said {
    /// `done` as said, or the failure in words (the login form back if the session ended).
    pub fn of(session: Session, outcome: Result<String, ApiError>) -> Said {
        match outcome {
            Ok(text) => Said {
                text,
                failed: false,
            },
            Err(e) => Said {
                text: explain(session, &session.check(e)),
                failed: true,
            },
        }
    }
}

/// Runs a screen's action (a copy, an import): the buttons wait, the outcome goes to
/// `said`, and `reload` is bumped so the screen reads what changed.
pub fn act(
    session: Session,
    busy: RwSignal<bool>,
    said: RwSignal<Said>,
    reload: RwSignal<u32>,
    work: impl std::future::Future<Output = Result<String, ApiError>> + 'static,
) {
    busy.set(true);
    said.set(Said::default());
    leptos::task::spawn_local(async move {
        said.set(Said::of(session, work.await));
        busy.set(false);
        reload.update(|n| *n += 1);
    });
}

/// The line a screen's actions report on: `data-state` = ok | error, a refusal in red.
#[component]
pub fn StatusLine(said: RwSignal<Said>, testid: &'static str) -> impl IntoView {
    view! {
        <p role="status" data-testid=testid
            class=move || if said.with(|s| s.failed) { "status failed" } else { "status" }
            data-state=move || if said.with(|s| s.failed) { "error" } else { "ok" }>
            {move || said.with(|s| s.text.clone())}
        </p>
    }
}

/// A file input for a CSV and the button that sends it; `on_file` gets the file.
#[component]
pub fn CsvUpload(
    /// `data-testid` of the file input.
    testid: &'static str,
    /// `data-testid` of the button that sends it.
    send_testid: &'static str,
    /// What the file is (the input's label).
    label: Msg,
    on_file: Callback<web_sys::File>,
    busy: Signal<bool>,
) -> impl IntoView {
    let session = Session::expect();
    let input = NodeRef::<leptos::html::Input>::new();
    let send = move |_| {
        let file = input
            .get()
            .and_then(|i| i.files())
            .and_then(|files| files.get(0));
        if let Some(file) = file {
            on_file.run(file);
        }
    };
    view! {
        <div class="upload">
            <label class="field">
                <span>{move || session.t(label)}</span>
                <input type="file" accept=".csv,text/csv" data-testid=testid node_ref=input/>
            </label>
            <button type="button" data-testid=send_testid on:click=send disabled=move || busy.get()>
                {move || session.t(Msg::Import)}
            </button>
        </div>
    }
}

/// A verdict's reason as one line, whatever shape the report gives it: its text, or
/// its fields' values joined.
pub fn why_text(why: &serde_json::Value) -> String {
    use serde_json::Value;
    match why {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        Value::Array(items) => items
            .iter()
            .map(why_text)
            .filter(|s| !s.is_empty())
            .collect::<Vec<_>>()
            .join("; "),
        Value::Object(fields) => fields
            .iter()
            .map(|(k, v)| (k, why_text(v)))
            .filter(|(_, v)| !v.is_empty())
            .map(|(k, v)| format!("{k}: {v}"))
            .collect::<Vec<_>>()
            .join(", "),
        other => other.to_string(),
    }
}

/// The value of the `<select>` or `<input>` an event came from.
pub fn value_of(ev: &leptos::ev::Event) -> String {
    ev.target()
        .and_then(|t| {
            t.dyn_ref::<web_sys::HtmlInputElement>()
                .map(|i| i.value())
                .or_else(|| t.dyn_ref::<web_sys::HtmlSelectElement>().map(|s| s.value()))
        })
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::{refusal_words, why_text};
    use crate::i18n::Msg;
    use serde_json::json;

    /// A swap withdrawn meanwhile, or whose officer no longer holds the slot, and a cell
    /// changed meanwhile are said as such, not as a bare refusal.
    #[test]
    fn conflicts_are_said_in_words() {
        assert_eq!(refusal_words(409, "withdrawn"), Msg::SwapWithdrawn);
        assert_eq!(refusal_words(409, "not_assigned"), Msg::SwapNotAssigned);
        assert_eq!(refusal_words(409, "stale"), Msg::Stale);
        assert_eq!(refusal_words(409, "overlap"), Msg::Overlap);
        assert_eq!(refusal_words(409, "already_decided"), Msg::Refused);
        assert_eq!(refusal_words(403, "forbidden"), Msg::OutOfScope);
    }

    #[test]
    fn a_reason_reads_as_one_line_whatever_its_shape() {
        assert_eq!(why_text(&json!("left at 07:50")), "left at 07:50");
        assert_eq!(
            why_text(&json!({"first": "张伟 07:10", "left": null, "flags": ["officer", "car"]})),
            "first: 张伟 07:10, flags: officer; car"
        );
        assert_eq!(why_text(&json!(null)), "");
    }
}
