//! Generated data for benchmarks (feature `fixtures`): one city-year of schools and
//! arrivals from a fixed pseudo-random sequence, the same on every machine and target.

use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};

use crate::coverage::Arrival;
use crate::record::Presence;
use crate::school::{default_windows, School, DEFAULT_UTC_OFFSET_MINUTES};

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
