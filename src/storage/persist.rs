//! Asking the browser to keep this app's storage (`navigator.storage.persist()`), so a
//! phone short of space does not clear records that are not on the server yet; and how
//! much space the app uses. See persist.js.

use wasm_bindgen::prelude::*;

#[wasm_bindgen(module = "/src/storage/persist.js")]
extern "C" {
    #[wasm_bindgen(js_name = askPersist)]
    async fn ask_persist_js() -> JsValue;
    #[wasm_bindgen(js_name = persisted)]
    async fn persisted_js() -> JsValue;
    #[wasm_bindgen(js_name = usedBytes)]
    async fn used_bytes_js() -> JsValue;
}

/// Whether the browser promised to keep the app's storage.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Persistence {
    Granted,
    /// The browser may clear it when space runs low.
    Denied,
    /// The browser does not say (WebKit has no `persisted()`).
    Unknown,
}

impl Persistence {
    fn read(answer: JsValue) -> Persistence {
        match answer.as_string().as_deref() {
            Some("granted") => Persistence::Granted,
            Some("denied") => Persistence::Denied,
            _ => Persistence::Unknown,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Persistence::Granted => "granted",
            Persistence::Denied => "denied",
            Persistence::Unknown => "unknown",
        }
    }
}

/// Asks the browser to keep the app's storage (after login: the records are a person's
/// work from then on). Browsers decide by their own rules; the answer is shown in 设置.
pub async fn ask_to_persist() -> Persistence {
    Persistence::read(ask_persist_js().await)
}

/// Whether the browser keeps the app's storage now.
pub async fn persistence() -> Persistence {
    Persistence::read(persisted_js().await)
}

/// Bytes the app's origin uses (localStorage, the journal, the cached app), if the
/// browser says.
pub async fn used_bytes() -> Option<f64> {
    used_bytes_js().await.as_f64().filter(|b| *b >= 0.0)
}
