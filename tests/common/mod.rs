//! What the browser tests share (not a test target itself).
#![cfg(target_arch = "wasm32")]

use gatewatch::state::AppState;
use gatewatch::storage::{self, journal};
use gatewatch_model::stored::LocalRecord;
use gloo_storage::{LocalStorage, Storage};
use leptos::prelude::*;

/// A state built from storage holding only `held`: localStorage and the journal emptied
/// first, as after a fresh install.
pub async fn fresh_state(owner: &Owner, held: Vec<LocalRecord>) -> AppState {
    LocalStorage::clear();
    for (key, _) in journal::entries().await.unwrap() {
        journal::delete(&key).await.unwrap();
    }
    for r in &held {
        storage::save_record(r).unwrap();
    }
    owner.with(|| AppState::new(storage::load()))
}
