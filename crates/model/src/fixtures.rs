//! Generated data for benchmarks (feature `fixtures`): one city-year of schools, a
//! calendar, a duty roster and check-ins, and a city's volunteer teams with months of
//! duty sessions, from fixed pseudo-random sequences, the same on every machine and
//! target.

use chrono::{DateTime, Duration, FixedOffset, NaiveDate, TimeZone, Utc};
use uuid::Uuid;

use crate::calendar::{Calendar, CalendarEntry, DayRule, EntryScope};
use crate::coverage::{counted_windows, Check};
use crate::duty::{Activity, Approval, DutySession, Participation};
use crate::hlc::{DeviceId, Hlc};
use crate::post::Post;
use crate::record::{CheckInEvent, Presence, Record, RecordBody};
use crate::report::Month;
use crate::roster::Assignment;
use crate::school::{default_windows, School, DEFAULT_UTC_OFFSET_MINUTES};
use crate::team::{MemberStatus, Role, Team, Volunteer};

/// Schools in the city the targets are written for (one gate each).
pub const SCHOOLS: usize = 288;
/// The calendar year generated (2026), in days.
pub const DAYS: i64 = 365;

/// The 2026 national holidays and make-up working days (国务院办公厅, 国办发明电〔2025〕7号),
/// as the shipped national calendar has them.
const NATIONAL_2026: [(&str, &str, DayRule, &str); 13] = [
    ("2026-01-01", "2026-01-03", DayRule::Off, "元旦"),
    ("2026-01-04", "2026-01-04", DayRule::On, "元旦调休"),
    ("2026-02-14", "2026-02-14", DayRule::On, "春节调休"),
    ("2026-02-15", "2026-02-23", DayRule::Off, "春节"),
    ("2026-02-28", "2026-02-28", DayRule::On, "春节调休"),
    ("2026-04-04", "2026-04-06", DayRule::Off, "清明节"),
    ("2026-05-01", "2026-05-05", DayRule::Off, "劳动节"),
    ("2026-05-09", "2026-05-09", DayRule::On, "劳动节调休"),
    ("2026-06-19", "2026-06-21", DayRule::Off, "端午节"),
    ("2026-09-20", "2026-09-20", DayRule::On, "国庆节调休"),
    ("2026-09-25", "2026-09-27", DayRule::Off, "中秋节"),
    ("2026-10-01", "2026-10-07", DayRule::Off, "国庆节"),
    ("2026-10-10", "2026-10-10", DayRule::On, "国庆节调休"),
];

/// The national calendar of 2026.
pub fn national_2026() -> Calendar {
    let date = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap_or_default();
    Calendar::new(
        NATIONAL_2026
            .iter()
            .map(|(from, to, rule, name)| CalendarEntry {
                scope: EntryScope::National,
                from: date(from),
                to: date(to),
                rule: *rule,
                windows: Vec::new(),
                name: (*name).to_owned(),
            }),
    )
}

/// A city's year of peak-hour duty: schools with one gate each, the 2026 national
/// calendar, two officers per school taking turns on the roster, and their check-ins.
pub struct CityYear {
    pub schools: Vec<School>,
    pub posts: Vec<Post>,
    pub calendar: Calendar,
    /// One officer per due slot.
    pub assignments: Vec<Assignment>,
    /// Arrivals and departures (离岗), about one visit per due slot.
    pub checks: Vec<Check>,
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
        let posts: Vec<Post> = schools
            .iter()
            .map(|s| Post {
                id: format!("{}-g1", s.id),
                school_id: s.id.clone(),
                school: s.name.clone(),
                gate: "南门".to_owned(),
                location: None,
            })
            .collect();
        let calendar = national_2026();
        let first = NaiveDate::from_ymd_opt(2026, 1, 1).unwrap_or_default();
        let last = first + Duration::days(DAYS - 1);
        let (assignments, checks) = duty_year(&calendar, &schools, &posts, first);
        let midnight = (last + Duration::days(1)).and_time(chrono::NaiveTime::MIN);
        let now = Utc.from_utc_datetime(&midnight);
        Self {
            schools,
            posts,
            calendar,
            assignments,
            checks,
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

/// For each due slot: the school's two officers take turns; one slot in 20 nobody
/// comes, in 15 the other officer comes instead; arrivals spread over the 90 minutes
/// before the window opens (so some are late), one in 13 without lights; one visit in
/// 10 leaves before the close, the rest up to 20 minutes after it.
fn duty_year(
    calendar: &Calendar,
    schools: &[School],
    posts: &[Post],
    first: NaiveDate,
) -> (Vec<Assignment>, Vec<Check>) {
    let mut rng = Xorshift(0x9e37_79b9_7f4a_7c15);
    let (mut assignments, mut checks) = (Vec::new(), Vec::new());
    for (n, (school, post)) in schools.iter().zip(posts).enumerate() {
        let officers = [fixture_id(4, 2 * n), fixture_id(4, 2 * n + 1)];
        for d in 0..DAYS {
            let date = first + Duration::days(d);
            for (k, counted) in counted_windows(calendar, school, date).iter().enumerate() {
                let w = &counted.window;
                let turn = (d as usize + k) % 2;
                assignments.push(Assignment {
                    post_id: post.id.clone(),
                    date,
                    window: w.kind,
                    officer: officers[turn],
                    car: None,
                });
                if rng.one_in(20) {
                    continue; // missed
                }
                let who = officers[if rng.one_in(15) { 1 - turn } else { turn }];
                let check = |event, at, presence| Check {
                    post_id: post.id.clone(),
                    person: Some(who),
                    event,
                    at,
                    presence,
                };
                let arrived = w.opens - Duration::minutes(rng.below(90) as i64);
                let flags = if rng.one_in(13) { 3 } else { 7 };
                let left = if rng.one_in(10) {
                    w.closes - Duration::minutes(5 + rng.below(25) as i64)
                } else {
                    w.closes + Duration::minutes(rng.below(20) as i64)
                };
                checks.push(check(
                    CheckInEvent::Arrival,
                    arrived,
                    Presence::from_bits(flags),
                ));
                checks.push(check(
                    CheckInEvent::Departure,
                    left.max(arrived),
                    Presence::from_bits(0),
                ));
            }
        }
    }
    (assignments, checks)
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
