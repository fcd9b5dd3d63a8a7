//! Deterministic simulation of phones and the server under faults. Phones are built
//! from the model's own rules — `replica` (save, outbox, acks, refusals, pulled pages,
//! the cursor) and `Clock` — and talk to the real `app()` on a real SQLite file, through
//! a seeded scheduler that drops, duplicates, delays and reorders messages, partitions
//! phones, skews their clocks by hours, and crashes the server (mid-request too) and the
//! phones (losing every answer on its way to them). After healing: every acknowledged
//! record is on the server exactly once, every phone holds exactly the server's view of
//! what its user may read, and every version a phone made is in the server's history.
//!
//! `GATEWATCH_SIM_SEEDS` sets how many seeds run (`make test`: 1,000; `make soak`:
//! 10,000); `GATEWATCH_SIM_SEED` replays one. A failure prints its seed.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::http::{header, Method, Request, StatusCode};
use chrono::{FixedOffset, TimeZone, Utc};
use gatewatch_model::outbox::Refusal;
use gatewatch_model::replica::{self, Held};
use gatewatch_model::{
    CheckIn, CheckInEvent, Clock, Cursor, DeviceId, Hlc, Presence, PullResponse, PushRequest,
    PushResponse, Record, RecordBody, MAX_PUSH_BATCH,
};
use gatewatch_server::AppState;
use http_body_util::BodyExt;
use tower::ServiceExt;
use uuid::Uuid;

/// Seeds in one `make test` run.
const DEFAULT_SEEDS: u64 = 1_000;
/// Scheduler steps per seed before healing.
const STEPS: usize = 80;
/// Seeds run at once (each on its own database).
const PARALLEL: usize = 2;

const ADMIN_PASSWORD: &str = "sim-admin-password";

/// (phone, its user): two phones of one officer (their edits of the same records
/// meet on the server and merge) and one of a colleague at the same school.
const PHONES: [(&str, &str); 3] = [
    ("phonea1", "sima"),
    ("phonea2", "sima"),
    ("phoneb1", "simb"),
];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn phones_and_a_crashing_server_under_faults_agree_after_healing() {
    if std::env::var_os("GATEWATCH_TEST_POSTGRES").is_some() {
        // The simulation runs on its own SQLite files: once, in the SQLite run.
        return;
    }
    let seeds: Vec<u64> = match env_number("GATEWATCH_SIM_SEED") {
        Some(seed) => vec![seed],
        None => {
            let count = env_number("GATEWATCH_SIM_SEEDS").unwrap_or(DEFAULT_SEEDS);
            let first = fastrand::u64(..u64::MAX / 2);
            (first..first + count).collect()
        }
    };
    eprintln!(
        "simulation: {} seeds from {} (replay one with GATEWATCH_SIM_SEED=<seed>)",
        seeds.len(),
        seeds[0]
    );
    let template = Template::make().await;
    let mut queue = seeds.into_iter();
    let mut running = tokio::task::JoinSet::new();
    let mut done = 0usize;
    loop {
        while running.len() < PARALLEL {
            let Some(seed) = queue.next() else { break };
            let template = template.clone();
            running.spawn(async move { (seed, run_seed(seed, &template).await) });
        }
        let Some(finished) = running.join_next().await else {
            break;
        };
        match finished {
            Ok((_, Ok(()))) => done += 1,
            Ok((seed, Err(problem))) => panic!("simulation seed {seed}: {problem}"),
            Err(e) => panic!("a simulation seed panicked: {e}"),
        }
    }
    eprintln!("simulation: {done} seeds held");
}

fn env_number(name: &str) -> Option<u64> {
    std::env::var(name).ok().and_then(|v| v.trim().parse().ok())
}

/// A database with the accounts and the phones' sessions made once (argon2 is slow on
/// purpose), copied for each seed.
#[derive(Clone)]
struct Template {
    dir: std::sync::Arc<tempfile::TempDir>,
    sessions: Vec<String>,
    admin: String,
}

impl Template {
    async fn make() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("gatewatch.db");
        let (state, _) = AppState::open_with(
            &path,
            dir.path().join("dist"),
            Some(ADMIN_PASSWORD.into()),
            false,
        )
        .await
        .unwrap();
        let server = Server { state };
        let admin = server.login("admin", ADMIN_PASSWORD, "simadmin").await;
        for user in ["sima", "simb"] {
            let body = serde_json::json!({
                "username": user, "password": format!("{user}-password"), "display_name": user,
                "role": "officer", "schools": ["s01"], "teams": [],
            });
            let (status, text) = server
                .call(
                    Method::POST,
                    "/api/admin/users",
                    Some(&admin),
                    Some(body.to_string()),
                )
                .await;
            assert_eq!(status, StatusCode::OK, "{}", String::from_utf8_lossy(&text));
        }
        let mut sessions = Vec::new();
        for (device, user) in PHONES {
            sessions.push(
                server
                    .login(user, &format!("{user}-password"), device)
                    .await,
            );
        }
        server.state.db.pool().close().await;
        Self {
            dir: std::sync::Arc::new(dir),
            sessions,
            admin,
        }
    }

    /// A copy of the database for one seed.
    fn copy_into(&self, dir: &Path) -> PathBuf {
        for entry in std::fs::read_dir(self.dir.path()).unwrap() {
            let entry = entry.unwrap();
            if entry.file_type().unwrap().is_file() {
                std::fs::copy(entry.path(), dir.join(entry.file_name())).unwrap();
            }
        }
        dir.join("gatewatch.db")
    }
}

/// The real application over one SQLite file.
struct Server {
    state: AppState,
}

impl Server {
    async fn open(path: &Path) -> Self {
        let state = AppState::open(path, path.with_file_name("dist"))
            .await
            .unwrap();
        Self { state }
    }

    async fn call(
        &self,
        method: Method,
        uri: &str,
        session: Option<&str>,
        body: Option<String>,
    ) -> (StatusCode, Bytes) {
        let mut request = Request::builder()
            .method(method)
            .uri(uri)
            .header("x-gatewatch", "1");
        if let Some(session) = session {
            request = request.header(header::COOKIE, format!("gw_session={session}"));
        }
        if body.is_some() {
            request = request.header(header::CONTENT_TYPE, "application/json");
        }
        let request = request
            .body(body.map_or_else(Body::empty, Body::from))
            .unwrap();
        let response = gatewatch_server::app(self.state.clone())
            .oneshot(request)
            .await
            .unwrap();
        let status = response.status();
        (
            status,
            response.into_body().collect().await.unwrap().to_bytes(),
        )
    }

    async fn login(&self, username: &str, password: &str, device: &str) -> String {
        let body =
            serde_json::json!({"username": username, "password": password, "device": device});
        let request = Request::post("/api/auth/login")
            .header(header::CONTENT_TYPE, "application/json")
            .header("x-gatewatch", "1")
            .body(Body::from(body.to_string()))
            .unwrap();
        let response = gatewatch_server::app(self.state.clone())
            .oneshot(request)
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        response
            .headers()
            .get_all(header::SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find_map(|c| c.strip_prefix("gw_session="))
            .and_then(|rest| rest.split(';').next())
            .unwrap()
            .to_owned()
    }

    async fn push(&self, session: &str, request: &PushRequest) -> Option<PushResponse> {
        let body = serde_json::to_string(request).unwrap();
        let (status, bytes) = self
            .call(Method::POST, "/api/sync/push", Some(session), Some(body))
            .await;
        (status == StatusCode::OK).then(|| serde_json::from_slice(&bytes).unwrap())
    }

    async fn pull(&self, session: &str, since: Cursor) -> Option<PullResponse> {
        let uri = format!("/api/sync/pull?since={}", since.0);
        let (status, bytes) = self.call(Method::GET, &uri, Some(session), None).await;
        (status == StatusCode::OK).then(|| serde_json::from_slice(&bytes).unwrap())
    }

    /// Every record `session` may read, id → version, pulled from the start.
    async fn view(&self, session: &str) -> Result<BTreeMap<Uuid, Hlc>, String> {
        let mut seen = BTreeMap::new();
        let mut since = Cursor::default();
        for _ in 0..1000 {
            let page = self.pull(session, since).await.ok_or("a pull failed")?;
            for change in page.changes {
                if seen
                    .insert(change.record.id, change.record.version)
                    .is_some()
                {
                    return Err(format!("record {} is in the feed twice", change.record.id));
                }
            }
            if !page.more || page.cursor <= since {
                return Ok(seen);
            }
            since = page.cursor;
        }
        Err("the feed never ended".into())
    }

    /// Every version of record `id` in the server's history.
    async fn history(&self, admin: &str, id: Uuid) -> Vec<Hlc> {
        let uri = format!("/api/records/{id}/history");
        let (status, bytes) = self.call(Method::GET, &uri, Some(admin), None).await;
        if status != StatusCode::OK {
            return Vec::new();
        }
        let versions: Vec<serde_json::Value> = serde_json::from_slice(&bytes).unwrap();
        versions
            .into_iter()
            .filter_map(|v| serde_json::from_value(v["version"].clone()).ok())
            .collect()
    }
}

/// One phone: the model's bookkeeping, a clock skewed by hours, its session.
struct Phone {
    session: String,
    user: &'static str,
    clock: Clock,
    skew_ms: i64,
    held: Held,
    cursor: Cursor,
    partitioned: bool,
}

impl Phone {
    fn now_ms(&self) -> u64 {
        u64::try_from(Utc::now().timestamp_millis() + self.skew_ms).unwrap_or(0)
    }

    /// Saves a record through the model's rule, as the app's one save path does.
    fn save(&mut self, record: Record, made: &mut Vec<(Uuid, Hlc)>) {
        let version = record.version.clone();
        let id = record.id;
        if replica::save(&mut self.held.book(), record).is_ok() {
            made.push((id, version));
        }
    }

    fn apply_push(&mut self, response: PushResponse, acked: &mut BTreeSet<(Uuid, Hlc)>) {
        // Refusals first, then acks, as the app does.
        for r in response.rejected {
            let refusal = Refusal {
                version: r.version,
                code: r.code,
                reason: r.reason,
            };
            replica::refuse(&mut self.held.book(), r.id, refusal, r.current);
        }
        for ack in &response.acks {
            acked.insert((ack.id, ack.version.clone()));
        }
        replica::acknowledge(&mut self.held.book(), &response.acks);
        if replica::server_restarted(response.cursor, self.cursor) {
            self.cursor = Cursor::default();
        }
    }

    fn apply_pull(&mut self, since: Cursor, page: PullResponse) {
        let now = self.now_ms();
        for change in &page.changes {
            self.clock.observe(&change.record.version, now);
        }
        let today = Utc::now().with_timezone(&china()).date_naive();
        replica::apply_page(&mut self.held.book(), page.changes, today);
        if let Some(next) = replica::cursor_after_page(self.cursor, since, page.cursor, true) {
            self.cursor = next;
        }
    }
}

fn china() -> FixedOffset {
    FixedOffset::east_opt(8 * 3600).unwrap()
}

/// A message on its way: a request to the server, or its answer to a phone.
#[derive(Clone)]
enum Message {
    Push {
        phone: usize,
        request: PushRequest,
    },
    Pushed {
        phone: usize,
        response: PushResponse,
    },
    Pull {
        phone: usize,
        since: Cursor,
    },
    Pulled {
        phone: usize,
        since: Cursor,
        page: PullResponse,
    },
}

impl Message {
    fn phone(&self) -> usize {
        match self {
            Message::Push { phone, .. }
            | Message::Pushed { phone, .. }
            | Message::Pull { phone, .. }
            | Message::Pulled { phone, .. } => *phone,
        }
    }

    fn is_answer(&self) -> bool {
        matches!(self, Message::Pushed { .. } | Message::Pulled { .. })
    }
}

/// One seed's world: the server, the phones, the messages in flight, and what the
/// invariants are checked against.
struct World {
    rng: fastrand::Rng,
    path: PathBuf,
    server: Server,
    phones: Vec<Phone>,
    network: Vec<Message>,
    /// Versions phones saved (not refused by the phone's own rules).
    made: Vec<(Uuid, Hlc)>,
    /// Versions the server acknowledged to some phone.
    acked: BTreeSet<(Uuid, Hlc)>,
    /// Records each user created: theirs to edit.
    own: HashMap<&'static str, Vec<Uuid>>,
    log: Vec<String>,
}

async fn run_seed(seed: u64, template: &Template) -> Result<(), String> {
    let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    let path = template.copy_into(dir.path());
    let mut rng = fastrand::Rng::with_seed(seed);
    let phones = PHONES
        .iter()
        .zip(&template.sessions)
        .map(|((device, user), session)| Phone {
            session: session.clone(),
            user,
            clock: Clock::new(DeviceId::new(*device).unwrap()),
            // Up to six hours either way: phones' clocks are wrong in real life.
            skew_ms: rng.i64(-6 * 3_600_000..=6 * 3_600_000),
            held: Held::default(),
            cursor: Cursor::default(),
            partitioned: false,
        })
        .collect();
    let server = Server::open(&path).await;
    let mut world = World {
        rng,
        path,
        server,
        phones,
        network: Vec::new(),
        made: Vec::new(),
        acked: BTreeSet::new(),
        own: HashMap::new(),
        log: Vec::new(),
    };
    for _ in 0..STEPS {
        world.step().await;
    }
    world.heal().await;
    world.check(&template.admin).await.map_err(|problem| {
        let tail = world.log.len().saturating_sub(40);
        format!(
            "{problem}\nlast steps:\n  {}",
            world.log[tail..].join("\n  ")
        )
    })
}

impl World {
    /// One scheduler step: a phone acts, the network delivers, drops, duplicates or
    /// holds back a message, or something crashes.
    async fn step(&mut self) {
        let phone = self.rng.usize(..self.phones.len());
        match self.rng.u8(..100) {
            0..=19 => self.new_check_in(phone),
            20..=29 => self.edit(phone),
            30..=44 => self.send_push(phone),
            45..=54 => self.send_pull(phone),
            55..=84 => self.deliver_one(true).await,
            85..=88 => self.drop_one(),
            89..=91 => self.duplicate_one(),
            92..=93 => self.crash_server().await,
            94..=95 => self.crash_phone(phone),
            _ => {
                let p = &mut self.phones[phone];
                p.partitioned = !p.partitioned;
                self.log
                    .push(format!("phone {phone} partitioned: {}", p.partitioned));
            }
        }
    }

    fn new_check_in(&mut self, phone: usize) {
        let id = Uuid::from_u128(self.rng.u128(..));
        let p = &mut self.phones[phone];
        let now = p.now_ms();
        let version = p.clock.tick(now);
        let device_time = china()
            .timestamp_millis_opt(i64::try_from(now).unwrap_or(0))
            .single()
            .unwrap_or_else(|| Utc::now().with_timezone(&china()));
        let record = Record::new(
            id,
            version,
            RecordBody::CheckIn(CheckIn {
                post_id: "s01-g1".into(),
                event: CheckInEvent::Arrival,
                presence: Presence {
                    officer: true,
                    car: true,
                    lights: true,
                },
                note: String::new(),
                officer_name: p.user.into(),
                device_time,
                gate_code: None,
                position: None,
            }),
        );
        let user = p.user;
        p.save(record, &mut self.made);
        self.own.entry(user).or_default().push(id);
        self.log.push(format!("phone {phone} checks in {id}"));
    }

    /// An edit (a new note, or a void) of a record the phone's user made, if the phone
    /// holds one.
    fn edit(&mut self, phone: usize) {
        let user = self.phones[phone].user;
        let held: Vec<Uuid> = self
            .own
            .get(user)
            .map(|ids| {
                ids.iter()
                    .filter(|id| self.phones[phone].held.records.contains_key(id))
                    .copied()
                    .collect()
            })
            .unwrap_or_default();
        if held.is_empty() {
            return;
        }
        let id = held[self.rng.usize(..held.len())];
        let note = format!("note {}", self.rng.u16(..));
        let void = self.rng.u8(..8) == 0;
        let p = &mut self.phones[phone];
        let current = p.held.records[&id].record.clone();
        let version = p.clock.tick(p.now_ms());
        let next = if void {
            current.voided(version, "重复签到".into())
        } else {
            let mut body = current.body.clone();
            if let RecordBody::CheckIn(c) = &mut body {
                c.note = note;
            }
            current.corrected(version, body)
        };
        p.save(next, &mut self.made);
        self.log
            .push(format!("phone {phone} edits {id} (void: {void})"));
    }

    fn send_push(&mut self, phone: usize) {
        let p = &self.phones[phone];
        let mut records = p.held.outbox();
        if records.is_empty() {
            return;
        }
        records.truncate(MAX_PUSH_BATCH);
        let request = PushRequest {
            device: p.clock.device.clone(),
            records,
        };
        self.log
            .push(format!("phone {phone} pushes {}", request.records.len()));
        self.network.push(Message::Push { phone, request });
    }

    fn send_pull(&mut self, phone: usize) {
        let since = self.phones[phone].cursor;
        self.log
            .push(format!("phone {phone} pulls since {}", since.0));
        self.network.push(Message::Pull { phone, since });
    }

    /// Delivers a message: any one (`reorder`), or the oldest.
    async fn deliver_one(&mut self, reorder: bool) {
        if self.network.is_empty() {
            return;
        }
        let at = if reorder {
            self.rng.usize(..self.network.len())
        } else {
            0
        };
        let message = self.network.remove(at);
        if self.phones[message.phone()].partitioned {
            self.log
                .push(format!("lost to a partition: phone {}", message.phone()));
            return;
        }
        match message {
            Message::Push { phone, request } => {
                let session = self.phones[phone].session.clone();
                if reorder && self.rng.u8(..10) == 0 {
                    return self.crash_during_push(phone, &session, &request).await;
                }
                if let Some(response) = self.server.push(&session, &request).await {
                    self.network.push(Message::Pushed { phone, response });
                }
            }
            Message::Pull { phone, since } => {
                let session = self.phones[phone].session.clone();
                if let Some(page) = self.server.pull(&session, since).await {
                    self.network.push(Message::Pulled { phone, since, page });
                }
            }
            Message::Pushed { phone, response } => {
                self.log.push(format!(
                    "phone {phone} gets {} acks, {} refusals",
                    response.acks.len(),
                    response.rejected.len()
                ));
                self.phones[phone].apply_push(response, &mut self.acked);
            }
            Message::Pulled { phone, since, page } => {
                self.log.push(format!(
                    "phone {phone} gets {} changes to {}",
                    page.changes.len(),
                    page.cursor.0
                ));
                self.phones[phone].apply_pull(since, page);
            }
        }
    }

    /// The server process dies while a push is being handled: the request is cut off
    /// at a random point (its transaction commits or not), no answer leaves, and the
    /// server starts again on the same file.
    async fn crash_during_push(&mut self, phone: usize, session: &str, request: &PushRequest) {
        let cut_after = Duration::from_micros(self.rng.u64(0..4_000));
        let finished = tokio::time::timeout(cut_after, self.server.push(session, request)).await;
        self.log.push(format!(
            "server killed during phone {phone}'s push (it had {})",
            if finished.is_ok() {
                "finished"
            } else {
                "not finished"
            }
        ));
        self.restart_server().await;
    }

    fn drop_one(&mut self) {
        if !self.network.is_empty() {
            let at = self.rng.usize(..self.network.len());
            self.network.remove(at);
            self.log.push("a message is lost".into());
        }
    }

    fn duplicate_one(&mut self) {
        if !self.network.is_empty() {
            let at = self.rng.usize(..self.network.len());
            let copy = self.network[at].clone();
            self.network.push(copy);
            self.log.push("a message is duplicated".into());
        }
    }

    async fn crash_server(&mut self) {
        self.log.push("the server crashes".into());
        self.restart_server().await;
    }

    async fn restart_server(&mut self) {
        self.server.state.db.pool().close().await;
        self.server = Server::open(&self.path).await;
    }

    /// The phone's app is killed: answers on their way to it are lost (what it saved
    /// is durable: the app claims "saved" only after the journal has it).
    fn crash_phone(&mut self, phone: usize) {
        self.network
            .retain(|m| !(m.phone() == phone && m.is_answer()));
        self.log.push(format!("phone {phone} is killed"));
    }

    /// Ends every fault: partitions heal, messages in flight arrive, then every phone
    /// syncs in turn until nothing is left to push or pull.
    async fn heal(&mut self) {
        self.log.push("healing".into());
        for p in &mut self.phones {
            p.partitioned = false;
        }
        while !self.network.is_empty() {
            self.deliver_one(false).await;
        }
        for _ in 0..4 {
            for phone in 0..self.phones.len() {
                self.sync_fully(phone).await;
            }
        }
    }

    async fn sync_fully(&mut self, phone: usize) {
        for _ in 0..20 {
            self.send_push(phone);
            if self.network.is_empty() {
                break;
            }
            self.deliver_one(false).await;
            self.deliver_one(false).await;
        }
        for _ in 0..100 {
            let since = self.phones[phone].cursor;
            self.send_pull(phone);
            self.deliver_one(false).await;
            let more = matches!(self.network.first(), Some(Message::Pulled { page, .. }) if page.more && page.cursor > since);
            self.deliver_one(false).await;
            if !more {
                break;
            }
        }
    }

    /// The invariants, after healing.
    async fn check(&self, admin: &str) -> Result<(), String> {
        let everything = self.server.view(admin).await?;
        for (id, version) in &self.acked {
            match everything.get(id) {
                None => {
                    return Err(format!(
                        "acknowledged {id} at {version} is not on the server"
                    ))
                }
                Some(held) if held < version => {
                    return Err(format!(
                        "acknowledged {id} at {version}, the server holds {held}"
                    ))
                }
                Some(_) => {}
            }
        }
        for (n, phone) in self.phones.iter().enumerate() {
            let view = self.server.view(&phone.session).await?;
            let held: BTreeMap<Uuid, Hlc> = phone
                .held
                .records
                .iter()
                .map(|(id, l)| (*id, l.record.version.clone()))
                .collect();
            if held != view {
                return Err(format!(
                    "phone {n} holds {} records, the server shows its user {}; differing: {:?}",
                    held.len(),
                    view.len(),
                    differing(&held, &view)
                ));
            }
            if !phone.held.outbox().is_empty() || !phone.held.refusals.is_empty() {
                return Err(format!(
                    "phone {n} still has {} to push and {} refusals",
                    phone.held.outbox().len(),
                    phone.held.refusals.iter().count()
                ));
            }
            if let Some(l) = phone.held.records.values().find(|l| !l.synced) {
                return Err(format!("phone {n}: {} is not synced", l.record.id));
            }
        }
        // Every version a phone made, and every one the server acknowledged, is in the
        // history (fetched once per record).
        let mut made: BTreeMap<Uuid, Vec<&Hlc>> = BTreeMap::new();
        for (id, version) in self.made.iter().chain(&self.acked) {
            made.entry(*id).or_default().push(version);
        }
        for (id, versions) in made {
            let history = self.server.history(admin, id).await;
            if let Some(missing) = versions.iter().find(|v| !history.contains(v)) {
                return Err(format!("version {missing} of {id} is not in the history"));
            }
        }
        Ok(())
    }
}

fn differing(a: &BTreeMap<Uuid, Hlc>, b: &BTreeMap<Uuid, Hlc>) -> Vec<String> {
    let ids: BTreeSet<&Uuid> = a.keys().chain(b.keys()).collect();
    ids.into_iter()
        .filter(|id| a.get(id) != b.get(id))
        .take(5)
        .map(|id| format!("{id}: phone {:?} server {:?}", a.get(id), b.get(id)))
        .collect()
}
