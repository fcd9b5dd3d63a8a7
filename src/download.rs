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

/// Offers records as a JSON file named `<stem>-<today>.json` (the unsynced or refused
/// records a user keeps before logging out or discarding them).
pub fn save_records_file(stem: &str, records: &impl serde::Serialize) {
    match serde_json::to_string(records) {
        Ok(text) => {
            // Date's Display, not chrono's strftime (its format code costs wasm).
            let day = chrono::Local::now().date_naive();
            save_text(&format!("{stem}-{day}.json"), "application/json", &text);
        }
        // Plain data with string keys always serializes; say so if it ever did not.
        Err(e) => web_sys::console::warn_1(&format!("export: {e}").into()),
    }
}
