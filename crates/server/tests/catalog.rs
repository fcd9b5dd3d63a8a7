//! The catalog of schools and posts: the demo seed of an empty database, the admin
//! API (`PUT /api/admin/schools/{id}`, `PUT /api/admin/posts/{id}`) and CSV import.

mod common;

use axum::http::{Method, StatusCode};
use common::TestApp;
use gatewatch_model::school::{default_windows, demo_schools, School};
use gatewatch_model::{demo_posts, GeoPoint, Post};
use gatewatch_server::{AppState, MAX_IMPORT_BYTES};
use serde_json::{json, Value};

// id, name, lead minutes, offset, windows, updated_at, district, counted_from.
type SchoolRow = (
    String,
    String,
    i64,
    i64,
    String,
    String,
    String,
    Option<String>,
);
type PostRow = (
    String,
    String,
    String,
    String,
    String,
    Option<i64>,
    Option<i64>,
);

/// Both catalog tables, every column, `updated_at` included.
async fn snapshot(t: &TestApp) -> (Vec<SchoolRow>, Vec<PostRow>) {
    let schools = sqlx::query_as("SELECT * FROM schools ORDER BY id")
        .fetch_all(t.state.db.pool())
        .await
        .unwrap();
    let posts = sqlx::query_as(
        "SELECT id, school_id, gate, updated_at, secret, lat_e6, lon_e6 FROM posts ORDER BY id",
    )
    .fetch_all(t.state.db.pool())
    .await
    .unwrap();
    (schools, posts)
}

async fn schools(t: &TestApp) -> Vec<School> {
    let response = t.get("/api/schools").await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.text());
    response.json()
}

async fn posts(t: &TestApp) -> Vec<Post> {
    let response = t.get("/api/posts").await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.text());
    response.json()
}

fn school(id: &str, name: &str) -> School {
    School {
        id: id.into(),
        name: name.into(),
        windows: default_windows(),
        lead_minutes: 10,
        utc_offset_minutes: 480,
        district: String::new(),
        counted_from: None,
    }
}

async fn put_school(t: &TestApp, school: &School) -> common::TestResponse {
    t.put_json(
        &format!("/api/admin/schools/{}", school.id),
        serde_json::to_vec(school).unwrap(),
    )
    .await
}

async fn put_post(t: &TestApp, id: &str, body: Value) -> common::TestResponse {
    t.put_json(&format!("/api/admin/posts/{id}"), body.to_string())
        .await
}

/// Opens the same database again, as a restarted server does.
async fn restart(t: &TestApp) -> AppState {
    t.reopen().await
}

#[tokio::test]
async fn an_empty_database_gets_the_demo_catalog_once() {
    let t = TestApp::new().await;
    assert_eq!(schools(&t).await, demo_schools());
    assert_eq!(posts(&t).await, demo_posts());
    // Each demo gate has its place, as a phone reads it.
    let listed: Value = t.get("/api/posts").await.json();
    assert_eq!(
        listed[0]["location"],
        json!({"lat_e6": 31_230_400, "lon_e6": 121_473_700})
    );
    let first = snapshot(&t).await;
    restart(&t).await;
    assert_eq!(snapshot(&t).await, first, "a restart must not write again");
}

#[tokio::test]
async fn a_restart_keeps_the_admins_edits() {
    let t = TestApp::new().await;
    let renamed = school("s01", "实验小学（东校区）");
    assert_eq!(put_school(&t, &renamed).await.status, StatusCode::OK);
    restart(&t).await;
    assert_eq!(schools(&t).await[0], renamed);
    assert_eq!(schools(&t).await.len(), demo_schools().len());

    // An admin's catalog without posts yet is not empty: no demo posts come back.
    sqlx::raw_sql("DELETE FROM posts; DELETE FROM schools;")
        .execute(t.state.db.pool())
        .await
        .unwrap();
    let own = school("x1", "城南小学");
    assert_eq!(put_school(&t, &own).await.status, StatusCode::OK);
    restart(&t).await;
    assert_eq!(schools(&t).await, [own]);
    assert_eq!(posts(&t).await, []);
}

#[tokio::test]
async fn put_school_creates_and_replaces() {
    let t = TestApp::new().await;
    let mut new = school("s09", "育英中学");
    let response = put_school(&t, &new).await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.text());
    assert_eq!(response.json::<School>(), new);
    assert!(schools(&t).await.contains(&new));

    // The same content again writes nothing, not even a new updated_at.
    let before = snapshot(&t).await;
    assert_eq!(put_school(&t, &new).await.status, StatusCode::OK);
    assert_eq!(snapshot(&t).await, before);

    new.windows.truncate(1);
    new.lead_minutes = 30;
    assert_eq!(put_school(&t, &new).await.status, StatusCode::OK);
    let stored = schools(&t).await;
    assert_eq!(stored.iter().find(|s| s.id == "s09"), Some(&new));
    assert_eq!(stored.len(), demo_schools().len() + 1);
}

#[tokio::test]
async fn invalid_schools_are_refused_and_change_nothing() {
    let t = TestApp::new().await;
    let before = snapshot(&t).await;
    let ok = school("s09", "育英中学");
    let mut closes_first = ok.clone();
    closes_first.windows[0].closes = closes_first.windows[0].opens;
    let cases = [
        (
            "lead too long",
            School {
                lead_minutes: 121,
                ..ok.clone()
            },
            "lead time",
        ),
        (
            "no name",
            School {
                name: "  ".into(),
                ..ok.clone()
            },
            "name",
        ),
        ("window closes first", closes_first, "Morning"),
        (
            "offset out of range",
            School {
                utc_offset_minutes: 20 * 60,
                ..ok.clone()
            },
            "offset",
        ),
    ];
    for (what, school, in_detail) in cases {
        let body = put_school(&t, &school)
            .await
            .assert_error(StatusCode::UNPROCESSABLE_ENTITY, "invalid_school");
        assert!(body.detail.contains(in_detail), "{what}: {}", body.detail);
    }
    let other_id = t
        .put_json("/api/admin/schools/s08", serde_json::to_vec(&ok).unwrap())
        .await
        .assert_error(StatusCode::UNPROCESSABLE_ENTITY, "invalid_school");
    assert!(other_id.detail.contains("s08"), "{}", other_id.detail);
    t.put_json("/api/admin/schools/s09", json!({"id": "s09"}).to_string())
        .await
        .assert_error(StatusCode::UNPROCESSABLE_ENTITY, "invalid_record");
    assert_eq!(snapshot(&t).await, before);
}

#[tokio::test]
async fn put_post_creates_moves_and_names_the_school() {
    let t = TestApp::new().await;
    let response = put_post(&t, "s02-g2", json!({"school_id": "s02", "gate": " 西门 "})).await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.text());
    let want = Post {
        id: "s02-g2".into(),
        school_id: "s02".into(),
        school: "第一中学".into(),
        gate: "西门".into(),
        location: None,
    };
    assert_eq!(response.json::<Post>(), want);
    assert!(posts(&t).await.contains(&want));

    // The gate moves to another school and takes that school's name.
    let moved = put_post(&t, "s02-g2", json!({"school_id": "s03", "gate": "西门"})).await;
    assert_eq!(moved.status, StatusCode::OK, "{}", moved.text());
    let listed = posts(&t).await;
    let post = listed.iter().find(|p| p.id == "s02-g2").unwrap();
    assert_eq!(
        (post.school_id.as_str(), post.school.as_str()),
        ("s03", "育才小学")
    );
    assert_eq!(listed.len(), demo_posts().len() + 1);
}

#[tokio::test]
async fn put_post_sets_and_clears_a_gates_location() {
    let t = TestApp::new().await;
    let at = json!({"lat_e6": 31_226_500, "lon_e6": -1});
    let body = json!({"school_id": "s02", "gate": "西门", "location": at});
    let response = put_post(&t, "s02-g2", body.clone()).await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.text());
    assert_eq!(response.json::<Value>()["location"], at);
    let location = |posts: Vec<Post>| {
        posts
            .into_iter()
            .find(|p| p.id == "s02-g2")
            .unwrap()
            .location
    };
    assert_eq!(
        location(posts(&t).await),
        Some(GeoPoint {
            lat_e6: 31_226_500,
            lon_e6: -1
        })
    );

    // The same again changes nothing; a move of the gate does.
    let before = snapshot(&t).await;
    assert_eq!(put_post(&t, "s02-g2", body).await.status, StatusCode::OK);
    assert_eq!(snapshot(&t).await, before);
    let moved = json!({"school_id": "s02", "gate": "西门", "location": {"lat_e6": 31_226_600, "lon_e6": -1}});
    assert_eq!(put_post(&t, "s02-g2", moved).await.status, StatusCode::OK);
    assert_eq!(
        location(posts(&t).await).map(|l| l.lat_e6),
        Some(31_226_600)
    );

    // A PUT replaces the post: without a location the gate has none.
    for body in [
        json!({"school_id": "s02", "gate": "西门"}),
        json!({"school_id": "s02", "gate": "西门", "location": null}),
    ] {
        let response = put_post(&t, "s02-g2", body).await;
        assert_eq!(response.status, StatusCode::OK, "{}", response.text());
        assert!(response.json::<Value>().get("location").is_none());
        assert_eq!(location(posts(&t).await), None);
    }
}

#[tokio::test]
async fn invalid_posts_are_refused_and_change_nothing() {
    let t = TestApp::new().await;
    let before = snapshot(&t).await;
    let long = "x".repeat(65);
    let cases = [
        (
            "s01%20g3",
            json!({"school_id": "s01", "gate": "西门"}),
            "post id",
        ),
        (
            long.as_str(),
            json!({"school_id": "s01", "gate": "西门"}),
            "post id",
        ),
        ("s01-g3", json!({"school_id": "s01", "gate": " "}), "empty"),
        (
            "s01-g3",
            json!({"school_id": "s01", "gate": "门".repeat(41)}),
            "40",
        ),
        ("s01-g3", json!({"school_id": "s99", "gate": "西门"}), "s99"),
        (
            "s01-g3",
            json!({"school_id": "s01", "gate": "西门", "location": {"lat_e6": 90_000_001, "lon_e6": 0}}),
            "location",
        ),
        (
            "s01-g3",
            json!({"school_id": "s01", "gate": "西门", "location": {"lat_e6": 0, "lon_e6": 180_000_001}}),
            "location",
        ),
    ];
    for (id, body, in_detail) in cases {
        let error = put_post(&t, id, body)
            .await
            .assert_error(StatusCode::UNPROCESSABLE_ENTITY, "invalid_post");
        assert!(error.detail.contains(in_detail), "{id}: {}", error.detail);
    }
    // Not the shape of a post at all.
    let shapes = [
        (json!({"gate": "西门"}), "school_id"),
        (
            json!({"school_id": "s01", "gate": "西门", "location": {"lat_e6": 31_230_400}}),
            "lon_e6",
        ),
        (
            json!({"school_id": "s01", "gate": "西门", "location": {"lat_e6": 31.2304, "lon_e6": 121}}),
            "lat_e6",
        ),
        (
            json!({"school_id": "s01", "gate": "西门", "location": {"lat_e6": 3_000_000_000_u64, "lon_e6": 0}}),
            "lat_e6",
        ),
    ];
    for (body, in_detail) in shapes {
        let error = put_post(&t, "s01-g3", body.clone())
            .await
            .assert_error(StatusCode::UNPROCESSABLE_ENTITY, "invalid_record");
        assert!(error.detail.contains(in_detail), "{body}: {}", error.detail);
    }
    assert_eq!(snapshot(&t).await, before);
}

const BOM: &str = "\u{feff}";
const HEADER: &str = "school_id,school_name,post_id,gate,morning,noon,afternoon,lead_minutes\r\n";

/// Two new schools (one with two gates, no noon window) and a renamed demo school.
fn import_file() -> String {
    format!(
        "{BOM}{HEADER}\
         c01,城南实验小学,c01-g1,南门,07:10-07:50,,16:00-16:45,20\r\n\
         c01,城南实验小学,c01-g2,\"北门, 近菜场\",07:10-07:50,,16:00-16:45,20\r\n\
         c02,滨江幼儿园,c02-g1,正门,08:00-08:30,11:00-11:30,,\r\n\
         s01,实验小学（本部）,s01-g1,南门,07:20-08:00,11:40-12:20,16:30-17:20,15\r\n"
    )
}

#[tokio::test]
async fn a_csv_import_upserts_schools_and_posts() {
    let t = TestApp::new().await;
    // A school already stored keeps its offset: the file has no such column.
    let mut s01 = demo_schools().remove(0);
    s01.utc_offset_minutes = 420;
    assert_eq!(put_school(&t, &s01).await.status, StatusCode::OK);

    let response = t.post_csv("/api/admin/import", import_file()).await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.text());
    assert_eq!(response.json::<Value>(), json!({"schools": 3, "posts": 4}));

    let schools = schools(&t).await;
    let c01 = schools.iter().find(|s| s.id == "c01").unwrap();
    assert_eq!(c01.name, "城南实验小学");
    assert_eq!(c01.windows.len(), 2);
    assert_eq!(c01.lead_minutes, 20);
    assert_eq!(c01.utc_offset_minutes, 480);
    let c02 = schools.iter().find(|s| s.id == "c02").unwrap();
    assert_eq!(c02.lead_minutes, 15, "an empty lead time is the default");
    let s01 = schools.iter().find(|s| s.id == "s01").unwrap();
    assert_eq!(
        (s01.name.as_str(), s01.utc_offset_minutes),
        ("实验小学（本部）", 420)
    );

    let posts = posts(&t).await;
    let gate = |id: &str| {
        let p = posts.iter().find(|p| p.id == id).unwrap();
        (p.school.clone(), p.gate.clone())
    };
    assert_eq!(
        gate("c01-g2"),
        ("城南实验小学".into(), "北门, 近菜场".into())
    );
    // Posts not in the file are kept, and follow their school's new name.
    assert_eq!(gate("s01-g2"), ("实验小学（本部）".into(), "北门".into()));
    assert_eq!(posts.len(), demo_posts().len() + 3);
    // A file without location columns leaves the stored locations alone.
    let located = |id: &str| posts.iter().find(|p| p.id == id).unwrap().location;
    assert_eq!(located("s01-g1"), demo_posts()[0].location);
    assert_eq!(located("c01-g1"), None);
}

const LOCATED_HEADER: &str =
    "school_id,school_name,post_id,gate,morning,noon,afternoon,lead_minutes,latitude,longitude\r\n";

#[tokio::test]
async fn an_import_with_locations_sets_and_clears_them() {
    let t = TestApp::new().await;
    let file = format!(
        "{BOM}{LOCATED_HEADER}\
         c01,城南实验小学,c01-g1,南门,07:10-07:50,,,,31.2304,121.4737\r\n\
         c01,城南实验小学,c01-g2,北门,07:10-07:50,,,,-33.8688197,151.2092955\r\n\
         c01,城南实验小学,c01-g3,西门,07:10-07:50,,,,,\r\n\
         s01,实验小学,s01-g1,南门,07:20-08:00,11:40-12:20,16:30-17:20,15,,\r\n"
    );
    let response = t.post_csv("/api/admin/import", file).await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.text());
    let listed = posts(&t).await;
    let located = |id: &str| listed.iter().find(|p| p.id == id).unwrap().location;
    let at = |lat_e6, lon_e6| Some(GeoPoint { lat_e6, lon_e6 });
    assert_eq!(located("c01-g1"), at(31_230_400, 121_473_700));
    // Digits past microdegrees are rounded, not refused.
    assert_eq!(located("c01-g2"), at(-33_868_820, 151_209_296));
    assert_eq!(located("c01-g3"), None);
    // Empty cells in a file that has the columns: the gate has no location any more.
    assert_eq!(located("s01-g1"), None);
    // Untouched: not in the file.
    assert_eq!(located("s01-g2"), demo_posts()[1].location);
}

#[tokio::test]
async fn location_mistakes_in_an_import_name_their_line() {
    let t = TestApp::new().await;
    let before = snapshot(&t).await;
    let ok = "c01,城南实验小学,c01-g1,南门,07:10-07:50,,,,31.2304,121.4737\r\n";
    let row = |lat: &str, lon: &str| {
        format!("c01,城南实验小学,c01-g2,北门,07:10-07:50,,,,{lat},{lon}\r\n")
    };
    // (the row after a good one, what the detail starts with)
    let rows = [
        (
            row("31.2304", ""),
            "line 3: latitude `31.2304` and longitude `` go together",
        ),
        (
            row("", "121.4737"),
            "line 3: latitude `` and longitude `121.4737` go together",
        ),
        (
            row("91", "121"),
            "line 3: latitude `91` is not between -90 and 90",
        ),
        (
            row("31", "-181.5"),
            "line 3: longitude `-181.5` is not between -180 and 180",
        ),
        (
            row("31°14′", "121"),
            "line 3: latitude `31°14′` is not a number of degrees",
        ),
        (
            row("N31.2", "121"),
            "line 3: latitude `N31.2` is not a number of degrees",
        ),
    ];
    let headers = [
        (
            HEADER.trim_end().to_owned() + ",latitude\r\n",
            "line 1: the header has only one of `latitude` and `longitude`",
        ),
        (
            LOCATED_HEADER.trim_end().to_owned() + ",Latitude\r\n",
            "line 1: the header has two `latitude` columns",
        ),
    ];
    let files = rows
        .into_iter()
        .map(|(bad, detail)| (format!("{BOM}{LOCATED_HEADER}{ok}{bad}"), detail))
        .chain(headers.map(|(header, detail)| (format!("{BOM}{header}{ok}"), detail)));
    for (file, detail) in files {
        let error = t
            .post_csv("/api/admin/import", file)
            .await
            .assert_error(StatusCode::UNPROCESSABLE_ENTITY, "invalid_csv");
        assert!(
            error.detail.starts_with(detail),
            "{detail}: {}",
            error.detail
        );
    }
    assert_eq!(snapshot(&t).await, before);
}

#[tokio::test]
async fn importing_the_same_file_again_changes_nothing() {
    let t = TestApp::new().await;
    let first = t.post_csv("/api/admin/import", import_file()).await;
    assert_eq!(first.status, StatusCode::OK, "{}", first.text());
    let before = snapshot(&t).await;
    let again = t.post_csv("/api/admin/import", import_file()).await;
    assert_eq!(again.status, StatusCode::OK, "{}", again.text());
    assert_eq!(again.json::<Value>(), first.json::<Value>());
    assert_eq!(snapshot(&t).await, before, "updated_at included");
}

#[tokio::test]
async fn a_bad_row_refuses_the_whole_file_naming_its_line() {
    let t = TestApp::new().await;
    let before = snapshot(&t).await;
    // Line 4 has an afternoon window that closes before it opens; lines 2-3 are fine
    // and must not be written either.
    let file = format!(
        "{BOM}{HEADER}\
         c01,城南实验小学,c01-g1,南门,07:10-07:50,,16:00-16:45,20\r\n\
         c02,滨江幼儿园,c02-g1,正门,08:00-08:30,,,\r\n\
         c03,江北中学,c03-g1,东门,07:00-07:40,,17:30-17:00,\r\n"
    );
    let error = t
        .post_csv("/api/admin/import", file)
        .await
        .assert_error(StatusCode::UNPROCESSABLE_ENTITY, "invalid_csv");
    assert!(error.detail.starts_with("line 4: "), "{}", error.detail);
    assert!(error.detail.contains("c03"), "{}", error.detail);
    assert_eq!(snapshot(&t).await, before);
}

/// A file as a Chinese Windows Excel saves plain "CSV": GBK, no byte order mark.
fn gbk(text: &str) -> Vec<u8> {
    let (bytes, _, unmappable) = encoding_rs::GBK.encode(text);
    assert!(!unmappable, "{text}");
    bytes.into_owned()
}

#[tokio::test]
async fn a_gbk_file_from_a_chinese_excel_imports_its_names_intact() {
    let t = TestApp::new().await;
    let file = gbk(&format!(
        "{HEADER}\
         c01,城南实验小学,c01-g1,南门（主门）,07:10-07:50,,16:00-16:45,20\r\n\
         c02,滨江幼儿园,c02-g1,东侧门,08:00-08:30,11:00-11:30,,\r\n"
    ));
    // What the admin page sends: the file's bytes, no charset (it does not know one).
    let response = t
        .send(Method::POST, "/api/admin/import", "text/csv", file)
        .await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.text());
    let listed = posts(&t).await;
    let post = |id: &str| listed.iter().find(|p| p.id == id).unwrap();
    assert_eq!(
        (post("c01-g1").school.as_str(), post("c01-g1").gate.as_str()),
        ("城南实验小学", "南门（主门）")
    );
    assert_eq!(
        (post("c02-g1").school.as_str(), post("c02-g1").gate.as_str()),
        ("滨江幼儿园", "东侧门")
    );
    let names: Vec<String> = schools(&t).await.into_iter().map(|s| s.name).collect();
    assert!(names.iter().any(|n| n == "城南实验小学"), "{names:?}");
}

#[tokio::test]
async fn a_file_of_neither_utf8_nor_gbk_stores_nothing_and_says_where() {
    let t = TestApp::new().await;
    let before = snapshot(&t).await;
    let mut file = gbk(&format!(
        "{HEADER}c01,城南实验小学,c01-g1,南门,07:10-07:50,,,\r\n"
    ));
    // Line 3: a byte that starts no character in either encoding.
    file.extend_from_slice(b"c02,\xFF\xFE,c02-g1,x,,,,\r\n");
    let error = t
        .send(Method::POST, "/api/admin/import", "text/csv", file)
        .await
        .assert_error(StatusCode::UNPROCESSABLE_ENTITY, "invalid_encoding");
    assert!(error.detail.contains("0xFF on line 3"), "{}", error.detail);
    // UTF-8 that already lost a character to an earlier tool.
    let lost = format!("{BOM}{HEADER}c01,城南实验\u{FFFD}学,c01-g1,南门,,,,\r\n");
    let error = t
        .post_csv("/api/admin/import", lost)
        .await
        .assert_error(StatusCode::UNPROCESSABLE_ENTITY, "invalid_encoding");
    assert!(error.detail.starts_with("line 2 "), "{}", error.detail);
    assert_eq!(snapshot(&t).await, before);
}

#[tokio::test]
async fn an_import_must_be_csv_and_at_most_a_mebibyte() {
    let t = TestApp::new().await;
    let before = snapshot(&t).await;
    let error = t
        .send(
            Method::POST,
            "/api/admin/import",
            "application/json",
            import_file(),
        )
        .await
        .assert_error(StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type");
    assert!(error.detail.contains("text/csv"), "{}", error.detail);

    let row = "c01,城南实验小学,c01-g1,南门,07:10-07:50,,16:00-16:45,20\r\n";
    let huge = HEADER.to_owned() + &row.repeat(MAX_IMPORT_BYTES / row.len() + 1);
    let error = t
        .post_csv("/api/admin/import", huge)
        .await
        .assert_error(StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large");
    assert!(
        error.detail.contains(&MAX_IMPORT_BYTES.to_string()),
        "{}",
        error.detail
    );
    assert_eq!(snapshot(&t).await, before);
}

#[tokio::test]
async fn a_school_keeps_its_district_and_first_counted_day() {
    let t = TestApp::new().await;
    let mut s09 = school("s09", "育英中学");
    s09.district = "高新区".into();
    s09.counted_from = chrono::NaiveDate::from_ymd_opt(2026, 9, 1);
    let response = put_school(&t, &s09).await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.text());
    let listed: Value = t.get("/api/schools").await.json();
    let listed = listed
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["id"] == "s09")
        .unwrap();
    assert_eq!(
        (&listed["district"], &listed["counted_from"]),
        (&json!("高新区"), &json!("2026-09-01"))
    );
    restart(&t).await;
    assert!(schools(&t).await.contains(&s09));

    // A PUT replaces: without them, the school has neither.
    let plain = school("s09", "育英中学");
    assert_eq!(put_school(&t, &plain).await.status, StatusCode::OK);
    assert!(schools(&t).await.contains(&plain));

    let before = snapshot(&t).await;
    s09.district = "高新\n区".into();
    put_school(&t, &s09)
        .await
        .assert_error(StatusCode::UNPROCESSABLE_ENTITY, "invalid_school");
    assert_eq!(snapshot(&t).await, before);
}

/// Today's date in UTC+8 (the imported schools' zone), read before and after the
/// request that depends on it: one of the two is its date.
fn china_today() -> chrono::NaiveDate {
    (chrono::Utc::now() + chrono::Duration::hours(8)).date_naive()
}

#[tokio::test]
async fn an_imported_school_is_counted_from_the_day_of_its_import() {
    let t = TestApp::new().await;
    let mut s01 = demo_schools().remove(0);
    s01.district = "老城区".into();
    assert_eq!(put_school(&t, &s01).await.status, StatusCode::OK);
    // Chinese headers for the optional columns; c02 names its own first day.
    let file = format!(
        "{BOM}school_id,school_name,post_id,gate,morning,noon,afternoon,lead_minutes,区,起算日期\r\n\
         c01,城南实验小学,c01-g1,南门,07:10-07:50,,16:00-16:45,20,高新区,\r\n\
         c02,滨江幼儿园,c02-g1,正门,08:00-08:30,,,,,2026/9/1\r\n\
         s01,实验小学,s01-g1,南门,07:20-08:00,11:40-12:20,16:30-17:20,15,老城区,\r\n"
    );
    let before = china_today();
    let response = t.post_csv("/api/admin/import", file).await;
    let after = china_today();
    assert_eq!(response.status, StatusCode::OK, "{}", response.text());
    let schools = schools(&t).await;
    let of = |id: &str| schools.iter().find(|s| s.id == id).unwrap().clone();
    let c01 = of("c01");
    assert_eq!(c01.district, "高新区");
    assert!(
        c01.counted_from == Some(before) || c01.counted_from == Some(after),
        "{:?}",
        c01.counted_from
    );
    assert_eq!(
        (of("c02").district, of("c02").counted_from),
        (String::new(), chrono::NaiveDate::from_ymd_opt(2026, 9, 1))
    );
    // A school already stored is not given a first day it did not have.
    assert_eq!(of("s01").counted_from, None);

    // A file without the columns leaves what is stored alone.
    let again = t.post_csv("/api/admin/import", import_file()).await;
    assert_eq!(again.status, StatusCode::OK, "{}", again.text());
    let schools_now = self::schools(&t).await;
    let c01_now = schools_now.iter().find(|s| s.id == "c01").unwrap();
    assert_eq!(
        (&c01_now.district, c01_now.counted_from),
        (&c01.district, c01.counted_from)
    );
    let s01_now = schools_now.iter().find(|s| s.id == "s01").unwrap();
    assert_eq!(s01_now.district, "老城区");
}

#[tokio::test]
async fn a_bad_first_counted_day_refuses_the_file_naming_its_line() {
    let t = TestApp::new().await;
    let before = snapshot(&t).await;
    let file = format!(
        "{BOM}school_id,school_name,post_id,gate,morning,noon,afternoon,lead_minutes,counted_from\r\n\
         c01,城南实验小学,c01-g1,南门,07:10-07:50,,16:00-16:45,20,2026-09-01\r\n\
         c02,滨江幼儿园,c02-g1,正门,08:00-08:30,,,,九月一日\r\n"
    );
    let error = t
        .post_csv("/api/admin/import", file)
        .await
        .assert_error(StatusCode::UNPROCESSABLE_ENTITY, "invalid_csv");
    assert!(error.detail.starts_with("line 3: "), "{}", error.detail);
    assert!(error.detail.contains("counted_from"), "{}", error.detail);
    assert_eq!(snapshot(&t).await, before);
}
