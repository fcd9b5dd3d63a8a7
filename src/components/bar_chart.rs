//! Bar charts drawn as one SVG string (numbers and labels only, no reactive elements):
//! the weekly coverage on 今日 and the hours per month on 月报.

use std::fmt::Write;

const BAR_W: u32 = 30;
const GAP: u32 = 8;
const CHART_H: u32 = 100;

/// One bar.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bar {
    /// Its data attributes as written, e.g. `data-week="2026-11-23" data-tenths="500"`.
    pub attrs: String,
    /// Its height in thousandths of the chart's (capped at 1000).
    pub permille: u32,
    /// Shown above the bar.
    pub value: String,
    /// Shown below it.
    pub label: String,
}

/// The bars as an SVG document with `data-testid` `testid`, each bar a `<g>` with
/// `data-testid` `bar_testid` and its own attributes.
pub fn bars_svg(testid: &str, bar_testid: &str, bars: &[Bar]) -> String {
    let width = bars.len() as u32 * (BAR_W + GAP);
    let mut svg = format!(
        r#"<svg data-testid="{testid}" viewBox="0 0 {width} {}">"#,
        CHART_H + 44
    );
    for (n, bar) in bars.iter().enumerate() {
        let h = bar.permille.min(1000) * CHART_H / 1000;
        let x = n as u32 * (BAR_W + GAP);
        let mid = x + BAR_W / 2;
        let _ = write!(
            svg,
            r#"<g data-testid="{bar_testid}" {}><rect class="bar" x="{x}" y="{}" width="{BAR_W}" height="{h}"/><text class="value" x="{mid}" y="{}">{}</text><text class="week" x="{mid}" y="{}">{}</text></g>"#,
            bar.attrs,
            20 + CHART_H - h,
            16 + CHART_H - h,
            bar.value,
            CHART_H + 36,
            bar.label,
        );
    }
    svg.push_str("</svg>");
    svg
}
