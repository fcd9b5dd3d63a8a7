//! The console's only localStorage: the browser's device id (its sessions are listed
//! under it, so an admin can revoke it) and the chosen language. Keys are `gwc:` so they
//! never meet the phone app's `gw:` keys on the same origin.

use gatewatch_model::DeviceId;
use gloo_storage::{LocalStorage, Storage};

use crate::i18n::Lang;

/// Every key the console writes.
#[derive(Debug, Clone, Copy)]
enum Key {
    Device,
    Lang,
}

impl Key {
    fn name(self) -> &'static str {
        match self {
            Key::Device => "gwc:device",
            Key::Lang => "gwc:lang",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StorageError {
    #[error("this browser keeps no local data (private mode?): {0}")]
    Unavailable(String),
}

fn save<T: serde::Serialize>(key: Key, value: &T) -> Result<(), StorageError> {
    LocalStorage::set(key.name(), value).map_err(|e| StorageError::Unavailable(e.to_string()))
}

/// This browser's device id: made once from a random UUID and kept. If it cannot be
/// kept, the fresh one still serves this page (the login then lists a new device).
pub fn device_id() -> (DeviceId, Result<(), StorageError>) {
    if let Some(id) = LocalStorage::get::<String>(Key::Device.name())
        .ok()
        .and_then(|s| DeviceId::new(s).ok())
    {
        return (id, Ok(()));
    }
    let id = DeviceId::from_random(*uuid::Uuid::new_v4().as_bytes());
    let kept = save(Key::Device, &id.as_str());
    (id, kept)
}

/// The language chosen last in this browser, Chinese by default.
pub fn lang() -> Lang {
    LocalStorage::get::<Lang>(Key::Lang.name()).unwrap_or_default()
}

pub fn save_lang(lang: Lang) -> Result<(), StorageError> {
    save(Key::Lang, &lang)
}
