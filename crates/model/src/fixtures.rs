//! Generated data for benchmarks (feature `fixtures`): one city-year of schools and
//! arrivals, and a city's volunteer teams with months of duty sessions, from fixed
//! pseudo-random sequences, the same on every machine and target.

use chrono::{DateTime, Duration, FixedOffset, NaiveDate, TimeZone, Utc};
use uuid::Uuid;

use crate::coverage::Arrival;
use crate::duty::{Activity, Approval, DutySession, Participation};
use crate::hlc::{DeviceId, Hlc};
use crate::record::{Presence, Record, RecordBody};
use crate::report::Month;
use crate::school::{default_windows, School, DEFAULT_UTC_OFFSET_MINUTES};
use crate::team::{MemberStatus, Role, Team, Volunteer};

/// Schools in the city the targets are written for.
pub const SCHOOLS: usize = 288;
/// One year of school days (every day counts, to be safe).
pub const DAYS: i64 = 365;

pub struct CityYear {
    pub schools: Vec<School>,
    pub arrivals: Vec<Arrival>,
    pub first: NaiveDate,
    pub last: NaiveDate,
    /// The day after the last: every window decided.
    pub now: DateTime<Utc>,
}

impl CityYear {
    pub fn new() -> Self {
        let schools: Vec<School> = (0..SCHOOLS)
            .map(|i| School {
                id: format!("s{i:03}"),
                name: format!("学校{i}"),
                windows: default_windows(),
                lead_minutes: 15,
                utc_offset_minutes: DEFAULT_UTC_OFFSET_MINUTES,
                district: String::new(),
                counted_from: None,
            })
            .collect();
        let first = NaiveDate::from_ymd_opt(2026, 1, 1).unwrap_or_default();
        let last = first + Duration::days(DAYS - 1);
        let arrivals = city_year(&schools, first);
        let midnight = (last + Duration::days(1)).and_time(chrono::NaiveTime::MIN);
        let now = Utc.from_utc_datetime(&midnight);
        Self {
            schools,
            arrivals,
            first,
            last,
            now,
        }
    }
}

impl Default for CityYear {
    fn default() -> Self {
        Self::new()
    }
}

/// One arrival per window, spread over the 90 minutes before it opens, with a few
/// missing flags and missed windows, from a fixed pseudo-random sequence.
fn city_year(schools: &[School], first: NaiveDate) -> Vec<Arrival> {
    let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    let mut out = Vec::new();
    for school in schools {
        for d in 0..DAYS {
            for window in school.windows_on(first + Duration::days(d)) {
                let r = next();
                if r % 20 == 0 {
                    continue; // missed
                }
                out.push(Arrival {
                    place: school.id.clone(),
                    at: window.opens - Duration::minutes((r % 90) as i64),
                    presence: Presence::from_bits(if r % 13 == 0 { 3 } else { 7 }),
                });
            }
        }
    }
    out
}

/// Volunteer teams of the city the duty report's target is written for.
pub const TEAMS: usize = 273;
/// Volunteers on those teams' rosters (about 40 a team).
pub const VOLUNTEERS: usize = 10_827;
/// Sessions a team runs in a month. An assumption (there are no real figures yet):
/// about one a school day, each with most of the team's ~40 members.
pub const SESSIONS_PER_TEAM_MONTH: usize = 20;

/// How big a generated duty city is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DutyCitySize {
    pub teams: usize,
    pub volunteers: usize,
    pub sessions_per_team_month: usize,
    /// Months of sessions, ending with the `last` month given to `DutyCity::new`.
    pub months: usize,
}

impl DutyCitySize {
    /// The target city: 273 teams, 10,827 volunteers, 20 sessions a team a month, three
    /// months (5,460 sessions a month of ~39 participants each).
    pub const CITY: DutyCitySize = DutyCitySize {
        teams: TEAMS,
        volunteers: VOLUNTEERS,
        sessions_per_team_month: SESSIONS_PER_TEAM_MONTH,
        months: 3,
    };
}

/// A city's volunteer teams as records, the newest version of each, as a server holds
/// them: teams (one per school, school ids as `CityYear`'s), their rosters, and months
/// of duty sessions. Each session has its team's active members on it (about 2 % absent;
/// in one session of four one or two substitutes from other teams), some arrive late or leave early; the lead has
/// approved most hours of past months, rejected a few and left some pending; about one
/// session in 100 was left open (never ended) and one in 80 was voided.
#[derive(Debug, Clone)]
pub struct DutyCity {
    pub teams: Vec<Record>,
    pub volunteers: Vec<Record>,
    /// Oldest month first.
    pub sessions: Vec<Record>,
    /// The months the sessions fall in (by their start), oldest first.
    pub months: Vec<Month>,
}

const BEIJING: FixedOffset = match FixedOffset::east_opt(DEFAULT_UTC_OFFSET_MINUTES * 60) {
    Some(offset) => offset,
    None => panic!("UTC+8 is a valid offset"),
};

/// Ids of generated records: kind in the top bits, then a number (never nil).
fn fixture_id(kind: u128, n: usize) -> Uuid {
    Uuid::from_u128((0x6a7e_0000 + kind) << 96 | (n as u128 + 1))
}

/// A fixed pseudo-random sequence (xorshift64), the same on every machine and target.
struct Xorshift(u64);

impl Xorshift {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    /// One in `n` times.
    fn one_in(&mut self, n: u64) -> bool {
        self.next().is_multiple_of(n)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

const SURNAMES: [&str; 20] = [
    "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡", "郭",
    "何", "林", "罗", "高",
];
const GIVEN: [&str; 24] = [
    "芳", "伟", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明",
    "超", "秀英", "霞", "平", "刚", "桂英", "建华", "志强",
];

impl DutyCity {
    /// The city of `size`, its sessions in the `size.months` months up to `last`.
    pub fn new(size: DutyCitySize, last: Month) -> Self {
        let mut rng = Xorshift(0x2545_f491_4f6c_dd1d);
        let months = last.last(size.months);
        let first_day = months
            .first()
            .and_then(|m| NaiveDate::from_ymd_opt(m.year, m.month, 1))
            .unwrap_or_default();
        let local = |date: NaiveDate, minutes: i64| {
            let midnight = date.and_time(chrono::NaiveTime::MIN);
            BEIJING
                .from_local_datetime(&midnight)
                .single()
                .unwrap_or_default()
                + Duration::minutes(minutes)
        };
        // Rosters were made before the first month's sessions.
        let made = local(first_day - Duration::days(30), 9 * 60);
        let record = |id: Uuid, team: usize, at: DateTime<FixedOffset>, body: RecordBody| {
            let device = DeviceId::new(format!("lead{team}")).unwrap_or_else(|_| device_zero());
            let version = Hlc {
                wall_ms: u64::try_from(at.timestamp_millis()).unwrap_or(0),
                counter: 0,
                device,
            };
            Record::new(id, version, body)
        };

        let teams: Vec<Record> = (0..size.teams)
            .map(|t| {
                let body = RecordBody::Team(Team {
                    school_id: format!("s{:03}", t % SCHOOLS),
                    name: format!("学校{t}护学队"),
                    device_time: made,
                });
                record(fixture_id(1, t), t, made, body)
            })
            .collect();

        // Volunteer v is on team v % teams: rosters of equal size, give or take one.
        let mut roster: Vec<Vec<usize>> = vec![Vec::new(); size.teams.max(1)];
        let volunteers: Vec<Record> = (0..size.volunteers)
            .map(|v| {
                let t = v % size.teams.max(1);
                let rank = roster[t].len();
                roster[t].push(v);
                let name = format!(
                    "{}{}",
                    SURNAMES[v % SURNAMES.len()],
                    GIVEN[(v / SURNAMES.len()) % GIVEN.len()]
                );
                let status = match rng.below(100) {
                    0 => MemberStatus::Left,
                    1..=2 => MemberStatus::Paused,
                    _ => MemberStatus::Active,
                };
                let body = RecordBody::Volunteer(Volunteer {
                    team: fixture_id(1, t),
                    name,
                    phone: format!("13{:09}", (v as u64 * 7_919_113 + 1_234) % 1_000_000_000),
                    role: match rank {
                        0 => Role::Lead,
                        1 => Role::Deputy,
                        _ => Role::Member,
                    },
                    joined: first_day - Duration::days(30 + (v % 300) as i64),
                    status,
                    device_time: made,
                });
                record(fixture_id(2, v), t, made, body)
            })
            .collect();
        let active: Vec<bool> = volunteers
            .iter()
            .map(|r| matches!(&r.body, RecordBody::Volunteer(v) if v.on_roster()))
            .collect();

        let mut sessions = Vec::new();
        for (m, month) in months.iter().enumerate() {
            let Some(first) = NaiveDate::from_ymd_opt(month.year, month.month, 1) else {
                continue;
            };
            // The newest month is the one leads are still approving.
            let approving = m + 1 == months.len();
            for (t, members) in roster.iter().enumerate().take(size.teams) {
                for k in 0..size.sessions_per_team_month {
                    let day = first
                        + Duration::days((k * 28 / size.sessions_per_team_month.max(1)) as i64);
                    // Mornings at the gate, afternoons for patrols and talks.
                    let start_minutes =
                        if k % 2 == 0 { 7 * 60 } else { 16 * 60 } as i64 + rng.below(4) as i64 * 5;
                    let start = local(day, start_minutes);
                    let length = Duration::minutes(60 + rng.below(5) as i64 * 15);
                    let (activity, audience) = match rng.below(10) {
                        0..=4 => (Activity::Patrol, 0),
                        5 => (Activity::AntiFraud, 50 + rng.below(250) as u32),
                        6 => (Activity::Traffic, 0),
                        7..=8 => (Activity::GateSupport, 0),
                        _ => (Activity::Other, 0),
                    };
                    let open = rng.one_in(100);
                    let voided = !open && rng.one_in(80);
                    // What the lead did with the hours: all approved, all pending, or
                    // approved with a few rejected.
                    let decision = if open || voided {
                        0
                    } else if approving {
                        rng.below(3)
                    } else {
                        [1, 1, 1, 1, 1, 1, 1, 2, 2, 0][rng.below(10) as usize]
                    };
                    let mut participants: Vec<(usize, bool)> = members
                        .iter()
                        .filter(|v| active[**v])
                        .filter(|_| !rng.one_in(50))
                        .map(|v| (*v, false))
                        .collect();
                    if rng.one_in(4) && size.volunteers > 0 {
                        for _ in 0..1 + rng.below(2) {
                            let stand_in = rng.below(size.volunteers as u64) as usize;
                            // Not on the starting roster: another team's, or paused.
                            if !participants.iter().any(|(v, _)| *v == stand_in) {
                                participants.push((stand_in, true));
                            }
                        }
                    }
                    let participants = participants
                        .into_iter()
                        .map(|(v, substitute)| {
                            let late = if rng.one_in(8) {
                                Duration::minutes(5 + rng.below(20) as i64)
                            } else {
                                Duration::zero()
                            };
                            // Leaving early, but after coming.
                            let left = rng.one_in(20).then(|| {
                                let early = Duration::minutes(15 + rng.below(30) as i64);
                                (start + length - early).max(start + late + Duration::minutes(10))
                            });
                            let approval = match decision {
                                1 => Approval::Approved,
                                2 if rng.one_in(30) => Approval::Rejected,
                                2 => Approval::Approved,
                                _ => Approval::Pending,
                            };
                            Participation {
                                volunteer: fixture_id(2, v),
                                joined: start + late,
                                left,
                                substitute,
                                approval,
                            }
                        })
                        .collect();
                    let session = DutySession {
                        team: fixture_id(1, t),
                        activity,
                        audience,
                        post_id: if activity == Activity::GateSupport {
                            format!("s{:03}-g1", t % SCHOOLS)
                        } else {
                            String::new()
                        },
                        place: if activity == Activity::Patrol {
                            "校园周边".to_owned()
                        } else {
                            String::new()
                        },
                        start,
                        end: (!open).then_some(start + length),
                        participants,
                        note: String::new(),
                        device_time: start,
                    };
                    let n = sessions.len();
                    let mut r = record(
                        fixture_id(3, n),
                        t,
                        start + length,
                        RecordBody::Duty(session),
                    );
                    if voided {
                        r = r.voided(
                            Hlc {
                                wall_ms: r.version.wall_ms + 60_000,
                                ..r.version.clone()
                            },
                            "重复录入".to_owned(),
                        );
                    }
                    sessions.push(r);
                }
            }
        }
        Self {
            teams,
            volunteers,
            sessions,
            months,
        }
    }

    /// Every record: teams, then volunteers, then sessions.
    pub fn records(&self) -> impl Iterator<Item = &Record> {
        self.teams
            .iter()
            .chain(&self.volunteers)
            .chain(&self.sessions)
    }
}

fn device_zero() -> DeviceId {
    DeviceId::from_random([0; 16])
}
