//! The issue-14 scenario end to end on the server: a calendar with a statutory holiday
//! and a 调休 Saturday, two schools with three gates, a 值班表 imported, arrivals of
//! every kind pushed by the officers' own accounts — and the 落实率 per gate and per
//! assignment in `/api/reports/coverage`, the officer report and the three sheets,
//! against expectations computed by hand (docs/duty-roster.md §2–3), not by the code
//! under test.

mod common;

use std::collections::BTreeMap;

use axum::http::{header, StatusCode};
use chrono::{Datelike, Duration, NaiveDate, Utc, Weekday};
use common::{record_at, TestApp, TestResponse};
use gatewatch_model::{CheckInEvent, Presence, Record};
use serde_json::{json, Value};

/// The week of the scenario: a Monday two or three weeks back (so every window is
/// decided and the roster's dates are within its year), the whole week in one year.
fn scenario_monday() -> NaiveDate {
    let today = Utc::now().date_naive();
    let mut monday = today - Duration::days(14 + i64::from(today.weekday().num_days_from_monday()));
    while (monday + Duration::days(6)).year() != monday.year() {
        monday -= Duration::days(7);
    }
    monday
}

/// The days of the week by name, as the scenario speaks of them.
struct Week {
    mon: NaiveDate,
    tue: NaiveDate,
    wed: NaiveDate,
    thu: NaiveDate,
    fri: NaiveDate,
    sat: NaiveDate,
    sun: NaiveDate,
}

impl Week {
    fn new(mon: NaiveDate) -> Week {
        assert_eq!(mon.weekday(), Weekday::Mon);
        let day = |n| mon + Duration::days(n);
        Week {
            mon,
            tue: day(1),
            wed: day(2),
            thu: day(3),
            fri: day(4),
            sat: day(5),
            sun: day(6),
        }
    }

    fn range(&self) -> String {
        format!("from={}&to={}", self.mon, self.sun)
    }
}

/// An account with a Chinese display name, logged in: the app acting as it.
async fn officer(admin: &TestApp, username: &str, name: &str, schools: &[&str]) -> TestApp {
    let password = format!("{username}-password");
    let body = json!({
        "username": username, "password": password, "display_name": name,
        "role": "officer", "schools": schools,
    });
    let created = admin.post_json("/api/admin/users", body.to_string()).await;
    assert_eq!(created.status, StatusCode::OK, "{}", created.text());
    admin.as_user(&admin.login(username, &password).await)
}

/// A check-in at `post` on `day` at `time` (China time), with `flags` (officer 1, car 2,
/// lights 4), an arrival or a 离岗.
fn check(
    n: u128,
    post: &str,
    day: NaiveDate,
    time: &str,
    event: CheckInEvent,
    flags: u8,
) -> Record {
    let mut r = record_at(n, post, &format!("{day}T{time}+08:00"));
    let c = common::check_in(&mut r);
    c.event = event;
    c.presence = Presence::from_bits(flags);
    r
}

fn arrive(n: u128, post: &str, day: NaiveDate, time: &str) -> Record {
    check(n, post, day, time, CheckInEvent::Arrival, 7)
}

fn leave(n: u128, post: &str, day: NaiveDate, time: &str) -> Record {
    check(n, post, day, time, CheckInEvent::Departure, 0)
}

/// A CSV download parsed back (the byte order mark checked and dropped), header first.
fn sheet(response: &TestResponse) -> Vec<Vec<String>> {
    assert_eq!(response.status, StatusCode::OK, "{}", response.text());
    let body = response
        .body
        .strip_prefix(b"\xEF\xBB\xBF".as_slice())
        .expect("a byte order mark");
    csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(body)
        .records()
        .map(|r| r.unwrap().iter().map(str::to_owned).collect())
        .collect()
}

/// The rows of a sheet as maps from its header's names to the cells.
fn by_header(rows: &[Vec<String>]) -> Vec<BTreeMap<String, String>> {
    rows[1..]
        .iter()
        .map(|row| rows[0].iter().cloned().zip(row.iter().cloned()).collect())
        .collect()
}

/// The file name a download's `Content-Disposition` gives in UTF-8 (`filename*`).
fn file_name(response: &TestResponse) -> String {
    let disposition = response.header(header::CONTENT_DISPOSITION).unwrap();
    let encoded = disposition.split("filename*=UTF-8''").nth(1).unwrap();
    url::form_urlencoded::parse(format!("x={encoded}").as_bytes())
        .next()
        .unwrap()
        .1
        .into_owned()
}

#[tokio::test]
async fn a_week_of_every_kind_of_arrival_gives_the_hand_computed_rates_everywhere() {
    let admin = TestApp::new().await;
    let week = Week::new(scenario_monday());

    // Two schools, one window each: the morning, 07:20–08:00, lead 15 minutes, so
    // on post by D = 07:05 until C = 08:00 (China time).
    sqlx::raw_sql("DELETE FROM posts; DELETE FROM schools;")
        .execute(admin.state.db.pool())
        .await
        .unwrap();
    let catalog = format!(
        "school_id,school_name,post_id,gate,morning,noon,afternoon,lead_minutes,district,counted_from\n\
         a01,东城小学,a01-g1,南门,07:20-08:00,,,15,东城区,{start}\n\
         a01,东城小学,a01-g2,北门,07:20-08:00,,,15,东城区,{start}\n\
         b01,西城小学,b01-g1,正门,07:20-08:00,,,15,西城区,{start}\n",
        start = week.mon - Duration::days(60)
    );
    let imported = admin.post_csv("/api/admin/import", catalog).await;
    assert_eq!(imported.status, StatusCode::OK, "{}", imported.text());

    // Monday a statutory holiday, Saturday a 调休 working day, Sunday off as usual.
    let calendar = format!(
        "范围,开始日期,结束日期,类型,名称,时段\n\
         全国,{mon},{mon},放假,测试节,\n\
         全国,{sat},{sat},上班,测试节调休,\n",
        mon = week.mon,
        sat = week.sat
    );
    let year = week.mon.year();
    let stored = admin
        .post_csv(&format!("/api/admin/calendar/import?year={year}"), calendar)
        .await;
    assert_eq!(stored.status, StatusCode::OK, "{}", stored.text());

    let zhang = officer(&admin, "zhang.wei", "张伟", &["a01"]).await;
    let li = officer(&admin, "li.na", "李娜", &["a01"]).await;
    let wang = officer(&admin, "wang.qiang", "王强", &["a01"]).await;
    let zhao = officer(&admin, "zhao.lei", "赵磊", &["b01"]).await;

    // The 值班表: zhang at 南门 Tuesday to Saturday; li at 北门 Tuesday and Wednesday,
    // wang there on Thursday; zhao at 西城 on the holiday Monday (not due), Tuesday and
    // Wednesday.
    let mut roster = String::from("日期,学校,校门,时段,民警,车辆\n");
    for day in [week.tue, week.wed, week.thu, week.fri, week.sat] {
        roster += &format!("{day},东城小学,南门,早,zhang.wei,苏A·12345\n");
    }
    roster += &format!("{},东城小学,北门,早,li.na,\n", week.tue);
    roster += &format!("{},东城小学,北门,早,li.na,\n", week.wed);
    roster += &format!("{},东城小学,北门,早,wang.qiang,\n", week.thu);
    for day in [week.mon, week.tue, week.wed] {
        roster += &format!("{day},西城小学,正门,早,赵磊,\n");
    }
    // Made before the week, as a station does: the roster of a day gone is not changed.
    let before_the_week = Duration::days(30);
    admin.state.clock.advance(-before_the_week);
    let stored = admin.post_csv("/api/roster/import", roster).await;
    admin.state.clock.advance(before_the_week);
    assert_eq!(stored.status, StatusCode::OK, "{}", stored.text());
    assert_eq!(stored.json::<Value>()["stored"], 11);

    // Every kind of arrival, each pushed by the account that made it.
    let zhang_records = [
        // Tuesday: on post before D, left after C → covered.
        arrive(1, "a01-g1", week.tue, "07:00:00"),
        leave(2, "a01-g1", week.tue, "08:05:00"),
        // Wednesday: first full arrival 7 minutes after D, left exactly at C → late.
        arrive(3, "a01-g1", week.wed, "07:12:00"),
        leave(4, "a01-g1", week.wed, "08:00:00"),
        // Thursday: on time, left at 07:40 → partial (left early).
        arrive(5, "a01-g1", week.thu, "07:00:00"),
        leave(6, "a01-g1", week.thu, "07:40:00"),
        // Friday: on time and stayed, but without the lights → partial (flags).
        check(7, "a01-g1", week.fri, "07:00:00", CheckInEvent::Arrival, 3),
        // Saturday (调休): an early touch-and-go, gone by D → missed.
        arrive(8, "a01-g1", week.sat, "06:00:00"),
        leave(9, "a01-g1", week.sat, "07:00:00"),
        // Sunday: no window is due; this counts for nothing.
        arrive(10, "a01-g1", week.sun, "07:00:00"),
    ];
    let li_records = [
        // Tuesday at 北门: on time, handed over to wang at 07:30.
        arrive(11, "a01-g2", week.tue, "07:00:00"),
        leave(12, "a01-g2", week.tue, "07:30:00"),
    ];
    let wang_records = [
        // Tuesday: takes over from li the instant she leaves → the gate is covered.
        arrive(21, "a01-g2", week.tue, "07:30:00"),
        leave(22, "a01-g2", week.tue, "08:10:00"),
        // Wednesday: comes instead of li, who does not come.
        arrive(23, "a01-g2", week.wed, "07:00:00"),
        leave(24, "a01-g2", week.wed, "08:00:00"),
        // Thursday, his own slot: he does not come (nothing pushed).
    ];
    let zhao_records = [
        // Monday, the holiday: came anyway; nothing is due.
        arrive(31, "b01-g1", week.mon, "07:00:00"),
        leave(32, "b01-g1", week.mon, "08:10:00"),
        // Tuesday: nobody comes. Wednesday: on post exactly at D, left after C.
        arrive(33, "b01-g1", week.wed, "07:05:00"),
        leave(34, "b01-g1", week.wed, "08:30:00"),
    ];
    for (app, records) in [
        (&zhang, &zhang_records[..]),
        (&li, &li_records[..]),
        (&wang, &wang_records[..]),
        (&zhao, &zhao_records[..]),
    ] {
        let pushed = app.push(records).await;
        assert!(pushed.rejected.is_empty(), "{:?}", pushed.rejected);
    }

    // By hand: due are Tuesday to Saturday (5 days) × 3 gates = 15 windows.
    //   南门: Tue covered, Wed late, Thu partial, Fri partial, Sat missed;
    //   北门: Tue covered (handover), Wed covered (wang instead), Thu–Sat missed;
    //   正门: Tue missed, Wed covered, Thu–Sat missed.
    // Covered 4 of 15 = 26.7 %.
    let (tue, wed, thu, fri, sat) = (week.tue, week.wed, week.thu, week.fri, week.sat);
    let gates_expected: BTreeMap<(String, NaiveDate), &str> = [
        ("a01-g1", tue, "covered"),
        ("a01-g1", wed, "late"),
        ("a01-g1", thu, "partial"),
        ("a01-g1", fri, "partial"),
        ("a01-g1", sat, "missed"),
        ("a01-g2", tue, "covered"),
        ("a01-g2", wed, "covered"),
        ("a01-g2", thu, "missed"),
        ("a01-g2", fri, "missed"),
        ("a01-g2", sat, "missed"),
        ("b01-g1", tue, "missed"),
        ("b01-g1", wed, "covered"),
        ("b01-g1", thu, "missed"),
        ("b01-g1", fri, "missed"),
        ("b01-g1", sat, "missed"),
    ]
    .into_iter()
    .map(|(post, day, status)| ((post.to_owned(), day), status))
    .collect();
    // Per assignment (date, gate, officer): own verdict, reason, the gate's, instead.
    let expect = |day, post, officer, own, why, gate, instead| Expected {
        day,
        post,
        officer,
        own,
        why,
        gate,
        instead,
    };
    let assignments_expected = [
        expect(
            tue,
            "a01-g1",
            "zhang.wei",
            "covered",
            "按时到岗并坚守至结束",
            "covered",
            &[],
        ),
        expect(
            tue,
            "a01-g2",
            "li.na",
            "partial",
            "提前离岗",
            "covered",
            &["wang.qiang"],
        ),
        expect(
            tue,
            "b01-g1",
            "zhao.lei",
            "missed",
            "无人到岗",
            "missed",
            &[],
        ),
        expect(
            wed,
            "a01-g1",
            "zhang.wei",
            "late",
            "迟到 7 分钟",
            "late",
            &[],
        ),
        expect(
            wed,
            "a01-g2",
            "li.na",
            "missed",
            "无人到岗",
            "covered",
            &["wang.qiang"],
        ),
        expect(
            wed,
            "b01-g1",
            "zhao.lei",
            "covered",
            "按时到岗并坚守至结束",
            "covered",
            &[],
        ),
        expect(
            thu,
            "a01-g1",
            "zhang.wei",
            "partial",
            "提前离岗",
            "partial",
            &[],
        ),
        expect(
            thu,
            "a01-g2",
            "wang.qiang",
            "missed",
            "无人到岗",
            "missed",
            &[],
        ),
        expect(
            fri,
            "a01-g1",
            "zhang.wei",
            "partial",
            "警察、警车、警灯未同时到岗",
            "partial",
            &[],
        ),
        expect(
            sat,
            "a01-g1",
            "zhang.wei",
            "missed",
            "到岗时间前已离岗",
            "missed",
            &[],
        ),
    ];
    // Per officer: assigned, covered, late, partial, missed, upcoming; the rate.
    let officers_expected = [
        ("li.na", "李娜", [2, 0, 0, 1, 1, 0], "0.0% (0/2)"),
        ("wang.qiang", "王强", [1, 0, 0, 0, 1, 0], "0.0% (0/1)"),
        ("zhang.wei", "张伟", [5, 1, 1, 2, 1, 0], "20.0% (1/5)"),
        ("zhao.lei", "赵磊", [2, 1, 0, 0, 1, 0], "50.0% (1/2)"),
    ];

    // The JSON report the console shows.
    let report: Value = admin
        .get(&format!("/api/reports/coverage?{}", week.range()))
        .await
        .json();
    assert_eq!(report["rate"], json!({"covered": 4, "decided": 15}));
    let gates: BTreeMap<(String, NaiveDate), String> = report["gates"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| {
            let key = (g["post_id"].as_str().unwrap().to_owned(), date(&g["date"]));
            (key, g["status"].as_str().unwrap().to_owned())
        })
        .collect();
    assert_eq!(
        gates,
        gates_expected
            .iter()
            .map(|(k, v)| (k.clone(), v.to_string()))
            .collect::<BTreeMap<_, _>>()
    );
    let a01 = |day: NaiveDate, covered: u32| json!({"school_id": "a01", "date": day, "covered": covered, "decided": 2});
    let b01 = |day: NaiveDate, covered: u32| json!({"school_id": "b01", "date": day, "covered": covered, "decided": 1});
    assert_eq!(
        report["by_school_day"],
        json!([
            a01(tue, 2),
            a01(wed, 1),
            a01(thu, 0),
            a01(fri, 0),
            a01(sat, 0),
            b01(tue, 0),
            b01(wed, 1),
            b01(thu, 0),
            b01(fri, 0),
            b01(sat, 0),
        ])
    );
    let late = report["gates"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["post_id"] == "a01-g1" && date(&g["date"]) == wed)
        .unwrap();
    assert_eq!(late["why"], "迟到 7 分钟");
    assert_eq!(late["on_post_by"], format!("{wed}T07:05:00+08:00"));
    assert_eq!(
        late["reason"]["first_full"]["person"]["username"],
        "zhang.wei"
    );
    assert_eq!(
        late["reason"]["first_full"]["person"]["display_name"],
        "张伟"
    );
    assert_eq!(
        late["reason"]["first_full"]["at"],
        format!("{wed}T07:12:00+08:00")
    );
    let got: Vec<Vec<String>> = report["assignments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            let instead: Vec<String> = a["instead"]
                .as_array()
                .unwrap()
                .iter()
                .map(|p| text(&p["username"]))
                .collect();
            vec![
                text(&a["date"]),
                text(&a["post_id"]),
                text(&a["officer"]["username"]),
                text(&a["status"]),
                text(&a["why"]),
                text(&a["gate_status"]),
                instead.join("、"),
            ]
        })
        .collect();
    let want: Vec<Vec<String>> = assignments_expected
        .iter()
        .map(|e| e.row(|u| u.to_owned(), |s| s.to_owned()))
        .collect();
    assert_eq!(got, want);
    assert_eq!(
        report["not_due"],
        json!([{
            "post_id": "b01-g1", "date": week.mon, "window": "morning", "car": null,
            "officer": report["assignments"][2]["officer"],
        }])
    );

    // The officer report.
    let officers: Value = admin
        .get(&format!("/api/reports/officers?{}", week.range()))
        .await
        .json();
    let got: Vec<(String, String, [u64; 6])> = officers["officers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| {
            let n = |k: &str| o[k].as_u64().unwrap();
            (
                text(&o["person"]["username"]),
                text(&o["person"]["display_name"]),
                [
                    n("assigned"),
                    n("covered"),
                    n("late"),
                    n("partial"),
                    n("missed"),
                    n("upcoming"),
                ],
            )
        })
        .collect();
    let want: Vec<(String, String, [u64; 6])> = officers_expected
        .iter()
        .map(|(u, name, counts, _)| (u.to_string(), name.to_string(), counts.map(|c| c as u64)))
        .collect();
    assert_eq!(got, want);
    assert_eq!(
        officers["officers"][2]["rate"],
        json!({"covered": 1, "decided": 5})
    );

    // The same numbers in the three sheets, in Chinese, named with their dates.
    let range = week.range();
    let coverage = admin
        .get(&format!("/api/export/coverage.csv?{range}"))
        .await;
    assert_eq!(
        file_name(&coverage),
        format!("落实率_{}_{}.csv", week.mon, week.sun)
    );
    let rows = sheet(&coverage);
    assert_eq!(
        rows[0][..7],
        [
            "学校编号",
            "学校",
            "日期",
            "时段",
            "结果",
            "岗位编号",
            "校门"
        ]
    );
    assert_eq!(rows[0][9], "首到时间 (UTC+08:00)");
    let cells: BTreeMap<(String, NaiveDate), String> = by_header(&rows)
        .iter()
        .filter(|r| r["学校"] != "落实率")
        .map(|r| {
            let day = NaiveDate::parse_from_str(&r["日期"], "%Y-%m-%d").unwrap();
            ((r["岗位编号"].clone(), day), r["结果"].clone())
        })
        .collect();
    let in_chinese = |status: &str| match status {
        "covered" => "已落实",
        "late" => "迟到",
        "partial" => "部分",
        "missed" => "未到岗",
        other => panic!("{other}"),
    };
    assert_eq!(
        cells,
        gates_expected
            .iter()
            .map(|(k, v)| (k.clone(), in_chinese(v).to_owned()))
            .collect::<BTreeMap<_, _>>()
    );
    let rates: Vec<(String, String)> = by_header(&rows)
        .iter()
        .filter(|r| r["学校"] == "落实率")
        .map(|r| (r["时段"].clone(), r["结果"].clone()))
        .collect();
    assert_eq!(
        rates,
        [
            ("早".to_owned(), "26.7% (4/15)".to_owned()),
            ("全部".to_owned(), "26.7% (4/15)".to_owned())
        ]
    );
    let wed_late = by_header(&rows)
        .into_iter()
        .find(|r| r["岗位编号"] == "a01-g1" && r["日期"] == wed.to_string())
        .unwrap();
    assert_eq!(wed_late["原因"], "迟到 7 分钟");
    assert_eq!(wed_late["三见到岗人"], "张伟 (zhang.wei)");
    assert_eq!(
        wed_late["三见到岗时间 (UTC+08:00)"],
        format!("{wed} 07:12:00")
    );

    let assignments = admin
        .get(&format!("/api/export/assignments.csv?{range}"))
        .await;
    assert_eq!(
        file_name(&assignments),
        format!("排班落实_{}_{}.csv", week.mon, week.sun)
    );
    let rows = by_header(&sheet(&assignments));
    let got: Vec<Vec<String>> = rows
        .iter()
        .map(|r| {
            [
                "日期",
                "岗位编号",
                "民警",
                "本人结果",
                "原因",
                "校门结果",
                "代岗人",
            ]
            .map(|column| r[column].clone())
            .to_vec()
        })
        .collect();
    let label = |username: &str| {
        let name = officers_expected
            .iter()
            .find(|o| o.0 == username)
            .unwrap()
            .1;
        format!("{name} ({username})")
    };
    let not_due = [
        week.mon.to_string(),
        "b01-g1".into(),
        label("zhao.lei"),
        "不需执勤".into(),
    ];
    let mut want = vec![not_due
        .into_iter()
        .chain([String::new(), String::new(), String::new()])
        .collect::<Vec<_>>()];
    want.extend(
        assignments_expected
            .iter()
            .map(|e| e.row(label, |s| in_chinese(s).to_owned())),
    );
    assert_eq!(got, want);
    assert_eq!(rows[1]["车辆"], "苏A·12345");

    let officers = admin
        .get(&format!("/api/export/officers.csv?{range}"))
        .await;
    assert_eq!(
        file_name(&officers),
        format!("民警落实_{}_{}.csv", week.mon, week.sun)
    );
    let got: Vec<Vec<String>> = sheet(&officers)[1..].to_vec();
    let want: Vec<Vec<String>> = officers_expected
        .iter()
        .map(|(u, name, counts, rate)| {
            let mut row = vec![
                format!("{}_{}", week.mon, week.sun),
                u.to_string(),
                name.to_string(),
            ];
            row.extend(counts.iter().map(u32::to_string));
            row.push(rate.to_string());
            row
        })
        .collect();
    assert_eq!(got, want);

    // The check-ins sheet names the account of each record, not what a phone typed.
    let checkins = by_header(&sheet(
        &admin
            .get(&format!("/api/export/checkins.csv?{range}"))
            .await,
    ));
    let first = checkins
        .iter()
        .find(|r| r["编号"] == uuid::Uuid::from_u128(21).to_string())
        .unwrap();
    assert_eq!(
        (first["账号"].as_str(), first["姓名"].as_str()),
        ("wang.qiang", "王强")
    );
    assert_eq!(first["事件"], "到岗");
    assert_eq!(first["时间 (UTC+08:00)"], format!("{tue} 07:30:00"));
}

/// One assignment's expected verdicts.
struct Expected {
    day: NaiveDate,
    post: &'static str,
    officer: &'static str,
    own: &'static str,
    why: &'static str,
    gate: &'static str,
    instead: &'static [&'static str],
}

impl Expected {
    /// Date, gate, officer, own verdict, why, the gate's verdict and who came instead,
    /// people and statuses as `person` and `status` write them.
    fn row(&self, person: impl Fn(&str) -> String, status: impl Fn(&str) -> String) -> Vec<String> {
        let instead: Vec<String> = self.instead.iter().map(|u| person(u)).collect();
        vec![
            self.day.to_string(),
            self.post.to_owned(),
            person(self.officer),
            status(self.own),
            self.why.to_owned(),
            status(self.gate),
            instead.join("、"),
        ]
    }
}

fn date(value: &Value) -> NaiveDate {
    NaiveDate::parse_from_str(value.as_str().unwrap(), "%Y-%m-%d").unwrap()
}

fn text(value: &Value) -> String {
    value.as_str().unwrap_or_default().to_owned()
}
