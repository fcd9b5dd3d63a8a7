//! HTTP fuzzing through `app()`: seeded, generated requests — every method, the API's
//! paths with hostile parameters, odd headers and cookies, JSON shaped like the API's with
//! wrong types, sizes and Unicode, broken CSV — and every answer must be a non-5xx whose
//! 4xx body is the JSON error. A panic or a 5xx fails with the seed and the request.
//!
//! `GATEWATCH_FUZZ_REQUESTS` sets the count (`make test`: the default below; `make soak`:
//! 100,000) and `GATEWATCH_FUZZ_SEED` replays one run.

mod common;

use std::fmt::Write as _;

use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use common::{incident, record, session, team_record, volunteer_record, TestApp, TestResponse};
use gatewatch_model::duty::Approval;
use gatewatch_model::school::demo_schools;
use gatewatch_model::{demo_posts, PushRequest, Record};
use serde_json::{json, Map, Value};
use uuid::Uuid;

/// Requests in one `make test` run: enough to reach every route many times over.
const DEFAULT_REQUESTS: usize = 4_000;

/// How often the fuzzer checks its sessions are alive (a fuzzed logout or password
/// reset ends them) and makes new ones.
const SESSION_CHECK_EVERY: usize = 40;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn generated_requests_never_get_a_5xx_and_every_4xx_is_a_json_error() {
    let count = env_number("GATEWATCH_FUZZ_REQUESTS").unwrap_or(DEFAULT_REQUESTS as u64) as usize;
    let seed = env_number("GATEWATCH_FUZZ_SEED").unwrap_or_else(|| fastrand::u64(..));
    eprintln!("fuzz: seed {seed} ({count} requests; replay with GATEWATCH_FUZZ_SEED={seed})");
    let app = TestApp::new().await;
    let mut fuzz = Fuzzer::new(fastrand::Rng::with_seed(seed), &app).await;
    let mut by_status = std::collections::BTreeMap::<u16, usize>::new();
    for n in 0..count {
        if n % SESSION_CHECK_EVERY == 0 {
            fuzz.refresh_sessions(&app).await;
        }
        let (description, request) = fuzz.request();
        let method = request.method().clone();
        let answer = tokio::spawn(call(app.clone(), request)).await;
        let response = match answer {
            Ok(response) => response,
            Err(e) => {
                panic!("seed {seed}, request {n}: the server panicked ({e}) on {description}")
            }
        };
        *by_status.entry(response.status.as_u16()).or_default() += 1;
        if let Err(problem) = check(&method, &response) {
            panic!(
                "seed {seed}, request {n}: {problem}\n  request: {description}\n  answer: {} {}",
                response.status,
                truncated(&response.text(), 400)
            );
        }
    }
    eprintln!("fuzz: answers by status {by_status:?}");
    // A fuzzer that only ever hits the door proves little: the generated requests must
    // get past parsing and the checks often enough to reach the handlers.
    let ok = by_status.get(&200).copied().unwrap_or(0);
    assert!(
        ok * 20 >= count,
        "only {ok} of {count} requests were accepted: {by_status:?}"
    );
}

/// What a well-behaved answer is: never a 5xx, and every 4xx (but to HEAD) is the JSON
/// error body with a stable code and a detail.
fn check(method: &Method, response: &TestResponse) -> Result<(), String> {
    let status = response.status;
    if status.is_server_error() {
        return Err(format!("a server error {status}"));
    }
    if !status.is_client_error() || method == Method::HEAD {
        return Ok(());
    }
    if response.header(header::CONTENT_TYPE) != Some("application/json") {
        return Err("a 4xx without a JSON body".into());
    }
    let body: Value = serde_json::from_slice(&response.body)
        .map_err(|e| format!("a 4xx whose body is not JSON ({e})"))?;
    let code = body["error"].as_str().unwrap_or_default();
    let detail = body["detail"].as_str().unwrap_or_default();
    if code.is_empty() || detail.is_empty() {
        return Err("a 4xx without `error` and `detail`".into());
    }
    Ok(())
}

/// Sends the request exactly as built (the fuzzer sets cookies and headers itself).
async fn call(app: TestApp, request: Request<Body>) -> TestResponse {
    app.call_raw(request).await
}

fn env_number(name: &str) -> Option<u64> {
    std::env::var(name).ok().and_then(|v| v.trim().parse().ok())
}

fn truncated(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        Some((at, _)) => format!("{}…", &text[..at]),
        None => text.to_owned(),
    }
}

/// The sessions requests may carry, and the ids paths may name.
struct Fuzzer {
    rng: fastrand::Rng,
    admin: Option<String>,
    others: Vec<String>,
    user_ids: Vec<Uuid>,
    record_ids: Vec<Uuid>,
    team: Uuid,
    accounts_made: usize,
}

impl Fuzzer {
    async fn new(rng: fastrand::Rng, app: &TestApp) -> Self {
        let team = Uuid::from_u128(0x7ea7);
        let fuzz = Self {
            rng,
            admin: app.session.clone(),
            others: Vec::new(),
            user_ids: Vec::new(),
            record_ids: vec![Uuid::from_u128(1), Uuid::from_u128(2), team],
            team,
            accounts_made: 0,
        };
        // Something to read, correct and fuzz against: the seeded records.
        app.push(&fuzz.seed_records()).await;
        fuzz
    }

    fn seed_records(&self) -> Vec<Record> {
        vec![
            record(1, 100),
            incident(2, 100, "s01-g1", "2026-11-25T07:20:00+08:00"),
            team_record(self.team, "护学岗一队", "s01"),
            volunteer_record(3, self.team, "李四", "13800138000"),
            session(
                4,
                self.team,
                "2026-11-25T07:00:00+08:00",
                Some(60),
                &[3],
                Approval::Pending,
            ),
        ]
    }

    /// Makes sure the admin is signed in and two other accounts are (officers and leads):
    /// fuzzed requests log out, revoke devices, reset passwords and disable accounts.
    async fn refresh_sessions(&mut self, app: &TestApp) {
        let admin = match &self.admin {
            Some(s) if alive(app, s).await => s.clone(),
            _ => app.login("admin", common::ADMIN_PASSWORD).await,
        };
        self.admin = Some(admin.clone());
        let as_admin = app.as_user(&admin);
        let mut live = Vec::new();
        for session in std::mem::take(&mut self.others) {
            if alive(app, &session).await {
                live.push(session);
            }
        }
        self.others = live;
        for role in ["officer", "lead"]
            .iter()
            .cycle()
            .take(2_usize.saturating_sub(self.others.len()))
        {
            self.accounts_made += 1;
            let name = format!("fz{role}{}", self.accounts_made);
            let teams: &[Uuid] = if *role == "lead" { &[self.team] } else { &[] };
            let (id, session) = as_admin.user(&name, role, &["s01"], teams).await;
            self.user_ids.push(id);
            self.others.push(session);
        }
    }

    /// One generated request and a description of it for a failure message.
    fn request(&mut self) -> (String, Request<Body>) {
        let (method, path) = self.method_and_path();
        let (content_type, body) = self.body(&path);
        let mut builder = Request::builder().method(method.clone()).uri(path.as_str());
        let mut described = format!("{method} {}", truncated(&path, 200));
        if let Some(t) = &content_type {
            builder = builder.header(header::CONTENT_TYPE, t.as_str());
            let _ = write!(described, " [{}]", truncated(t, 60));
        }
        for (name, value) in self.headers() {
            let _ = write!(described, " {name}: {}", truncated(&value, 60));
            builder = builder.header(name, value);
        }
        let _ = write!(
            described,
            " body {} bytes: {}",
            body.len(),
            truncated(&String::from_utf8_lossy(&body), 300)
        );
        match builder.body(Body::from(body)) {
            Ok(request) => (described, request),
            // A header value `http` itself refuses never reaches a server: try another.
            Err(_) => self.request(),
        }
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.rng.usize(..items.len())]
    }

    /// Mostly a route with its own method (so requests reach the handlers), sometimes
    /// any method, sometimes a path no route has.
    fn method_and_path(&mut self) -> (Method, String) {
        const ROUTES: [(&str, &str); 50] = [
            ("GET", "/api/health"),
            ("POST", "/api/auth/login"),
            ("POST", "/api/auth/logout"),
            ("GET", "/api/auth/me"),
            ("POST", "/api/auth/password"),
            ("GET", "/api/posts"),
            ("GET", "/api/schools"),
            ("GET", "/api/posts/{post}/secret"),
            ("GET", "/api/records/{id}/history"),
            ("POST", "/api/sync/push"),
            ("POST", "/api/sync/push"),
            ("POST", "/api/sync/push"),
            ("GET", "/api/sync/pull"),
            ("PUT", "/api/admin/schools/{school}"),
            ("PUT", "/api/admin/posts/{post}"),
            ("POST", "/api/admin/import"),
            ("PUT", "/api/admin/records/{id}"),
            ("GET", "/api/admin/users"),
            ("POST", "/api/admin/users"),
            ("POST", "/api/admin/users/import"),
            ("PUT", "/api/admin/users/{user}"),
            ("POST", "/api/admin/users/{user}/password"),
            ("GET", "/api/admin/users/{user}/devices"),
            ("POST", "/api/admin/users/{user}/devices/{device}/revoke"),
            ("GET", "/api/admin/teams"),
            ("GET", "/api/reports/duty"),
            ("GET", "/api/export/duty-hours.csv"),
            ("GET", "/api/export/checkins.csv"),
            ("GET", "/api/export/incidents.csv"),
            ("GET", "/api/export/coverage.csv"),
            ("GET", "/api/export/assignments.csv"),
            ("GET", "/api/export/officers.csv"),
            ("GET", "/api/coverage"),
            ("GET", "/api/reports/coverage"),
            ("GET", "/api/reports/officers"),
            ("GET", "/api/calendar"),
            ("GET", "/api/admin/calendar"),
            ("POST", "/api/admin/calendar/import"),
            ("POST", "/api/admin/calendar/national/{school}"),
            ("GET", "/api/roster"),
            ("PUT", "/api/roster/slot"),
            ("PUT", "/api/roster/slot"),
            ("POST", "/api/roster/copy-week"),
            ("POST", "/api/roster/import"),
            ("GET", "/api/export/roster.csv"),
            ("GET", "/api/officers"),
            ("GET", "/api/swaps"),
            ("POST", "/api/swaps/{id}/decision"),
            ("POST", "/api/swaps/{id}/decision"),
            ("GET", "/admin"),
        ];
        let (method, route) = *self.pick(&ROUTES);
        let mut method = Method::from_bytes(method.as_bytes()).unwrap_or(Method::GET);
        if self.rng.u8(..10) == 0 {
            let any = [
                Method::GET,
                Method::POST,
                Method::PUT,
                Method::DELETE,
                Method::PATCH,
                Method::HEAD,
                Method::OPTIONS,
                Method::from_bytes(b"PROPFIND").unwrap_or(Method::TRACE),
            ];
            method = self.pick(&any).clone();
        }
        let mut path = match self.rng.u8(..20) {
            0 => self.garbage_path(),
            _ => route.to_owned(),
        };
        for (slot, kind) in [
            ("{post}", Slot::Post),
            ("{school}", Slot::School),
            ("{id}", Slot::Record),
            ("{user}", Slot::User),
            ("{device}", Slot::Device),
        ] {
            if path.contains(slot) {
                let value = self.slot(kind);
                path = path.replace(slot, &value);
            }
        }
        if self.rng.bool() {
            path.push('?');
            path.push_str(&self.query());
        }
        (method, path)
    }

    fn garbage_path(&mut self) -> String {
        let pieces = [
            "/api/",
            "//api//sync//push",
            "/api/sync/push/",
            "/api/../api/health",
            "/api/%2e%2e/%2e%2e/etc/passwd",
            "/../../etc/passwd",
            "/admin/../api/admin/users",
            "/api/sync/pull%00",
            "/api/records//history",
            "/index.html",
            "/sw.js",
            "/assets/%ff%fe",
            "/%E6%8A%A4%E5%AD%A6%E5%B2%97",
        ];
        let mut path = self.pick(&pieces).to_string();
        if self.rng.bool() {
            path.push_str(&percent(&self.string()));
        }
        path
    }

    fn slot(&mut self, kind: Slot) -> String {
        let hostile = self.rng.u8(..3) == 0;
        if hostile {
            return percent(&self.string());
        }
        match kind {
            Slot::Post => self.pick(&["s01-g1", "s02-g1", "nope"]).to_string(),
            Slot::School => self.pick(&["s01", "s02", "s99"]).to_string(),
            Slot::Record => {
                let id = *self.pick(&self.record_ids.clone());
                id.to_string()
            }
            Slot::User => match self.user_ids.is_empty() {
                true => Uuid::from_u128(self.rng.u128(..)).to_string(),
                false => self.pick(&self.user_ids.clone()).to_string(),
            },
            Slot::Device => self
                .pick(&["testphone1", "admin", "server", "x"])
                .to_string(),
        }
    }

    fn query(&mut self) -> String {
        let keys = [
            "since", "limit", "teams", "from", "to", "month", "team", "school", "x", "year",
            "lang", "status",
        ];
        let mut parts = Vec::new();
        for _ in 0..self.rng.usize(1..4) {
            let key = self.pick(&keys).to_string();
            let value = match self.rng.u8(..4) {
                0 => self.rng.i64(..).to_string(),
                1 => self
                    .pick(&[
                        "0",
                        "1",
                        "2026-11",
                        "2026-11-25",
                        "-1",
                        "1e9",
                        "",
                        "2026",
                        "en",
                        "pending",
                    ])
                    .to_string(),
                2 => self.team.to_string(),
                _ => percent(&self.string()),
            };
            parts.push(format!("{key}={value}"));
        }
        parts.join("&")
    }

    fn headers(&mut self) -> Vec<(&'static str, String)> {
        let mut headers = Vec::new();
        if self.rng.u8(..10) < 9 {
            headers.push(("x-gatewatch", "1".to_owned()));
        }
        if let Some(cookie) = self.cookie() {
            headers.push(("cookie", cookie));
        }
        let extras: [(&'static str, &[&str]); 6] = [
            (
                "accept",
                &["application/json", "text/html", "*/*", "text/csv;q=0.1"],
            ),
            // (Not gzip or br: the answers are read as they come.)
            (
                "accept-encoding",
                &["identity", "identity;q=0, *;q=0", "compress", "x-unknown"],
            ),
            (
                "x-forwarded-for",
                &["10.0.0.1", "::1, 10.0.0.1", "not an address", ""],
            ),
            ("range", &["bytes=0-10", "bytes=-1", "bytes=99999999-"]),
            ("if-none-match", &["\"x\"", "*", "W/\"\""]),
            ("origin", &["https://evil.example", "null"]),
        ];
        for (name, values) in extras {
            if self.rng.u8(..6) == 0 {
                headers.push((name, self.pick(values).to_string()));
            }
        }
        headers
    }

    fn cookie(&mut self) -> Option<String> {
        let session = match self.rng.u8(..10) {
            0 => return None,
            1 => self.string(),
            2 => "x".repeat(self.rng.usize(1..9000)),
            3..=5 => self.admin.clone().unwrap_or_default(),
            _ => {
                let others = self.others.clone();
                match others.is_empty() {
                    true => String::new(),
                    false => self.pick(&others).clone(),
                }
            }
        };
        Some(match self.rng.u8(..8) {
            0 => format!("gw_session={session}; gw_session=other"),
            1 => format!("a=b;;; gw_session=\"{session}\""),
            _ => format!("gw_session={session}"),
        })
    }

    /// A body for `path`: JSON shaped like that route's, mutated; CSV for imports;
    /// sometimes nothing, raw bytes, or more than the body limit.
    fn body(&mut self, path: &str) -> (Option<String>, Vec<u8>) {
        let content_type = match self.rng.u8(..12) {
            0 => None,
            1 => Some(
                self.pick(&[
                    "text/plain",
                    "application/x-www-form-urlencoded",
                    "application/json; charset=gbk",
                    "multipart/form-data; boundary=x",
                    "application/json\u{7f}",
                ])
                .to_string(),
            ),
            _ if path.contains("import") => Some("text/csv; charset=utf-8".to_owned()),
            _ => Some("application/json".to_owned()),
        };
        let body = match self.rng.u16(..200) {
            0 => vec![b'x'; gatewatch_server::MAX_BODY_BYTES + 1 + self.rng.usize(..1000)],
            1..=8 => Vec::new(),
            9..=14 => (0..self.rng.usize(1..400))
                .map(|_| self.rng.u8(..))
                .collect(),
            _ if path.contains("import") => self.csv(),
            _ => self.json_text(path),
        };
        (content_type, body)
    }

    fn json_text(&mut self, path: &str) -> Vec<u8> {
        let mut value = self.template(path);
        for _ in 0..self.rng.usize(..4) {
            self.mutate(&mut value);
        }
        let mut text = value.to_string();
        match self.rng.u8(..25) {
            1 => text = format!("{}{}", "[".repeat(10_000), text),
            2 => text = text.replacen('{', "{\"device\":1,", 1),
            3 => text = text.replacen(':', ":1e99999", 1),
            _ => {}
        }
        let mut bytes = text.into_bytes();
        if self.rng.u8(..25) == 0 {
            // Possibly inside a character: the body's UTF-8 ends broken.
            bytes.truncate(self.rng.usize(..=bytes.len()));
        }
        if self.rng.u8(..30) == 0 && !bytes.is_empty() {
            let at = self.rng.usize(..bytes.len());
            bytes[at] = self.pick(&[0xff, 0xc3, 0x00, b'"']).to_owned();
        }
        bytes
    }

    /// A valid body for the route, when there is one.
    fn template(&mut self, path: &str) -> Value {
        let route = path.split('?').next().unwrap_or_default();
        let records = self.seed_records();
        let record = json!(records[self.rng.usize(..records.len())]);
        if route.ends_with("/sync/push") {
            let count = self.rng.usize(1..4);
            let records: Vec<Record> = (0..count)
                .map(|_| {
                    let mut r = self.seed_records().swap_remove(self.rng.usize(..5));
                    r.version.wall_ms = self.rng.u64(1..4_000_000_000_000);
                    r
                })
                .collect();
            json!(PushRequest {
                device: common::device(),
                records
            })
        } else if route.ends_with("/auth/login") {
            let username = self
                .pick(&["fzofficer1", "fzlead2", "nobody", "管理员"])
                .to_string();
            json!({"username": username, "password": self.string(), "device": "testphone1"})
        } else if route.ends_with("/auth/password") {
            json!({"current": self.string(), "new": self.string()})
        } else if route.ends_with("/password") {
            json!({"password": self.string()})
        } else if route.ends_with("/admin/users") {
            let name = format!("fz{}", self.rng.u32(..));
            json!({"username": name, "display_name": self.string(), "role": "officer", "schools": ["s01"], "teams": []})
        } else if route.contains("/admin/users/") {
            json!({"display_name": self.string(), "role": "lead", "schools": ["s01"], "teams": [self.team], "disabled": self.rng.bool()})
        } else if route.contains("/admin/schools/") {
            json!(demo_schools()[0])
        } else if route.contains("/admin/posts/") {
            json!({"school_id": "s01", "gate": self.string(), "location": demo_posts()[0].location})
        } else if route.contains("/admin/records/") {
            record
        } else if route.ends_with("/roster/copy-week") {
            let school = self.pick(&["s01", "s02", "s99", ""]).to_string();
            json!({"from": "2026-11-23", "to": "2026-11-30", "school": school})
        } else if route.ends_with("/decision") {
            json!({"approve": self.rng.bool(), "note": self.string()})
        } else {
            self.value(0)
        }
    }

    /// Replaces, removes or adds one value somewhere in `value`.
    fn mutate(&mut self, value: &mut Value) {
        match value {
            Value::Object(map) if !map.is_empty() && self.rng.u8(..4) != 0 => {
                let keys: Vec<String> = map.keys().cloned().collect();
                let key = self.pick(&keys).clone();
                match self.rng.u8(..5) {
                    0 => {
                        map.remove(&key);
                    }
                    1 => {
                        let new = self.string();
                        map.insert(new, self.value(0));
                    }
                    _ => {
                        if let Some(inner) = map.get_mut(&key) {
                            self.mutate(inner);
                        }
                    }
                }
            }
            Value::Array(items) if !items.is_empty() && self.rng.u8(..4) != 0 => {
                let at = self.rng.usize(..items.len());
                self.mutate(&mut items[at]);
            }
            other => *other = self.value(0),
        }
    }

    /// Any JSON value, leaning on the ones that trip parsers and validators.
    fn value(&mut self, depth: usize) -> Value {
        match self.rng.u8(..if depth > 2 { 7 } else { 9 }) {
            0 => Value::Null,
            1 => Value::Bool(self.rng.bool()),
            2 => json!(self
                .pick(&[0i64, -1, i64::MIN, i64::MAX, 1 << 53, 86_400_000])
                .to_owned()),
            3 => json!(self
                .pick(&[0.5f64, -0.0, 1e308, f64::MIN_POSITIVE])
                .to_owned()),
            4 => json!(self.rng.u64(..)),
            5 | 6 => Value::String(self.string()),
            7 => Value::Array(
                (0..self.rng.usize(..4))
                    .map(|_| self.value(depth + 1))
                    .collect(),
            ),
            _ => {
                let mut map = Map::new();
                for _ in 0..self.rng.usize(..4) {
                    let key = self.string();
                    map.insert(key, self.value(depth + 1));
                }
                Value::Object(map)
            }
        }
    }

    /// Text that trips validators: empty, long, CJK, emoji, controls, RTL, lookalikes.
    fn string(&mut self) -> String {
        let pieces = [
            "",
            "a",
            "admin",
            "server",
            "张警官",
            "护学岗🚓",
            "\u{0}",
            "\u{202e}evil",
            "\r\nSet-Cookie: x=y",
            "=CMD()",
            "' OR 1=1 --",
            "../../etc/passwd",
            "%00",
            "s01-g1",
            "2026-11-25T07:12:33+08:00",
            "2026-02-30",
            "00000000-0000-0000-0000-000000000001",
            "\u{feff}",
            "ｓ０１",
        ];
        let mut text = String::new();
        for _ in 0..self.rng.usize(1..4) {
            let piece = *self.pick(&pieces);
            text.push_str(piece);
        }
        if self.rng.u8(..40) == 0 {
            text.push_str(&"长".repeat(self.rng.usize(1..50_000)));
        }
        text
    }

    /// A users or catalog CSV: a plausible header and rows, often broken.
    fn csv(&mut self) -> Vec<u8> {
        let headers = [
            "username,display_name,role,schools,teams",
            "school_id,name,post_id,gate",
            "a,b",
        ];
        let mut text = self.pick(&headers).to_string();
        for _ in 0..self.rng.usize(..6) {
            text.push('\n');
            let cells: Vec<String> = (0..self.rng.usize(1..7)).map(|_| self.string()).collect();
            text.push_str(&cells.join(if self.rng.u8(..10) == 0 { ";" } else { "," }));
        }
        match self.rng.u8(..4) {
            0 => encoding_rs::GB18030.encode(&text).0.into_owned(),
            1 => text.encode_utf16().flat_map(u16::to_le_bytes).collect(),
            _ => text.into_bytes(),
        }
    }
}

#[derive(Clone, Copy)]
enum Slot {
    Post,
    School,
    Record,
    User,
    Device,
}

/// Whether `session` is still signed in.
async fn alive(app: &TestApp, session: &str) -> bool {
    app.as_user(session).get("/api/auth/me").await.status == StatusCode::OK
}

/// Percent-encodes everything but unreserved ASCII, so any text fits in a URI.
fn percent(text: &str) -> String {
    let mut out = String::new();
    for byte in text.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(byte as char)
            }
            _ => {
                let _ = write!(out, "%{byte:02X}");
            }
        }
    }
    out
}
