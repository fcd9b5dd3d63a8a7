//! Read-only lists drawn as one HTML string (set with `inner_html`) and the one
//! delegated click handler that reads what was tapped from `data-action` / `data-*`.
//!
//! Why: every reactive `view!` tree, `Show` and `collect_view` monomorphizes its own
//! build and rebuild code; the team screens' rows as strings cost a fraction of that in
//! the first-load wasm. Anything a person typed (names, places, phones) goes through
//! [`escape`].

use std::fmt::Write;

use uuid::Uuid;
use wasm_bindgen::JsCast;
use web_sys::Element;

/// `text` safe inside HTML text and double- or single-quoted attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// `<option value="…"[ selected]>…</option>` for each (value, label), both escaped.
pub fn options<'a>(
    items: impl IntoIterator<Item = (&'a str, &'a str)>,
    chosen: Option<&str>,
) -> String {
    let mut html = String::new();
    for (value, label) in items {
        let selected = if Some(value) == chosen {
            " selected"
        } else {
            ""
        };
        let _ = write!(
            html,
            r#"<option value="{}"{selected}>{}</option>"#,
            escape(value),
            escape(label)
        );
    }
    html
}

/// The `<option>`s of a post picker, labelled school · gate, `current` chosen.
pub fn post_options(posts: &[gatewatch_model::Post], current: &str) -> String {
    let labels: Vec<String> = posts.iter().map(|p| p.label()).collect();
    options(
        posts
            .iter()
            .zip(&labels)
            .map(|(p, l)| (p.id.as_str(), l.as_str())),
        Some(current),
    )
}

/// The element carrying `data-action` that the event happened in, and that action.
pub fn action(ev: &web_sys::Event) -> Option<(String, Element)> {
    let el = ev
        .target()?
        .dyn_into::<Element>()
        .ok()?
        .closest("[data-action]")
        .ok()??;
    Some((el.get_attribute("data-action")?, el))
}

/// A record or volunteer id from an attribute of `el`.
pub fn uuid_attr(el: &Element, name: &str) -> Option<Uuid> {
    Uuid::parse_str(&el.get_attribute(name)?).ok()
}

#[cfg(test)]
mod tests {
    use super::{escape, options};

    #[test]
    fn escapes_every_character_that_could_open_markup_or_close_an_attribute() {
        assert_eq!(
            escape(r#"<b a="1" c='2'>Tom & Jerry</b>"#),
            "&lt;b a=&quot;1&quot; c=&#39;2&#39;&gt;Tom &amp; Jerry&lt;/b&gt;"
        );
        assert_eq!(escape("王芳 138"), "王芳 138");
        assert_eq!(escape(""), "");
        assert_eq!(escape("&amp;"), "&amp;amp;");
    }

    #[test]
    fn options_mark_the_chosen_one_and_escape_both_parts() {
        assert_eq!(
            options([("a\"", "<x>"), ("b", "B")], Some("b")),
            r#"<option value="a&quot;">&lt;x&gt;</option><option value="b" selected>B</option>"#
        );
    }
}
