//! A manager's edits of the roster as the wire carries them (docs/duty-roster.md §7): one
//! slot's officers, each with their own car, replacing those it had
//! (`PUT /api/roster/slot`), guarded by the officers the manager last saw there; and the
//! officers a picker may offer, with the schools they serve (`GET /api/officers`).
//! Shared by the server, which applies the edit, and the console, which makes it.

use std::collections::BTreeSet;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::roster::{Assignment, Person, Slot};
use crate::school::WindowKind;

/// One officer of a slot and the car they bring (its plate), if any. An assignment
/// carries its own car: two officers of one slot may come in two cars.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OnSlot {
    pub officer: Uuid,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub car: Option<String>,
}

/// `PUT /api/roster/slot`: the slot's officers, each with their car (`[]` clears it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SlotChange {
    pub post_id: String,
    #[serde(deserialize_with = "crate::timefmt::date")]
    pub date: NaiveDate,
    pub window: WindowKind,
    pub officers: Vec<OnSlot>,
    /// The officers the client showed for this slot when the manager edited it. When
    /// the slot holds others by now, someone changed it meanwhile and the edit, made
    /// from a stale view, is refused rather than silently undoing theirs. Optional for
    /// clients that do not show a slot before writing it (a script).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expected: Option<Vec<Uuid>>,
}

impl SlotChange {
    pub fn slot(&self) -> Slot {
        Slot {
            post_id: self.post_id.clone(),
            date: self.date,
            window: self.window,
        }
    }

    /// The assignments the change stores, in its order: each officer with their own
    /// car, trimmed (a blank plate is no car).
    pub fn assignments(&self) -> Vec<Assignment> {
        self.officers
            .iter()
            .map(|on| Assignment {
                post_id: self.post_id.clone(),
                date: self.date,
                window: self.window,
                officer: on.officer,
                car: on
                    .car
                    .as_deref()
                    .map(str::trim)
                    .filter(|c| !c.is_empty())
                    .map(str::to_owned),
            })
            .collect()
    }

    /// Whether `held`, the slot's assignments as stored now, has other officers than
    /// the client saw (`expected`; never without it). Only who is there counts, not in
    /// which order the client listed them.
    pub fn is_stale(&self, held: &[Assignment]) -> bool {
        let Some(seen) = &self.expected else {
            return false;
        };
        let seen: BTreeSet<Uuid> = seen.iter().copied().collect();
        let now: BTreeSet<Uuid> = held.iter().map(|a| a.officer).collect();
        seen != now
    }
}

/// An officer a manager may put on the roster (an active officer account of one of the
/// manager's schools), with those of the manager's schools the officer serves: a cell
/// or a swap offers only the officers of its own school.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Officer {
    pub user: Uuid,
    pub username: String,
    pub display_name: String,
    pub schools: BTreeSet<String>,
}

impl Officer {
    pub fn person(&self) -> Person {
        Person {
            user: self.user,
            username: self.username.clone(),
            display_name: self.display_name.clone(),
        }
    }

    /// Whether the officer may be put on a slot of `school_id`.
    pub fn serves(&self, school_id: &str) -> bool {
        self.schools.contains(school_id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const ZHANG: Uuid = Uuid::from_u128(1);
    const LI: Uuid = Uuid::from_u128(2);

    fn change(officers: Vec<OnSlot>, expected: Option<Vec<Uuid>>) -> SlotChange {
        SlotChange {
            post_id: "s01-g1".into(),
            date: NaiveDate::from_ymd_opt(2026, 12, 7).unwrap(),
            window: WindowKind::Morning,
            officers,
            expected,
        }
    }

    fn on(officer: Uuid, car: Option<&str>) -> OnSlot {
        OnSlot {
            officer,
            car: car.map(str::to_owned),
        }
    }

    #[test]
    fn each_officer_keeps_their_own_car() {
        let edit = change(
            vec![
                on(ZHANG, Some(" 苏A·11111 ")),
                on(LI, Some("  ")),
                on(Uuid::from_u128(3), None),
            ],
            None,
        );
        let stored = edit.assignments();
        let cars: Vec<Option<&str>> = stored.iter().map(|a| a.car.as_deref()).collect();
        assert_eq!(cars, [Some("苏A·11111"), None, None]);
        assert!(edit.assignments().iter().all(|a| a.slot() == edit.slot()));
    }

    #[test]
    fn an_edit_from_a_stale_view_is_told_apart() {
        let held = change(vec![on(ZHANG, None), on(LI, Some("苏A·2"))], None).assignments();
        // What the client saw, in any order: not stale.
        assert!(!change(vec![], Some(vec![LI, ZHANG])).is_stale(&held));
        // Someone was added or removed meanwhile: stale.
        assert!(change(vec![], Some(vec![ZHANG])).is_stale(&held));
        assert!(change(vec![], Some(vec![])).is_stale(&held));
        assert!(change(vec![], Some(vec![ZHANG])).is_stale(&[]));
        // A client that says nothing is never told so.
        assert!(!change(vec![], None).is_stale(&held));
    }

    #[test]
    fn the_wire_shape_is_one_car_per_officer_and_refuses_the_old_single_car() {
        let body = json!({"post_id": "s01-g1", "date": "2026-12-07", "window": "morning",
            "officers": [{"officer": ZHANG, "car": "苏A·1"}, {"officer": LI}], "expected": [ZHANG]});
        let read: SlotChange = serde_json::from_value(body).unwrap();
        assert_eq!(read.officers, [on(ZHANG, Some("苏A·1")), on(LI, None)]);
        assert_eq!(read.expected, Some(vec![ZHANG]));
        let old = json!({"post_id": "s01-g1", "date": "2026-12-07", "window": "morning",
            "officers": [ZHANG], "car": "苏A·1"});
        assert!(serde_json::from_value::<SlotChange>(old).is_err());
    }
}
