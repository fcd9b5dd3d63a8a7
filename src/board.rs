//! Today's board, computed once per clock tick and shared: the 今日 screen, the overdue
//! banner on every screen and the post picker's "due next" all read the same one.

use gatewatch_model::board::{board, mine_first, BoardItem};
use gatewatch_model::roster::at_slot;
use leptos::prelude::*;

use crate::state::AppState;

/// Today's board for my posts (`gatewatch_model::board`), in context.
#[derive(Clone, Copy)]
pub struct Board(pub Memo<Vec<BoardItem>>);

impl Board {
    /// Computes the board from this phone's records as they change and the clock ticks,
    /// and provides it to every screen.
    pub fn provide(state: AppState) -> Board {
        // Keyed by the date, so the second-by-second clock does not re-scan the records.
        let day = Memo::new(move |_| state.now.with(|n| n.date_naive()));
        let visits = Memo::new(move |_| state.visits_near(day.get()));
        let items = Memo::new(move |_| {
            let now = state.now.get();
            let me = state.profile.with(|p| p.as_ref().map(|p| p.user));
            // The phone's own day (the schools' day for a phone in their zone).
            let local_day = now.with_timezone(&chrono::Local).date_naive();
            let posts = state.board_posts(me, local_day);
            let items = state.calendar.with(|calendar| {
                state
                    .schools
                    .with(|schools| visits.with(|v| board(calendar, schools, &posts, v, now)))
            });
            // The user's own posts (the roster's) first.
            state.roster.with(|roster| {
                mine_first(items, |i| {
                    me.is_some_and(|me| {
                        at_slot(
                            &roster.assignments,
                            &i.post_id,
                            i.opens.date_naive(),
                            i.kind,
                        )
                        .any(|a| a.officer == me)
                    })
                })
            })
        });
        let board = Board(items);
        provide_context(board);
        board
    }

    pub fn expect() -> Board {
        expect_context()
    }
}
