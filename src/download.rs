//! Files made on the phone, offline, handed to the browser's download (see download.js).

use wasm_bindgen::prelude::*;

#[wasm_bindgen(module = "/src/download.js")]
extern "C" {
    #[wasm_bindgen(js_name = saveText)]
    fn save_text(name: &str, mime: &str, text: &str);
}

/// Offers a CSV sheet (already starting with its byte order mark) as a download.
pub fn save_csv(name: &str, sheet: &str) {
    save_text(name, "text/csv;charset=utf-8", sheet);
}

/// Offers a JSON file (the unsynced records a user exports before logging out).
pub fn save_json(name: &str, text: &str) {
    save_text(name, "application/json", text);
}
