//! Today's board: for each of an officer's posts, each peak window today — what is due
//! next, what is on duty, what was covered or missed.
//!
//! Built on the coverage rule (`coverage::classify`) at the level of one gate: an
//! arrival at that post, with all three flags, before the due time.

use chrono::{DateTime, Duration, FixedOffset, Utc};

use crate::coverage::{classify, Arrival, Departure, Status, EARLIEST_ARRIVAL};
use crate::post::Post;
use crate::school::{School, WindowKind};

/// Where the clock stands against one window.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Phase {
    /// Before the due time (opens − lead): there is still time to get there.
    BeforeDue,
    /// Past the due time, window not closed yet.
    Open,
    /// The window has closed.
    Closed,
}

impl Phase {
    pub fn as_str(self) -> &'static str {
        match self {
            Phase::BeforeDue => "beforedue",
            Phase::Open => "open",
            Phase::Closed => "closed",
        }
    }
}

/// One post × one window of today.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BoardItem {
    pub post_id: String,
    pub kind: WindowKind,
    pub due: DateTime<FixedOffset>,
    pub opens: DateTime<FixedOffset>,
    pub closes: DateTime<FixedOffset>,
    pub phase: Phase,
    pub status: Status,
    /// The officer's 离岗 after their last arrival for this window, before it closed.
    pub left_at: Option<DateTime<FixedOffset>>,
}

/// What a board row says, in one word: the window's status while it runs (on duty,
/// late and on duty, left, overdue, upcoming), its verdict once closed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RowState {
    Upcoming,
    /// Past the time to be on post with nobody fully there.
    Overdue,
    OnDuty,
    /// Arrived after the time to be on post, and on duty now.
    LateOnDuty,
    /// Arrived, then 离岗 before the window closed.
    Left,
    Covered,
    Late,
    Partial,
    Missed,
}

impl RowState {
    pub fn as_str(self) -> &'static str {
        match self {
            RowState::Upcoming => "upcoming",
            RowState::Overdue => "overdue",
            RowState::OnDuty => "on-duty",
            RowState::LateOnDuty => "late-on-duty",
            RowState::Left => "left",
            RowState::Covered => "covered",
            RowState::Late => "late",
            RowState::Partial => "partial",
            RowState::Missed => "missed",
        }
    }
}

impl BoardItem {
    /// Past due with nobody fully on post: what the in-app alert is for.
    pub fn needs_alert(&self) -> bool {
        self.phase == Phase::Open && self.status == Status::Upcoming
    }

    /// What the row says now.
    pub fn row_state(&self) -> RowState {
        let running = self.phase != Phase::Closed;
        match self.status {
            Status::Covered | Status::Late if running && self.left_at.is_some() => RowState::Left,
            Status::Covered if running => RowState::OnDuty,
            Status::Late if running => RowState::LateOnDuty,
            Status::Covered => RowState::Covered,
            Status::Late => RowState::Late,
            Status::Partial => RowState::Partial,
            Status::Missed => RowState::Missed,
            Status::Upcoming if self.phase == Phase::Open => RowState::Overdue,
            Status::Upcoming => RowState::Upcoming,
        }
    }

    /// Time left until the due time (zero once it has passed).
    pub fn due_in(&self, now: DateTime<Utc>) -> Duration {
        (self.due.with_timezone(&Utc) - now).max(Duration::zero())
    }
}

/// Today's board for `posts`: the windows still running or to come first, in the order
/// they come due, then those that closed. "Today" is each post's school's calendar day
/// at `now`; posts of unknown schools are left out. `departures` end time on duty.
pub fn board(
    schools: &[School],
    posts: &[Post],
    arrivals_by_post: &[Arrival],
    departures: &[Departure],
    now: DateTime<Utc>,
) -> Vec<BoardItem> {
    let mut items = Vec::new();
    for post in posts {
        let Some(school) = schools.iter().find(|s| s.id == post.school_id) else {
            continue;
        };
        let today = now.with_timezone(&school.offset()).date_naive();
        let here: Vec<&Arrival> = arrivals_by_post
            .iter()
            .filter(|a| a.place == post.id)
            .collect();
        let mut previous_close = None;
        for window in school.windows_on(today) {
            let earliest = window.opens - EARLIEST_ARRIVAL;
            let counted_from =
                previous_close.map_or(earliest, |c: DateTime<FixedOffset>| c.max(earliest));
            let status = classify(&window, counted_from, &here, now);
            let left_at = left_after_arrival(
                &here,
                departures,
                &post.id,
                counted_from..window.closes,
                now,
            );
            previous_close = Some(window.closes);
            let phase = if now < window.due {
                Phase::BeforeDue
            } else if now < window.closes {
                Phase::Open
            } else {
                Phase::Closed
            };
            items.push(BoardItem {
                post_id: post.id.clone(),
                kind: window.kind,
                due: window.due,
                opens: window.opens,
                closes: window.closes,
                phase,
                status,
                left_at,
            });
        }
    }
    items.sort_by(|a, b| {
        let key = |i: &BoardItem| (i.phase == Phase::Closed, i.due);
        (key(a), &a.post_id).cmp(&(key(b), &b.post_id))
    });
    items
}

/// The 离岗 at `post` after the last arrival within `span`, up to `now`, if any: the
/// officer left and is no longer on duty there.
fn left_after_arrival(
    arrivals: &[&Arrival],
    departures: &[Departure],
    post: &str,
    span: std::ops::Range<DateTime<FixedOffset>>,
    now: DateTime<Utc>,
) -> Option<DateTime<FixedOffset>> {
    let last_arrival = arrivals
        .iter()
        .map(|a| a.at)
        .filter(|at| span.contains(at))
        .max()?;
    departures
        .iter()
        .filter(|d| d.post_id == post && d.at >= last_arrival && span.contains(&d.at))
        .map(|d| d.at)
        .filter(|at| at.with_timezone(&Utc) <= now)
        .max()
}

/// The post to preselect on the check-in screen: the one whose window comes due next
/// (or is open now) and is not yet covered.
pub fn next_post(items: &[BoardItem]) -> Option<&str> {
    items
        .iter()
        .find(|i| i.phase != Phase::Closed && !matches!(i.status, Status::Covered | Status::Late))
        .map(|i| i.post_id.as_str())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::post::demo_posts;
    use crate::record::Presence;
    use crate::school::demo_schools;

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    fn arrival(post: &str, when: &str, flags: u8) -> Arrival {
        Arrival {
            place: post.into(),
            at: DateTime::parse_from_rfc3339(when).unwrap(),
            presence: Presence::from_bits(flags),
        }
    }

    fn my_posts() -> Vec<Post> {
        demo_posts()
            .into_iter()
            .filter(|p| p.id == "s01-g1" || p.id == "s02-g1")
            .collect()
    }

    #[test]
    fn a_morning_as_the_board_sees_it() {
        let schools = demo_schools();
        let posts = my_posts();
        // 06:50: both morning windows due at 07:05, nothing recorded yet.
        let early = board(&schools, &posts, &[], &[], at("2026-11-25T06:50:00+08:00"));
        assert_eq!(early.len(), 6);
        assert!(early[..2]
            .iter()
            .all(|i| i.phase == Phase::BeforeDue && i.status == Status::Upcoming));
        assert_eq!(
            early[0].due_in(at("2026-11-25T06:50:00+08:00")),
            Duration::minutes(15)
        );
        assert_eq!(next_post(&early), Some("s01-g1"));

        // 07:10: s01-g1 covered at 07:00; s02-g1 past due with nobody there → alert.
        let arrivals = [arrival("s01-g1", "2026-11-25T07:00:00+08:00", 7)];
        let now = at("2026-11-25T07:10:00+08:00");
        let b = board(&schools, &posts, &arrivals, &[], now);
        let get = |post: &str| {
            b.iter()
                .find(|i| i.post_id == post && i.kind == WindowKind::Morning)
                .unwrap()
        };
        assert_eq!(
            (get("s01-g1").phase, get("s01-g1").status),
            (Phase::Open, Status::Covered)
        );
        assert!(get("s02-g1").needs_alert());
        assert_eq!(next_post(&b), Some("s02-g1"));

        // 08:30: the s02-g1 morning window closed missed; nothing alerts any more.
        let b = board(
            &schools,
            &posts,
            &arrivals,
            &[],
            at("2026-11-25T08:30:00+08:00"),
        );
        let s02 = b
            .iter()
            .find(|i| i.post_id == "s02-g1" && i.kind == WindowKind::Morning)
            .unwrap();
        assert_eq!((s02.phase, s02.status), (Phase::Closed, Status::Missed));
        assert!(b.iter().all(|i| !i.needs_alert()));
    }

    #[test]
    fn an_arrival_at_another_gate_of_the_same_school_does_not_cover_this_gate() {
        let schools = demo_schools();
        let posts: Vec<Post> = demo_posts()
            .into_iter()
            .filter(|p| p.school_id == "s01")
            .collect();
        let arrivals = [arrival("s01-g2", "2026-11-25T07:00:00+08:00", 7)];
        let b = board(
            &schools,
            &posts,
            &arrivals,
            &[],
            at("2026-11-25T09:00:00+08:00"),
        );
        let morning = |post: &str| {
            b.iter()
                .find(|i| i.post_id == post && i.kind == WindowKind::Morning)
                .unwrap()
                .status
        };
        assert_eq!(morning("s01-g2"), Status::Covered);
        assert_eq!(morning("s01-g1"), Status::Missed);
    }

    #[test]
    fn today_is_the_schools_day_not_utc() {
        // 2026-11-25 23:30 UTC is already the 26th in Beijing: the board shows the 26th.
        let b = board(
            &demo_schools(),
            &my_posts(),
            &[],
            &[],
            at("2026-11-25T23:30:00Z"),
        );
        assert_eq!(b[0].opens.to_rfc3339(), "2026-11-26T07:20:00+08:00");
    }

    fn departure(post: &str, when: &str) -> Departure {
        Departure {
            post_id: post.into(),
            at: DateTime::parse_from_rfc3339(when).unwrap(),
        }
    }

    fn morning_at(b: &[BoardItem], post: &str) -> BoardItem {
        b.iter()
            .find(|i| i.post_id == post && i.kind == WindowKind::Morning)
            .unwrap()
            .clone()
    }

    /// s01-g1's morning window: on post by 07:05, closes 08:00 (demo school).
    #[test]
    fn a_row_says_on_duty_late_left_or_overdue_while_the_window_runs() {
        let schools = demo_schools();
        let posts = my_posts();
        let now = at("2026-11-25T07:30:00+08:00");
        let row = |arrivals: &[Arrival], departures: &[Departure]| {
            morning_at(
                &board(&schools, &posts, arrivals, departures, now),
                "s01-g1",
            )
            .row_state()
        };
        let on_time = [arrival("s01-g1", "2026-11-25T07:00:00+08:00", 7)];
        let late = [arrival("s01-g1", "2026-11-25T07:20:00+08:00", 7)];
        assert_eq!(row(&on_time, &[]), RowState::OnDuty);
        assert_eq!(row(&late, &[]), RowState::LateOnDuty);
        assert_eq!(row(&[], &[]), RowState::Overdue);
        // 离岗 ends 执勤中…
        let left = [departure("s01-g1", "2026-11-25T07:25:00+08:00")];
        assert_eq!(row(&on_time, &left), RowState::Left);
        assert_eq!(row(&late, &left), RowState::Left);
        // …but not a departure before the arrival, at another gate, or still to come.
        let before = [departure("s01-g1", "2026-11-25T06:50:00+08:00")];
        let elsewhere = [departure("s02-g1", "2026-11-25T07:25:00+08:00")];
        let later = [departure("s01-g1", "2026-11-25T07:45:00+08:00")];
        for d in [&before[..], &elsewhere, &later] {
            assert_eq!(row(&on_time, d), RowState::OnDuty);
        }
        // Once closed, the verdict stands.
        let closed = board(
            &schools,
            &posts,
            &on_time,
            &left,
            at("2026-11-25T09:00:00+08:00"),
        );
        assert_eq!(morning_at(&closed, "s01-g1").row_state(), RowState::Covered);
    }

    #[test]
    fn windows_still_to_come_or_running_come_first() {
        // 12:00: the morning windows closed; noon runs; the afternoon is to come.
        let b = board(
            &demo_schools(),
            &my_posts(),
            &[],
            &[],
            at("2026-11-25T12:00:00+08:00"),
        );
        let phases: Vec<Phase> = b.iter().map(|i| i.phase).collect();
        let first_closed = phases.iter().position(|p| *p == Phase::Closed).unwrap();
        assert!(phases[first_closed..].iter().all(|p| *p == Phase::Closed));
        assert!(first_closed > 0);
        assert!(b[..first_closed].windows(2).all(|w| w[0].due <= w[1].due));
    }
}
