//! Shared harness of the server's integration tests: a real SQLite file and a dist folder
//! in a temp dir, requests through `app()` with `oneshot`, accounts and their sessions,
//! and record builders.
//!
//! A `TestApp` acts as a signed-in admin unless told otherwise: `call` adds its session
//! cookie and the `X-Gatewatch` header to requests that carry neither. `as_user` gives
//! the same app as another account; `call_raw` sends a request exactly as built.

// Each test binary uses a different part of the harness.
#![allow(dead_code)]

mod database;
pub mod process;
pub mod remote;

use std::path::PathBuf;

use axum::body::{Body, Bytes};
use axum::http::{header, HeaderMap, Method, Request, StatusCode};
use axum::Router;
use chrono::{DateTime, Duration, FixedOffset, NaiveDate};
pub use database::TestDatabase;
use gatewatch_model::duty::{Activity, Approval, DutySession, Participation};
use gatewatch_model::team::{MemberStatus, Role, Team, Volunteer};
use gatewatch_model::{
    CheckIn, CheckInEvent, DeviceId, ErrorBody, FollowUp, Hlc, Incident, IncidentCategory,
    Presence, PullResponse, PushRequest, PushResponse, Record, RecordBody, Severity,
};
use gatewatch_server::AppState;
use http_body_util::BodyExt;
use serde::de::DeserializeOwned;
use tempfile::TempDir;
use tower::ServiceExt;
use uuid::Uuid;

pub const INDEX_HTML: &str = "<!doctype html><title>Gatewatch</title><p>test build";
/// The files of the test build besides index.html: (name, content).
pub const ASSETS: [(&str, &str); 2] = [
    ("sw.js", "self.addEventListener('fetch', () => {});"),
    ("gatewatch-0123456789abcdef.js", "console.log('app');"),
];

/// The bootstrap admin's password in every test database.
pub const ADMIN_PASSWORD: &str = "test-admin-password";

/// One app over its own database and dist folder, removed when the last `TestApp`
/// sharing them is dropped; `session` is the cookie value its requests carry.
#[derive(Clone)]
pub struct TestApp {
    pub state: AppState,
    pub dir: std::sync::Arc<TempDir>,
    pub database: std::sync::Arc<TestDatabase>,
    pub session: Option<String>,
}

impl TestApp {
    /// A fresh database and a dist folder holding a small built PWA.
    pub async fn new() -> Self {
        let app = Self::without_dist().await;
        let dist = app.dist();
        std::fs::create_dir_all(&dist).unwrap();
        for (name, content) in [("index.html", INDEX_HTML)].into_iter().chain(ASSETS) {
            std::fs::write(dist.join(name), content).unwrap();
        }
        app
    }

    /// A fresh database and no built PWA at all.
    pub async fn without_dist() -> Self {
        // A folder that does not exist yet: opening must create it.
        Self::open_in(tempfile::tempdir().unwrap()).await
    }

    /// A new database (`TestDatabase`), made by opening it as a server does, with the
    /// test admin signed in; `dir/dist` is the PWA's folder.
    pub async fn open_in(dir: TempDir) -> Self {
        let database = TestDatabase::new(dir.path()).await;
        Self::open_at(dir, database).await
    }

    /// `database`, made or upgraded by opening it as a server does, with the test admin
    /// signed in; `dir/dist` is the PWA's folder.
    pub async fn open_at(dir: TempDir, database: TestDatabase) -> Self {
        let (state, _) = AppState::open_with(
            database.location.clone(),
            dir.path().join("dist"),
            Some(ADMIN_PASSWORD.into()),
            false,
        )
        .await
        .unwrap();
        Self::signed_in_admin(
            state,
            std::sync::Arc::new(dir),
            std::sync::Arc::new(database),
        )
        .await
    }

    /// `state` (over `dir` and `database`) as its admin, logged in.
    pub async fn signed_in_admin(
        state: AppState,
        dir: std::sync::Arc<TempDir>,
        database: std::sync::Arc<TestDatabase>,
    ) -> Self {
        let anonymous = Self {
            state,
            dir,
            database,
            session: None,
        };
        let session = anonymous.login("admin", ADMIN_PASSWORD).await;
        Self {
            session: Some(session),
            ..anonymous
        }
    }

    /// This app acting as nobody (no session cookie).
    pub fn anonymous(&self) -> Self {
        Self {
            session: None,
            ..self.clone()
        }
    }

    /// This app acting as the account whose session cookie is `session`.
    pub fn as_user(&self, session: &str) -> Self {
        Self {
            session: Some(session.to_owned()),
            ..self.clone()
        }
    }

    /// Logs in on `device()`; panics unless it succeeds. Returns the session cookie.
    pub async fn login(&self, username: &str, password: &str) -> String {
        let response = self.try_login(username, password).await;
        assert_eq!(
            response.status,
            StatusCode::OK,
            "login: {}",
            response.text()
        );
        session_cookie(&response).expect("a login sets the session cookie")
    }

    /// `POST /api/auth/login` without a session.
    pub async fn try_login(&self, username: &str, password: &str) -> TestResponse {
        let body = serde_json::json!({
            "username": username, "password": password, "device": device().as_str(),
        });
        self.anonymous()
            .post_json("/api/auth/login", body.to_string())
            .await
    }

    /// Creates an account (as this app's admin) and logs it in: its id and session.
    pub async fn user(
        &self,
        username: &str,
        role: &str,
        schools: &[&str],
        teams: &[Uuid],
    ) -> (Uuid, String) {
        let password = format!("{username}-password");
        let body = serde_json::json!({
            "username": username, "password": password, "display_name": username,
            "role": role, "schools": schools, "teams": teams,
        });
        let created = self.post_json("/api/admin/users", body.to_string()).await;
        assert_eq!(created.status, StatusCode::OK, "{}", created.text());
        let id = created.json::<serde_json::Value>()["user"]["id"]
            .as_str()
            .unwrap()
            .parse()
            .unwrap();
        (id, self.login(username, &password).await)
    }

    /// Opens this app's database again, as a restarted server does.
    pub async fn reopen(&self) -> AppState {
        AppState::open(self.database.location.clone(), self.dist())
            .await
            .unwrap()
    }

    pub fn dist(&self) -> PathBuf {
        self.dir.path().join("dist")
    }

    pub fn app(&self) -> Router {
        gatewatch_server::app(self.state.clone())
    }

    /// Sends `request` as this app's user: its session cookie and the `X-Gatewatch`
    /// header are added unless the request sets them itself.
    pub async fn call(&self, mut request: Request<Body>) -> TestResponse {
        let headers = request.headers_mut();
        if let Some(session) = &self.session {
            if !headers.contains_key(header::COOKIE) {
                let cookie = format!("gw_session={session}");
                headers.insert(header::COOKIE, cookie.parse().unwrap());
            }
        }
        if !headers.contains_key("x-gatewatch") {
            headers.insert("x-gatewatch", "1".parse().unwrap());
        }
        self.call_raw(request).await
    }

    /// Sends `request` exactly as built.
    pub async fn call_raw(&self, request: Request<Body>) -> TestResponse {
        let response = self.app().oneshot(request).await.unwrap();
        let status = response.status();
        let headers = response.headers().clone();
        let body = response.into_body().collect().await.unwrap().to_bytes();
        TestResponse {
            status,
            headers,
            body,
        }
    }

    pub async fn get(&self, uri: &str) -> TestResponse {
        self.call(Request::get(uri).body(Body::empty()).unwrap())
            .await
    }

    /// A POST with `Content-Type: application/json` and the given raw body.
    pub async fn post_json(&self, uri: &str, body: impl Into<Body>) -> TestResponse {
        self.send(Method::POST, uri, "application/json", body).await
    }

    /// A PUT with `Content-Type: application/json` and the given raw body.
    pub async fn put_json(&self, uri: &str, body: impl Into<Body>) -> TestResponse {
        self.send(Method::PUT, uri, "application/json", body).await
    }

    /// A POST with `Content-Type: text/csv` and the given raw body.
    pub async fn post_csv(&self, uri: &str, body: impl Into<Body>) -> TestResponse {
        self.send(Method::POST, uri, "text/csv; charset=utf-8", body)
            .await
    }

    /// A request with a body of the given content type.
    pub async fn send(
        &self,
        method: Method,
        uri: &str,
        content_type: &str,
        body: impl Into<Body>,
    ) -> TestResponse {
        let request = Request::builder()
            .method(method)
            .uri(uri)
            .header(header::CONTENT_TYPE, content_type)
            .body(body.into())
            .unwrap();
        self.call(request).await
    }

    /// Pushes records as `device()` and expects a 200.
    pub async fn push(&self, records: &[Record]) -> PushResponse {
        let request = PushRequest {
            device: device(),
            records: records.to_vec(),
        };
        let response = self
            .post_json("/api/sync/push", serde_json::to_vec(&request).unwrap())
            .await;
        assert_eq!(response.status, StatusCode::OK, "{}", response.text());
        response.json()
    }

    /// Pulls one page and expects a 200.
    pub async fn pull(&self, since: u64, limit: Option<usize>) -> PullResponse {
        let uri = match limit {
            Some(n) => format!("/api/sync/pull?since={since}&limit={n}"),
            None => format!("/api/sync/pull?since={since}"),
        };
        let response = self.get(&uri).await;
        assert_eq!(response.status, StatusCode::OK, "{}", response.text());
        response.json()
    }

    /// `GET /api/records/{id}/history`, expecting a 200: the versions as JSON.
    pub async fn history(&self, id: Uuid) -> Vec<serde_json::Value> {
        let response = self.get(&format!("/api/records/{id}/history")).await;
        assert_eq!(response.status, StatusCode::OK, "{}", response.text());
        response.json()
    }

    /// Starts the real server (its accept loop) on loopback, over https with `tls`;
    /// sending on the returned channel stops it.
    pub async fn start_server(
        &self,
        tls: Option<gatewatch_server::TlsConfig>,
    ) -> (std::net::SocketAddr, tokio::sync::oneshot::Sender<()>) {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let shutdown = async {
            let _ = stopped.await;
        };
        let state = self.state.clone();
        tokio::spawn(async move {
            match tls {
                Some(tls) => gatewatch_server::run_tls(listener, state, tls, shutdown).await,
                None => gatewatch_server::run(listener, state, shutdown).await,
            }
        });
        (addr, stop)
    }

    /// How many rows the records table holds.
    pub async fn rows(&self) -> i64 {
        sqlx::query_scalar("SELECT COUNT(*) FROM records")
            .fetch_one(self.state.db.pool())
            .await
            .unwrap()
    }
}

/// `full` under `make soak` (`GATEWATCH_SOAK` set: the proof at full size), else
/// `small` (what fits `make test`).
pub fn soak_or<T>(full: T, small: T) -> T {
    match std::env::var_os("GATEWATCH_SOAK") {
        Some(_) => full,
        None => small,
    }
}

/// The test's binary on loopback over a new database (`TestDatabase`), with officers
/// to log in (`process::add_officers`). Fields drop in order: the process first, then
/// its database, then the folder.
pub struct RealServer {
    pub server: process::ServerProcess,
    pub database: TestDatabase,
    _dir: TempDir,
}

impl RealServer {
    pub async fn with_officers(officers: usize) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let database = TestDatabase::new(dir.path()).await;
        let binary = std::path::Path::new(env!("CARGO_BIN_EXE_gatewatch-server"));
        let dist = dir.path().join("dist");
        let server =
            process::ServerProcess::start(binary, &database.location, &dist, ADMIN_PASSWORD).await;
        process::add_officers(&database.location, officers).await;
        Self {
            server,
            database,
            _dir: dir,
        }
    }
}

/// The session cookie a response sets, if any.
pub fn session_cookie(response: &TestResponse) -> Option<String> {
    set_cookie(response, "gw_session=")
        .and_then(|c| c.strip_prefix("gw_session=").map(str::to_owned))
        .filter(|v| !v.is_empty())
}

/// The first cookie a response sets whose name starts with `prefix`, as `name=value`
/// (what a browser sends back).
pub fn set_cookie(response: &TestResponse, prefix: &str) -> Option<String> {
    response
        .headers
        .get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|c| c.starts_with(prefix))
        .map(|c| c.split(';').next().unwrap_or_default().to_owned())
}

pub struct TestResponse {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Bytes,
}

impl TestResponse {
    pub fn json<T: DeserializeOwned>(&self) -> T {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not the expected JSON ({e}): {}", self.text()))
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    pub fn header(&self, name: header::HeaderName) -> Option<&str> {
        self.headers.get(name).map(|v| v.to_str().unwrap())
    }

    /// Asserts an error answer: this status, a JSON body with this code and a detail.
    pub fn assert_error(&self, status: StatusCode, code: &str) -> ErrorBody {
        assert_eq!(self.status, status, "{}", self.text());
        assert_eq!(
            self.header(header::CONTENT_TYPE),
            Some("application/json"),
            "{}",
            self.text()
        );
        let body: ErrorBody = self.json();
        assert_eq!(body.error, code, "{}", self.text());
        assert!(!body.detail.is_empty(), "{}", self.text());
        body
    }
}

/// The device the tests push as.
pub fn device() -> DeviceId {
    DeviceId::new("testphone1").unwrap()
}

/// A valid check-in with id `n` at version `wall_ms`; its note names the version, so
/// different versions have different content, as real edits do.
pub fn record(n: u128, wall_ms: u64) -> Record {
    Record::new(
        Uuid::from_u128(n),
        version(wall_ms),
        RecordBody::CheckIn(CheckIn {
            post_id: "s01-g1".into(),
            event: CheckInEvent::Arrival,
            presence: Presence {
                officer: true,
                car: true,
                lights: true,
            },
            note: format!("v{wall_ms}"),
            officer_name: "张警官".into(),
            device_time: DateTime::parse_from_rfc3339("2026-11-25T07:12:33+08:00").unwrap(),
            gate_code: None,
            position: None,
        }),
    )
}

/// The version `wall_ms` of `device()`.
pub fn version(wall_ms: u64) -> Hlc {
    Hlc {
        wall_ms,
        counter: 0,
        device: device(),
    }
}

/// A valid incident with id `n` at version `wall_ms`, at post `post_id` and device
/// time `device_time` (RFC 3339 with the phone's offset).
pub fn incident(n: u128, wall_ms: u64, post_id: &str, device_time: &str) -> Record {
    Record::new(
        Uuid::from_u128(n),
        version(wall_ms),
        RecordBody::Incident(Incident {
            post_id: post_id.into(),
            category: IncidentCategory::Fraud,
            severity: Severity::Medium,
            description: "冒充老师收取资料费".into(),
            people: "两名成年男子".into(),
            status: FollowUp::Open,
            officer_name: "张警官".into(),
            device_time: DateTime::parse_from_rfc3339(device_time).unwrap(),
            position: None,
        }),
    )
}

/// The incident body of a record made by `incident`.
pub fn incident_of(record: &mut Record) -> &mut Incident {
    match &mut record.body {
        RecordBody::Incident(i) => i,
        other => panic!("not an incident: {other:?}"),
    }
}

/// The check-in body of a record made by `record` or `record_at`.
pub fn check_in(record: &mut Record) -> &mut CheckIn {
    match &mut record.body {
        RecordBody::CheckIn(c) => c,
        other => panic!("not a check-in: {other:?}"),
    }
}

/// `record(n, 100)` at another post and device time (RFC 3339 with the phone's offset).
pub fn record_at(n: u128, post_id: &str, device_time: &str) -> Record {
    let mut r = record(n, 100);
    let c = check_in(&mut r);
    c.post_id = post_id.into();
    c.device_time = DateTime::parse_from_rfc3339(device_time).unwrap();
    r
}

/// The note of a check-in record.
pub fn note(record: &Record) -> &str {
    match &record.body {
        RecordBody::CheckIn(c) => &c.note,
        other => panic!("not a check-in: {other:?}"),
    }
}

/// Sets the note of a check-in record.
pub fn set_note(record: &mut Record, text: &str) {
    check_in(record).note = text.into();
}

/// A device time (RFC 3339 with the phone's offset).
pub fn at(text: &str) -> DateTime<FixedOffset> {
    DateTime::parse_from_rfc3339(text).unwrap()
}

/// A team of `school_id` with the given record id.
pub fn team_record(id: Uuid, name: &str, school_id: &str) -> Record {
    Record::new(
        id,
        version(50),
        RecordBody::Team(Team {
            school_id: school_id.into(),
            name: name.into(),
            device_time: at("2025-09-01T09:00:00+08:00"),
        }),
    )
}

/// A member of `team`, record id `n`.
pub fn volunteer_record(n: u128, team: Uuid, name: &str, phone: &str) -> Record {
    Record::new(
        Uuid::from_u128(n),
        version(60),
        RecordBody::Volunteer(Volunteer {
            team,
            name: name.into(),
            phone: phone.into(),
            role: Role::Member,
            joined: NaiveDate::from_ymd_opt(2025, 9, 1).unwrap(),
            status: MemberStatus::Active,
            device_time: at("2025-09-01T09:00:00+08:00"),
        }),
    )
}

/// A session of `team` from `start` for `minutes` (`None`: never ended), with these
/// volunteers from its start, all with `approval`.
pub fn session(
    n: u128,
    team: Uuid,
    start: &str,
    minutes: Option<i64>,
    volunteers: &[u128],
    approval: Approval,
) -> Record {
    let start = at(start);
    Record::new(
        Uuid::from_u128(n),
        version(100),
        RecordBody::Duty(DutySession {
            team,
            activity: Activity::Patrol,
            audience: 0,
            post_id: String::new(),
            place: "校园周边".into(),
            start,
            end: minutes.map(|m| start + Duration::minutes(m)),
            participants: volunteers
                .iter()
                .map(|v| Participation {
                    volunteer: Uuid::from_u128(*v),
                    joined: start,
                    left: None,
                    substitute: false,
                    approval,
                })
                .collect(),
            note: String::new(),
            device_time: start,
        }),
    )
}
