//! One module per screen.

pub mod checkin;
pub mod gate;
pub mod history;
pub mod incident;
pub mod locked;
pub mod login;
pub mod settings;
pub mod team;
pub mod team_report;
pub mod today;
