//! Server processes on one database, as a province runs them behind a load balancer,
//! and phones syncing through any of them at random, concurrently: new
//! records, edits of their own, and volunteers added to duty sessions every phone
//! shares (concurrent edits of one record, merged per volunteer). In the end no record
//! is lost or duplicated, no volunteer added is missing (no edit overwrote another
//! unseen), both servers serve the same feed, every version pushed is in the history,
//! and every phone's view, built only from pulls after its cursor (each page from a
//! random server), equals the feed: the cursors skipped nothing. A third process is
//! killed (SIGKILL) while the phones sync; a phone whose request it dropped sends it
//! again through another, as a phone behind a balancer would, so a push the dead process
//! had stored comes back as a duplicate and is not stored twice.
//!
//! The processes are the real binary over real HTTP on loopback. The database is this
//! run's backend (`TestDatabase`): one SQLite file shared by both processes, or, under
//! `scripts/with-postgres.sh`, one PostgreSQL database.

mod common;

use std::collections::{BTreeMap, BTreeSet, HashMap};

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use common::remote::start;
use common::{record, session, set_note, team_record, TestDatabase, ADMIN_PASSWORD};
use gatewatch_model::account::LoginRequest;
use gatewatch_model::duty::{Approval, Participation};
use gatewatch_model::{
    Clock, DeviceId, Hlc, PullResponse, PushRequest, PushResponse, Record, RecordBody,
};
use gatewatch_server::db;
use uuid::Uuid;

const PHONES: usize = 6;
const ROUNDS: usize = 12;
/// Duty sessions every phone adds volunteers to (made by the first phone before the
/// others start), and their team.
const SHARED: u128 = 3;
const TEAM: u128 = 0x7ea4;
/// When the third server is killed: after this many pushes of all phones (of ~110).
const KILL_AFTER_PUSHES: usize = 25;
/// The whole test's bound: it takes seconds.
const DEADLINE: Duration = Duration::from_secs(180);

/// A phone: its clock, its session, what it pushed and what it has pulled.
struct Phone {
    device: DeviceId,
    clock: Clock,
    cookie: String,
    http: reqwest::Client,
    rng: fastrand::Rng,
    /// The newest version of each record it made, as it pushed it.
    own: BTreeMap<Uuid, Record>,
    /// Every version it pushed.
    pushed: Vec<Record>,
    /// The volunteers it added to shared sessions: (session, volunteer).
    added: Vec<(Uuid, Uuid)>,
    /// The feed as its pulls gave it: id → record.
    view: HashMap<Uuid, Record>,
    cursor: u64,
    /// Requests sent again because a server did not answer at all.
    unanswered: usize,
    /// Servers that did not answer: this phone leaves them out from then on, as a
    /// balancer's health check does.
    down: BTreeSet<String>,
    /// Pushes done by every phone, for the test to pick its moment to kill a server.
    pushes: Arc<AtomicUsize>,
}

impl Phone {
    async fn log_in(n: usize, servers: &[String], seed: u64, pushes: Arc<AtomicUsize>) -> Self {
        let device = DeviceId::new(format!("lbphone{n}")).unwrap();
        let mut rng = fastrand::Rng::with_seed(seed);
        let http = reqwest::Client::new();
        let login = LoginRequest {
            username: "admin".into(),
            password: ADMIN_PASSWORD.into(),
            device: device.clone(),
        };
        let answer = http
            .post(format!("{}/api/auth/login", pick(&mut rng, servers)))
            .header("x-gatewatch", "1")
            .json(&login)
            .send()
            .await
            .unwrap();
        assert!(answer.status().is_success(), "login: {}", answer.status());
        let cookie = answer
            .headers()
            .get_all(reqwest::header::SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find_map(|v| v.split(';').next().filter(|c| c.starts_with("gw_session=")))
            .expect("a session cookie")
            .to_owned();
        Self {
            clock: Clock::new(device.clone()),
            device,
            cookie,
            http,
            rng,
            own: BTreeMap::new(),
            pushed: Vec::new(),
            added: Vec::new(),
            view: HashMap::new(),
            cursor: 0,
            unanswered: 0,
            down: BTreeSet::new(),
            pushes,
        }
    }

    fn tick(&mut self) -> Hlc {
        self.clock.tick(now_ms())
    }

    /// A new check-in of this phone's.
    fn new_record(&mut self) -> Record {
        let mut r = record(0, 0);
        r.id = Uuid::new_v4();
        r.version = self.tick();
        set_note(&mut r, &format!("new on {}", self.device.as_str()));
        r
    }

    /// The next version of `held` (one of its check-ins) with a note saying who
    /// changed it.
    fn edit(&mut self, held: &Record) -> Record {
        let mut r = held.revised(self.tick(), held.body.clone());
        let text = format!("edited on {} at {}", self.device.as_str(), r.version);
        set_note(&mut r, &text);
        r
    }

    /// The next version of shared session `held` with one more volunteer.
    fn add_volunteer(&mut self, held: &Record) -> Record {
        let RecordBody::Duty(mut duty) = held.body.clone() else {
            panic!("not a duty session: {held:?}");
        };
        let volunteer = Uuid::new_v4();
        duty.participants.push(Participation {
            volunteer,
            joined: duty.start,
            left: None,
            substitute: false,
            approval: Approval::Pending,
        });
        self.added.push((held.id, volunteer));
        held.revised(self.tick(), RecordBody::Duty(duty))
    }

    /// Pushes `records` through a random server; every one must be taken.
    async fn push(&mut self, servers: &[String], records: Vec<Record>) {
        self.pushed.extend(records.iter().cloned());
        let request = PushRequest {
            device: self.device.clone(),
            records,
        };
        let answer: PushResponse = self
            .send(servers, |http, server| {
                http.post(format!("{server}/api/sync/push"))
                    .header("x-gatewatch", "1")
                    .json(&request)
            })
            .await;
        assert!(answer.rejected.is_empty(), "{:?}", answer.rejected);
        assert_eq!(answer.acks.len(), request.records.len());
        self.pushes.fetch_add(1, Ordering::Relaxed);
    }

    /// Sends the request `build` makes for a random server that has not failed this
    /// phone, with its session. A server that does not answer is left out and the
    /// request sent to another; a 503 (busy) is tried again. Anything else must be a
    /// 2xx: its JSON.
    async fn send<T: serde::de::DeserializeOwned>(
        &mut self,
        servers: &[String],
        build: impl Fn(&reqwest::Client, &str) -> reqwest::RequestBuilder,
    ) -> T {
        for _ in 0..10 {
            let up: Vec<String> = servers
                .iter()
                .filter(|s| !self.down.contains(*s))
                .cloned()
                .collect();
            assert!(
                !up.is_empty(),
                "{}: every server is down",
                self.device.as_str()
            );
            let server = pick(&mut self.rng, &up).to_owned();
            let sent = build(&self.http, &server)
                .header(reqwest::header::COOKIE, &self.cookie)
                .send()
                .await;
            match sent {
                Ok(answer) if answer.status() == reqwest::StatusCode::SERVICE_UNAVAILABLE => {
                    // Busy: a moment's pause, as a phone's backoff would.
                    tokio::time::sleep(Duration::from_millis(20)).await;
                }
                Ok(answer) => {
                    let status = answer.status();
                    let body = answer.text().await.unwrap();
                    assert!(status.is_success(), "{server}: {status} {body}");
                    return serde_json::from_str(&body).unwrap();
                }
                Err(_) => {
                    self.unanswered += 1;
                    self.down.insert(server);
                }
            }
        }
        panic!("no server answered {} in 10 tries", self.device.as_str());
    }

    /// Pulls after its cursor until nothing more, each page from a random server. Seqs
    /// must only grow, across pages and servers.
    async fn pull(&mut self, servers: &[String]) {
        loop {
            let since = self.cursor;
            let page: PullResponse = self
                .send(servers, |http, server| http.get(pull_uri(server, since)))
                .await;
            for change in page.changes {
                assert!(
                    change.seq.0 > self.cursor,
                    "{}: seq {} after cursor {}",
                    self.device.as_str(),
                    change.seq.0,
                    self.cursor
                );
                self.cursor = change.seq.0;
                // As a phone does: its clock moves past every version it has seen.
                self.clock.observe(&change.record.version, now_ms());
                self.view.insert(change.record.id, change.record);
            }
            assert!(page.cursor.0 >= self.cursor, "a cursor went back");
            self.cursor = page.cursor.0;
            if !page.more {
                return;
            }
        }
    }

    /// Rounds of work: new records, an edit of its own, sometimes an edit of a shared
    /// record as its view has it; a push and a pull after each, with pauses between.
    async fn work(mut self, servers: Vec<String>) -> Self {
        for _ in 0..ROUNDS {
            let mut batch: Vec<Record> = (0..self.rng.usize(1..=3))
                .map(|_| self.new_record())
                .collect();
            if !self.own.is_empty() && self.rng.bool() {
                let ids: Vec<Uuid> = self.own.keys().copied().collect();
                let held = self.own[&ids[self.rng.usize(..ids.len())]].clone();
                batch.push(self.edit(&held));
            }
            if self.rng.bool() {
                let shared = Uuid::from_u128(self.rng.u128(1..=SHARED));
                if let Some(held) = self.view.get(&shared).cloned() {
                    let edited = self.add_volunteer(&held);
                    self.push(&servers, vec![edited]).await;
                }
            }
            for r in &batch {
                self.own.insert(r.id, r.clone());
            }
            self.push(&servers, batch).await;
            tokio::time::sleep(Duration::from_millis(self.rng.u64(0..25))).await;
            self.pull(&servers).await;
        }
        self
    }
}

fn pick<'a>(rng: &mut fastrand::Rng, servers: &'a [String]) -> &'a str {
    &servers[rng.usize(..servers.len())]
}

fn now_ms() -> u64 {
    u64::try_from(Utc::now().timestamp_millis()).unwrap()
}

fn pull_uri(server: &str, since: u64) -> String {
    format!("{server}/api/sync/pull?since={since}&limit=40")
}

/// The whole feed from seq 0 through `server` alone: each id must come once.
async fn whole_feed(phone: &mut Phone, server: &str) -> BTreeMap<Uuid, Record> {
    let mut feed = BTreeMap::new();
    let mut since = 0;
    let only = [server.to_owned()];
    loop {
        let page: PullResponse = phone
            .send(&only, |http, server| http.get(pull_uri(server, since)))
            .await;
        for change in page.changes {
            let id = change.record.id;
            assert!(
                feed.insert(id, change.record).is_none(),
                "{id} twice in one read of the feed"
            );
        }
        since = page.cursor.0;
        if !page.more {
            return feed;
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn servers_on_one_database_lose_and_duplicate_nothing_even_when_one_dies() {
    let dir = tempfile::tempdir().unwrap();
    let database = TestDatabase::new(dir.path()).await;
    // All at once on a fresh database: one makes the schema and the admin, the others
    // wait for it and find them.
    let (a, b, mut doomed) = tokio::join!(
        start(&database.location, dir.path()),
        start(&database.location, dir.path()),
        start(&database.location, dir.path()),
    );
    let servers = vec![a.base.clone(), b.base.clone(), doomed.base.clone()];
    let survivors = vec![a.base.clone(), b.base.clone()];
    let seed = fastrand::u64(..);
    println!("seed {seed}");
    let pushes = Arc::new(AtomicUsize::new(0));

    tokio::time::timeout(DEADLINE, async {
        // The shared records, made through one server, pulled by every phone through
        // the other or the same.
        let mut first = Phone::log_in(0, &servers, seed, pushes.clone()).await;
        let team = Uuid::from_u128(TEAM);
        let start = (Utc::now() - chrono::Duration::hours(1))
            .with_timezone(&chrono::FixedOffset::east_opt(8 * 3600).unwrap())
            .to_rfc3339();
        let mut shared = vec![team_record(team, "护校队", "s01")];
        shared.extend((1..=SHARED).map(|n| session(n, team, &start, None, &[], Approval::Pending)));
        for r in &mut shared {
            r.version = first.tick();
        }
        first.push(&servers, shared).await;
        let mut phones = vec![first];
        for n in 1..PHONES {
            let seed = seed.wrapping_add(n as u64);
            phones.push(Phone::log_in(n, &servers, seed, pushes.clone()).await);
        }
        // Killed mid-run, whatever it is doing.
        let killer = tokio::spawn(async move {
            while pushes.load(Ordering::Relaxed) < KILL_AFTER_PUSHES {
                tokio::time::sleep(Duration::from_millis(2)).await;
            }
            doomed.process.kill().await.unwrap();
        });
        let mut working = Vec::new();
        for mut phone in phones {
            phone.pull(&servers).await;
            working.push(tokio::spawn(phone.work(servers.clone())));
        }
        let mut phones = Vec::new();
        for task in working {
            phones.push(task.await.expect("a phone's work"));
        }
        killer.await.unwrap();
        let retries: usize = phones.iter().map(|p| p.unanswered).sum();
        assert!(retries > 0, "no request met the killed server");

        // Both survivors serve one feed; each id in it once.
        let feed = whole_feed(&mut phones[0], &a.base).await;
        assert_eq!(
            feed,
            whole_feed(&mut phones[0], &b.base).await,
            "the servers disagree"
        );
        for phone in &mut phones {
            phone.pull(&survivors).await;
            // Nothing lost: the newest version of every record a phone made (nobody
            // else edits those).
            for (id, mine) in &phone.own {
                assert_eq!(
                    feed.get(id),
                    Some(mine),
                    "{id} of {}",
                    phone.device.as_str()
                );
            }
            // The cursors skipped nothing: what the pulls gave is the feed.
            assert_eq!(phone.view.len(), feed.len(), "{}", phone.device.as_str());
            for (id, held) in &feed {
                assert_eq!(
                    phone.view.get(id),
                    Some(held),
                    "{id} on {}",
                    phone.device.as_str()
                );
            }
        }
        let made: usize = phones.iter().map(|p| p.own.len()).sum();
        assert_eq!(feed.len(), made + SHARED as usize + 1);
        // No edit of a shared session overwrote another unseen: every volunteer any
        // phone added is in it.
        let added: Vec<(Uuid, Uuid)> = phones.iter().flat_map(|p| p.added.clone()).collect();
        assert!(added.len() >= PHONES, "too few shared edits to mean much");
        for (session, volunteer) in &added {
            let RecordBody::Duty(duty) = &feed[session].body else {
                panic!("{session} is not a duty session");
            };
            assert!(
                duty.participants.iter().any(|p| p.volunteer == *volunteer),
                "volunteer {volunteer} added to {session} was lost"
            );
        }
        let pushed: Vec<&Record> = phones.iter().flat_map(|p| &p.pushed).collect();

        // In the database: one row per record, every version pushed kept.
        let db = db::open(&database.location).await.unwrap();
        let rows: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM records")
            .fetch_one(db.pool())
            .await
            .unwrap();
        assert_eq!(rows, feed.len() as i64);
        let kept: BTreeSet<(String, String)> =
            sqlx::query_as("SELECT id, version FROM record_versions")
                .fetch_all(db.pool())
                .await
                .unwrap()
                .into_iter()
                .collect();
        for r in &pushed {
            assert!(
                kept.contains(&(r.id.to_string(), r.version.to_string())),
                "version {} of {} is not in the history",
                r.version,
                r.id
            );
        }
        let last: i64 = sqlx::query_scalar("SELECT last_seq FROM feed WHERE id = 1")
            .fetch_one(db.pool())
            .await
            .unwrap();
        for phone in &phones {
            assert_eq!(phone.cursor, last as u64, "{}", phone.device.as_str());
        }
        db.close().await;
        println!(
            "{} records, {} versions pushed through 3 servers (one killed after \
             {KILL_AFTER_PUSHES} pushes) by {PHONES} phones; {retries} requests sent again",
            feed.len(),
            pushed.len()
        );
    })
    .await
    .expect("servers on one database: over the deadline");
}
