//! Reports: `GET /api/export/checkins.csv`, `incidents.csv`, `coverage.csv` and the
//! coverage rates as JSON (`GET /api/coverage`): the byte order mark and headers Excel
//! needs, Chinese by default and English with `lang=en`, file names with their dates,
//! the account that made each record, filtering by the phone's local date, voided
//! records listed but not counted, coverage statuses and rates, and refused date
//! ranges and languages. (The calendar, the roster and the per-assignment and
//! per-officer reports: `reports.rs` and `coverage_scenario.rs`.)

mod common;

use axum::http::{header, StatusCode};
use chrono::Datelike;
use common::{incident, incident_of, record_at, version, TestApp, TestResponse};
use gatewatch_model::{CheckInEvent, FollowUp, IncidentCategory, Record, Severity};

const BOM: &[u8] = b"\xEF\xBB\xBF";

/// Checks a CSV download and parses it back, header row included.
fn rows(response: &TestResponse) -> Vec<Vec<String>> {
    assert_eq!(response.status, StatusCode::OK, "{}", response.text());
    assert_eq!(
        response.header(header::CONTENT_TYPE),
        Some("text/csv; charset=utf-8")
    );
    assert!(
        response.body.starts_with(BOM),
        "no byte order mark: {:?}",
        &response.body[..8.min(response.body.len())]
    );
    csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(&response.body[BOM.len()..])
        .records()
        .map(|r| r.unwrap().iter().map(str::to_owned).collect())
        .collect()
}

fn edit(record: &mut Record, change: impl FnOnce(&mut gatewatch_model::CheckIn)) {
    change(common::check_in(record));
}

/// The record ids in a check-in export, in file order.
fn ids(rows: &[Vec<String>]) -> Vec<String> {
    rows[1..].iter().map(|r| r[0].clone()).collect()
}

#[tokio::test]
async fn a_pushed_checkin_comes_out_whole_in_excel_friendly_csv() {
    let t = TestApp::new().await;
    let mut r = record_at(1, "s01-g1", "2026-11-20T07:12:33+08:00");
    edit(&mut r, |c| {
        c.presence.car = false;
        c.note = "路口拥堵，\"慢行\", 家长多\n已疏导".into();
        c.position = Some(gatewatch_model::Position {
            lat_e6: 31_230_416,
            lon_e6: -121_473_701,
            accuracy_m: 13,
        });
    });
    let mut formula = record_at(2, "s02-g1", "2026-11-20T16:40:00+08:00");
    edit(&mut formula, |c| {
        c.event = CheckInEvent::Departure;
        c.note = "=HYPERLINK(\"http://example.com\")".into();
    });
    t.push(&[r.clone(), formula.clone()]).await;

    let response = t
        .get("/api/export/checkins.csv?from=2026-11-20&to=2026-11-20&lang=en")
        .await;
    let rows = rows(&response);
    assert_eq!(
        response.header(header::CONTENT_DISPOSITION),
        Some("attachment; filename=\"checkins_2026-11-20_2026-11-20.csv\"")
    );
    assert_eq!(
        rows[0],
        [
            "id",
            "school",
            "gate",
            "post_id",
            "event",
            "officer",
            "car",
            "lights",
            "note",
            "account",
            "officer_name",
            "device_time (UTC+08:00)",
            "received_at (UTC+08:00)",
            "latitude",
            "longitude",
            "accuracy_m",
            "voided",
            "edits"
        ]
    );
    assert_eq!(rows.len(), 3);
    let row = &rows[1];
    assert_eq!(
        row[..12],
        [
            r.id.to_string().as_str(),
            "实验小学",
            "南门",
            "s01-g1",
            "arrival",
            "true",
            "false",
            "true",
            "路口拥堵，\"慢行\", 家长多\n已疏导",
            // The account that pushed it, not the name typed on the phone (张警官).
            "admin",
            "管理员 Admin",
            "2026-11-20 07:12:33",
        ]
    );
    // The server's clock, in the sheet's one zone like the phone's time.
    let received = chrono::NaiveDateTime::parse_from_str(&row[12], "%Y-%m-%d %H:%M:%S");
    assert!(received.is_ok(), "{}", row[12]);
    assert_eq!(row[13..], ["31.230416", "-121.473701", "13", "", "0"]);

    let row = &rows[2];
    assert_eq!(row[13..16], ["", "", ""], "no fix, empty cells");
    assert_eq!(
        (row[1].as_str(), row[4].as_str()),
        ("第一中学", "departure")
    );
    // Would be a live formula in Excel without the leading quote.
    assert_eq!(row[8], "'=HYPERLINK(\"http://example.com\")");
}

#[tokio::test]
async fn checkins_are_dated_by_the_phones_own_offset() {
    let t = TestApp::new().await;
    t.push(&[
        // 20th in China (15:30 UTC).
        record_at(1, "s01-g1", "2026-11-20T23:30:00+08:00"),
        // 21st in China, though still the 20th in UTC.
        record_at(2, "s01-g1", "2026-11-21T00:30:00+08:00"),
        // 20th on a phone at UTC-5, though already the 21st in UTC and in China.
        record_at(3, "s01-g1", "2026-11-20T23:30:00-05:00"),
        // The 19th, one second before midnight.
        record_at(4, "s01-g1", "2026-11-19T23:59:59+08:00"),
    ])
    .await;
    let id = |n: u128| uuid::Uuid::from_u128(n).to_string();

    let day = t
        .get("/api/export/checkins.csv?from=2026-11-20&to=2026-11-20")
        .await;
    assert_eq!(ids(&rows(&day)), [id(1), id(3)]);

    // Oldest first by instant, whatever the offsets.
    let two_days = t
        .get("/api/export/checkins.csv?from=2026-11-20&to=2026-11-21")
        .await;
    assert_eq!(ids(&rows(&two_days)), [id(1), id(2), id(3)]);

    let none = t
        .get("/api/export/checkins.csv?from=2026-11-22&to=2026-11-30")
        .await;
    assert_eq!(rows(&none).len(), 1, "the header alone");
}

#[tokio::test]
async fn incidents_have_their_own_sheet_dated_by_the_phone() {
    let t = TestApp::new().await;
    let mut first = incident(1, 100, "s02-g1", "2026-11-20T16:45:00+08:00");
    let i = incident_of(&mut first);
    i.category = IncidentCategory::Bullying;
    i.severity = Severity::High;
    i.description = "高年级学生在门口索要零花钱, \"已制止\"".into();
    i.people = "=三名学生".into();
    i.position = Some(gatewatch_model::Position {
        lat_e6: 31_226_000,
        lon_e6: 121_480_000,
        accuracy_m: 20,
    });
    let earlier = incident(2, 100, "s01-g1", "2026-11-20T07:30:00+08:00");
    let mut handed = earlier.corrected(version(200), earlier.body.clone());
    incident_of(&mut handed).status = FollowUp::HandedOver;
    let void =
        incident(3, 100, "s01-g2", "2026-11-20T11:50:00+08:00").voided(version(300), "误报".into());
    // The 21st on the phone, so not in a report of the 20th.
    let next_day = incident(4, 100, "s01-g1", "2026-11-21T00:10:00+08:00");
    // A check-in the same day: not an incident.
    let check_in = record_at(5, "s01-g1", "2026-11-20T07:10:00+08:00");
    t.push(&[
        first.clone(),
        earlier,
        handed.clone(),
        void.clone(),
        next_day,
        check_in,
    ])
    .await;

    let response = t
        .get("/api/export/incidents.csv?from=2026-11-20&to=2026-11-20&lang=en")
        .await;
    assert_eq!(
        response.header(header::CONTENT_DISPOSITION),
        Some("attachment; filename=\"incidents_2026-11-20_2026-11-20.csv\"")
    );
    assert_eq!(response.header(header::CACHE_CONTROL), Some("no-store"));
    let sheet = rows(&response);
    assert_eq!(
        sheet[0],
        [
            "id",
            "school",
            "gate",
            "post_id",
            "category",
            "severity",
            "status",
            "description",
            "people",
            "account",
            "officer_name",
            "device_time (UTC+08:00)",
            "received_at (UTC+08:00)",
            "latitude",
            "longitude",
            "accuracy_m",
            "voided",
            "edits"
        ]
    );
    // Oldest first by the phone's time; the voided one listed with its reason.
    assert_eq!(
        ids(&sheet),
        [handed.id, void.id, first.id].map(|id| id.to_string())
    );
    let by_column = |row: &[String], columns: &[usize]| -> Vec<String> {
        columns.iter().map(|&c| row[c].clone()).collect()
    };
    assert_eq!(
        by_column(&sheet[1], &[1, 2, 3, 4, 5, 6, 16, 17]),
        [
            "实验小学",
            "南门",
            "s01-g1",
            "fraud",
            "medium",
            "handed_over",
            "",
            "1"
        ]
    );
    assert_eq!(
        by_column(&sheet[2], &[2, 6, 16, 17]),
        ["北门", "open", "误报", "0"]
    );
    let row = &sheet[3];
    assert_eq!(
        row[1..12],
        [
            "第一中学",
            "正门",
            "s02-g1",
            "bullying",
            "high",
            "open",
            "高年级学生在门口索要零花钱, \"已制止\"",
            // Would be a formula in Excel without the leading quote.
            "'=三名学生",
            "admin",
            "管理员 Admin",
            "2026-11-20 16:45:00",
        ]
    );
    assert!(
        chrono::NaiveDateTime::parse_from_str(&row[12], "%Y-%m-%d %H:%M:%S").is_ok(),
        "{}",
        row[12]
    );
    assert_eq!(row[13..16], ["31.226000", "121.480000", "20"]);

    let check_ins = t
        .get("/api/export/checkins.csv?from=2026-11-20&to=2026-11-20")
        .await;
    assert_eq!(rows(&check_ins).len(), 2, "the check-in alone, no incident");
}

#[tokio::test]
async fn a_voided_check_in_is_listed_but_does_not_cover_its_window() {
    let t = TestApp::new().await;
    // s01's morning window is 07:20-08:00 (+08:00), due 07:05.
    let on_time = record_at(1, "s01-g1", "2026-11-20T07:00:00+08:00");
    let mut moved = on_time.corrected(version(200), on_time.body.clone());
    common::check_in(&mut moved).post_id = "s01-g2".into();
    let void = moved.voided(version(300), "=不是本人签到".into());
    // Coverage is per gate: the check-in was moved to s01-g2.
    let s01_morning = || async {
        let coverage = rows(
            &t.get("/api/export/coverage.csv?from=2026-11-20&to=2026-11-20&lang=en")
                .await,
        );
        coverage
            .iter()
            .find(|r| r[5] == "s01-g2" && r[3] == "morning")
            .map(|r| r[4].clone())
            .unwrap()
    };
    t.push(&[on_time, moved]).await;
    assert_eq!(s01_morning().await, "covered", "before the void");
    t.push(std::slice::from_ref(&void)).await;
    assert_eq!(s01_morning().await, "missed", "after the void");

    let sheet = rows(
        &t.get("/api/export/checkins.csv?from=2026-11-20&to=2026-11-20")
            .await,
    );
    assert_eq!(sheet.len(), 2);
    assert_eq!(sheet[1][0], void.id.to_string());
    assert_eq!(sheet[1][3], "s01-g2");
    assert_eq!(sheet[1][16..], ["'=不是本人签到", "1"]);
}

#[tokio::test]
async fn coverage_of_two_schools_one_covered_one_missed_is_fifty_percent() {
    let t = TestApp::new().await;
    sqlx::raw_sql("DELETE FROM posts; DELETE FROM schools;")
        .execute(t.state.db.pool())
        .await
        .unwrap();
    // Counted from before the report (a school new to an import counts from that day).
    let catalog =
        "school_id,school_name,post_id,gate,morning,noon,afternoon,lead_minutes,counted_from\n\
                   a01,东城小学,a01-g1,南门,07:20-08:00,,,15,2026-09-01\n\
                   b01,西城小学,b01-g1,北门,07:20-08:00,,,15,2026-09-01\n";
    let imported = t.post_csv("/api/admin/import", catalog).await;
    assert_eq!(imported.status, StatusCode::OK, "{}", imported.text());

    // 07:00 in China on the 20th (due 07:05), from a phone set to UTC that dates it
    // the 19th: coverage goes by the instant.
    let covered = record_at(1, "a01-g1", "2026-11-19T23:00:00+00:00");
    // At the other school only a departure, which is not an arrival, and an arrival
    // after the window closed.
    let mut left = record_at(2, "b01-g1", "2026-11-20T07:00:00+08:00");
    edit(&mut left, |c| c.event = CheckInEvent::Departure);
    let too_late = record_at(3, "b01-g1", "2026-11-20T08:00:00+08:00");
    t.push(&[covered, left, too_late]).await;

    let response = t
        .get("/api/export/coverage.csv?from=2026-11-20&to=2026-11-20&lang=en")
        .await;
    assert_eq!(
        response.header(header::CONTENT_DISPOSITION),
        Some("attachment; filename=\"coverage_2026-11-20_2026-11-20.csv\"")
    );
    let header = [
        "school_id",
        "school",
        "date",
        "window",
        "status",
        "post_id",
        "gate",
    ];
    let line = |school, name, status, post, gate| {
        [school, name, "2026-11-20", "morning", status, post, gate].map(String::from)
    };
    let got = rows(&response);
    let first7 = |row: &Vec<String>| row[..7].to_vec();
    assert_eq!(first7(&got[0]), header);
    assert_eq!(
        got[0][9], "first_at (UTC+08:00)",
        "times in the school's zone"
    );
    assert_eq!(
        first7(&got[1]),
        line("a01", "东城小学", "covered", "a01-g1", "南门")
    );
    // Why: who came first (the account that pushed it), when (in the school's zone),
    // with what.
    assert_eq!(
        got[1][7..11],
        [
            "on post in time until the end",
            "管理员 Admin (admin)",
            "2026-11-20 07:00:00",
            "officer·car·lights"
        ]
    );
    assert_eq!(
        first7(&got[2]),
        line("b01", "西城小学", "missed", "b01-g1", "北门")
    );
    assert_eq!(got[2][7], "nobody came");
    let rate = |kind: &str| {
        let mut row = vec![String::new(), "rate".into(), "2026-11-20_2026-11-20".into()];
        row.extend([kind.to_string(), "50.0% (1/2)".into()]);
        row.resize(got[0].len(), String::new());
        row
    };
    assert_eq!(got[3..], [rate("morning"), rate("all")]);

    // The 21st is a Saturday: no window is due, nothing is missed.
    let next = t
        .get("/api/export/coverage.csv?from=2026-11-21&to=2026-11-21&lang=en")
        .await;
    let next = rows(&next);
    assert_eq!(next.len(), 2, "the header and the rate row: {next:?}");
    assert_eq!(next[1][3..5], ["all", "n/a (0/0)"]);
    // On Monday the 23rd nobody came: both missed.
    let monday = t
        .get("/api/export/coverage.csv?from=2026-11-23&to=2026-11-23&lang=en")
        .await;
    let statuses: Vec<String> = rows(&monday)[1..3].iter().map(|r| r[4].clone()).collect();
    assert_eq!(statuses, ["missed", "missed"]);
    assert_eq!(rows(&monday)[4][4], "0.0% (0/2)");

    // The same coverage as rates for a screen: overall, per day, per window, per school.
    let summary: serde_json::Value = t
        .get("/api/coverage?from=2026-11-20&to=2026-11-23")
        .await
        .json();
    assert_eq!(
        summary["overall"],
        serde_json::json!({"covered": 1, "decided": 4, "percent": 25.0})
    );
    assert_eq!(
        summary["by_day"],
        serde_json::json!([
            {"key": "2026-11-20", "covered": 1, "decided": 2, "percent": 50.0},
            {"key": "2026-11-23", "covered": 0, "decided": 2, "percent": 0.0},
        ])
    );
    assert_eq!(
        summary["by_window"],
        serde_json::json!([{"key": "morning", "covered": 1, "decided": 4, "percent": 25.0}])
    );
    assert_eq!(
        summary["by_school"][0],
        serde_json::json!({"key": "a01", "covered": 1, "decided": 2, "percent": 50.0})
    );
    t.get("/api/coverage?from=2026-11-21&to=2026-11-20")
        .await
        .assert_error(StatusCode::BAD_REQUEST, "bad_query");
}

#[tokio::test]
async fn sheets_are_in_chinese_by_default_named_with_their_dates_and_authors() {
    let t = TestApp::new().await;
    let body = serde_json::json!({
        "username": "zhang.wei", "password": "zhang.wei-password", "display_name": "张伟",
        "role": "officer", "schools": ["s01"],
    });
    let made = t.post_json("/api/admin/users", body.to_string()).await;
    assert_eq!(made.status, StatusCode::OK, "{}", made.text());
    let zhang = t.as_user(&t.login("zhang.wei", "zhang.wei-password").await);
    // The name typed on the phone says someone else: the sheet names the account.
    let mut checked = record_at(1, "s01-g1", "2026-11-20T07:12:33+08:00");
    common::check_in(&mut checked).officer_name = "随便写的".into();
    let reported = incident(2, 100, "s01-g1", "2026-11-20T07:30:00+08:00");
    assert!(zhang.push(&[checked, reported]).await.rejected.is_empty());

    let response = t
        .get("/api/export/checkins.csv?from=2026-11-20&to=2026-11-20")
        .await;
    assert_eq!(
        response.header(header::CONTENT_DISPOSITION),
        Some(
            "attachment; filename=\"gatewatch_2026-11-20_2026-11-20.csv\"; \
             filename*=UTF-8''%E7%AD%BE%E5%88%B0%E8%AE%B0%E5%BD%95_2026-11-20_2026-11-20.csv"
        ),
        "签到记录_2026-11-20_2026-11-20.csv"
    );
    let sheet = rows(&response);
    assert_eq!(
        sheet[0],
        [
            "编号",
            "学校",
            "校门",
            "岗位编号",
            "事件",
            "见警察",
            "见警车",
            "见警灯",
            "备注",
            "账号",
            "姓名",
            "时间 (UTC+08:00)",
            "上传时间 (UTC+08:00)",
            "纬度",
            "经度",
            "精度（米）",
            "作废原因",
            "修改次数"
        ]
    );
    assert_eq!(sheet[1][4..8], ["到岗", "是", "是", "是"]);
    assert_eq!(
        sheet[1][9..12],
        ["zhang.wei", "张伟", "2026-11-20 07:12:33"]
    );

    let incidents = rows(
        &t.get("/api/export/incidents.csv?from=2026-11-20&to=2026-11-20")
            .await,
    );
    assert_eq!(incidents[0][4..7], ["类别", "严重程度", "处理状态"]);
    assert_eq!(incidents[1][4..7], ["诈骗", "较重", "待处理"]);
    assert_eq!(incidents[1][9..11], ["zhang.wei", "张伟"]);
}

#[tokio::test]
async fn bad_date_ranges_are_refused() {
    let t = TestApp::new().await;
    let cases = [
        ("", "`from` is required"),
        ("?from=2026-11-20", "`to` is required"),
        ("?from=2026-11-20&to=", "`to` must be a date"),
        ("?from=20.11.2026&to=2026-11-21", "`from` must be a date"),
        ("?from=2026-02-30&to=2026-03-01", "`from` must be a date"),
        ("?from=2026-11-21&to=2026-11-20", "after"),
        ("?from=2025-11-20&to=2026-11-21", "367 days"),
    ];
    let reports = [
        "/api/export/checkins.csv",
        "/api/export/incidents.csv",
        "/api/export/coverage.csv",
        "/api/export/assignments.csv",
        "/api/export/officers.csv",
        "/api/coverage",
        "/api/reports/coverage",
        "/api/reports/officers",
    ];
    for report in reports {
        for (query, in_detail) in cases {
            let error = t
                .get(&format!("{report}{query}"))
                .await
                .assert_error(StatusCode::BAD_REQUEST, "bad_query");
            assert!(
                error.detail.contains(in_detail),
                "{report}{query}: {}",
                error.detail
            );
        }
        let error = t
            .get(&format!("{report}?from=2026-11-20&to=2026-11-20&lang=fr"))
            .await
            .assert_error(StatusCode::BAD_REQUEST, "bad_query");
        assert!(error.detail.contains("`fr`"), "{report}: {}", error.detail);
        // A whole year, leap day included, is fine.
        let year = t
            .get(&format!("{report}?from=2024-01-01&to=2024-12-31"))
            .await;
        assert_eq!(year.status, StatusCode::OK, "{}", year.text());
    }
}

#[tokio::test]
async fn a_supervisors_reports_are_their_schools_only_and_an_officer_gets_none() {
    let admin = TestApp::new().await;
    // A weekday two weeks or more back: due by default, decided, on the roster's year.
    let mut day = chrono::Utc::now().date_naive() - chrono::Duration::days(14);
    while day.weekday().number_from_monday() > 5 {
        day -= chrono::Duration::days(1);
    }
    let (s01_officer, officer) = admin.user("wang.jing", "officer", &["s01"], &[]).await;
    let (s02_officer, _) = admin.user("li.jing", "officer", &["s02"], &[]).await;
    // Written before that day, as a station does: the roster of a day gone is not changed.
    let before_the_day = chrono::Duration::days(30);
    admin.state.clock.advance(-before_the_day);
    for (post, who) in [("s01-g1", s01_officer), ("s02-g1", s02_officer)] {
        let slot = serde_json::json!({
            "post_id": post, "date": day, "window": "morning", "officers": [{"officer": who}],
        });
        let put = admin.put_json("/api/roster/slot", slot.to_string()).await;
        assert_eq!(put.status, StatusCode::OK, "{}", put.text());
    }
    admin.state.clock.advance(before_the_day);
    let (_, chief) = admin.user("chen.suo", "supervisor", &["s01"], &[]).await;
    let chief = admin.as_user(&chief);
    let range = format!("from={day}&to={day}");

    let report: serde_json::Value = chief
        .get(&format!("/api/reports/coverage?{range}"))
        .await
        .json();
    let posts = |list: &serde_json::Value| -> Vec<String> {
        let mut posts: Vec<String> = list
            .as_array()
            .unwrap()
            .iter()
            .map(|g| g["post_id"].as_str().unwrap().to_owned())
            .collect();
        posts.sort();
        posts.dedup();
        posts
    };
    // s01's two gates, three windows each; nobody came.
    assert_eq!(posts(&report["gates"]), ["s01-g1", "s01-g2"]);
    assert_eq!(
        report["rate"],
        serde_json::json!({"covered": 0, "decided": 6})
    );
    assert_eq!(posts(&report["assignments"]), ["s01-g1"]);
    let everyone: serde_json::Value = admin
        .get(&format!("/api/reports/coverage?{range}"))
        .await
        .json();
    assert_eq!(posts(&everyone["assignments"]), ["s01-g1", "s02-g1"]);

    let officers: serde_json::Value = chief
        .get(&format!("/api/reports/officers?{range}"))
        .await
        .json();
    assert_eq!(officers["officers"].as_array().unwrap().len(), 1);
    assert_eq!(officers["officers"][0]["person"]["username"], "wang.jing");
    assert_eq!(officers["officers"][0]["missed"], 1);
    let sheet = chief
        .get(&format!("/api/export/assignments.csv?{range}"))
        .await
        .text();
    assert!(
        sheet.contains("实验小学") && !sheet.contains("第一中学"),
        "{sheet}"
    );

    let officer = admin.as_user(&officer);
    for uri in [
        "/api/reports/coverage",
        "/api/reports/officers",
        "/api/export/assignments.csv",
        "/api/export/officers.csv",
    ] {
        officer
            .get(&format!("{uri}?{range}"))
            .await
            .assert_error(StatusCode::FORBIDDEN, "forbidden");
    }
}

#[tokio::test]
async fn check_ins_stored_before_the_day_column_are_still_reported() {
    let dir = tempfile::tempdir().unwrap();
    let database = common::TestDatabase::new(dir.path()).await;
    let db = database.migrated_to(11).await;
    // A check-in as a server before migration 0012 stored it: no `day`.
    let record = record_at(1, "s01-g1", "2026-11-20T23:30:00-05:00");
    sqlx::query(
        "INSERT INTO records (id, kind, version, device, body, received_at, seq)
         VALUES ($1, 'checkin', $2, 'testphone1', $3, '2026-11-21T04:31:00.000Z', 1)",
    )
    .bind(record.id.to_string())
    .bind(record.version.to_string())
    .bind(serde_json::to_string(&record).unwrap())
    .execute(db.pool())
    .await
    .unwrap();
    sqlx::query("UPDATE feed SET last_seq = 1")
        .execute(db.pool())
        .await
        .unwrap();
    db.close().await;

    let t = TestApp::open_at(dir, database).await;
    // Dated the 20th, as the phone showed it (the 21st in UTC and in China).
    let day = rows(
        &t.get("/api/export/checkins.csv?from=2026-11-20&to=2026-11-20")
            .await,
    );
    assert_eq!(ids(&day), [record.id.to_string()]);
    let next = rows(
        &t.get("/api/export/checkins.csv?from=2026-11-21&to=2026-11-21")
            .await,
    );
    assert_eq!(next.len(), 1, "the header alone");
}
