//! The team's monthly report (月报), built on the phone from its own records, offline:
//! hours per volunteer, activities, anti-fraud audience, a chart of hours per month,
//! the month's activity list, the hours CSV and a print layout with a signature and
//! date block (style/main.css `@media print`). Every duration on it is the model's
//! minutes, shown in hours and minutes by one formatter (`i18n::duration`), so the
//! total row is its rows added up.

use gatewatch_model::duty::SessionEnd;
use gatewatch_model::duty::DEFAULT_OPEN_LIMIT;
use gatewatch_model::monthly::{team_month, ActivityLine, TeamMonth};
use gatewatch_model::report::{total_minutes, Hours, Month, Roster};
use gatewatch_model::sorting;
use gatewatch_model::team::{mask_phone, Team};
use leptos::prelude::*;
use uuid::Uuid;

use crate::components::bar_chart::{bars_svg, Bar};
use crate::components::html;
use crate::i18n::{duration, names, Lang, Msg};
use crate::pages::team::{current_team, day_time, hh_mm, TeamSelect};
use crate::routes::{Link, Page};
use crate::state::tr;
use crate::state::AppState;
use crate::team::local_now;

/// Months the screen offers and the chart shows, ending with this one: the phone keeps
/// synced sessions for 90 days (`retention`), so a fourth month back would be partial;
/// the server's report has them.
const MONTHS: usize = 3;

/// Hours per month as an SVG document: bar height relative to the busiest month, each
/// bar labelled with its hours and minutes (a bar of 40 minutes said 0).
pub fn hours_chart_svg(lang: Lang, months: &[(Month, i64)]) -> String {
    let most = months.iter().map(|(_, m)| *m).max().unwrap_or(0).max(1);
    let bars: Vec<Bar> = months
        .iter()
        .map(|(month, minutes)| Bar {
            attrs: format!(r#"data-month="{month}" data-minutes="{minutes}""#),
            // Within 0..=1000: no month has more than the busiest.
            permille: u32::try_from(minutes.max(&0) * 1000 / most).unwrap_or(1000),
            value: duration(lang, *minutes),
            label: format!("{:02}", month.month),
        })
        .collect();
    bars_svg("hours-chart", "chart-month", &bars)
}

fn build(state: AppState, team: Uuid, month: Month) -> TeamMonth {
    state.records.with(|map| {
        team_month(
            map.values().map(|l| &l.record),
            team,
            month,
            MONTHS,
            local_now(),
            DEFAULT_OPEN_LIMIT,
        )
    })
}

#[component]
pub fn TeamReportPage() -> impl IntoView {
    let state = AppState::expect();
    let current = current_team(state);
    let this_month = Month::of(local_now());
    let month = RwSignal::new(this_month);
    let data = Memo::new(move |_| {
        current
            .get()
            .map(|(id, team)| (id, team, build(state, id, month.get())))
    });
    // Named through the model's roster, as the server's sheet is: the same records give
    // the same bytes (a substitute from another team is named with their own team).
    let export = move |_| {
        let Some((_, _, d)) = data.get_untracked() else {
            return;
        };
        let label = month.get_untracked().to_string();
        let sheet = state.records.with_untracked(|map| {
            // In the screen's language; the server's sheet in that language is byte
            // for byte this one.
            Roster::of(map.values().map(|l| &l.record)).hours_sheet(
                &d.report,
                &label,
                state.lang().sheet(),
            )
        });
        crate::download::save_csv(&format!("gatewatch-hours-{label}.csv"), &sheet);
    };
    let print = move |_| {
        // A browser without printing (some WebViews) throws; the report stays on
        // screen, which is all the lead can be offered then.
        // A browser that cannot print says so itself; nothing here to recover.
        let _ = window().print();
    };
    let pick_month = move |ev| {
        if let Some(m) = Month::parse(&event_target_value(&ev)) {
            month.set(m);
        }
    };
    // The month list is fixed while the screen is open; the first is this month.
    let months = this_month
        .last(MONTHS)
        .into_iter()
        .rev()
        .map(|m| m.to_string())
        .collect::<Vec<_>>();
    let month_options = html::options(months.iter().map(|m| (m.as_str(), m.as_str())), None);
    // Read-only: one HTML string (names escaped) instead of a reactive tree per row.
    let body = move || {
        data.with(|d| {
            d.as_ref()
                .map(|(_, team, d)| {
                    // Named like the sheet: substitutes from other teams and members
                    // who left keep their names.
                    state.records.with(|map| {
                        let roster = Roster::of(map.values().map(|l| &l.record));
                        report_html(state, team, &roster, month.get(), d)
                    })
                })
                .unwrap_or_default()
        })
    };
    view! {
        <section class="team-report">
            <div class="team-head no-print">
                <Link page=Page::Team class="link-button" testid="report-back">{tr(Msg::NavTeam)}</Link>
                <button class="link-button" data-testid="report-csv" on:click=export>{tr(Msg::ExportHours)}</button>
                <button class="link-button" data-testid="report-print" on:click=print>{tr(Msg::Print)}</button>
            </div>
            <div class="no-print">
                <TeamSelect current=current/>
                <label class="field">
                    <span>{tr(Msg::Month)}</span>
                    <select data-testid="report-month" on:change=pick_month inner_html=month_options></select>
                </label>
            </div>
            <div inner_html=body></div>
        </section>
    }
}

/// The report of one team and month as HTML: heading, totals, activities, the table
/// of volunteers and the chart.
fn report_html(
    state: AppState,
    team: &Team,
    roster: &Roster,
    month: Month,
    d: &TeamMonth,
) -> String {
    use std::fmt::Write;
    let t = |m| state.t(m);
    let r = &d.report;
    let total = total_minutes(r);
    let mut rows: Vec<(String, String, Hours)> = r
        .volunteers
        .iter()
        .map(|(v, h)| {
            let m = roster.volunteer(*v);
            (
                m.map_or_else(|| v.to_string(), |m| m.name.clone()),
                m.map(|m| mask_phone(&m.phone)).unwrap_or_default(),
                *h,
            )
        })
        .collect();
    sorting::sort_by(&mut rows, |a, b| a.0.cmp(&b.0));
    let mut out = format!(
        r#"<h2>{} · {} {month}</h2><dl class="totals" data-testid="report-totals" data-sessions="{}" data-approved="{}" data-pending="{}" data-audience="{}"><dt>{}</dt><dd>{}</dd><dt>{}</dt><dd>{}</dd><dt>{}</dt><dd>{}</dd><dt>{}</dt><dd>{}</dd><dt>{}</dt><dd>{}</dd></dl><ul class="activity-counts">"#,
        html::escape(&team.name),
        t(Msg::MonthlyReport),
        r.sessions,
        total.approved,
        total.pending,
        r.audience,
        t(Msg::SessionCount),
        r.sessions,
        t(Msg::ApprovedHours),
        duration(state.lang(), total.approved),
        t(Msg::PendingHours),
        duration(state.lang(), total.pending),
        t(Msg::AudienceTotal),
        r.audience,
        t(Msg::ToConfirm),
        r.to_confirm,
    );
    for (a, n) in &r.activities {
        let _ = write!(
            out,
            r#"<li data-testid="report-activity" data-activity="{}">{}: {n}</li>"#,
            a.as_str(),
            t(names::activity(*a)),
        );
    }
    let _ = write!(
        out,
        r#"</ul><table class="report-table" data-testid="report-table"><thead><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr></thead><tbody>"#,
        t(Msg::Name),
        t(Msg::Phone),
        t(Msg::SessionCount),
        t(Msg::ApprovedHours),
        t(Msg::PendingHours),
    );
    for (name, phone, h) in rows {
        let (name, phone) = (html::escape(&name), html::escape(&phone));
        let _ = write!(
            out,
            r#"<tr data-testid="report-row" data-name="{name}" data-phone="{phone}" data-approved="{}" data-pending="{}"><td>{name}</td><td>{phone}</td><td>{}</td><td>{}</td><td>{}</td></tr>"#,
            h.approved,
            h.pending,
            h.sessions,
            duration(state.lang(), h.approved),
            duration(state.lang(), h.pending),
        );
    }
    let _ = write!(
        out,
        r#"<tr class="total-row" data-testid="report-total-row" data-approved="{}" data-pending="{}"><td>{}</td><td></td><td>{}</td><td>{}</td><td>{}</td></tr></tbody></table>"#,
        total.approved,
        total.pending,
        t(Msg::TeamTotal),
        r.sessions,
        duration(state.lang(), total.approved),
        duration(state.lang(), total.pending),
    );
    activities_html(state, &mut out, &d.activities);
    let _ = write!(
        out,
        r#"<h3>{}</h3><div class="chart">{}</div><p class="hint no-print">{}</p><div class="signature" data-testid="report-signature"><p>{}：<span class="sign-line"></span></p><p>{}：<span class="sign-line"></span></p></div>"#,
        t(Msg::HoursPerMonth),
        hours_chart_svg(state.lang(), &d.chart),
        t(Msg::PhoneKeepsRecent),
        t(Msg::SignedBy),
        t(Msg::SignDate),
    );
    out
}

/// The month's sessions as a table: when, what, where, how many volunteers for how
/// long (rejected hours left out), and the audience of anti-fraud talks.
fn activities_html(state: AppState, out: &mut String, lines: &[ActivityLine]) {
    use std::fmt::Write;
    let t = |m| state.t(m);
    let _ = write!(
        out,
        r#"<h3>{}</h3><table class="report-table activities" data-testid="report-activities"><thead><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr></thead><tbody>"#,
        t(Msg::ActivityList),
        t(Msg::Time),
        t(Msg::ActivityLabel),
        t(Msg::Place),
        t(Msg::Volunteers),
        t(Msg::Hours),
        t(Msg::Audience),
    );
    for a in lines {
        // A session still running shows no end yet.
        let end = match a.end {
            SessionEnd::Running(_) => String::new(),
            SessionEnd::Ended(at) | SessionEnd::AutoClosed(at) => hh_mm(at),
        };
        let _ = write!(
            out,
            r#"<tr data-testid="report-activity-row" data-minutes="{}"><td>{}–{end}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>"#,
            a.minutes,
            day_time(a.start),
            t(names::activity(a.activity)),
            html::escape(&a.place),
            a.people,
            duration(state.lang(), a.minutes),
            a.audience,
        );
    }
    out.push_str("</tbody></table>");
}
