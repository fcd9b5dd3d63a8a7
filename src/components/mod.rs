//! Pieces shown on every screen.

pub mod bar_chart;
pub mod choice;
pub mod coverage_chart;
pub mod header;
pub mod html;
pub mod nav;
pub mod notices;
pub mod post_select;
pub mod qr;
