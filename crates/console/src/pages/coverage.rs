//! 落实率 over a date range: the rate (the model's `Rate`, rounded as everywhere), the
//! school × day heatmap, the verdict of each gate's slots and of each assignment with
//! its reason in the console's language, the assignments on days not due (never
//! counted), the per-officer table with each officer's rate as the sheets print it, and
//! the CSVs in the chosen language. Printable.

use chrono::{Duration, NaiveDate};
use gatewatch_model::coverage::Status;
use gatewatch_model::csv::rate_text;
use gatewatch_model::Post;
use leptos::prelude::*;

use crate::api::{self, ApiError, CoverageReport, NotDue, OfficerReport, Verdict};
use crate::grid::monday_of;
use crate::heatmap::{self, days, Heatmap};
use crate::i18n::{csv_lang, status_name, text, window_name, Lang, Msg};
use crate::session::Session;
use crate::widgets::{loaded, value_of, why_text};

/// Everything the screen shows for one range.
#[derive(Clone)]
struct Figures {
    coverage: CoverageReport,
    officers: OfficerReport,
    /// (id, name) of the schools in scope, in the catalog's order.
    schools: Vec<(String, String)>,
    posts: Vec<Post>,
}

async fn figures(
    session: Session,
    (from, to): (NaiveDate, NaiveDate),
    lang: Lang,
) -> Result<Figures, ApiError> {
    let coverage = api::coverage(from, to, csv_lang(lang)).await?;
    let officers = api::officer_report(from, to, csv_lang(lang)).await?;
    let schools = session
        .schools_in_scope(api::schools().await?)
        .into_iter()
        .map(|s| (s.id, s.name))
        .collect();
    let posts = api::posts().await?;
    Ok(Figures {
        coverage,
        officers,
        schools,
        posts,
    })
}

#[component]
pub fn CoveragePage() -> impl IntoView {
    let session = Session::expect();
    let today = chrono::Local::now().date_naive();
    let from = RwSignal::new(monday_of(today) - Duration::days(7));
    let to = RwSignal::new(today);
    // Read again in the other language: the reasons are the server's words.
    let report =
        LocalResource::new(move || figures(session, (from.get(), to.get()), session.lang.get()));
    let date_input = move |testid: &'static str, label: Msg, value: RwSignal<NaiveDate>| {
        view! {
            <label class="field">
                <span>{move || session.t(label)}</span>
                <input type="date" data-testid=testid prop:value=move || value.get().to_string()
                    on:change=move |ev| {
                        if let Some(d) = gatewatch_model::timefmt::parse_date(&value_of(&ev)) { value.set(d) }
                    }/>
            </label>
        }
    };
    let print = move |_| {
        if let Err(e) = window().print() {
            web_sys::console::warn_1(&e);
        }
    };
    view! {
        <section class="coverage">
            <h2>{move || session.t(Msg::NavCoverage)}</h2>
            <div class="controls no-print">
                {date_input("coverage-from", Msg::From, from)}
                {date_input("coverage-to", Msg::To, to)}
                <button type="button" data-testid="coverage-print" on:click=print>{move || session.t(Msg::Print)}</button>
            </div>
            <p class="print-only">{move || format!("{} – {}", from.get(), to.get())}</p>
            <Downloads from to/>
            {move || match loaded(session, report.get()) {
                Err(instead) => instead,
                Ok(f) => view! { <FiguresView figures=f from=from.get_untracked() to=to.get_untracked()/> }.into_any(),
            }}
        </section>
    }
}

/// The CSV sheets of the range, in the console's language.
#[component]
fn Downloads(from: RwSignal<NaiveDate>, to: RwSignal<NaiveDate>) -> impl IntoView {
    let session = Session::expect();
    const SHEETS: [(&str, Msg); 5] = [
        ("coverage", Msg::SheetCoverage),
        ("assignments", Msg::SheetAssignments),
        ("officers", Msg::SheetOfficers),
        ("checkins", Msg::SheetCheckins),
        ("incidents", Msg::SheetIncidents),
    ];
    let links = SHEETS
        .map(|(sheet, label)| {
            let href = move || {
                format!(
                    "/api/export/{sheet}.csv?from={}&to={}&lang={}",
                    from.get(),
                    to.get(),
                    csv_lang(session.lang.get())
                )
            };
            view! { <a class="button" href=href download="" data-testid=format!("csv-{sheet}")>{move || session.t(label)}</a> }
        });
    view! { <div class="buttons no-print"><span>{move || session.t(Msg::Csv)}</span>{links}</div> }
}

#[component]
fn FiguresView(figures: Figures, from: NaiveDate, to: NaiveDate) -> impl IntoView {
    let session = Session::expect();
    let Figures {
        coverage,
        officers,
        schools,
        posts,
    } = figures;
    let gate_of = StoredValue::new(posts);
    let gate_label = move |post_id: &str| {
        gate_of.with_value(|posts| {
            posts
                .iter()
                .find(|p| p.id == post_id)
                .map(Post::label)
                .unwrap_or_else(|| post_id.to_string())
        })
    };
    let rate = coverage.rate;
    view! {
        <p class="rate">
            {move || session.t(Msg::Rate)}
            <strong data-testid="coverage-rate">{heatmap::rate_text(rate)}</strong>
        </p>
        <Heatmap schools days=days(from, to) cells=coverage.by_school_day/>
        <h3>{move || session.t(Msg::ByGate)}</h3>
        <VerdictTable rows=coverage.gates gate_label testid="coverage-gates" per_assignment=false/>
        <h3>{move || session.t(Msg::ByAssignment)}</h3>
        <VerdictTable rows=coverage.assignments gate_label testid="coverage-assignments" per_assignment=true/>
        {(!coverage.not_due.is_empty()).then(|| view! {
            <h3>{move || session.t(Msg::NotDueAssignments)}</h3>
            <NotDueTable rows=coverage.not_due gate_label/>
        })}
        <h3>{move || session.t(Msg::ByOfficer)}</h3>
        <OfficerTable report=officers/>
    }
}

/// Slots (per gate) or assignments (per officer) with their verdict and its reason.
#[component]
fn VerdictTable(
    rows: Vec<Verdict>,
    gate_label: impl Fn(&str) -> String + Copy + Send + Sync + 'static,
    testid: &'static str,
    per_assignment: bool,
) -> impl IntoView {
    let session = Session::expect();
    let body = move || {
        let lang = session.lang.get();
        rows.iter()
            .map(|v| verdict_row(lang, v, gate_label(&v.post_id), per_assignment))
            .collect_view()
    };
    view! {
        <div class="table-scroll">
            <table class="list" data-testid=testid>
                <thead><tr>
                    {per_assignment.then(|| view! { <th scope="col">{move || session.t(Msg::Officer)}</th> })}
                    <th scope="col">{move || session.t(Msg::Gate)}</th>
                    <th scope="col">{move || session.t(Msg::Date)}</th>
                    <th scope="col">{move || session.t(Msg::Window)}</th>
                    <th scope="col">{move || session.t(Msg::Verdict)}</th>
                    {per_assignment.then(|| view! { <th scope="col">{move || session.t(Msg::CameInstead)}</th> })}
                    <th scope="col">{move || session.t(Msg::Why)}</th>
                </tr></thead>
                <tbody>{body}</tbody>
            </table>
        </div>
    }
}

fn verdict_row(lang: Lang, v: &Verdict, gate: String, per_assignment: bool) -> impl IntoView {
    let officer = v.officer.as_ref().map(|p| p.label()).unwrap_or_default();
    let instead: Vec<String> = v.instead.iter().map(|p| p.label()).collect();
    view! {
        <tr class=status_class(v.status)>
            {per_assignment.then(|| view! { <td>{officer}</td> })}
            <td>{gate}</td>
            <td>{v.date.to_string()}</td>
            <td>{window_name(lang, v.window)}</td>
            <td>{status_name(lang, v.status)}</td>
            {per_assignment.then(|| view! { <td>{instead.join("、")}</td> })}
            <td class="why">{why_text(&v.why)}</td>
        </tr>
    }
}

/// Assignments on a day the calendar has no such window: shown as 不需执勤, as the
/// 排班落实 sheet does, never counted.
#[component]
fn NotDueTable(
    rows: Vec<NotDue>,
    gate_label: impl Fn(&str) -> String + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let session = Session::expect();
    let body = move || {
        let lang = session.lang.get();
        rows.iter()
            .map(|a| {
                view! {
                    <tr>
                        <td>{a.officer.label()}</td>
                        <td>{gate_label(&a.post_id)}</td>
                        <td>{a.date.to_string()}</td>
                        <td>{window_name(lang, a.window)}</td>
                        <td>{a.car.clone().unwrap_or_default()}</td>
                        <td>{text(lang, Msg::NotDueVerdict)}</td>
                    </tr>
                }
            })
            .collect_view()
    };
    let head = [
        Msg::Officer,
        Msg::Gate,
        Msg::Date,
        Msg::Window,
        Msg::Car,
        Msg::Verdict,
    ];
    list_table(session, "coverage-not-due", head, body)
}

/// A list table with one header per message, its rows scrolling in their own box.
fn list_table<const N: usize>(
    session: Session,
    testid: &'static str,
    head: [Msg; N],
    body: impl IntoView,
) -> impl IntoView {
    let head = head.map(|m| view! { <th scope="col">{move || session.t(m)}</th> });
    view! {
        <div class="table-scroll">
            <table class="list" data-testid=testid>
                <thead><tr>{head}</tr></thead>
                <tbody>{body}</tbody>
            </table>
        </div>
    }
}

fn status_class(status: Status) -> &'static str {
    match status {
        Status::Covered => "status covered",
        Status::Late => "status late",
        Status::Partial => "status partial",
        Status::Missed => "status missed",
        Status::Upcoming => "status upcoming",
    }
}

/// Each officer's assigned windows by their own verdict.
#[component]
fn OfficerTable(report: OfficerReport) -> impl IntoView {
    let session = Session::expect();
    let rows = report
        .officers
        .into_iter()
        .map(|o| {
            view! {
                <tr>
                    <td>{o.person.label()}</td>
                    <td>{o.assigned}</td>
                    <td>{o.covered}</td>
                    <td>{o.late}</td>
                    <td>{o.partial}</td>
                    <td>{o.missed}</td>
                    <td>{o.upcoming}</td>
                    <td>{rate_text(o.rate)}</td>
                </tr>
            }
        })
        .collect_view();
    let head = [
        Msg::Officer,
        Msg::Assigned,
        Msg::StatusCovered,
        Msg::StatusLate,
        Msg::StatusPartial,
        Msg::StatusMissed,
        Msg::StatusUpcoming,
        Msg::RateColumn,
    ];
    list_table(session, "coverage-officers", head, rows)
}
