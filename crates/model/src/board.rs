//! Today's board: for each of an officer's posts, each window due today — what is due
//! next, who is on duty, what was covered or missed.
//!
//! Built on the same visits and verdicts as coverage (`coverage::judge`), per gate.
//! While a window runs the row says what is happening (a 离岗 ends 执勤中); once it
//! closes, its verdict.

use chrono::{DateTime, Duration, FixedOffset, Utc};

use crate::calendar::Calendar;
use crate::coverage::{
    counted_windows, fully_present, judge, CountedWindow, Status, Visit, Visits, Why,
};
use crate::post::Post;
use crate::school::{School, WindowKind};
use crate::sorting;

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

/// What a board row says, in one word: what is happening while the window runs (on
/// duty, late and on duty, left, overdue, upcoming), its verdict once closed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RowState {
    /// 待到岗: nobody fully on post yet, and it is not the on-post time yet.
    Upcoming,
    /// 超时未到: past the on-post time with nobody fully on post.
    Overdue,
    /// 执勤中: someone is on post with all three flags, and has been since the on-post
    /// time (or it has not come yet).
    OnDuty,
    /// 迟到·执勤中: on post with all three flags now, but not since the on-post time.
    LateOnDuty,
    /// 已离岗: someone was there this window and left (离岗); nobody is there now.
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

    /// A closed window's row: its verdict.
    fn of_verdict(status: Status) -> RowState {
        match status {
            Status::Covered => RowState::Covered,
            Status::Late => RowState::Late,
            Status::Partial => RowState::Partial,
            Status::Missed => RowState::Missed,
            Status::Upcoming => RowState::Upcoming,
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
    /// The verdict (upcoming until the window closes).
    pub status: Status,
    pub why: Why,
    /// What the row says now.
    pub state: RowState,
    /// When the last person to leave (离岗) left, when the row is `Left`.
    pub left_at: Option<DateTime<FixedOffset>>,
}

impl BoardItem {
    /// Past due with nobody fully on post: what the in-app alert is for.
    pub fn needs_alert(&self) -> bool {
        self.state == RowState::Overdue
    }

    /// What the row says now.
    pub fn row_state(&self) -> RowState {
        self.state
    }

    /// Time left until the due time (zero once it has passed).
    pub fn due_in(&self, now: DateTime<Utc>) -> Duration {
        (self.due.with_timezone(&Utc) - now).max(Duration::zero())
    }
}

/// Today's board for `posts`: the windows still running or to come first, in the order
/// they come due, then those that closed. "Today" is each post's school's calendar day
/// at `now`, and its windows are those `calendar` has due; posts of unknown schools are
/// left out.
pub fn board(
    calendar: &Calendar,
    schools: &[School],
    posts: &[Post],
    visits: &Visits,
    now: DateTime<Utc>,
) -> Vec<BoardItem> {
    let mut items = Vec::new();
    for post in posts {
        let Some(school) = schools.iter().find(|s| s.id == post.school_id) else {
            continue;
        };
        let today = now.with_timezone(&school.offset()).date_naive();
        for counted in counted_windows(calendar, school, today) {
            items.push(row(post, &counted, visits.counted(&post.id, &counted), now));
        }
    }
    sorting::sort_by(&mut items, |a, b| {
        let key = |i: &BoardItem| (i.phase == Phase::Closed, i.due);
        (key(a), &a.post_id).cmp(&(key(b), &b.post_id))
    });
    items
}

fn row(post: &Post, counted: &CountedWindow, visits: &[Visit], now: DateTime<Utc>) -> BoardItem {
    let w = &counted.window;
    let verdict = judge(counted, visits, |_| true, now);
    let phase = if now < w.due {
        Phase::BeforeDue
    } else if now < w.closes {
        Phase::Open
    } else {
        Phase::Closed
    };
    let (state, left_at) = if phase == Phase::Closed {
        (RowState::of_verdict(verdict.status), None)
    } else {
        live_state(counted, visits, now)
    };
    BoardItem {
        post_id: post.id.clone(),
        kind: w.kind,
        due: w.due,
        opens: w.opens,
        closes: w.closes,
        phase,
        status: verdict.status,
        why: verdict.why,
        state,
        left_at,
    }
}

/// A running window's row at `now`, from the visits counted for it that have begun:
/// on duty when someone is there with all three flags (late if the full presence has
/// not lasted since the on-post time); left when someone 离岗 and nobody is there;
/// else overdue or still to come. A 离岗 recorded for later than `now` has not
/// happened yet.
fn live_state(
    counted: &CountedWindow,
    visits: &[Visit],
    now: DateTime<Utc>,
) -> (RowState, Option<DateTime<FixedOffset>>) {
    let due = counted.window.due;
    let now_here = now.with_timezone(&due.timezone());
    let begun = || visits.iter().filter(|v| v.arrived <= now_here);
    let there_now = |v: &&Visit| v.until().is_none_or(|end| end > now_here);
    if begun().filter(there_now).any(|v| v.presence.all()) {
        let state = if now_here <= due || fully_present(visits, due, now_here) {
            RowState::OnDuty
        } else {
            RowState::LateOnDuty
        };
        return (state, None);
    }
    let overdue_or_upcoming = if now_here < due {
        RowState::Upcoming
    } else {
        RowState::Overdue
    };
    if begun().any(|v| there_now(&v)) {
        // There, but without all three flags: not on duty yet.
        return (overdue_or_upcoming, None);
    }
    match begun().filter_map(Visit::left_at).max() {
        Some(left) => (RowState::Left, Some(left)),
        None => (overdue_or_upcoming, None),
    }
}

/// `items` with the user's own rows (`is_mine`: assigned to them) first, each group in
/// the board's order: an officer sees their own posts before the others they watch.
pub fn mine_first(items: Vec<BoardItem>, is_mine: impl Fn(&BoardItem) -> bool) -> Vec<BoardItem> {
    let (mut mine, others): (Vec<_>, Vec<_>) = items.into_iter().partition(|i| is_mine(i));
    mine.extend(others);
    mine
}

/// The post to preselect on the check-in screen: the one whose window comes due next
/// (or is open now) with nobody on duty there.
pub fn next_post(items: &[BoardItem]) -> Option<&str> {
    items
        .iter()
        .find(|i| {
            i.phase != Phase::Closed
                && !matches!(
                    i.state,
                    RowState::OnDuty | RowState::LateOnDuty | RowState::Left
                )
        })
        .map(|i| i.post_id.as_str())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::coverage::Check;
    use crate::post::demo_posts;
    use crate::record::{CheckInEvent, Presence};
    use crate::school::demo_schools;
    use uuid::Uuid;

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    fn check(post: &str, who: u128, event: CheckInEvent, hhmm: &str, flags: u8) -> Check {
        Check {
            post_id: post.into(),
            person: Some(Uuid::from_u128(who)),
            event,
            at: DateTime::parse_from_rfc3339(&format!("2026-11-25T{hhmm}:00+08:00")).unwrap(),
            presence: Presence::from_bits(flags),
        }
    }

    fn arrival(post: &str, hhmm: &str, flags: u8) -> Check {
        check(post, 1, CheckInEvent::Arrival, hhmm, flags)
    }

    fn departure(post: &str, hhmm: &str) -> Check {
        check(post, 1, CheckInEvent::Departure, hhmm, 0)
    }

    fn my_posts() -> Vec<Post> {
        demo_posts()
            .into_iter()
            .filter(|p| p.id == "s01-g1" || p.id == "s02-g1")
            .collect()
    }

    fn board_at(posts: &[Post], checks: &[Check], now: &str) -> Vec<BoardItem> {
        let visits = Visits::new(checks);
        board(
            &Calendar::default(),
            &demo_schools(),
            posts,
            &visits,
            at(now),
        )
    }

    fn morning_at(b: &[BoardItem], post: &str) -> BoardItem {
        b.iter()
            .find(|i| i.post_id == post && i.kind == WindowKind::Morning)
            .unwrap()
            .clone()
    }

    #[test]
    fn a_morning_as_the_board_sees_it() {
        let posts = my_posts();
        // 06:50: both morning windows due at 07:05, nothing recorded yet.
        let early = board_at(&posts, &[], "2026-11-25T06:50:00+08:00");
        assert_eq!(early.len(), 6);
        assert!(early[..2]
            .iter()
            .all(|i| i.phase == Phase::BeforeDue && i.state == RowState::Upcoming));
        assert_eq!(
            early[0].due_in(at("2026-11-25T06:50:00+08:00")),
            Duration::minutes(15)
        );
        assert_eq!(next_post(&early), Some("s01-g1"));

        // 07:10: on duty at s01-g1 since 07:00; s02-g1 past due with nobody → alert.
        let arrivals = [arrival("s01-g1", "07:00", 7)];
        let b = board_at(&posts, &arrivals, "2026-11-25T07:10:00+08:00");
        let s01 = morning_at(&b, "s01-g1");
        assert_eq!(
            (s01.phase, s01.state, s01.status),
            (Phase::Open, RowState::OnDuty, Status::Upcoming)
        );
        assert!(morning_at(&b, "s02-g1").needs_alert());
        assert_eq!(next_post(&b), Some("s02-g1"));

        // 08:30: closed: s01-g1 covered (still there), s02-g1 missed; no alert.
        let b = board_at(&posts, &arrivals, "2026-11-25T08:30:00+08:00");
        assert_eq!(morning_at(&b, "s01-g1").state, RowState::Covered);
        let s02 = morning_at(&b, "s02-g1");
        assert_eq!(
            (s02.phase, s02.status, s02.state),
            (Phase::Closed, Status::Missed, RowState::Missed)
        );
        assert!(b.iter().all(|i| !i.needs_alert()));
    }

    #[test]
    fn an_arrival_at_another_gate_of_the_same_school_does_not_cover_this_gate() {
        let posts: Vec<Post> = demo_posts()
            .into_iter()
            .filter(|p| p.school_id == "s01")
            .collect();
        let b = board_at(
            &posts,
            &[arrival("s01-g2", "07:00", 7)],
            "2026-11-25T09:00:00+08:00",
        );
        assert_eq!(morning_at(&b, "s01-g2").status, Status::Covered);
        assert_eq!(morning_at(&b, "s01-g1").status, Status::Missed);
    }

    #[test]
    fn today_is_the_schools_day_not_utc_and_only_its_due_windows() {
        // 2026-11-25 23:30 UTC is already the 26th in Beijing: the board shows the 26th.
        let b = board_at(&my_posts(), &[], "2026-11-25T23:30:00Z");
        assert_eq!(b[0].opens.to_rfc3339(), "2026-11-26T07:20:00+08:00");
        // A Saturday has no windows (weekdays only without a calendar).
        assert!(board_at(&my_posts(), &[], "2026-11-28T07:00:00+08:00").is_empty());
    }

    /// s01-g1's morning window at 07:30: on post by 07:05, closes 08:00.
    #[test]
    fn a_row_says_on_duty_late_left_or_overdue_while_the_window_runs() {
        let posts = my_posts();
        let row = |checks: &[Check]| {
            let b = board_at(&posts, checks, "2026-11-25T07:30:00+08:00");
            morning_at(&b, "s01-g1")
        };
        let on_time = arrival("s01-g1", "07:00", 7);
        let late = arrival("s01-g1", "07:20", 7);
        assert_eq!(row(std::slice::from_ref(&on_time)).state, RowState::OnDuty);
        assert_eq!(row(std::slice::from_ref(&late)).state, RowState::LateOnDuty);
        assert_eq!(row(&[]).state, RowState::Overdue);
        assert_eq!(
            row(&[arrival("s01-g1", "07:00", 3)]).state,
            RowState::Overdue,
            "no lights"
        );
        // 离岗 ends 执勤中, and the row says when.
        let left = departure("s01-g1", "07:25");
        let r = row(&[on_time.clone(), left.clone()]);
        assert_eq!(
            (r.state, r.left_at.map(|t| t.to_rfc3339())),
            (RowState::Left, Some("2026-11-25T07:25:00+08:00".into()))
        );
        assert!(!r.needs_alert());
        assert_eq!(row(&[late.clone(), left.clone()]).state, RowState::Left);
        // …but not a departure before the arrival, at another gate, by someone else, or
        // still to come.
        let before = departure("s01-g1", "06:50");
        let elsewhere = departure("s02-g1", "07:25");
        let someone_else = check("s01-g1", 2, CheckInEvent::Departure, "07:25", 0);
        let later = departure("s01-g1", "07:45");
        for d in [before, elsewhere, someone_else, later] {
            assert_eq!(
                row(&[on_time.clone(), d.clone()]).state,
                RowState::OnDuty,
                "{d:?}"
            );
        }
        // Someone took over after a 离岗: on duty, late since there was a gap.
        let took_over = check("s01-g1", 2, CheckInEvent::Arrival, "07:28", 7);
        assert_eq!(
            row(&[on_time.clone(), left.clone(), took_over]).state,
            RowState::LateOnDuty
        );
        // Once closed, the verdict stands: left before the close is partial.
        let b = board_at(&posts, &[on_time, left], "2026-11-25T09:00:00+08:00");
        assert_eq!(morning_at(&b, "s01-g1").state, RowState::Partial);
    }

    #[test]
    fn windows_still_to_come_or_running_come_first() {
        // 12:00: the morning windows closed; noon runs; the afternoon is to come.
        let b = board_at(&my_posts(), &[], "2026-11-25T12:00:00+08:00");
        let phases: Vec<Phase> = b.iter().map(|i| i.phase).collect();
        let first_closed = phases.iter().position(|p| *p == Phase::Closed).unwrap();
        assert!(phases[first_closed..].iter().all(|p| *p == Phase::Closed));
        assert!(first_closed > 0);
        assert!(b[..first_closed].windows(2).all(|w| w[0].due <= w[1].due));
    }

    #[test]
    fn my_own_rows_come_first_and_keep_the_boards_order() {
        let b = board_at(&my_posts(), &[], "2026-11-25T12:00:00+08:00");
        let mine_post = b.last().unwrap().post_id.clone();
        let sorted = mine_first(b.clone(), |i| i.post_id == mine_post);
        let split = sorted.iter().take_while(|i| i.post_id == mine_post).count();
        assert!(split > 0 && sorted[split..].iter().all(|i| i.post_id != mine_post));
        let keep = |items: &[BoardItem], mine: bool| -> Vec<(String, Phase)> {
            items
                .iter()
                .filter(|i| (i.post_id == mine_post) == mine)
                .map(|i| (i.post_id.clone(), i.phase))
                .collect()
        };
        assert_eq!(keep(&sorted, true), keep(&b, true));
        assert_eq!(keep(&sorted, false), keep(&b, false));
    }
}
