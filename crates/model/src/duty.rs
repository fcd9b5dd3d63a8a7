//! Volunteer teams' duty (issue 4, first slice): rosters' personal data kept to what
//! the work needs, and volunteer hours computed from duty sessions.
//!
//! Pure functions: a session's end, a participant's span and the hours per volunteer
//! depend only on the records and the `now` passed in, so phone and server agree.

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, FixedOffset};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// A stretch of time, start inclusive, end exclusive.
type Span = (DateTime<FixedOffset>, DateTime<FixedOffset>);

/// A session left open this long is closed at the limit and flagged for the lead.
pub const DEFAULT_OPEN_LIMIT: Duration = Duration::hours(6);

/// A phone number as lists show it: `138****1234`. Anything too short to mask keeps
/// only its last character visible.
pub fn mask_phone(phone: &str) -> String {
    let digits: Vec<char> = phone.chars().filter(|c| !c.is_whitespace()).collect();
    if digits.len() >= 7 {
        let (head, tail) = (&digits[..3], &digits[digits.len() - 4..]);
        format!(
            "{}****{}",
            head.iter().collect::<String>(),
            tail.iter().collect::<String>()
        )
    } else {
        let shown = digits.last().map(|c| c.to_string()).unwrap_or_default();
        format!("{}{shown}", "*".repeat(digits.len().saturating_sub(1)))
    }
}

/// One volunteer's part in a session: from when they joined to when they left (`None`:
/// still there, or until the session ended).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Participation {
    pub volunteer: Uuid,
    pub joined: DateTime<FixedOffset>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub left: Option<DateTime<FixedOffset>>,
}

/// A duty session's time span, as the hours need it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    pub start: DateTime<FixedOffset>,
    /// `None` while the lead has not ended it.
    pub end: Option<DateTime<FixedOffset>>,
    pub participants: Vec<Participation>,
}

/// Where a session's end comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SessionEnd {
    /// The lead ended it.
    Ended(DateTime<FixedOffset>),
    /// Still open and within the limit: counted up to `now`.
    Running(DateTime<FixedOffset>),
    /// Left open past the limit: closed at start + limit, for the lead to confirm.
    AutoClosed(DateTime<FixedOffset>),
}

impl SessionEnd {
    pub fn at(self) -> DateTime<FixedOffset> {
        match self {
            SessionEnd::Ended(t) | SessionEnd::Running(t) | SessionEnd::AutoClosed(t) => t,
        }
    }

    pub fn needs_confirmation(self) -> bool {
        matches!(self, SessionEnd::AutoClosed(_))
    }
}

impl Session {
    /// When the session counts as ended at `now`, given the open-session `limit`.
    pub fn end_at(&self, now: DateTime<FixedOffset>, limit: Duration) -> SessionEnd {
        let cap = self.start + limit;
        match self.end {
            Some(end) => SessionEnd::Ended(end.max(self.start)),
            None if now >= cap => SessionEnd::AutoClosed(cap),
            None => SessionEnd::Running(now.max(self.start)),
        }
    }

    /// Each participant's counted span: their own join/leave clipped to the session
    /// (ending the session closes every open participant). Empty spans are dropped.
    pub fn spans(
        &self,
        now: DateTime<FixedOffset>,
        limit: Duration,
    ) -> Vec<(Uuid, DateTime<FixedOffset>, DateTime<FixedOffset>)> {
        let end = self.end_at(now, limit).at();
        self.participants
            .iter()
            .filter_map(|p| {
                let from = p.joined.max(self.start);
                let to = p.left.map_or(end, |l| l.min(end));
                (to > from).then_some((p.volunteer, from, to))
            })
            .collect()
    }
}

/// Minutes of duty per volunteer over `sessions`. A volunteer's overlapping spans (two
/// sessions at once, or a duplicate participation) count once.
pub fn minutes_per_volunteer(
    sessions: &[Session],
    now: DateTime<FixedOffset>,
    limit: Duration,
) -> BTreeMap<Uuid, i64> {
    let mut spans: BTreeMap<Uuid, Vec<Span>> = BTreeMap::new();
    for session in sessions {
        for (who, from, to) in session.spans(now, limit) {
            spans.entry(who).or_default().push((from, to));
        }
    }
    spans
        .into_iter()
        .map(|(who, mut list)| {
            list.sort();
            let mut total = Duration::zero();
            let mut current: Option<Span> = None;
            for (from, to) in list {
                current = match current {
                    Some((a, b)) if from <= b => Some((a, b.max(to))),
                    Some((a, b)) => {
                        total += b - a;
                        Some((from, to))
                    }
                    None => Some((from, to)),
                };
            }
            if let Some((a, b)) = current {
                total += b - a;
            }
            (who, total.num_minutes())
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn t(hhmm: &str) -> DateTime<FixedOffset> {
        DateTime::parse_from_rfc3339(&format!("2026-11-25T{hhmm}:00+08:00")).unwrap()
    }

    fn vol(n: u128) -> Uuid {
        Uuid::from_u128(n)
    }

    fn part(n: u128, joined: &str, left: Option<&str>) -> Participation {
        Participation {
            volunteer: vol(n),
            joined: t(joined),
            left: left.map(t),
        }
    }

    #[test]
    fn phones_are_masked_in_lists() {
        assert_eq!(mask_phone("13812341234"), "138****1234");
        assert_eq!(mask_phone("138 1234 1234"), "138****1234");
        assert_eq!(mask_phone("12345"), "****5");
        assert_eq!(mask_phone(""), "");
    }

    #[test]
    fn session_end_table() {
        let limit = DEFAULT_OPEN_LIMIT;
        let open = Session {
            start: t("07:00"),
            end: None,
            participants: vec![],
        };
        assert_eq!(
            open.end_at(t("09:00"), limit),
            SessionEnd::Running(t("09:00"))
        );
        assert_eq!(
            open.end_at(t("13:00"), limit),
            SessionEnd::AutoClosed(t("13:00"))
        );
        assert_eq!(
            open.end_at(t("20:00"), limit),
            SessionEnd::AutoClosed(t("13:00"))
        );
        assert!(open.end_at(t("20:00"), limit).needs_confirmation());
        let ended = Session {
            end: Some(t("08:00")),
            ..open.clone()
        };
        assert_eq!(
            ended.end_at(t("20:00"), limit),
            SessionEnd::Ended(t("08:00"))
        );
        // A phone clock that put the end before the start counts nothing, never negative.
        let backwards = Session {
            end: Some(t("06:00")),
            ..open
        };
        assert_eq!(
            backwards.end_at(t("20:00"), limit),
            SessionEnd::Ended(t("07:00"))
        );
    }

    #[test]
    fn hours_table() {
        let limit = DEFAULT_OPEN_LIMIT;
        let now = t("20:00");
        let morning = Session {
            start: t("07:00"),
            end: Some(t("08:30")),
            participants: vec![
                part(1, "07:00", None),          // whole session: 90
                part(2, "07:20", None),          // late: 70
                part(3, "06:30", Some("08:00")), // early arrival clipped, left early: 60
                part(4, "08:40", None),          // came after the end: nothing
            ],
        };
        // Volunteer 1 also on an overlapping session 08:00-09:00: counts 07:00-09:00 once.
        let overlap = Session {
            start: t("08:00"),
            end: Some(t("09:00")),
            participants: vec![part(1, "08:00", None)],
        };
        // Left open all day: closed at 6 h.
        let forgotten = Session {
            start: t("10:00"),
            end: None,
            participants: vec![part(5, "10:00", None)],
        };
        let hours = minutes_per_volunteer(&[morning, overlap, forgotten], now, limit);
        assert_eq!(hours.get(&vol(1)), Some(&120));
        assert_eq!(hours.get(&vol(2)), Some(&70));
        assert_eq!(hours.get(&vol(3)), Some(&60));
        assert_eq!(hours.get(&vol(4)), None);
        assert_eq!(hours.get(&vol(5)), Some(&360));
    }

    fn arb_session() -> impl Strategy<Value = Session> {
        (
            0i64..600,
            proptest::option::of(0i64..600),
            proptest::collection::vec((1u128..4, 0i64..700, proptest::option::of(0i64..700)), 0..5),
        )
            .prop_map(|(start, len, parts)| {
                let base = t("06:00");
                let at = |m: i64| base + Duration::minutes(m);
                Session {
                    start: at(start),
                    end: len.map(|l| at(start + l)),
                    participants: parts
                        .into_iter()
                        .map(|(v, j, l)| Participation {
                            volunteer: vol(v),
                            joined: at(j),
                            left: l.map(at),
                        })
                        .collect(),
                }
            })
    }

    proptest! {
        #[test]
        fn hours_depend_on_the_sessions_not_their_order_and_stay_within_bounds(
            sessions in proptest::collection::vec(arb_session(), 0..6),
        ) {
            let now = t("23:00");
            let limit = DEFAULT_OPEN_LIMIT;
            let forward = minutes_per_volunteer(&sessions, now, limit);
            let mut reversed = sessions.clone();
            reversed.reverse();
            prop_assert_eq!(&forward, &minutes_per_volunteer(&reversed, now, limit));
            // Never more than the sum of the sessions' lengths, never negative.
            let total: i64 = sessions.iter().map(|s| (s.end_at(now, limit).at() - s.start).num_minutes()).sum();
            for minutes in forward.values() {
                prop_assert!(*minutes > 0 && *minutes <= total);
            }
            // Repeating every session adds nothing: overlaps count once.
            let doubled: Vec<Session> = sessions.iter().chain(sessions.iter()).cloned().collect();
            prop_assert_eq!(&forward, &minutes_per_volunteer(&doubled, now, limit));
        }
    }
}
