//! The app's screens. Links are built from this enum, never from path strings.

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Page {
    CheckIn,
    Today,
    History,
    Settings,
    /// The lead's gate-code screen, reached from settings.
    Gate,
}

impl Page {
    pub fn href(self) -> &'static str {
        match self {
            Page::CheckIn => "/",
            Page::Today => "/today",
            Page::History => "/history",
            Page::Settings => "/settings",
            Page::Gate => "/gate",
        }
    }
}
