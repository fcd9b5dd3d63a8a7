//! The school calendar's API (docs/duty-roster.md §1, §7): an admin's import of a year
//! (UTF-8 or GB18030, all or nothing, a refusal naming its line), the shipped national
//! calendars, and the entries each user's phone gets for its schools.

mod common;

use axum::http::StatusCode;
use common::TestApp;
use gatewatch_model::calendar::{CalendarEntry, EntryScope};
use gatewatch_model::school::demo_schools;
use serde_json::Value;

/// s01 in 高新区 and s02 in 老城区 (the calendar names districts some school has).
async fn districts(t: &TestApp) {
    for (n, district) in [(0, "高新区"), (1, "老城区")] {
        let mut school = demo_schools().remove(n);
        school.district = district.into();
        let body = serde_json::to_vec(&school).unwrap();
        let put = t
            .put_json(&format!("/api/admin/schools/{}", school.id), body)
            .await;
        assert_eq!(put.status, StatusCode::OK, "{}", put.text());
    }
}

const FILE: &str = "范围,开始日期,结束日期,类型,名称,时段\n\
    全国,2026-10-01,2026-10-07,放假,国庆节,\n\
    全国,2026-10-10,2026-10-10,上班,国庆节调休,\n\
    区:高新区,2026-07-11,2026-08-31,放假,暑假,\n\
    区:老城区,2026-07-04,2026-08-31,放假,暑假,\n\
    学校:s02,2026-06-07,2026-06-08,特殊,高考,早 07:00-07:40;晚 16:30-17:10\n";

async fn import(t: &TestApp, year: i32, body: impl Into<axum::body::Body>) -> common::TestResponse {
    t.post_csv(&format!("/api/admin/calendar/import?year={year}"), body)
        .await
}

async fn entries(t: &TestApp, uri: &str) -> Vec<CalendarEntry> {
    let response = t.get(uri).await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.text());
    serde_json::from_value(response.json::<Value>()["entries"].clone()).unwrap()
}

fn scopes(entries: &[CalendarEntry]) -> Vec<String> {
    let mut scopes: Vec<String> = entries.iter().map(|e| e.scope.clone().into()).collect();
    scopes.dedup();
    scopes
}

#[tokio::test]
async fn an_imported_year_reaches_each_user_for_their_schools() {
    let admin = TestApp::new().await;
    districts(&admin).await;
    let response = import(&admin, 2026, FILE).await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.text());
    let done: Value = response.json();
    assert_eq!(done["stored"], 5);
    assert_eq!(
        done["scopes"],
        serde_json::json!([
            "district:老城区",
            "district:高新区",
            "national",
            "school:s02"
        ])
    );
    let year = entries(&admin, "/api/admin/calendar?year=2026").await;
    assert_eq!(year.len(), 5);
    let exam = year
        .iter()
        .find(|e| e.scope == EntryScope::School("s02".into()))
        .unwrap();
    assert_eq!((exam.name.as_str(), exam.windows.len()), ("高考", 2));
    assert!(entries(&admin, "/api/admin/calendar?year=2027")
        .await
        .is_empty());

    // An officer of s01 (高新区): the nation's and 高新区's, not 老城区's nor s02's.
    let (_, officer) = admin.user("zhang.wei", "officer", &["s01"], &[]).await;
    let mine = entries(&admin.as_user(&officer), "/api/calendar").await;
    assert_eq!(scopes(&mine), ["district:高新区", "national"]);
    let (_, lead) = admin.user("lead.b", "lead", &["s02"], &[]).await;
    let theirs = entries(&admin.as_user(&lead), "/api/calendar").await;
    assert_eq!(
        scopes(&theirs),
        ["district:老城区", "national", "school:s02"]
    );
    assert_eq!(entries(&admin, "/api/calendar").await.len(), 5);

    // Only an admin imports.
    admin
        .as_user(&officer)
        .post_csv("/api/admin/calendar/import?year=2026", FILE)
        .await
        .assert_error(StatusCode::FORBIDDEN, "forbidden");
}

#[tokio::test]
async fn an_import_replaces_the_years_entries_of_the_scopes_it_names_only() {
    let admin = TestApp::new().await;
    districts(&admin).await;
    assert_eq!(import(&admin, 2026, FILE).await.status, StatusCode::OK);
    // The same file again: the same entries, not twice as many.
    assert_eq!(import(&admin, 2026, FILE).await.status, StatusCode::OK);
    assert_eq!(
        entries(&admin, "/api/admin/calendar?year=2026").await.len(),
        5
    );
    // A file of the nation alone leaves the districts' and schools' entries.
    let national =
        "范围,开始日期,结束日期,类型,名称,时段\n全国,2026-05-01,2026-05-05,放假,劳动节,\n";
    let done: Value = import(&admin, 2026, national).await.json();
    assert_eq!(done["scopes"], serde_json::json!(["national"]));
    let year = entries(&admin, "/api/admin/calendar?year=2026").await;
    assert_eq!(year.len(), 4);
    assert_eq!(
        year.iter()
            .filter(|e| e.scope == EntryScope::National)
            .count(),
        1
    );
}

#[tokio::test]
async fn a_gb18030_file_from_excel_keeps_its_chinese() {
    let admin = TestApp::new().await;
    districts(&admin).await;
    let (bytes, _, unmappable) = encoding_rs::GB18030.encode(FILE);
    assert!(!unmappable);
    let response = import(&admin, 2026, bytes.into_owned()).await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.text());
    let year = entries(&admin, "/api/admin/calendar?year=2026").await;
    assert!(year.iter().any(|e| e.name == "国庆节调休"), "{year:?}");
    assert!(year
        .iter()
        .any(|e| e.scope == EntryScope::District("高新区".into())));
}

#[tokio::test]
async fn a_bad_line_refuses_the_whole_file_and_names_it() {
    let admin = TestApp::new().await;
    districts(&admin).await;
    assert_eq!(import(&admin, 2026, FILE).await.status, StatusCode::OK);
    let before = entries(&admin, "/api/admin/calendar?year=2026").await;
    for (file, line, says) in [
        // An unknown district on line 3, a date outside the year on line 2.
        ("范围,开始日期,结束日期,类型,名称,时段\n全国,2026-05-01,2026-05-05,放假,劳动节,\n区:新城区,2026-07-01,2026-08-31,放假,暑假,\n", 3, "新城区"),
        ("范围,开始日期,结束日期,类型,名称,时段\n全国,2027-01-01,2027-01-01,放假,元旦,\n", 2, "2027"),
    ] {
        let response = import(&admin, 2026, file).await;
        let error = response.assert_error(StatusCode::UNPROCESSABLE_ENTITY, "invalid_csv");
        assert!(error.detail.contains(says), "{}", error.detail);
        assert!(error.detail.starts_with(&format!("第 {line} 行")), "{}", error.detail);
        assert_eq!(response.json::<Value>()["line"], line);
    }
    let english = admin
        .post_csv(
            "/api/admin/calendar/import?year=2026&lang=en",
            "范围,开始日期,结束日期,类型\n全国,2026-13-01,2026-13-02,放假\n",
        )
        .await;
    let error = english.assert_error(StatusCode::UNPROCESSABLE_ENTITY, "invalid_csv");
    assert!(error.detail.starts_with("line 2: "), "{}", error.detail);
    assert_eq!(
        entries(&admin, "/api/admin/calendar?year=2026").await,
        before
    );
    for query in ["", "?year=twenty", "?year=1999", "?year=2026&lang=fr"] {
        admin
            .post_csv(&format!("/api/admin/calendar/import{query}"), FILE)
            .await
            .assert_error(StatusCode::BAD_REQUEST, "bad_query");
    }
}

#[tokio::test]
async fn the_shipped_national_calendars_load_with_one_request() {
    let admin = TestApp::new().await;
    for year in [2026, 2027] {
        let response = admin
            .post_json(&format!("/api/admin/calendar/national/{year}"), "")
            .await;
        assert_eq!(response.status, StatusCode::OK, "{}", response.text());
        let done: Value = response.json();
        assert_eq!(done["scopes"], serde_json::json!(["national"]));
        let stored = entries(&admin, &format!("/api/admin/calendar?year={year}")).await;
        assert_eq!(done["stored"], stored.len());
        assert!(!stored.is_empty());
    }
    let national = entries(&admin, "/api/admin/calendar?year=2026").await;
    assert!(national.iter().any(|e| e.name == "国庆节"), "{national:?}");
    admin
        .post_json("/api/admin/calendar/national/2031", "")
        .await
        .assert_error(StatusCode::NOT_FOUND, "not_found");
}
