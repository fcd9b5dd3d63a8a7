//! 落实率 as a school × day heatmap, drawn as SVG by the console itself (no chart
//! library, nothing from a CDN) and printable: colours are classes of the stylesheet,
//! whose print rules keep them.

use std::collections::BTreeMap;

use chrono::{Duration, NaiveDate};
use gatewatch_model::coverage::Rate;
use leptos::prelude::*;

use crate::api::SchoolDay;

/// Width of the school-name column and size of a day's square, in SVG units.
const LABEL_W: u32 = 132;
const CELL: u32 = 22;
const HEADER_H: u32 = 26;

/// One square: where, which colour class, and what a screen reader says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Square {
    pub x: u32,
    pub y: u32,
    pub class: &'static str,
    pub label: String,
}

/// The colour class of a rate: five steps by tenths of a percent (the model's one
/// rounding) — under 50 %, under 70 %, under 90 %, under 100 %, all — grey when
/// nothing was decided (no window due, or not yet closed).
pub fn shade(rate: Rate) -> &'static str {
    match rate.tenths_of_percent() {
        None => "heat heat-none",
        Some(t) if t >= 1000 => "heat heat-4",
        Some(t) if t >= 900 => "heat heat-3",
        Some(t) if t >= 700 => "heat heat-2",
        Some(t) if t >= 500 => "heat heat-1",
        Some(_) => "heat heat-0",
    }
}

/// `covered/decided (percent)`, or `—` when nothing was decided.
pub fn rate_text(rate: Rate) -> String {
    match rate.tenths_of_percent() {
        Some(t) => format!("{}/{} ({}.{}%)", rate.covered, rate.decided, t / 10, t % 10),
        None => "—".into(),
    }
}

/// The squares of `schools` (id, name) × every day from `from` to `to`.
pub fn squares(
    schools: &[(String, String)],
    days: &[NaiveDate],
    cells: &[SchoolDay],
) -> Vec<Square> {
    let by_key: BTreeMap<(&str, NaiveDate), Rate> = cells
        .iter()
        .map(|c| ((c.school_id.as_str(), c.date), c.rate()))
        .collect();
    let mut out = Vec::with_capacity(schools.len() * days.len());
    for (row, (id, name)) in schools.iter().enumerate() {
        for (col, day) in days.iter().enumerate() {
            let rate = by_key
                .get(&(id.as_str(), *day))
                .copied()
                .unwrap_or_default();
            out.push(Square {
                x: LABEL_W + col as u32 * CELL,
                y: HEADER_H + row as u32 * CELL,
                class: shade(rate),
                label: format!("{name} {day}: {}", rate_text(rate)),
            });
        }
    }
    out
}

/// Every date from `from` to `to`, both included (empty when `to` is before `from`).
pub fn days(from: NaiveDate, to: NaiveDate) -> Vec<NaiveDate> {
    let n = (to - from).num_days();
    (0..=n).map(|i| from + Duration::days(i)).collect()
}

/// The heatmap of `schools` (id, name) over `days`.
#[component]
pub fn Heatmap(
    schools: Vec<(String, String)>,
    days: Vec<NaiveDate>,
    cells: Vec<SchoolDay>,
) -> impl IntoView {
    let width = LABEL_W + days.len() as u32 * CELL + 4;
    let height = HEADER_H + schools.len() as u32 * CELL + 4;
    let names = schools
        .iter()
        .enumerate()
        .map(|(row, (_, name))| {
            let y = HEADER_H + row as u32 * CELL + CELL * 2 / 3;
            view! { <text x="0" y=y class="heat-label">{name.clone()}</text> }
        })
        .collect_view();
    // A day's number over each column; the month too on its first day and the first column.
    let header = days
        .iter()
        .enumerate()
        .map(|(col, day)| {
            use chrono::Datelike;
            let x = LABEL_W + col as u32 * CELL + 2;
            let text = if col == 0 || day.day() == 1 {
                format!("{}/{}", day.month(), day.day())
            } else {
                day.day().to_string()
            };
            view! { <text x=x y="16" class="heat-day">{text}</text> }
        })
        .collect_view();
    let squares = squares(&schools, &days, &cells)
        .into_iter()
        .map(|s| {
            view! {
                <rect x=s.x y=s.y width=CELL - 2 height=CELL - 2 rx="3" class=s.class
                    role="img" aria-label=s.label.clone() data-label=s.label/>
            }
        })
        .collect_view();
    view! {
        <svg class="heatmap" data-testid="heatmap" viewBox=format!("0 0 {width} {height}")
            width=width height=height role="group">
            {names}
            {header}
            {squares}
        </svg>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        gatewatch_model::timefmt::parse_date(s).unwrap()
    }

    #[test]
    fn shades_step_with_the_models_rounding() {
        let r = |covered, decided| Rate { covered, decided };
        assert_eq!(shade(r(0, 0)), "heat heat-none");
        assert_eq!(shade(r(3, 3)), "heat heat-4");
        // 999 of 1000 is 99.9 %: not quite all.
        assert_eq!(shade(r(999, 1000)), "heat heat-3");
        assert_eq!(shade(r(2, 3)), "heat heat-1", "66.7 % is under 70 %");
        assert_eq!(shade(r(1, 3)), "heat heat-0");
        assert_eq!(shade(r(7, 10)), "heat heat-2");
        assert_eq!(rate_text(r(2, 3)), "2/3 (66.7%)");
        assert_eq!(rate_text(r(0, 0)), "—");
    }

    #[test]
    fn a_square_per_school_and_day_missing_days_grey() {
        let schools = [
            ("s01".to_string(), "实验小学".to_string()),
            ("s02".into(), "第一中学".into()),
        ];
        let days = days(d("2026-12-07"), d("2026-12-09"));
        assert_eq!(days.len(), 3);
        let cells = [SchoolDay {
            school_id: "s02".into(),
            date: d("2026-12-08"),
            covered: 5,
            decided: 6,
        }];
        let sq = squares(&schools, &days, &cells);
        assert_eq!(sq.len(), 6);
        assert_eq!(sq[4].class, "heat heat-2");
        assert_eq!(sq[4].label, "第一中学 2026-12-08: 5/6 (83.3%)");
        assert_eq!((sq[4].x, sq[4].y), (LABEL_W + CELL, HEADER_H + CELL));
        assert!(sq.iter().filter(|s| s.class == "heat heat-none").count() == 5);
    }
}
