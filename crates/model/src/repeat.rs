//! A check-in that repeats one just made: the same post and event within a minute is
//! almost always a double tap or a "did it save?" second try, so the phone asks first.

use chrono::{DateTime, Duration, Utc};

use crate::record::{CheckInEvent, Record, RecordBody};

/// How long after a check-in the same one again asks for confirmation.
pub const REPEAT_WITHIN_SECS: i64 = 60;

/// The check-in among `records` that a new `event` at `post` at `now` would repeat:
/// same post and event, not voided, made less than `REPEAT_WITHIN_SECS` before `now`
/// (by the same phone's clock). The newest one if several.
pub fn repeated_check_in<'a>(
    records: impl IntoIterator<Item = &'a Record>,
    post: &str,
    event: CheckInEvent,
    now: DateTime<Utc>,
) -> Option<&'a Record> {
    let window = Duration::seconds(REPEAT_WITHIN_SECS);
    records
        .into_iter()
        .filter(|r| r.voided.is_none())
        .filter(|r| match &r.body {
            RecordBody::CheckIn(c) => {
                let age = now - c.device_time.with_timezone(&Utc);
                c.post_id == post && c.event == event && age >= -window && age < window
            }
            _ => false,
        })
        .max_by_key(|r| r.body.device_time())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::tests::{sample, sample_incident};

    /// `sample` is an arrival at s01-g1 at 07:12:33 +08:00.
    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn the_same_post_and_event_within_a_minute_repeats() {
        let made = sample(1, 1);
        let records = [made.clone()];
        let ask = |post: &str, event, now: &str| {
            repeated_check_in(&records, post, event, at(now)).map(|r| r.id)
        };
        let arrival = CheckInEvent::Arrival;
        // A 120 ms double tap, and a second try 59 s later.
        assert_eq!(
            ask("s01-g1", arrival, "2026-11-25T07:12:33.120+08:00"),
            Some(made.id)
        );
        assert_eq!(
            ask("s01-g1", arrival, "2026-11-25T07:13:32+08:00"),
            Some(made.id)
        );
        // A minute later, another post, or the departure: a new check-in.
        assert_eq!(ask("s01-g1", arrival, "2026-11-25T07:13:33+08:00"), None);
        assert_eq!(ask("s02-g1", arrival, "2026-11-25T07:12:40+08:00"), None);
        assert_eq!(
            ask(
                "s01-g1",
                CheckInEvent::Departure,
                "2026-11-25T07:12:40+08:00"
            ),
            None
        );
    }

    #[test]
    fn voided_check_ins_and_incidents_do_not_repeat() {
        let made = sample(1, 1);
        let voided = made.voided(made.version.clone(), "wrong gate".into());
        let incident = sample_incident(2, 1);
        let now = at("2026-11-25T07:12:40+08:00");
        assert!(
            repeated_check_in([&voided, &incident], "s01-g1", CheckInEvent::Arrival, now).is_none()
        );
    }
}
