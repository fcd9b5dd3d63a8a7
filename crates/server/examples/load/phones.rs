//! Simulated phones against a real server over HTTP on loopback, as in a morning peak:
//! each logs in once as its own officer, pulls, pushes a few check-ins one at a time (a
//! sync after each tap) and pulls again. Every request's time and outcome is kept.
//! Shared by `load_bench` (500 and 2,000 phones) and the server tests' small run
//! (`tests/load.rs`), which include this file by path.

use std::time::{Duration, Instant};

use chrono::Utc;
use gatewatch_model::{
    CheckIn, CheckInEvent, Clock, DeviceId, Presence, PullResponse, PushRequest, PushResponse,
    Record, RecordBody,
};
use uuid::Uuid;

/// Check-ins each phone pushes, one per sync.
pub const CHECK_INS: usize = 3;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Call {
    Login,
    Pull,
    Push,
}

/// One request: what it was, how long it took, and its failure if it failed.
#[derive(Debug)]
pub struct Outcome {
    pub call: Call,
    pub took: Duration,
    pub error: Option<String>,
}

/// How the phones arrive: all at once, or each at a random moment of a window.
#[derive(Debug, Clone, Copy)]
pub struct Arrival {
    pub spread: Duration,
    pub seed: u64,
}

/// Runs `phones` phones (officers `officer0`… with `password`, from
/// `process::add_officers`) against `base`; every request's outcome.
pub async fn run(base: &str, phones: usize, password: &str, arrival: Arrival) -> Vec<Outcome> {
    let mut rng = fastrand::Rng::with_seed(arrival.seed);
    let spread_ms = u64::try_from(arrival.spread.as_millis()).unwrap_or(u64::MAX);
    let tasks: Vec<_> = (0..phones)
        .map(|n| {
            let delay = Duration::from_millis(rng.u64(..=spread_ms));
            let base = base.to_owned();
            let password = password.to_owned();
            tokio::spawn(async move {
                tokio::time::sleep(delay).await;
                phone(&base, n, &password).await
            })
        })
        .collect();
    let mut outcomes = Vec::new();
    for task in tasks {
        match task.await {
            Ok(mine) => outcomes.extend(mine),
            Err(e) => outcomes.push(Outcome {
                call: Call::Login,
                took: Duration::ZERO,
                error: Some(format!("the phone's task failed: {e}")),
            }),
        }
    }
    outcomes
}

/// One phone's morning: log in, pull, push `CHECK_INS` check-ins one by one, pull.
/// Stops at its first failure (a phone would retry later; here it counts as an error).
async fn phone(base: &str, n: usize, password: &str) -> Vec<Outcome> {
    let device = DeviceId::new(format!("loadphone{n}")).unwrap_or_else(|_| unreachable!());
    let mut clock = Clock::new(device.clone());
    // Each phone its own client: its own connection, as separate phones have.
    let http = reqwest::Client::new();
    let mut outcomes = Vec::new();
    let login = serde_json::json!({
        "username": format!("officer{n}"), "password": password, "device": device.as_str(),
    });
    let started = Instant::now();
    let answer = http
        .post(format!("{base}/api/auth/login"))
        .header("x-gatewatch", "1")
        .json(&login)
        .send()
        .await;
    let cookie = match answer {
        Ok(a) if a.status().is_success() => a
            .headers()
            .get_all(reqwest::header::SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok()?.split(';').next())
            .find(|c| c.starts_with("gw_session="))
            .map(str::to_owned),
        Ok(a) => {
            outcomes.push(failed(Call::Login, started, format!("{}", a.status())));
            return outcomes;
        }
        Err(e) => {
            outcomes.push(failed(Call::Login, started, e.to_string()));
            return outcomes;
        }
    };
    let Some(cookie) = cookie else {
        outcomes.push(failed(Call::Login, started, "no session cookie".into()));
        return outcomes;
    };
    outcomes.push(ok(Call::Login, started));
    // The phones share out the demo schools' gates.
    let post = format!("s0{}-g1", n % 4 + 1);
    let mut cursor = 0;
    let mut steps = vec![Call::Pull];
    steps.extend([Call::Push; CHECK_INS]);
    steps.push(Call::Pull);
    for step in steps {
        let started = Instant::now();
        let request = match step {
            Call::Push => {
                let now = Utc::now();
                let version = clock.tick(u64::try_from(now.timestamp_millis()).unwrap_or(0));
                let record = Record::new(Uuid::new_v4(), version, check_in(&post, now));
                let push = PushRequest {
                    device: device.clone(),
                    records: vec![record],
                };
                http.post(format!("{base}/api/sync/push")).json(&push)
            }
            _ => http.get(format!("{base}/api/sync/pull?since={cursor}")),
        };
        let answer = request
            .header("cookie", &cookie)
            .header("x-gatewatch", "1")
            .send()
            .await;
        let outcome = match answer {
            Ok(a) if a.status().is_success() => match step {
                Call::Push => match a.json::<PushResponse>().await {
                    Ok(pushed) if pushed.acks.len() == 1 => ok(step, started),
                    Ok(pushed) => failed(step, started, format!("{:?}", pushed.rejected)),
                    Err(e) => failed(step, started, e.to_string()),
                },
                _ => match a.json::<PullResponse>().await {
                    Ok(page) => {
                        cursor = page.cursor.0;
                        ok(step, started)
                    }
                    Err(e) => failed(step, started, e.to_string()),
                },
            },
            Ok(a) => failed(step, started, format!("{}", a.status())),
            Err(e) => failed(step, started, e.to_string()),
        };
        let stop = outcome.error.is_some();
        outcomes.push(outcome);
        if stop {
            break;
        }
    }
    outcomes
}

fn ok(call: Call, started: Instant) -> Outcome {
    Outcome {
        call,
        took: started.elapsed(),
        error: None,
    }
}

fn failed(call: Call, started: Instant, error: String) -> Outcome {
    Outcome {
        call,
        took: started.elapsed(),
        error: Some(error),
    }
}

/// An arrival at `post`, as the check-in screen makes it.
pub fn check_in(post: &str, now: chrono::DateTime<Utc>) -> RecordBody {
    RecordBody::CheckIn(CheckIn {
        post_id: post.into(),
        event: CheckInEvent::Arrival,
        presence: Presence {
            officer: true,
            car: true,
            lights: true,
        },
        note: String::new(),
        officer_name: "张警官".into(),
        device_time: now.fixed_offset(),
        gate_code: None,
        position: None,
    })
}
