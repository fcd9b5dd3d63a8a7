//! Reading a gate's QR code with the camera (see scan.js). Only offered where the
//! browser has BarcodeDetector; typing the 6 digits always works.

use wasm_bindgen::prelude::*;

#[wasm_bindgen(module = "/src/scan.js")]
extern "C" {
    #[wasm_bindgen(js_name = canScan)]
    pub fn can_scan() -> bool;
    #[wasm_bindgen(js_name = scanQr, catch)]
    async fn scan_qr(video_id: &str) -> Result<JsValue, JsValue>;
    /// Stops the camera (a scan in progress then resolves with nothing).
    #[wasm_bindgen(js_name = stopScan)]
    pub fn stop_scan();
}

/// The id of the `<video>` the preview plays in.
pub const VIDEO_ID: &str = "scan-video";

/// The payload of the first Gatewatch QR code seen, `None` if stopped or timed out, or
/// why the camera could not be used.
pub async fn scan() -> Result<Option<String>, String> {
    match scan_qr(VIDEO_ID).await {
        Ok(v) => Ok(v.as_string().filter(|s| !s.is_empty())),
        // A DOMException (NotAllowedError, NotFoundError…) carries a message.
        Err(e) => Err(js_sys::Reflect::get(&e, &JsValue::from_str("message"))
            .ok()
            .and_then(|m| m.as_string())
            .unwrap_or_default()),
    }
}
