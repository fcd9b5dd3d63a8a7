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

/// `text` as a QR code filling its box, with the quiet zone scanners need.
#[component]
pub fn QrCodeSvg(#[prop(into)] text: Signal<String>) -> impl IntoView {
    let drawn = Memo::new(move |_| qr_path(&text.get()));
    move || {
        drawn.get().map(|(path, size)| {
            let quiet = 4;
            let view_box = format!("{} {} {} {}", -quiet, -quiet, size + 2 * quiet, size + 2 * quiet);
            view! {
                <svg
                    class="qr"
                    data-testid="gate-qr"
                    viewBox=view_box
                    shape-rendering="crispEdges"
                    role="img"
                    aria-label=move || text.get()
                >
                    <rect x=-quiet y=-quiet width=size + 2 * quiet height=size + 2 * quiet fill="#fff"/>
                    <path d=path fill="#000"/>
                </svg>
            }
        })
    }
}
