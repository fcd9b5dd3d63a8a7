//! Every localStorage key the app uses. Nothing else in the app spells a key.

use uuid::Uuid;

/// Prefix of every Gatewatch key, so the app never touches another app's data.
const PREFIX: &str = "gw:";
/// Records live one per key under this prefix: saving one never rewrites the others.
pub(crate) const RECORD_PREFIX: &str = "gw:r:";
/// Earlier versions of a record that were edited before the server had them, each under
/// its own key until acknowledged, so the server's history gets every state.
pub(crate) const SUPERSEDED_PREFIX: &str = "gw:o:";
/// Values that could not be read are moved under this prefix, never deleted.
pub(crate) const QUARANTINE_PREFIX: &str = "gw:bad:";

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Key {
    /// The storage layout version (`gatewatch_model::stored::SCHEMA_VERSION`).
    Schema,
    /// This installation's device id and hybrid-logical-clock state.
    Clock,
    /// Language and the officer's own posts.
    Settings,
    /// Position in the server's change feed.
    Cursor,
    /// The post catalogue last pulled from the server.
    Posts,
    /// The schools (peak windows) last pulled from the server.
    Schools,
    /// The school calendar entries that apply to this user's schools (which windows
    /// are due on which dates), last fetched from the server.
    Calendar,
    /// The duty roster (排班) of this user's schools around today, last fetched.
    Roster,
    /// The people records and the roster name (account id, username, display name).
    People,
    /// The volunteer teams whose rosters and sessions this phone follows (pulls).
    FollowedTeams,
    /// The versions the server refused, with why (`gatewatch_model::outbox::Refusals`):
    /// kept so a refused record stays marked refused after a reload, and is not pushed
    /// again.
    Refusals,
    /// One record.
    Record(Uuid),
    /// An earlier, not yet acknowledged version of a record (its version's text form).
    Superseded(Uuid, String),
    /// A post's gate-code secret (hex), cached on a lead's phone to show codes offline.
    GateSecret(String),
    /// The signed-in user's profile (`gatewatch_model::account::Profile`), so the app
    /// works offline after one login. Not a credential: the session is an HttpOnly
    /// cookie no script can read.
    Profile,
    /// Why the server locked this phone (`gatewatch_model::account::SessionEnd`: the
    /// device revoked, the account disabled): what it had is gone, unsynced records
    /// are hidden until the same user logs in again.
    Locked,
}

impl Key {
    pub fn name(&self) -> String {
        match self {
            Key::Schema => format!("{PREFIX}schema"),
            Key::Clock => format!("{PREFIX}clock"),
            Key::Settings => format!("{PREFIX}settings"),
            Key::Cursor => format!("{PREFIX}cursor"),
            Key::Posts => format!("{PREFIX}posts"),
            Key::Schools => format!("{PREFIX}schools"),
            Key::Calendar => format!("{PREFIX}calendar"),
            Key::Roster => format!("{PREFIX}roster"),
            Key::People => format!("{PREFIX}people"),
            Key::FollowedTeams => format!("{PREFIX}teams"),
            Key::Refusals => format!("{PREFIX}refused"),
            Key::Record(id) => format!("{RECORD_PREFIX}{id}"),
            Key::Superseded(id, version) => format!("{SUPERSEDED_PREFIX}{id}:{version}"),
            Key::GateSecret(post) => format!("{PREFIX}gate:{post}"),
            Key::Profile => format!("{PREFIX}profile"),
            Key::Locked => format!("{PREFIX}locked"),
        }
    }

    /// The key a value is moved to when it cannot be read at `stamp` (ms).
    pub fn quarantined(name: &str, stamp: u64) -> String {
        format!("{QUARANTINE_PREFIX}{stamp}:{name}")
    }

    /// The record id of a superseded-version key, if `name` is one.
    pub fn superseded_id(name: &str) -> Option<Uuid> {
        name.strip_prefix(SUPERSEDED_PREFIX)
            .and_then(|s| s.split_once(':'))
            .and_then(|(id, _)| Uuid::parse_str(id).ok())
    }

    /// Whether `name` holds a person's data, to be wiped at logout: records and their
    /// earlier versions and refusals, the profile, the teams followed and the feed position (a next
    /// user starts the feed afresh), gate secrets, a lock, the roster and people's names.
    /// Settings (language, posts), the catalog, the calendar and the device clock stay
    /// with the phone; so do values set aside unreadable (`is_set_aside`) unless they were
    /// offered as a file first.
    pub fn is_personal(name: &str) -> bool {
        name.starts_with(RECORD_PREFIX)
            || name.starts_with(SUPERSEDED_PREFIX)
            || name.starts_with(&format!("{PREFIX}gate:"))
            || [
                Key::Profile,
                Key::FollowedTeams,
                Key::Cursor,
                Key::Refusals,
                Key::Locked,
                Key::Roster,
                Key::People,
            ]
            .iter()
            .any(|k| k.name() == name)
    }

    /// Whether `name` is a value set aside unreadable (`gw:bad:…`): maybe the only copy
    /// of someone's record, so it leaves the phone only after it was offered as a file.
    pub fn is_set_aside(name: &str) -> bool {
        name.starts_with(QUARANTINE_PREFIX)
    }

    /// Whether `name` holds a copy of what the server has (besides synced records),
    /// dropped when the server locks the phone: gate secrets, the catalog lists, the
    /// calendar, the roster, people's names, the teams followed and the feed position
    /// (the next login pulls it all again).
    pub fn is_server_cache(name: &str) -> bool {
        name.starts_with(&format!("{PREFIX}gate:"))
            || [
                Key::FollowedTeams,
                Key::Cursor,
                Key::Posts,
                Key::Schools,
                Key::Calendar,
                Key::Roster,
                Key::People,
            ]
            .iter()
            .any(|k| k.name() == name)
    }

    /// The record id of a record key, if `name` is one.
    pub fn record_id(name: &str) -> Option<Uuid> {
        name.strip_prefix(RECORD_PREFIX)
            .and_then(|s| Uuid::parse_str(s).ok())
    }
}
