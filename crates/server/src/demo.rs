//! The demo city (`make run`, demo mode only): on a fresh demo database, the demo
//! schools get districts and a first counted day, the national calendars of the years
//! shown are loaded, the demo officers get a roster from three weeks ago to two weeks
//! ahead, and three weeks of plausible history — mostly covered, some late, a few
//! partial and missed, with departures, now and then a colleague instead — is pushed
//! through the real push path as those officers, from device `demodata` with the note
//! 演示数据, so a newcomer sees a meaningful 落实率 and heatmap on first start.
//!
//! Seeded once, relative to the server's clock at that start: a database that holds
//! any record from device `demodata` is left alone, and every record has an id made
//! from its slot, so even two processes starting together store each once.

use std::collections::BTreeMap;

use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};
use gatewatch_model::calendar::Calendar;
use gatewatch_model::coverage::counted_windows;
use gatewatch_model::quota::PushLimits;
use gatewatch_model::roster::Assignment;
use gatewatch_model::school::{School, WindowOnDay};
use gatewatch_model::{
    CheckIn, CheckInEvent, DeviceId, Hlc, Post, Presence, PushRequest, Record, RecordBody,
};
use uuid::Uuid;

use crate::auth::SchoolScope;
use crate::db::Db;
use crate::error::AppError;
use crate::{accounts, calendar, catalog, feed, roster};

/// The device the demo history is pushed from: marks it as demo.
pub const DEMO_DEVICE: &str = "demodata";
/// The note on every demo check-in.
pub const DEMO_NOTE: &str = "演示数据";
/// Days of history before the first start's day, and days of roster after it.
const HISTORY_DAYS: i64 = 21;
const ROSTER_AHEAD_DAYS: i64 = 14;

/// The demo officers (username, display name, the demo schools they serve); their
/// logins are made with the other demo logins (`accounts::bootstrap`).
pub const DEMO_OFFICERS: [(&str, &str, &[&str]); 6] = [
    ("zhang.wei", "张伟", &["s01"]),
    ("li.na", "李娜", &["s01"]),
    ("wang.qiang", "王强", &["s02"]),
    ("zhao.lei", "赵磊", &["s03"]),
    ("chen.jing", "陈静", &["s04"]),
    ("liu.yang", "刘洋", &["s01", "s02", "s03", "s04"]),
];

/// Each demo gate's own officer and car; `liu.yang` stands in now and then.
const GATE_OFFICERS: [(&str, &str, &str); 5] = [
    ("s01-g1", "zhang.wei", "苏A·J1201"),
    ("s01-g2", "li.na", "苏A·J1202"),
    ("s02-g1", "wang.qiang", "苏A·J1301"),
    ("s03-g1", "zhao.lei", "苏A·J1401"),
    ("s04-g1", "chen.jing", "苏A·J1501"),
];
const STAND_IN: &str = "liu.yang";

/// The demo schools' districts (区).
const DISTRICTS: [(&str, &str); 4] = [
    ("s01", "玄武区"),
    ("s02", "鼓楼区"),
    ("s03", "玄武区"),
    ("s04", "鼓楼区"),
];

/// Seeds the demo city unless it is there already (or the demo schools are not: an
/// admin's own catalog came first). Says whether it did.
pub async fn seed_city(db: &Db, now: DateTime<Utc>) -> Result<bool, AppError> {
    let seeded: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM records WHERE device = $1")
        .bind(DEMO_DEVICE)
        .fetch_one(db.pool())
        .await?;
    let people = demo_people(db).await?;
    if seeded > 0 || people.len() < GATE_OFFICERS.len() + 1 {
        return Ok(false);
    }
    let Some(admin) = accounts::by_username(db, "admin").await?.map(|(u, _)| u.id) else {
        return Ok(false);
    };
    let today = roster::today(now);
    let first = today - Duration::days(HISTORY_DAYS);
    let last = today + Duration::days(ROSTER_AHEAD_DAYS);
    for year in first.year()..=last.year() {
        calendar::import_national(db, year, now).await?;
    }
    place_schools(db, first).await?;
    let schools = catalog::schools(db).await?;
    let posts = catalog::posts(db).await?;
    let calendar = Calendar::new(calendar::entries_for(db, &SchoolScope::All).await?);
    let slots = due_slots(&calendar, &schools, &posts, first, last);
    let assignments: Vec<Assignment> = slots.iter().filter_map(|s| s.assignment(&people)).collect();
    roster::seed_demo(db, assignments, (admin, now)).await?;
    let mut by_officer: BTreeMap<Uuid, Vec<Record>> = BTreeMap::new();
    for slot in slots.iter().filter(|s| s.window.closes.to_utc() < now) {
        for (who, record) in slot.history(&people)? {
            by_officer.entry(who).or_default().push(record);
        }
    }
    push_as_officers(db, by_officer, now).await?;
    Ok(true)
}

/// The demo officers and stand-in by username, with their ids.
async fn demo_people(db: &Db) -> Result<BTreeMap<&'static str, Uuid>, AppError> {
    let mut people = BTreeMap::new();
    for (username, _, _) in DEMO_OFFICERS {
        if let Some((user, _)) = accounts::by_username(db, username).await? {
            people.insert(username, user.id);
        }
    }
    Ok(people)
}

/// Gives the demo schools their districts and counts them from the history's first day.
async fn place_schools(db: &Db, first: NaiveDate) -> Result<(), AppError> {
    let mut tx = db.begin_write().await?;
    for (school, district) in DISTRICTS {
        sqlx::query("UPDATE schools SET district = $1, counted_from = $2 WHERE id = $3")
            .bind(district)
            .bind(first.format("%Y-%m-%d").to_string())
            .bind(school)
            .execute(&mut *tx)
            .await?;
    }
    tx.commit().await?;
    Ok(())
}

/// One due window of one demo gate.
struct DemoSlot {
    post_id: String,
    window: WindowOnDay,
    /// The day (from the common era), gate and window, as `day * 64 + gate * 4 +
    /// window`: what the pseudo-random rolls are fixed by.
    seed: u64,
}

fn due_slots(
    calendar: &Calendar,
    schools: &[School],
    posts: &[Post],
    first: NaiveDate,
    last: NaiveDate,
) -> Vec<DemoSlot> {
    let mut slots = Vec::new();
    for date in first.iter_days().take_while(|d| *d <= last) {
        for (g, (post_id, _, _)) in GATE_OFFICERS.iter().enumerate() {
            let Some(post) = posts.iter().find(|p| p.id == *post_id) else {
                continue;
            };
            let Some(school) = schools.iter().find(|s| s.id == post.school_id) else {
                continue;
            };
            for (k, counted) in counted_windows(calendar, school, date)
                .into_iter()
                .enumerate()
            {
                let day = u64::from(date.num_days_from_ce().unsigned_abs());
                slots.push(DemoSlot {
                    post_id: post.id.clone(),
                    window: counted.window,
                    seed: day * 64 + g as u64 * 4 + k as u64,
                });
            }
        }
    }
    slots
}

/// A number in `0..n` fixed by `seed` and `salt` (SplitMix64): the same demo city on
/// every machine.
fn roll(seed: u64, salt: u64, n: u64) -> u64 {
    let mut z = seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) ^ salt.wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    (z ^ (z >> 31)) % n
}

/// What happened at a slot, as the history makes it (out of 100): mostly covered.
enum Outcome {
    Covered,
    Late,
    LeftEarly,
    NoLights,
    Missed,
    StandIn,
}

impl DemoSlot {
    fn gate(&self) -> Option<&'static (&'static str, &'static str, &'static str)> {
        GATE_OFFICERS
            .iter()
            .find(|(post, _, _)| *post == self.post_id)
    }

    /// Its assignment: the gate's officer, or on one day-window in seven the stand-in
    /// at one of the gates (never two: one officer, one slot of a date × window).
    fn assignment(&self, people: &BTreeMap<&str, Uuid>) -> Option<Assignment> {
        let (_, officer, car) = self.gate()?;
        let (day, gate, window) = (self.seed / 64, (self.seed % 64) / 4, self.seed % 4);
        let stands_in_at = roll(day * 4 + window, 1, 7 * GATE_OFFICERS.len() as u64);
        let username = if stands_in_at == gate {
            STAND_IN
        } else {
            officer
        };
        Some(Assignment {
            post_id: self.post_id.clone(),
            date: self.window.date,
            window: self.window.kind,
            officer: *people.get(username)?,
            car: Some((*car).to_owned()),
        })
    }

    fn outcome(&self) -> Outcome {
        match roll(self.seed, 2, 100) {
            0..=79 => Outcome::Covered,
            80..=87 => Outcome::Late,
            88..=91 => Outcome::LeftEarly,
            92..=93 => Outcome::NoLights,
            94..=96 => Outcome::Missed,
            _ => Outcome::StandIn,
        }
    }

    /// The check-ins of this slot by whom they are pushed as.
    fn history(&self, people: &BTreeMap<&str, Uuid>) -> Result<Vec<(Uuid, Record)>, AppError> {
        let Some(assigned) = self.assignment(people) else {
            return Ok(Vec::new());
        };
        let w = &self.window;
        let minutes = |salt, n| Duration::minutes(roll(self.seed, salt, n) as i64);
        let on_time = w.due - Duration::minutes(2) - minutes(3, 20);
        let after_close = w.closes + Duration::minutes(1) + minutes(4, 15);
        let (who, arrived, left, flags) = match self.outcome() {
            Outcome::Covered => (assigned.officer, on_time, after_close, 7),
            Outcome::Late => (
                assigned.officer,
                w.due + Duration::minutes(3) + minutes(5, 15),
                after_close,
                7,
            ),
            Outcome::LeftEarly => (
                assigned.officer,
                on_time,
                w.closes - Duration::minutes(8) - minutes(6, 15),
                7,
            ),
            Outcome::NoLights => (assigned.officer, on_time, after_close, 3),
            Outcome::Missed => return Ok(Vec::new()),
            Outcome::StandIn => {
                let other = people
                    .get(STAND_IN)
                    .copied()
                    .filter(|id| *id != assigned.officer)
                    .unwrap_or(assigned.officer);
                (other, on_time, after_close, 7)
            }
        };
        let check =
            |n: u8, event, at: DateTime<chrono::FixedOffset>, flags| -> Result<Record, AppError> {
                let device =
                    DeviceId::new(DEMO_DEVICE).map_err(|e| AppError::Internal(Box::new(e)))?;
                let wall_ms = u64::try_from(at.timestamp_millis()).unwrap_or(0);
                Ok(Record::new(
                    Uuid::from_u128(u128::from(self.seed) << 8 | u128::from(n) | 0xd3d0 << 112),
                    Hlc {
                        wall_ms,
                        counter: 0,
                        device,
                    },
                    RecordBody::CheckIn(CheckIn {
                        post_id: self.post_id.clone(),
                        event,
                        presence: Presence::from_bits(flags),
                        note: DEMO_NOTE.to_owned(),
                        officer_name: String::new(),
                        device_time: at,
                        gate_code: None,
                        position: None,
                    }),
                ))
            };
        Ok(vec![
            (who, check(1, CheckInEvent::Arrival, arrived, flags)?),
            (who, check(2, CheckInEvent::Departure, left, 0)?),
        ])
    }
}

/// Pushes each officer's records as that officer (the author the reports name).
async fn push_as_officers(
    db: &Db,
    by_officer: BTreeMap<Uuid, Vec<Record>>,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    let device = DeviceId::new(DEMO_DEVICE).map_err(|e| AppError::Internal(Box::new(e)))?;
    // The demo history is no one's day of pushing: not charged to their daily limit.
    let unlimited = PushLimits {
        records_per_day: u64::MAX,
        bytes_per_day: u64::MAX,
    };
    for (officer, records) in by_officer {
        let mut conn = db.pool().acquire().await?;
        let Some(user) = accounts::get(&mut conn, officer).await? else {
            continue;
        };
        drop(conn);
        let principal = user.profile().principal();
        for batch in records.chunks(gatewatch_model::MAX_PUSH_BATCH) {
            let request = PushRequest {
                device: device.clone(),
                records: batch.to_vec(),
            };
            let pushed = feed::push(db, &request, &principal, unlimited, now).await?;
            if let Some(refused) = pushed.rejected.first() {
                return Err(AppError::Internal(
                    format!(
                        "demo history refused: {:?} {}",
                        refused.code, refused.reason
                    )
                    .into(),
                ));
            }
        }
    }
    Ok(())
}
