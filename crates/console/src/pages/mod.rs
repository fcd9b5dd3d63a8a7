//! One module per screen.

pub mod calendar;
pub mod coverage;
pub mod login;
pub mod roster;
pub mod swaps;
