//! Pieces shown on every screen.

pub mod header;
pub mod nav;
pub mod notices;
pub mod qr;
