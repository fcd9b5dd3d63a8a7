//! The team's monthly report (月报), built on the phone from its own records, offline:
//! hours per volunteer, activities, anti-fraud audience, a chart of hours per month,
//! the hours CSV and a print layout (style/main.css `@media print`).

use std::collections::BTreeMap;

use gatewatch_model::csv::{duty_hours, Member};
use gatewatch_model::duty::{Activity, DEFAULT_OPEN_LIMIT};
use gatewatch_model::report::{by_month, hours_text, report, total_minutes, DutyReport, Month};
use gatewatch_model::team::mask_phone;
use leptos::prelude::*;
use uuid::Uuid;

use crate::i18n::{names, tr, Msg};
use crate::pages::team::{current_team, TeamSelect};
use crate::routes::{Link, Page};
use crate::state::AppState;
use crate::team::local_now;

/// Months the chart shows, ending with the chosen one.
const CHART_MONTHS: usize = 12;
const BAR_W: i64 = 24;
const GAP: i64 = 6;
const CHART_H: i64 = 100;

/// Hours per month as an SVG document: bar height relative to the busiest month.
pub fn hours_chart_svg(months: &[(Month, i64)]) -> String {
    use std::fmt::Write;
    let most = months.iter().map(|(_, m)| *m).max().unwrap_or(0).max(1);
    let width = months.len() as i64 * (BAR_W + GAP);
    let mut svg = format!(
        r#"<svg data-testid="hours-chart" viewBox="0 0 {width} {}">"#,
        CHART_H + 44
    );
    for (n, (month, minutes)) in months.iter().enumerate() {
        let h = minutes * CHART_H / most;
        let x = n as i64 * (BAR_W + GAP);
        let mid = x + BAR_W / 2;
        let _ = write!(
            svg,
            r#"<g data-testid="chart-month" data-month="{month}" data-minutes="{minutes}"><rect class="bar" x="{x}" y="{}" width="{BAR_W}" height="{h}"/><text class="value" x="{mid}" y="{}">{}</text><text class="week" x="{mid}" y="{}">{:02}</text></g>"#,
            20 + CHART_H - h,
            16 + CHART_H - h,
            minutes / 60,
            CHART_H + 36,
            month.month,
        );
    }
    svg.push_str("</svg>");
    svg
}

/// The month's report and the hours of the months before it, for one team.
#[derive(Clone, PartialEq)]
struct TeamMonth {
    report: DutyReport,
    chart: Vec<(Month, i64)>,
}

fn build(state: AppState, team: Uuid, month: Month) -> TeamMonth {
    let now = local_now();
    state.records.with(|map| {
        let sessions = gatewatch_model::report::duty_sessions(map.values().map(|l| &l.record))
            .filter(|s| s.team == team);
        let mut months: BTreeMap<Month, DutyReport> = by_month(sessions, now, DEFAULT_OPEN_LIMIT);
        let chart = month
            .last(CHART_MONTHS)
            .into_iter()
            .map(|m| (m, months.get(&m).map_or(0, |r| total_minutes(r).total())))
            .collect();
        TeamMonth {
            report: months
                .remove(&month)
                .unwrap_or_else(|| report([], now, DEFAULT_OPEN_LIMIT)),
            chart,
        }
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
    let roster = move |team: Uuid| {
        state
            .roster(team)
            .into_iter()
            .collect::<BTreeMap<Uuid, gatewatch_model::team::Volunteer>>()
    };
    let export = move |_| {
        let Some((id, team, d)) = data.get_untracked() else {
            return;
        };
        let members = roster(id);
        let label = month.get_untracked().to_string();
        let sheet = duty_hours(
            &d.report,
            &label,
            |v| {
                members.get(&v).map(|m| Member {
                    team: &team.name,
                    name: &m.name,
                    phone: &m.phone,
                })
            },
            |t| (t == id).then_some(team.name.as_str()),
        );
        crate::download::save_csv(&format!("gatewatch-hours-{label}.csv"), &sheet);
    };
    let print = move |_| {
        let _ = window().print();
    };
    let pick_month = move |ev| {
        if let Some(m) = Month::parse(&event_target_value(&ev)) {
            month.set(m);
        }
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
                    <select data-testid="report-month" on:change=pick_month>
                        {this_month.last(CHART_MONTHS).into_iter().rev().map(|m| {
                            view! { <option value=m.to_string() selected=move || month.get() == m>{m.to_string()}</option> }
                        }).collect_view()}
                    </select>
                </label>
            </div>
            {move || data.get().map(|(id, team, d)| {
                let members = roster(id);
                let total = total_minutes(&d.report);
                let mut rows: Vec<(String, String, gatewatch_model::report::Hours)> = d
                    .report
                    .volunteers
                    .iter()
                    .map(|(v, h)| {
                        let m = members.get(v);
                        (
                            m.map_or_else(|| v.to_string(), |m| m.name.clone()),
                            m.map(|m| mask_phone(&m.phone)).unwrap_or_default(),
                            *h,
                        )
                    })
                    .collect();
                rows.sort_by(|a, b| a.0.cmp(&b.0));
                let activities: Vec<(Activity, u32)> = d.report.activities.iter().map(|(a, n)| (*a, *n)).collect();
                view! {
                    <h2>{team.name.clone()} " · " {tr(Msg::MonthlyReport)} " " {month.get().to_string()}</h2>
                    <dl class="totals" data-testid="report-totals"
                        data-sessions=d.report.sessions.to_string()
                        data-approved=total.approved.to_string()
                        data-pending=total.pending.to_string()
                        data-audience=d.report.audience.to_string()>
                        <dt>{tr(Msg::SessionCount)}</dt><dd>{d.report.sessions}</dd>
                        <dt>{tr(Msg::ApprovedHours)}</dt><dd>{hours_text(total.approved)}</dd>
                        <dt>{tr(Msg::PendingHours)}</dt><dd>{hours_text(total.pending)}</dd>
                        <dt>{tr(Msg::AudienceTotal)}</dt><dd>{d.report.audience}</dd>
                        <dt>{tr(Msg::ToConfirm)}</dt><dd>{d.report.to_confirm}</dd>
                    </dl>
                    <ul class="activity-counts">
                        {activities.into_iter().map(|(a, n)| view! {
                            <li data-testid="report-activity" data-activity=a.as_str()>{tr(names::activity(a))} ": " {n}</li>
                        }).collect_view()}
                    </ul>
                    <table class="report-table" data-testid="report-table">
                        <thead><tr>
                            <th>{tr(Msg::Name)}</th><th>{tr(Msg::Phone)}</th><th>{tr(Msg::SessionCount)}</th>
                            <th>{tr(Msg::ApprovedHours)}</th><th>{tr(Msg::PendingHours)}</th>
                        </tr></thead>
                        <tbody>
                            {rows.into_iter().map(|(name, phone, h)| view! {
                                <tr data-testid="report-row" data-name=name.clone() data-phone=phone.clone() data-approved=h.approved.to_string() data-pending=h.pending.to_string()>
                                    <td>{name.clone()}</td><td>{phone.clone()}</td><td>{h.sessions}</td>
                                    <td>{hours_text(h.approved)}</td><td>{hours_text(h.pending)}</td>
                                </tr>
                            }).collect_view()}
                            <tr class="total-row">
                                <td>{tr(Msg::TeamTotal)}</td><td></td><td>{d.report.sessions}</td>
                                <td>{hours_text(total.approved)}</td><td>{hours_text(total.pending)}</td>
                            </tr>
                        </tbody>
                    </table>
                    <h3>{tr(Msg::HoursPerMonth)}</h3>
                    <div class="chart" inner_html=hours_chart_svg(&d.chart)></div>
                }
            })}
        </section>
    }
}
