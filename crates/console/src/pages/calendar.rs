//! 校历: the year's calendar entries (admins load the shipped national calendar with
//! one button and import a calendar CSV), and one school's month of that year with its
//! due days, each saying why (`Calendar::reason`, the rule coverage counts by). The
//! month is always one of the selected year, whose entries are the ones loaded.

use chrono::{Datelike, NaiveDate};
use gatewatch_model::calendar::{Calendar, CalendarEntry, DayReason};
use gatewatch_model::school::School;
use leptos::prelude::*;

use crate::api::{self, ApiError};
use crate::grid::{monday_of, week_of};
use crate::i18n::{csv_lang, day_rule_name, scope_name, weekday, Lang, Msg};
use crate::session::Session;
use crate::widgets::{act, loaded, value_of, CsvUpload, Said, StatusLine};

async fn entries_of(session: Session, year: i32) -> Result<Vec<CalendarEntry>, ApiError> {
    let all = match session.is_admin() {
        true => api::year_calendar(year).await?,
        false => api::calendar().await?,
    };
    Ok(all
        .entries
        .into_iter()
        .filter(|e| e.from.year() <= year && year <= e.to.year())
        .collect())
}

/// How many entries an import or the national calendar stored, in words.
async fn stored(
    session: Session,
    work: impl std::future::Future<Output = Result<api::Stored, ApiError>>,
) -> Result<String, ApiError> {
    let done = work.await?;
    Ok(format!("{} {}", session.t(Msg::Imported), done.stored))
}

#[component]
pub fn CalendarPage() -> impl IntoView {
    let session = Session::expect();
    let today = chrono::Local::now().date_naive();
    let year = RwSignal::new(today.year());
    let reload = RwSignal::new(0u32);
    let status = RwSignal::new(Said::default());
    let busy = RwSignal::new(false);
    let entries = LocalResource::new(move || {
        let (y, _) = (year.get(), reload.get());
        entries_of(session, y)
    });
    let schools = LocalResource::new(move || async move {
        api::schools()
            .await
            .map(|all| session.schools_in_scope(all))
    });
    let national = move |_| {
        let work = api::load_national(year.get_untracked());
        act(session, busy, status, reload, stored(session, work));
    };
    let import = Callback::new(move |file| {
        let lang = csv_lang(session.lang.get_untracked());
        let work = api::import_calendar(year.get_untracked(), file, lang);
        act(session, busy, status, reload, stored(session, work));
    });
    // Last year's too: a report or a correction may concern it.
    let years = [today.year() - 1, today.year(), today.year() + 1];
    view! {
        <section class="calendar">
            <h2>{move || session.t(Msg::NavCalendar)}</h2>
            <div class="controls">
                <label class="field">
                    <span>{move || session.t(Msg::Year)}</span>
                    <select data-testid="calendar-year" prop:value=move || year.get().to_string()
                        on:change=move |ev| if let Ok(y) = value_of(&ev).parse() { year.set(y) }>
                        {years.map(|y| view! { <option value=y.to_string()>{y}</option> })}
                    </select>
                </label>
                <Show when=move || session.is_admin()>
                    <button type="button" class="primary" data-testid="calendar-national" on:click=national
                        disabled=move || busy.get()>
                        {move || session.t(Msg::LoadNational)}
                    </button>
                    <CsvUpload testid="calendar-import" send_testid="calendar-import-send"
                        label=Msg::CalendarCsv on_file=import busy=busy.into()/>
                </Show>
            </div>
            <StatusLine said=status testid="calendar-status"/>
            {move || match (loaded(session, entries.get()), loaded(session, schools.get())) {
                (Ok(entries), Ok(schools)) => view! {
                    <MonthView schools entries=entries.clone() year=year.get_untracked()/>
                    <EntryTable entries/>
                }.into_any(),
                (Err(instead), _) | (_, Err(instead)) => instead,
            }}
        </section>
    }
}

/// The entries of the year, as the CSV lists them.
#[component]
fn EntryTable(entries: Vec<CalendarEntry>) -> impl IntoView {
    let session = Session::expect();
    let rows = move || {
        let lang = session.lang.get();
        entries
            .iter()
            .map(|e| {
                view! {
                    <tr>
                        <td>{scope_name(lang, &e.scope)}</td>
                        <td>{e.from.to_string()}</td>
                        <td>{e.to.to_string()}</td>
                        <td>{day_rule_name(lang, e.rule)}</td>
                        <td>{e.name.clone()}</td>
                    </tr>
                }
            })
            .collect_view()
    };
    view! {
        <h3>{move || session.t(Msg::Entries)}</h3>
        <div class="table-scroll">
            <table class="list" data-testid="calendar-entries">
                <thead><tr>
                    <th scope="col">{move || session.t(Msg::Scope)}</th>
                    <th scope="col">{move || session.t(Msg::From)}</th>
                    <th scope="col">{move || session.t(Msg::To)}</th>
                    <th scope="col">{move || session.t(Msg::Rule)}</th>
                    <th scope="col">{move || session.t(Msg::Name)}</th>
                </tr></thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
    }
}

/// The first day of the month a view of `year` opens on: today's month of that year.
fn opening_month(year: i32, today: NaiveDate) -> NaiveDate {
    NaiveDate::from_ymd_opt(year, today.month(), 1)
        .or_else(|| NaiveDate::from_ymd_opt(year, 1, 1))
        .unwrap_or(today)
}

/// The month a picker's `YYYY-MM` names, if it is one of `year` (the entries loaded
/// are that year's: another year's month would be shown with the wrong entries).
fn month_of_year(picked: &str, year: i32) -> Option<NaiveDate> {
    gatewatch_model::timefmt::parse_date(&format!("{picked}-01")).filter(|d| d.year() == year)
}

/// One school's month of `year`: a week per row, each day due or not and why.
#[component]
fn MonthView(schools: Vec<School>, entries: Vec<CalendarEntry>, year: i32) -> impl IntoView {
    let session = Session::expect();
    let calendar = StoredValue::new(Calendar::new(entries));
    let first = schools.first().map(|s| s.id.clone()).unwrap_or_default();
    let school = RwSignal::new(first);
    let month = RwSignal::new(opening_month(year, chrono::Local::now().date_naive()));
    let options = schools
        .iter()
        .map(|s| view! { <option value=s.id.clone()>{s.name.clone()}</option> })
        .collect_view();
    let schools = StoredValue::new(schools);
    let weeks = move || {
        let lang = session.lang.get();
        let first = month.get();
        let id = school.get();
        schools.with_value(|all| {
            let Some(school) = all.iter().find(|s| s.id == id) else {
                return ().into_any();
            };
            calendar
                .with_value(|cal| month_rows(lang, cal, school, first))
                .into_any()
        })
    };
    view! {
        <h3>{move || session.t(Msg::SchoolMonth)}</h3>
        <div class="controls">
            <label class="field">
                <span>{move || session.t(Msg::School)}</span>
                <select data-testid="calendar-school" on:change=move |ev| school.set(value_of(&ev))>{options}</select>
            </label>
            <label class="field">
                <span>{move || session.t(Msg::Month)}</span>
                <input type="month" data-testid="calendar-month"
                    min=format!("{year}-01") max=format!("{year}-12")
                    prop:value=move || month.get().format("%Y-%m").to_string()
                    on:change=move |ev| match month_of_year(&value_of(&ev), year) {
                        Some(d) => month.set(d),
                        // Another year's month: the picker goes back to the one shown.
                        None => month.notify(),
                    }/>
            </label>
        </div>
        <table class="month" data-testid="calendar-month-view">
            <thead><tr>{move || {
                let lang = session.lang.get();
                week_of(monday_of(month.get())).map(|d| view! { <th scope="col">{weekday(lang, d)}</th> })
            }}</tr></thead>
            <tbody>{weeks}</tbody>
        </table>
    }
}

fn month_rows(lang: Lang, calendar: &Calendar, school: &School, first: NaiveDate) -> impl IntoView {
    let next_month = (first + chrono::Duration::days(32))
        .with_day(1)
        .unwrap_or(first);
    let mut monday = monday_of(first);
    let mut rows = Vec::new();
    while monday < next_month {
        let days = week_of(monday).map(|day| {
            if day.month() != first.month() {
                return view! { <td class="day outside"></td> }.into_any();
            }
            let due = calendar.due_windows(school, day).len();
            let why = reason_text(lang, calendar.reason(school, day));
            let class = if due > 0 { "day due" } else { "day off" };
            view! {
                <td class=class data-testid=format!("day-{day}")>
                    <b>{day.day()}</b>
                    <span class="why">{why}</span>
                </td>
            }
            .into_any()
        });
        rows.push(view! { <tr>{days}</tr> });
        monday += chrono::Duration::days(7);
    }
    rows
}

fn reason_text(lang: Lang, reason: DayReason) -> String {
    let say = |msg| crate::i18n::text(lang, msg).to_string();
    match reason {
        DayReason::NotYetCounted => say(Msg::NotYetCounted),
        DayReason::Weekday => say(Msg::SchoolDay),
        DayReason::Weekend => say(Msg::Weekend),
        DayReason::Entry(e) if e.name.is_empty() => day_rule_name(lang, e.rule).to_string(),
        DayReason::Entry(e) => e.name.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        gatewatch_model::timefmt::parse_date(s).unwrap()
    }

    /// Finding 10 of review 14b: choosing a year shows a month of that year, and the
    /// month picker stays within it.
    #[test]
    fn the_month_shown_is_one_of_the_selected_year() {
        let today = d("2026-12-04");
        assert_eq!(opening_month(2026, today), d("2026-12-01"));
        assert_eq!(opening_month(2025, today), d("2025-12-01"));
        assert_eq!(opening_month(2027, d("2026-02-28")), d("2027-02-01"));
        assert_eq!(month_of_year("2025-10", 2025), Some(d("2025-10-01")));
        assert_eq!(month_of_year("2027-10", 2026), None);
        assert_eq!(month_of_year("", 2026), None);
    }
}
