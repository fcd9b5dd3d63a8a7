//! Rust side of the IndexedDB write-ahead journal (see journal.js for why it exists).

use js_sys::{Array, Promise};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

use super::StorageError;

#[wasm_bindgen(module = "/src/storage/journal.js")]
extern "C" {
    #[wasm_bindgen(catch, js_name = journalPut)]
    fn journal_put(key: &str, value: &str) -> Result<Promise, JsValue>;
    #[wasm_bindgen(catch, js_name = journalDelete)]
    fn journal_delete(key: &str) -> Result<Promise, JsValue>;
    #[wasm_bindgen(catch, js_name = journalDeleteVersion)]
    fn journal_delete_version(key: &str, version: &str) -> Result<Promise, JsValue>;
    #[wasm_bindgen(catch, js_name = journalClear)]
    fn journal_clear() -> Result<Promise, JsValue>;
    #[wasm_bindgen(catch, js_name = journalEntries)]
    fn journal_entries() -> Result<Promise, JsValue>;
}

async fn settle(p: Result<Promise, JsValue>) -> Result<JsValue, StorageError> {
    let p = p.map_err(StorageError::journal)?;
    JsFuture::from(p).await.map_err(StorageError::journal)
}

/// Writes `value` under `key` and resolves only once it is durably on disk.
pub async fn put(key: &str, value: &str) -> Result<(), StorageError> {
    settle(journal_put(key, value)).await.map(|_| ())
}

pub async fn delete(key: &str) -> Result<(), StorageError> {
    settle(journal_delete(key)).await.map(|_| ())
}

/// Deletes `key` only if its entry still holds `version`.
pub async fn delete_version(key: &str, version: &str) -> Result<(), StorageError> {
    settle(journal_delete_version(key, version))
        .await
        .map(|_| ())
}

pub async fn clear() -> Result<(), StorageError> {
    settle(journal_clear()).await.map(|_| ())
}

/// All journal entries as (key, value) pairs; entries of unexpected types are skipped
/// (they cannot have been written by this app).
pub async fn entries() -> Result<Vec<(String, String)>, StorageError> {
    let all = settle(journal_entries()).await?;
    let pairs = Array::from(&all)
        .iter()
        .filter_map(|pair| {
            let pair = Array::from(&pair);
            Some((pair.get(0).as_string()?, pair.get(1).as_string()?))
        })
        .collect();
    Ok(pairs)
}
