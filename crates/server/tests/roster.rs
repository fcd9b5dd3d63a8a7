//! The duty roster and swap requests through the API (docs/duty-roster.md §3, §7):
//! slots written by managers within their schools, read by officers, copied a week
//! on (one school, from today on, skipping who can no longer serve), imported and
//! exported as a 值班表, officers taken off it when disabled or moved, and swaps decided
//! on the server — with every refusal the issue names (unknown school, gate or
//! officer, overlap, out of scope, a day gone, a date too far, a withdrawn request, an
//! officer no longer on the slot) storing nothing.

mod common;

use axum::http::{header, StatusCode};
use chrono::{Datelike, Days, NaiveDate, Utc};
use common::{version, TestApp};
use gatewatch_model::roster::Assignment;
use gatewatch_model::swap::SwapRequest;
use gatewatch_model::{PullResponse, Record, RecordBody};
use serde_json::{json, Value};
use uuid::Uuid;

/// The accounts of a police station: officers of s01 (two, and one disabled), an
/// officer of s02, a lead and a supervisor of s01.
struct Station {
    admin: TestApp,
    o1: (Uuid, TestApp),
    o2: (Uuid, TestApp),
    o3: (Uuid, TestApp),
    o5: (Uuid, TestApp),
    disabled: Uuid,
    lead: (Uuid, TestApp),
    chief: TestApp,
    /// A Monday a week or two ahead.
    monday: NaiveDate,
}

async fn station() -> Station {
    let admin = TestApp::new().await;
    let user = |name: &'static str, role: &'static str, school: &'static str| {
        let admin = admin.clone();
        async move {
            let (id, session) = admin.user(name, role, &[school], &[]).await;
            (id, admin.as_user(&session))
        }
    };
    let o1 = user("zhang.wei", "officer", "s01").await;
    let o2 = user("li.na", "officer", "s01").await;
    let o3 = user("wang.qiang", "officer", "s02").await;
    let o5 = user("zhao.lei", "officer", "s01").await;
    let (disabled, _) = user("sun.tui", "officer", "s01").await;
    let fields =
        json!({"display_name": "孙退", "role": "officer", "schools": ["s01"], "disabled": true});
    let off = admin
        .put_json(&format!("/api/admin/users/{disabled}"), fields.to_string())
        .await;
    assert_eq!(off.status, StatusCode::OK, "{}", off.text());
    let lead = user("lead.a", "lead", "s01").await;
    let chief = user("chen.suo", "supervisor", "s01").await.1;
    let today = (Utc::now() + chrono::Duration::hours(8)).date_naive();
    let monday = today
        .checked_add_days(Days::new(u64::from(
            7 - today.weekday().num_days_from_monday(),
        )))
        .unwrap();
    Station {
        admin,
        o1,
        o2,
        o3,
        o5,
        disabled,
        lead,
        chief,
        monday,
    }
}

fn day(monday: NaiveDate, n: u64) -> NaiveDate {
    monday.checked_add_days(Days::new(n)).unwrap()
}

/// Puts `officers` on a slot, each with `car`.
async fn put_slot(
    t: &TestApp,
    post: &str,
    date: NaiveDate,
    window: &str,
    officers: &[Uuid],
    car: Option<&str>,
) -> common::TestResponse {
    let cars: Vec<(Uuid, Option<&str>)> = officers.iter().map(|o| (*o, car)).collect();
    put_cars(t, post, date, window, &cars, None).await
}

/// Puts each officer on a slot with their own car; `expected`, the officers the caller
/// says the slot showed.
async fn put_cars(
    t: &TestApp,
    post: &str,
    date: NaiveDate,
    window: &str,
    officers: &[(Uuid, Option<&str>)],
    expected: Option<&[Uuid]>,
) -> common::TestResponse {
    let officers: Vec<Value> = officers
        .iter()
        .map(|(officer, car)| json!({"officer": officer, "car": car}))
        .collect();
    let mut body = json!({"post_id": post, "date": date, "window": window, "officers": officers});
    if let Some(expected) = expected {
        body["expected"] = json!(expected);
    }
    t.put_json("/api/roster/slot", body.to_string()).await
}

async fn roster(t: &TestApp, from: NaiveDate, to: NaiveDate) -> (Vec<Assignment>, Value) {
    let response = t.get(&format!("/api/roster?from={from}&to={to}")).await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.text());
    let page: Value = response.json();
    (
        serde_json::from_value(page["assignments"].clone()).unwrap(),
        page["people"].clone(),
    )
}

/// Every assignment stored, whoever's.
async fn everything(s: &Station) -> Vec<Assignment> {
    roster(&s.admin, day(s.monday, 0), day(s.monday, 60))
        .await
        .0
}

/// Moves the server's clock (shared by every app of the station) to the same hour of
/// `date` in mainland China time, so that the days before it are gone.
fn make_today(s: &Station, date: NaiveDate) {
    let today = (Utc::now() + chrono::Duration::hours(8)).date_naive();
    s.admin
        .state
        .clock
        .advance(chrono::Duration::days((date - today).num_days()));
}

fn ok(response: common::TestResponse) -> common::TestResponse {
    assert_eq!(response.status, StatusCode::OK, "{}", response.text());
    response
}

#[tokio::test]
async fn a_supervisor_fills_a_slot_that_its_officers_read() {
    let s = station().await;
    let monday = s.monday;
    let response = put_slot(
        &s.chief,
        "s01-g1",
        monday,
        "morning",
        &[s.o1.0, s.o2.0],
        Some("苏A·12345"),
    )
    .await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.text());
    let stored: Vec<Assignment> = response.json();
    assert_eq!(stored.len(), 2);
    assert!(stored.iter().all(|a| a.car.as_deref() == Some("苏A·12345")));

    let (mine, people) = roster(&s.o1.1, monday, day(monday, 6)).await;
    assert_eq!(mine, stored);
    let mut names: Vec<&str> = people
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["username"].as_str().unwrap())
        .collect();
    names.sort();
    assert_eq!(names, ["li.na", "zhang.wei"]);
    // Another school's officer sees none of it; a lead has no roster.
    assert!(roster(&s.o3.1, monday, day(monday, 6)).await.0.is_empty());
    s.lead
        .1
        .get(&format!("/api/roster?from={monday}&to={monday}"))
        .await
        .assert_error(StatusCode::FORBIDDEN, "forbidden");
    // At most 62 days at once.
    s.o1.1
        .get(&format!("/api/roster?from={monday}&to={}", day(monday, 62)))
        .await
        .assert_error(StatusCode::BAD_REQUEST, "bad_query");

    // A PUT replaces the slot's officers; an empty list clears it.
    let response = put_slot(&s.chief, "s01-g1", monday, "morning", &[s.o2.0], None).await;
    assert_eq!(response.json::<Vec<Assignment>>().len(), 1);
    assert_eq!(everything(&s).await.len(), 1);
    assert_eq!(
        put_slot(&s.chief, "s01-g1", monday, "morning", &[], None)
            .await
            .status,
        StatusCode::OK
    );
    assert!(everything(&s).await.is_empty());

    // Officers and leads do not write the roster.
    for t in [&s.o1.1, &s.lead.1] {
        put_slot(t, "s01-g1", monday, "morning", &[s.o1.0], None)
            .await
            .assert_error(StatusCode::FORBIDDEN, "forbidden");
    }
}

/// Finding 4 of review 14b: each officer of a slot keeps their own car when another is
/// added, removed or given a car.
#[tokio::test]
async fn each_officer_of_a_slot_keeps_their_own_car() {
    let s = station().await;
    let m = s.monday;
    let cars = |stored: Vec<Assignment>| -> Vec<(Uuid, Option<String>)> {
        let mut cars: Vec<_> = stored.into_iter().map(|a| (a.officer, a.car)).collect();
        cars.sort();
        cars
    };
    let mut want = vec![
        (s.o1.0, Some("苏A·11111".to_owned())),
        (s.o2.0, Some("苏A·22222".to_owned())),
    ];
    want.sort();
    let first = put_cars(
        &s.chief,
        "s01-g1",
        m,
        "morning",
        &[(s.o1.0, Some("苏A·11111")), (s.o2.0, Some("苏A·22222"))],
        None,
    )
    .await;
    assert_eq!(first.status, StatusCode::OK, "{}", first.text());
    assert_eq!(cars(first.json()), want);
    // A third officer, without a car, as the console sends it: the others' cars stay.
    let added = put_cars(
        &s.chief,
        "s01-g1",
        m,
        "morning",
        &[
            (s.o1.0, Some("苏A·11111")),
            (s.o2.0, Some("苏A·22222")),
            (s.o5.0, None),
        ],
        Some(&[s.o1.0, s.o2.0]),
    )
    .await;
    assert_eq!(added.status, StatusCode::OK, "{}", added.text());
    want.push((s.o5.0, None));
    want.sort();
    assert_eq!(cars(everything(&s).await), want);
    // One officer's car changed, a blank plate is none.
    let edited = put_cars(
        &s.chief,
        "s01-g1",
        m,
        "morning",
        &[
            (s.o1.0, Some(" 苏A·33333 ")),
            (s.o2.0, Some(" ")),
            (s.o5.0, None),
        ],
        Some(&[s.o5.0, s.o2.0, s.o1.0]),
    )
    .await;
    assert_eq!(edited.status, StatusCode::OK, "{}", edited.text());
    let mut want = vec![
        (s.o1.0, Some("苏A·33333".to_owned())),
        (s.o2.0, None),
        (s.o5.0, None),
    ];
    want.sort();
    assert_eq!(cars(everything(&s).await), want);
    // The old single-car body is refused, not read as cars for everyone.
    let old = json!({"post_id": "s01-g1", "date": m, "window": "morning",
        "officers": [s.o1.0], "car": "苏A·44444"});
    s.chief
        .put_json("/api/roster/slot", old.to_string())
        .await
        .assert_error(StatusCode::UNPROCESSABLE_ENTITY, "invalid_record");
    // One officer twice in the slot: an overlap, nothing stored.
    put_cars(
        &s.chief,
        "s01-g1",
        m,
        "morning",
        &[(s.o1.0, Some("苏A·1")), (s.o1.0, Some("苏A·2"))],
        None,
    )
    .await
    .assert_error(StatusCode::CONFLICT, "overlap");
    assert_eq!(cars(everything(&s).await), want);
}

/// Finding 7 of review 14b: a manager whose view of a slot is stale (someone else
/// changed it since) is refused with the slot as it is now, instead of silently
/// removing the other's officer.
#[tokio::test]
async fn a_slot_written_from_a_stale_view_is_refused_with_the_slot_as_it_is() {
    let s = station().await;
    let m = s.monday;
    let slot_now = || async { roster(&s.admin, m, m).await.0 };
    assert_eq!(
        put_cars(
            &s.chief,
            "s01-g1",
            m,
            "morning",
            &[(s.o1.0, None)],
            Some(&[])
        )
        .await
        .status,
        StatusCode::OK
    );
    // Meanwhile, in another tab, the admin adds li.na.
    let other = put_cars(
        &s.admin,
        "s01-g1",
        m,
        "morning",
        &[(s.o1.0, None), (s.o2.0, Some("苏A·22222"))],
        Some(&[s.o1.0]),
    )
    .await;
    assert_eq!(other.status, StatusCode::OK, "{}", other.text());
    let held = slot_now().await;
    // The chief, who still sees zhang.wei alone, adds zhao.lei.
    let refused = put_cars(
        &s.chief,
        "s01-g1",
        m,
        "morning",
        &[(s.o1.0, None), (s.o5.0, None)],
        Some(&[s.o1.0]),
    )
    .await;
    assert_eq!(refused.status, StatusCode::CONFLICT, "{}", refused.text());
    let body: Value = refused.json();
    assert_eq!(body["error"], "stale");
    assert!(
        body["detail"].as_str().unwrap().contains("li.na"),
        "{}",
        body["detail"]
    );
    let shown: Vec<Assignment> = serde_json::from_value(body["assignments"].clone()).unwrap();
    assert_eq!(shown, held, "the slot as it is now");
    assert_eq!(slot_now().await, held, "nothing changed");
    // Emptied meanwhile is stale too; with the current view the edit goes through.
    put_cars(&s.chief, "s01-g1", m, "morning", &[], Some(&[]))
        .await
        .assert_error(StatusCode::CONFLICT, "stale");
    let fresh = put_cars(
        &s.chief,
        "s01-g1",
        m,
        "morning",
        &[(s.o1.0, None), (s.o2.0, Some("苏A·22222")), (s.o5.0, None)],
        Some(&[s.o2.0, s.o1.0]),
    )
    .await;
    assert_eq!(fresh.status, StatusCode::OK, "{}", fresh.text());
    assert_eq!(slot_now().await.len(), 3);
    // Out of scope is out of scope before anything of the slot is told; a change
    // refused for itself is refused so, whatever the view it was made from.
    let (_, other_chief) = s.admin.user("qian.suo", "supervisor", &["s02"], &[]).await;
    let other_chief = s.admin.as_user(&other_chief);
    put_cars(&other_chief, "s01-g1", m, "morning", &[], Some(&[]))
        .await
        .assert_error(StatusCode::FORBIDDEN, "forbidden");
    put_cars(
        &s.chief,
        "s01-g1",
        m,
        "morning",
        &[(s.o3.0, None)],
        Some(&[]),
    )
    .await
    .assert_error(StatusCode::UNPROCESSABLE_ENTITY, "invalid_roster");
    assert_eq!(slot_now().await.len(), 3);
}

#[tokio::test]
async fn every_bad_slot_is_refused_and_stores_nothing() {
    let s = station().await;
    let monday = s.monday;
    assert_eq!(
        put_slot(&s.chief, "s01-g1", monday, "morning", &[s.o1.0], None)
            .await
            .status,
        StatusCode::OK
    );
    let before = everything(&s).await;
    let far = day(monday, 400);
    let unknown = Uuid::from_u128(0xbad);
    // (post, date, officers, status, code, what the detail names)
    type Case<'a> = (&'a str, NaiveDate, Vec<Uuid>, StatusCode, &'a str, &'a str);
    let cases: [Case; 8] = [
        // The same officer at another gate of the same date and window.
        (
            "s01-g2",
            monday,
            vec![s.o5.0, s.o1.0],
            StatusCode::CONFLICT,
            "overlap",
            "s01-g1",
        ),
        (
            "s01-g2",
            monday,
            vec![s.o3.0],
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_roster",
            "wang.qiang",
        ),
        (
            "s01-g2",
            monday,
            vec![s.lead.0],
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_roster",
            "not an officer",
        ),
        (
            "s01-g2",
            monday,
            vec![s.disabled],
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_roster",
            "disabled",
        ),
        (
            "s01-g2",
            monday,
            vec![unknown],
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_roster",
            "no account",
        ),
        (
            "s01-g9",
            monday,
            vec![s.o5.0],
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_roster",
            "s01-g9",
        ),
        (
            "s02-g1",
            monday,
            vec![s.o3.0],
            StatusCode::FORBIDDEN,
            "forbidden",
            "s02",
        ),
        (
            "s01-g2",
            far,
            vec![s.o5.0],
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_roster",
            "days from today",
        ),
    ];
    for (post, date, officers, status, code, says) in cases {
        let error = put_slot(&s.chief, post, date, "morning", &officers, None)
            .await
            .assert_error(status, code);
        assert!(
            error.detail.contains(says),
            "{post} {date}: {}",
            error.detail
        );
        assert_eq!(everything(&s).await, before, "{post} {date}");
    }
    // The same officer in another window of that day is fine, and an admin may write
    // any school's roster.
    assert_eq!(
        put_slot(&s.chief, "s01-g2", monday, "noon", &[s.o1.0], None)
            .await
            .status,
        StatusCode::OK
    );
    assert_eq!(
        put_slot(&s.admin, "s02-g1", monday, "morning", &[s.o3.0], None)
            .await
            .status,
        StatusCode::OK
    );
}

#[tokio::test]
async fn a_week_is_copied_onto_another() {
    let s = station().await;
    let monday = s.monday;
    for (post, n, window, officer) in [
        ("s01-g1", 0, "morning", s.o1.0),
        ("s01-g2", 0, "morning", s.o2.0),
        ("s01-g1", 4, "afternoon", s.o5.0),
    ] {
        assert_eq!(
            put_slot(
                &s.chief,
                post,
                day(monday, n),
                window,
                &[officer],
                Some("警车1")
            )
            .await
            .status,
            StatusCode::OK
        );
    }
    // Next week's Monday morning at s01-g1 has someone else: the copy replaces them.
    assert_eq!(
        put_slot(
            &s.chief,
            "s01-g1",
            day(monday, 7),
            "morning",
            &[s.o5.0],
            None
        )
        .await
        .status,
        StatusCode::OK
    );
    let copy = json!({"from": monday, "to": day(monday, 7)});
    let response = s
        .chief
        .post_json("/api/roster/copy-week", copy.to_string())
        .await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.text());
    assert_eq!(response.json::<Value>()["copied"], 3);
    let this_week = roster(&s.chief, monday, day(monday, 6)).await.0;
    let next_week = roster(&s.chief, day(monday, 7), day(monday, 13)).await.0;
    let shifted: Vec<Assignment> = this_week
        .into_iter()
        .map(|a| Assignment {
            date: day(a.date, 7),
            ..a
        })
        .collect();
    assert_eq!(next_week, shifted);

    let not_monday = json!({"from": day(monday, 1), "to": day(monday, 8)});
    s.chief
        .post_json("/api/roster/copy-week", not_monday.to_string())
        .await
        .assert_error(StatusCode::UNPROCESSABLE_ENTITY, "invalid_roster");
}

fn roster_csv(rows: &str) -> String {
    format!("日期,学校,校门,时段,民警,车辆\n{rows}")
}

#[tokio::test]
async fn a_duty_sheet_is_imported_all_or_nothing_and_exported_again() {
    let s = station().await;
    let m = s.monday;
    let tue = day(m, 1);
    let file = roster_csv(&format!(
        "{m},实验小学,南门,早,zhang.wei、li.na,苏A·12345\n{m},s01,s01-g2,早,zhao.lei,\n{tue},实验小学,南门,晚高峰,zhang.wei,\n"
    ));
    let response = s.chief.post_csv("/api/roster/import", file.clone()).await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.text());
    assert_eq!(response.json::<Value>()["stored"], 4);
    let stored = everything(&s).await;
    assert_eq!(stored.len(), 4);

    // The export reads back as the same roster, and is named with its dates.
    let exported = s
        .chief
        .get(&format!("/api/export/roster.csv?from={m}&to={}", day(m, 6)))
        .await;
    assert_eq!(exported.status, StatusCode::OK, "{}", exported.text());
    let disposition = exported
        .header(header::CONTENT_DISPOSITION)
        .unwrap()
        .to_owned();
    assert!(
        disposition.contains(&format!("{m}_{}", day(m, 6))),
        "{disposition}"
    );
    let again = s
        .chief
        .post_csv("/api/roster/import", exported.body.clone())
        .await;
    assert_eq!(again.status, StatusCode::OK, "{}", again.text());
    assert_eq!(everything(&s).await, stored);
    let english = s
        .chief
        .get(&format!("/api/export/roster.csv?from={m}&to={m}&lang=en"))
        .await;
    assert!(
        english
            .text()
            .contains("date,school,gate,window,officer,car"),
        "{}",
        english.text()
    );

    // Each bad line refuses the whole file, naming the line; nothing is stored.
    let far = day(m, 400);
    for (rows, line, says) in [
        (
            format!("{tue},实验小学,北门,早,li.na,\n{tue},第一中学,正门,早,wang.qiang,\n"),
            3,
            "第一中学",
        ),
        (format!("{tue},实验小学,西门,早,li.na,\n"), 2, "西门"),
        (format!("{tue},实验小学,北门,早,nobody,\n"), 2, "nobody"),
        (
            format!("{tue},实验小学,北门,早,li.na,\n{tue},实验小学,南门,早,li.na,\n"),
            3,
            "li.na",
        ),
        (format!("{far},实验小学,北门,早,li.na,\n"), 2, ""),
    ] {
        let response = s
            .chief
            .post_csv("/api/roster/import", roster_csv(&rows))
            .await;
        let error = response.assert_error(StatusCode::UNPROCESSABLE_ENTITY, "invalid_csv");
        assert_eq!(response.json::<Value>()["line"], line, "{}", error.detail);
        assert!(
            error.detail.starts_with(&format!("第 {line} 行")),
            "{}",
            error.detail
        );
        assert!(error.detail.contains(says), "{}", error.detail);
        assert_eq!(everything(&s).await, stored, "{rows}");
    }
    // A slot the file names is replaced, but an officer already at another gate of that
    // date and window (not in the file) is an overlap, refused by its line: nothing is
    // stored.
    let overlap = roster_csv(&format!(
        "{tue},实验小学,北门,早,li.na,\n{m},实验小学,北门,早,zhang.wei,\n"
    ));
    let response = s.chief.post_csv("/api/roster/import", overlap).await;
    let error = response.assert_error(StatusCode::UNPROCESSABLE_ENTITY, "invalid_csv");
    assert_eq!(response.json::<Value>()["line"], 3, "{}", error.detail);
    assert!(
        error.detail.starts_with("第 3 行：zhang.wei"),
        "{}",
        error.detail
    );
    assert!(error.detail.contains("s01-g1"), "{}", error.detail);
    assert_eq!(everything(&s).await, stored);
    // An admin sees every school, but an officer of 第一中学 is not one of 实验小学's.
    let elsewhere = roster_csv(&format!(
        "{tue},实验小学,北门,早,li.na,\n{tue},实验小学,南门,午,wang.qiang,\n"
    ));
    let response = s
        .admin
        .post_csv("/api/roster/import?lang=en", elsewhere)
        .await;
    let error = response.assert_error(StatusCode::UNPROCESSABLE_ENTITY, "invalid_csv");
    assert_eq!(response.json::<Value>()["line"], 3, "{}", error.detail);
    assert_eq!(
        error.detail,
        "line 3: `wang.qiang` is not an officer of `实验小学`"
    );
    assert_eq!(everything(&s).await, stored);
}

#[tokio::test]
async fn a_gb18030_duty_sheet_imports() {
    let s = station().await;
    let file = roster_csv(&format!(
        "{},实验小学,南门,早,zhang.wei,苏A·12345\n",
        s.monday
    ));
    let (bytes, _, unmappable) = encoding_rs::GB18030.encode(&file);
    assert!(!unmappable);
    let response = s
        .chief
        .post_csv("/api/roster/import", bytes.into_owned())
        .await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.text());
    assert_eq!(everything(&s).await[0].car.as_deref(), Some("苏A·12345"));
}

#[tokio::test]
async fn the_pickers_offer_the_active_officers_of_the_managers_schools() {
    let s = station().await;
    let names = |v: Value| -> Vec<String> {
        v["people"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["username"].as_str().unwrap().to_owned())
            .collect()
    };
    assert_eq!(
        names(s.chief.get("/api/officers").await.json()),
        ["li.na", "zhang.wei", "zhao.lei"]
    );
    assert_eq!(names(s.admin.get("/api/officers").await.json()).len(), 4);
    // Each with the schools they serve (finding 11 of review 14b), so a cell of s02
    // offers wang.qiang and not li.na; of the caller's schools only.
    s.admin
        .user("ma.liang", "officer", &["s01", "s02"], &[])
        .await;
    let schools = |t: &TestApp| {
        let t = t.clone();
        async move {
            let staff: Value = t.get("/api/officers").await.json();
            staff["people"]
                .as_array()
                .unwrap()
                .iter()
                .map(|p| {
                    (
                        p["username"].as_str().unwrap().to_owned(),
                        p["schools"].clone(),
                    )
                })
                .collect::<Vec<_>>()
        }
    };
    let of_admin = schools(&s.admin).await;
    assert!(
        of_admin.contains(&("ma.liang".into(), json!(["s01", "s02"]))),
        "{of_admin:?}"
    );
    assert!(
        of_admin.contains(&("wang.qiang".into(), json!(["s02"]))),
        "{of_admin:?}"
    );
    assert!(
        of_admin.contains(&("li.na".into(), json!(["s01"]))),
        "{of_admin:?}"
    );
    let of_chief = schools(&s.chief).await;
    assert!(
        of_chief.contains(&("ma.liang".into(), json!(["s01"]))),
        "{of_chief:?}"
    );
    s.o1.1
        .get("/api/officers")
        .await
        .assert_error(StatusCode::FORBIDDEN, "forbidden");
}

fn swap(n: u128, officer: Uuid, date: NaiveDate, substitute: Option<Uuid>) -> Record {
    Record::new(
        Uuid::from_u128(n),
        version(1_000 + n as u64),
        RecordBody::Swap(SwapRequest {
            post_id: "s01-g1".into(),
            date,
            window: gatewatch_model::school::WindowKind::Morning,
            officer,
            substitute,
            reason: "孩子生病".into(),
            decision: None,
            device_time: common::at("2026-12-01T20:00:00+08:00"),
        }),
    )
}

async fn decide(t: &TestApp, id: u128, body: Value) -> common::TestResponse {
    t.post_json(
        &format!("/api/swaps/{}/decision", Uuid::from_u128(id)),
        body.to_string(),
    )
    .await
}

#[tokio::test]
async fn an_approved_swap_puts_the_substitute_in_the_slot() {
    let s = station().await;
    let m = s.monday;
    assert_eq!(
        put_slot(
            &s.chief,
            "s01-g1",
            m,
            "morning",
            &[s.o1.0, s.o2.0],
            Some("警车1")
        )
        .await
        .status,
        StatusCode::OK
    );
    // Asked on the phone, offline or not: a record like any other.
    let asked = swap(0x5a, s.o1.0, m, Some(s.o5.0));
    let pushed = s.o1.1.push(std::slice::from_ref(&asked)).await;
    assert!(pushed.rejected.is_empty(), "{:?}", pushed.rejected);
    // The officer corrects the reason once: one edit.
    let RecordBody::Swap(mut reworded) = asked.body.clone() else {
        unreachable!()
    };
    reworded.reason = "孩子生病，需去医院".into();
    let asked = asked.corrected(version(3_000), RecordBody::Swap(reworded));
    let pushed = s.o1.1.push(std::slice::from_ref(&asked)).await;
    assert!(pushed.rejected.is_empty(), "{:?}", pushed.rejected);
    // Not in someone else's name.
    let forged = s.o1.1.push(&[swap(0x5b, s.o2.0, m, None)]).await;
    assert_eq!(forged.rejected.len(), 1);

    let pending: Value = s.chief.get("/api/swaps?status=pending").await.json();
    let listed = pending["swaps"].as_array().unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0]["author"]["username"], "zhang.wei");
    // Another officer of the school does not see it; another school's supervisor neither.
    let (_, other_chief) = s.admin.user("qian.suo", "supervisor", &["s02"], &[]).await;
    let other_chief = s.admin.as_user(&other_chief);
    let theirs: Value = other_chief.get("/api/swaps").await.json();
    assert!(theirs["swaps"].as_array().unwrap().is_empty());
    assert!(s
        .o2
        .1
        .pull(0, None)
        .await
        .changes
        .iter()
        .all(|c| c.record.id != asked.id));
    decide(&other_chief, 0x5a, json!({"approve": true}))
        .await
        .assert_error(StatusCode::FORBIDDEN, "forbidden");
    decide(&s.o1.1, 0x5a, json!({"approve": true}))
        .await
        .assert_error(StatusCode::FORBIDDEN, "forbidden");

    let response = decide(&s.chief, 0x5a, json!({"approve": true, "note": "同意"})).await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.text());
    let decided: Record = response.json();
    assert_eq!(decided.version.device.as_str(), "server");
    assert_eq!(
        decided.edits, 1,
        "a decision is not a correction of the request"
    );
    let RecordBody::Swap(body) = &decided.body else {
        panic!("{decided:?}")
    };
    let decision = body.decision.as_ref().unwrap();
    assert!(decision.approved);
    assert_eq!(decision.substitute, Some(s.o5.0));
    let slot = roster(&s.chief, m, m).await.0;
    let mut officers: Vec<Uuid> = slot.iter().map(|a| a.officer).collect();
    officers.sort();
    let mut want = vec![s.o2.0, s.o5.0];
    want.sort();
    assert_eq!(officers, want);
    assert!(slot.iter().all(|a| a.car.as_deref() == Some("警车1")));
    // The asking officer's phone pulls the decision.
    let pulled: PullResponse = s.o1.1.pull(0, None).await;
    let mine = pulled
        .changes
        .iter()
        .find(|c| c.record.id == asked.id)
        .unwrap();
    assert_eq!(mine.record, decided);

    decide(&s.chief, 0x5a, json!({"approve": false}))
        .await
        .assert_error(StatusCode::CONFLICT, "already_decided");
    decide(&s.chief, 0x77, json!({"approve": false}))
        .await
        .assert_error(StatusCode::NOT_FOUND, "not_found");
}

#[tokio::test]
async fn a_refused_or_impossible_swap_leaves_the_roster_alone() {
    let s = station().await;
    let m = s.monday;
    assert_eq!(
        put_slot(&s.chief, "s01-g1", m, "morning", &[s.o1.0], None)
            .await
            .status,
        StatusCode::OK
    );
    // The substitute is already at another gate that morning.
    assert_eq!(
        put_slot(&s.chief, "s01-g2", m, "morning", &[s.o5.0], None)
            .await
            .status,
        StatusCode::OK
    );
    let before = everything(&s).await;
    s.o1.1
        .push(&[
            swap(0x61, s.o1.0, m, None),
            swap(0x62, s.o1.0, day(m, 1), Some(s.o5.0)),
        ])
        .await;

    decide(&s.chief, 0x61, json!({"approve": true}))
        .await
        .assert_error(StatusCode::UNPROCESSABLE_ENTITY, "invalid_roster");
    decide(
        &s.chief,
        0x61,
        json!({"approve": true, "substitute": s.o5.0}),
    )
    .await
    .assert_error(StatusCode::CONFLICT, "overlap");
    decide(
        &s.chief,
        0x61,
        json!({"approve": true, "substitute": s.o3.0}),
    )
    .await
    .assert_error(StatusCode::UNPROCESSABLE_ENTITY, "invalid_roster");
    assert_eq!(everything(&s).await, before);
    let pending: Value = s.chief.get("/api/swaps?status=pending").await.json();
    assert_eq!(
        pending["swaps"].as_array().unwrap().len(),
        2,
        "still pending"
    );

    let refused = decide(
        &s.chief,
        0x61,
        json!({"approve": false, "note": "人手不足"}),
    )
    .await;
    assert_eq!(refused.status, StatusCode::OK, "{}", refused.text());
    assert_eq!(everything(&s).await, before);
    let pending: Value = s.chief.get("/api/swaps?status=pending").await.json();
    assert_eq!(pending["swaps"].as_array().unwrap().len(), 1);
    let all: Value = s.chief.get("/api/swaps").await.json();
    assert_eq!(all["swaps"].as_array().unwrap().len(), 2);
}

#[tokio::test]
async fn a_withdrawn_swap_is_not_pending_and_cannot_be_decided() {
    let s = station().await;
    let m = s.monday;
    ok(put_slot(&s.chief, "s01-g1", m, "morning", &[s.o1.0], None).await);
    let asked = swap(0x71, s.o1.0, m, Some(s.o5.0));
    let withdrawn = asked.voided(version(5_000), "不需要了".into());
    let pushed = s.o1.1.push(&[asked, withdrawn.clone()]).await;
    assert!(pushed.rejected.is_empty(), "{:?}", pushed.rejected);
    let before = everything(&s).await;

    let pending: Value = s.chief.get("/api/swaps?status=pending").await.json();
    assert!(pending["swaps"].as_array().unwrap().is_empty(), "{pending}");
    let all: Value = s.chief.get("/api/swaps").await.json();
    assert_eq!(
        all["swaps"].as_array().unwrap().len(),
        1,
        "still listed among all"
    );
    for answer in [json!({"approve": true}), json!({"approve": false})] {
        decide(&s.chief, 0x71, answer)
            .await
            .assert_error(StatusCode::CONFLICT, "withdrawn");
    }
    assert_eq!(everything(&s).await, before, "the slot keeps its officer");
    let pulled = s.o1.1.pull(0, None).await;
    let held = pulled.changes.iter().find(|c| c.record.id == withdrawn.id);
    assert_eq!(held.map(|c| &c.record), Some(&withdrawn), "nothing decided");
}

#[tokio::test]
async fn approving_a_swap_of_an_officer_not_on_the_slot_changes_nothing() {
    let s = station().await;
    let m = s.monday;
    // li.na holds the slot zhang.wei asks about (a slot he was never on), and
    // zhang.wei is moved off the slot of his other request after asking.
    ok(put_slot(&s.chief, "s01-g1", m, "morning", &[s.o2.0], None).await);
    ok(put_slot(&s.chief, "s01-g1", day(m, 1), "morning", &[s.o1.0], None).await);
    let pushed =
        s.o1.1
            .push(&[
                swap(0x81, s.o1.0, m, Some(s.o5.0)),
                swap(0x82, s.o1.0, day(m, 1), Some(s.o5.0)),
            ])
            .await;
    assert!(pushed.rejected.is_empty(), "{:?}", pushed.rejected);
    ok(put_slot(&s.chief, "s01-g1", day(m, 1), "morning", &[s.o2.0], None).await);
    let before = everything(&s).await;
    for id in [0x81, 0x82] {
        let error = decide(&s.chief, id, json!({"approve": true}))
            .await
            .assert_error(StatusCode::CONFLICT, "not_assigned");
        assert!(error.detail.contains("s01-g1"), "{}", error.detail);
        assert_eq!(everything(&s).await, before, "{id:x}");
    }
    let pending: Value = s.chief.get("/api/swaps?status=pending").await.json();
    assert_eq!(
        pending["swaps"].as_array().unwrap().len(),
        2,
        "still pending"
    );
    // Refusing one is still possible.
    ok(decide(
        &s.chief,
        0x81,
        json!({"approve": false, "note": "你不在此岗"}),
    )
    .await);
}

#[tokio::test]
async fn a_decision_from_outside_the_scope_learns_nothing_of_the_request() {
    let s = station().await;
    let m = s.monday;
    ok(put_slot(&s.chief, "s01-g1", m, "morning", &[s.o1.0], None).await);
    ok(put_slot(&s.chief, "s01-g1", day(m, 1), "morning", &[s.o1.0], None).await);
    let asked = swap(0x92, s.o1.0, day(m, 1), None);
    let withdrawn = asked.voided(version(5_000), "不需要了".into());
    s.o1.1
        .push(&[swap(0x91, s.o1.0, m, None), asked, withdrawn])
        .await;
    ok(decide(&s.chief, 0x91, json!({"approve": false})).await);
    let (_, other) = s.admin.user("qian.suo", "supervisor", &["s02"], &[]).await;
    let other = s.admin.as_user(&other);
    // Decided, withdrawn, or an approval without a substitute: 403 all the same.
    for (id, answer) in [
        (0x91, json!({"approve": false})),
        (0x92, json!({"approve": true})),
    ] {
        decide(&other, id, answer)
            .await
            .assert_error(StatusCode::FORBIDDEN, "forbidden");
    }
}

#[tokio::test]
async fn a_day_gone_keeps_its_roster_whoever_asks() {
    let s = station().await;
    let m = s.monday;
    ok(put_slot(&s.chief, "s01-g1", m, "morning", &[s.o1.0], None).await);
    make_today(&s, day(m, 1));
    let before = everything(&s).await;
    for t in [&s.chief, &s.admin] {
        let error = put_slot(t, "s01-g1", m, "morning", &[s.o2.0], None)
            .await
            .assert_error(StatusCode::UNPROCESSABLE_ENTITY, "invalid_roster");
        assert!(
            error.detail.starts_with(&format!("{m} is past")),
            "{}",
            error.detail
        );
        put_slot(t, "s01-g1", m, "morning", &[], None)
            .await
            .assert_error(StatusCode::UNPROCESSABLE_ENTITY, "invalid_roster");
    }
    // The 值班表 refuses the line, in either language.
    let file = roster_csv(&format!(
        "{},实验小学,南门,早,li.na,\n{m},实验小学,南门,早,li.na,\n",
        day(m, 2)
    ));
    for (lang, says) in [
        ("zh", format!("第 3 行：日期 {m} 已过去")),
        ("en", format!("line 3: {m} is past")),
    ] {
        let response = s
            .chief
            .post_csv(&format!("/api/roster/import?lang={lang}"), file.clone())
            .await;
        let error = response.assert_error(StatusCode::UNPROCESSABLE_ENTITY, "invalid_csv");
        assert_eq!(response.json::<Value>()["line"], 3);
        assert!(error.detail.starts_with(&says), "{}", error.detail);
    }
    assert_eq!(everything(&s).await, before);
    // Today is still open: a swap on the day is normal.
    ok(put_slot(&s.chief, "s01-g1", day(m, 1), "morning", &[s.o2.0], None).await);
}

#[tokio::test]
async fn a_week_is_copied_from_today_on_skipping_who_can_no_longer_serve() {
    let s = station().await;
    let m = s.monday;
    let (_, both) = s
        .admin
        .user("sun.suo", "supervisor", &["s01", "s02"], &[])
        .await;
    let both = s.admin.as_user(&both);
    // Last week, as it will be: Monday, Wednesday (three officers at two schools),
    // Thursday and Friday.
    for (post, n, officer) in [
        ("s01-g1", 0, s.o1.0),
        ("s01-g1", 2, s.o2.0),
        ("s01-g2", 2, s.o5.0),
        ("s02-g1", 2, s.o3.0),
        ("s01-g1", 3, s.o1.0),
        ("s01-g1", 4, s.o1.0),
    ] {
        ok(put_slot(&both, post, day(m, n), "morning", &[officer], Some("警车1")).await);
    }
    // This week's Thursday already has zhang.wei at the other gate.
    ok(put_slot(&both, "s01-g2", day(m, 10), "morning", &[s.o1.0], None).await);
    // A week on, on Wednesday: li.na was disabled, zhao.lei moved to s02 meanwhile.
    make_today(&s, day(m, 9));
    for (id, fields) in [
        (
            s.o2.0,
            json!({"display_name": "li.na", "role": "officer", "schools": ["s01"], "disabled": true}),
        ),
        (
            s.o5.0,
            json!({"display_name": "zhao.lei", "role": "officer", "schools": ["s02"]}),
        ),
    ] {
        ok(s.admin
            .put_json(&format!("/api/admin/users/{id}"), fields.to_string())
            .await);
    }
    let s02_before: Vec<Assignment> = roster(&s.admin, day(m, 7), day(m, 13))
        .await
        .0
        .into_iter()
        .filter(|a| a.post_id.starts_with("s02"))
        .collect();

    let copy = json!({"from": m, "to": day(m, 7), "school": "s01"});
    let answer: Value = ok(both
        .post_json("/api/roster/copy-week", copy.to_string())
        .await)
    .json();
    assert_eq!(answer["copied"], 1, "{answer}");
    let mut skipped: Vec<(String, String, String, String)> = answer["skipped"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| {
            let text = |f: &str| k[f].as_str().unwrap().to_owned();
            (text("date"), text("post_id"), text("username"), text("why"))
        })
        .collect();
    skipped.sort();
    let on = |n| day(m, n).to_string();
    assert_eq!(
        skipped,
        [
            (on(9), "s01-g1".into(), "li.na".into(), "disabled".into()),
            (
                on(9),
                "s01-g2".into(),
                "zhao.lei".into(),
                "not_of_school".into()
            ),
            (
                on(10),
                "s01-g1".into(),
                "zhang.wei".into(),
                "overlap".into()
            ),
        ]
    );
    assert_eq!(answer["skipped"][0]["window"], "morning");
    // Monday (gone) is not copied, Friday is; s02 is not touched.
    let week = roster(&s.admin, day(m, 7), day(m, 13)).await.0;
    let s01: Vec<(NaiveDate, &str, Uuid)> = week
        .iter()
        .filter(|a| a.post_id.starts_with("s01"))
        .map(|a| (a.date, a.post_id.as_str(), a.officer))
        .collect();
    assert_eq!(
        s01,
        [
            (day(m, 10), "s01-g2", s.o1.0),
            (day(m, 11), "s01-g1", s.o1.0)
        ]
    );
    let s02_after: Vec<Assignment> = week
        .into_iter()
        .filter(|a| a.post_id.starts_with("s02"))
        .collect();
    assert_eq!(s02_after, s02_before);

    // Nothing to copy is no error; another school, an unknown one or a week gone is.
    let nothing = json!({"from": day(m, 21), "to": day(m, 14), "school": "s01"});
    let answer: Value = ok(both
        .post_json("/api/roster/copy-week", nothing.to_string())
        .await)
    .json();
    assert_eq!(answer, json!({"copied": 0, "skipped": []}));
    let theirs = json!({"from": m, "to": day(m, 14), "school": "s02"});
    s.chief
        .post_json("/api/roster/copy-week", theirs.to_string())
        .await
        .assert_error(StatusCode::FORBIDDEN, "forbidden");
    let unknown = json!({"from": m, "to": day(m, 14), "school": "s99"});
    s.admin
        .post_json("/api/roster/copy-week", unknown.to_string())
        .await
        .assert_error(StatusCode::UNPROCESSABLE_ENTITY, "invalid_roster");
    let gone = json!({"from": day(m, 7), "to": m});
    let error = both
        .post_json("/api/roster/copy-week", gone.to_string())
        .await
        .assert_error(StatusCode::UNPROCESSABLE_ENTITY, "invalid_roster");
    assert!(error.detail.contains("past"), "{}", error.detail);
}

#[tokio::test]
async fn an_officer_disabled_or_moved_leaves_the_roster_from_tomorrow_on() {
    let s = station().await;
    let m = s.monday;
    let (liu, _) = s
        .admin
        .user("liu.yang", "officer", &["s01", "s02"], &[])
        .await;
    for (post, n, window, officer) in [
        ("s01-g1", 0, "morning", liu),
        ("s02-g1", 0, "noon", liu),
        ("s01-g1", 1, "afternoon", liu),
        ("s01-g1", 7, "morning", liu),
        ("s02-g1", 8, "noon", liu),
        ("s01-g2", 7, "morning", s.o1.0),
    ] {
        ok(put_slot(&s.admin, post, day(m, n), window, &[officer], None).await);
    }
    make_today(&s, day(m, 1));
    let liu_at = |all: Vec<Assignment>| -> Vec<(NaiveDate, String)> {
        all.into_iter()
            .filter(|a| a.officer == liu)
            .map(|a| (a.date, a.post_id))
            .collect()
    };
    let user = |schools: &[&str], disabled: bool| {
        json!({"display_name": "刘洋", "role": "officer", "schools": schools, "disabled": disabled})
            .to_string()
    };

    ok(s.admin
        .put_json(&format!("/api/admin/users/{liu}"), user(&["s02"], false))
        .await);
    assert_eq!(
        liu_at(roster(&s.admin, m, day(m, 13)).await.0),
        [
            (m, "s01-g1".to_string()),
            (m, "s02-g1".to_string()),
            (day(m, 1), "s01-g1".to_string()),
            (day(m, 8), "s02-g1".to_string()),
        ],
        "a day gone and today keep their roster; the days to come at s01 are free"
    );
    ok(s.admin
        .put_json(&format!("/api/admin/users/{liu}"), user(&["s02"], true))
        .await);
    assert_eq!(
        liu_at(roster(&s.admin, m, day(m, 13)).await.0),
        [
            (m, "s01-g1".to_string()),
            (m, "s02-g1".to_string()),
            (day(m, 1), "s01-g1".to_string()),
        ]
    );
    // Others keep their duty, and next week's 值班表 goes round again.
    let next_week = roster(&s.admin, day(m, 7), day(m, 13)).await.0;
    assert_eq!(next_week.len(), 1);
    let exported = ok(s
        .chief
        .get(&format!(
            "/api/export/roster.csv?from={}&to={}",
            day(m, 7),
            day(m, 13)
        ))
        .await);
    ok(s.chief
        .post_csv("/api/roster/import", exported.body.clone())
        .await);
    assert_eq!(roster(&s.admin, day(m, 7), day(m, 13)).await.0, next_week);
}
