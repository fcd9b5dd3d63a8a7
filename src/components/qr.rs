//! A QR code drawn as inline SVG (one path of dark modules), so a gate code shows with
//! no network and no image service.

use leptos::prelude::*;
use qrcodegen::{QrCode, QrCodeEcc};

/// The SVG path of `text`'s dark modules and the code's size in modules, or `None` if
/// the text is too long for a QR code.
pub fn qr_path(text: &str) -> Option<(String, i32)> {
    let qr = QrCode::encode_text(text, QrCodeEcc::Medium).ok()?;
    let size = qr.size();
    let mut path = String::new();
    for y in 0..size {
        for x in 0..size {
            if qr.get_module(x, y) {
                path.push_str(&format!("M{x} {y}h1v1h-1z"));
            }
        }
    }
    Some((path, size))
}

/// `text` as a QR code filling its box, with the quiet zone scanners need; nothing for
/// an empty or too long text.
///
/// Drawn as one SVG string in a `display: contents` wrapper: numbers and the escaped
/// text only, and less wasm than reactive SVG elements.
#[component]
pub fn QrCodeSvg(text: Memo<String>) -> impl IntoView {
    let svg = Memo::new(move |_| text.with(|t| qr_svg(t)));
    view! { <div class="qr-box" inner_html=svg></div> }
}

fn qr_svg(text: &str) -> String {
    let Some((path, size)) = (!text.is_empty()).then(|| qr_path(text)).flatten() else {
        return String::new();
    };
    let quiet = 4;
    let (from, side) = (-quiet, size + 2 * quiet);
    format!(
        r##"<svg class="qr" data-testid="gate-qr" viewBox="{from} {from} {side} {side}" shape-rendering="crispEdges" role="img" aria-label="{}"><rect x="{from}" y="{from}" width="{side}" height="{side}" fill="#fff"/><path d="{path}" fill="#000"/></svg>"##,
        crate::components::html::escape(text)
    )
}
