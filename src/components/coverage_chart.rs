//! Coverage (落实率) by week and over recent periods, for my schools and city-wide,
//! from this phone's records — drawn as SVG by the app (no chart library, no CDN).

use chrono::{DateTime, Datelike, Days, NaiveDate, Utc};
use gatewatch_model::calendar::Calendar;
use gatewatch_model::coverage::{coverage, Rate, Visits};
use gatewatch_model::school::School;
use gatewatch_model::Post;
use leptos::prelude::*;

use crate::components::bar_chart::{bars_svg, Bar};
use crate::i18n::Msg;
use crate::state::tr;
use crate::state::AppState;

/// Weeks the chart shows, ending with the current one.
pub const CHART_WEEKS: u64 = 8;

/// The rates the screen shows, computed together from one pass over the records.
#[derive(Debug, Clone, PartialEq)]
pub struct Rates {
    /// (Monday of the week, my schools' rate that week), oldest first.
    pub weeks: Vec<(NaiveDate, Rate)>,
    pub my_30_days: Rate,
    pub city_30_days: Rate,
}

/// Coverage for `mine` (school ids) and all `schools` (their gates, `posts`) over the
/// last `CHART_WEEKS` weeks: the windows `calendar` has due, judged on `visits`.
pub fn rates(
    calendar: &Calendar,
    schools: &[School],
    posts: &[Post],
    mine: &[String],
    visits: &Visits,
    today: NaiveDate,
    now: DateTime<Utc>,
) -> Rates {
    let monday = today - Days::new(u64::from(today.weekday().num_days_from_monday()));
    let first = monday - Days::new(7 * (CHART_WEEKS - 1));
    let since_30 = today - Days::new(29);
    let cells = coverage(
        calendar,
        schools,
        posts,
        visits,
        first.min(since_30)..=today,
        now,
    );
    let is_mine = |id: &str| mine.iter().any(|m| m == id);
    let weeks = Rate::by(
        cells
            .iter()
            .filter(|c| is_mine(c.school_id) && c.date >= first),
        |c| c.date - Days::new(u64::from(c.date.weekday().num_days_from_monday())),
    );
    let recent = || cells.iter().filter(|c| c.date >= since_30);
    Rates {
        weeks: (0..CHART_WEEKS)
            .map(|n| {
                let week = first + Days::new(7 * n);
                (week, weeks.get(&week).copied().unwrap_or_default())
            })
            .collect(),
        my_30_days: Rate::of(recent().filter(|c| is_mine(c.school_id))),
        city_30_days: Rate::of(recent()),
    }
}

fn percent_text(rate: Rate) -> String {
    match rate.tenths_of_percent() {
        Some(t) => format!("{}.{}%", t / 10, t % 10),
        None => "—".into(),
    }
}

/// The weekly bars as an SVG document: height = rate, value above, week's Monday below.
pub fn chart_svg(weeks: &[(NaiveDate, Rate)]) -> String {
    let bars: Vec<Bar> = weeks
        .iter()
        .map(|(week, rate)| {
            let tenths = rate.tenths_of_percent().unwrap_or(0);
            Bar {
                attrs: format!(r#"data-week="{week}" data-tenths="{tenths}""#),
                permille: tenths,
                value: percent_text(*rate),
                label: format!("{:02}-{:02}", week.month(), week.day()),
            }
        })
        .collect();
    bars_svg("coverage-chart", "chart-week", &bars)
}

#[component]
pub fn CoverageChart() -> impl IntoView {
    let state = AppState::expect();
    // Recomputed when a record changes or the minute turns, not on every second's tick.
    let minute = Memo::new(move |_| state.now.get().timestamp() / 60);
    let rates = Memo::new(move |_| {
        minute.track();
        let now = state.now.get_untracked();
        let today = now.with_timezone(&chrono::Local).date_naive();
        let posts = state.posts.get();
        let mine: Vec<String> = state.my_posts().into_iter().map(|p| p.school_id).collect();
        let visits = state.visits();
        state.calendar.with(|calendar| {
            state
                .schools
                .with(|schools| rates(calendar, schools, &posts, &mine, &visits, today, now))
        })
    });
    // The bars are drawn as one SVG string: numbers and dates only (nothing typed by a
    // person), and a fraction of the wasm that a reactive element per bar would cost.
    let svg = move || rates.with(|r| chart_svg(&r.weeks));
    let rate_line = move |label: Msg, testid: &'static str, pick: fn(&Rates) -> Rate| {
        view! {
            <p class="period-rate" data-testid=testid data-tenths=move || rates.with(|r| pick(r).tenths_of_percent().map(|t| t.to_string()).unwrap_or_default())>
                {tr(label)} ": " <b>{move || rates.with(|r| percent_text(pick(r)))}</b>
            </p>
        }
    };
    view! {
        <section class="coverage-chart">
            <h2>{tr(Msg::WeeklyChart)} " · " {tr(Msg::MySchools)}</h2>
            <div class="chart" role="img" aria-label=tr(Msg::WeeklyChart) inner_html=svg></div>
            {rate_line(Msg::RateWeek, "rate-week", |r| r.weeks.last().map(|w| w.1).unwrap_or_default())}
            {rate_line(Msg::Rate30, "rate-30d", |r| r.my_30_days)}
            {rate_line(Msg::CityWide, "rate-city-30d", |r| r.city_30_days)}
        </section>
    }
}
