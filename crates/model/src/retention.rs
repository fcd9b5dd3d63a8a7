//! Which records a phone may drop to keep local storage small.
//!
//! A lead's phone would otherwise collect years of sessions. Records the server has
//! acknowledged and that are older than the retention window may go: the server keeps
//! them. Never an unsynced record, never a team or a roster entry (they stay current
//! however old), never a session that is still open or has hours the lead has not
//! decided on.
//!
//! Nor may a phone keep what its user may no longer read (`unreadable`): the server
//! stopped sending it, and a record it holds is not refreshed or corrected.

use chrono::{Duration, NaiveDate};

use crate::access::{may, Access, UserRole};
use crate::duty::Approval;
use crate::record::{Record, RecordBody};
use crate::stored::LocalRecord;

/// Days a synced record stays on the phone by default.
pub const DEFAULT_RETENTION_DAYS: u32 = 90;

/// Whether `local` may be dropped from the phone on `today` with a window of `days`.
pub fn expired(local: &LocalRecord, today: NaiveDate, days: u32) -> bool {
    local.synced && outdated(&local.record, today, days)
}

/// Whether `local` is a synced record of a kind a `role` may not read at all: pulled
/// under an earlier rule (a lead's phone held incidents before they were the police's
/// alone) or an earlier role. An unsynced one stays, for its user to push or export.
pub fn unreadable(local: &LocalRecord, role: UserRole) -> bool {
    local.synced && !may(role, local.record.body.kind(), Access::Read)
}

/// Whether `record`, once synced, would be past the window: what a pull need not store.
pub fn outdated(record: &Record, today: NaiveDate, days: u32) -> bool {
    let body = &record.body;
    let dated = match body {
        RecordBody::CheckIn(_) | RecordBody::Incident(_) => Some(body.device_time().date_naive()),
        // Kept while the lead still has hours to decide on.
        RecordBody::Duty(d)
            if d.participants
                .iter()
                .any(|p| p.approval == Approval::Pending) =>
        {
            None
        }
        RecordBody::Duty(d) => d.end.map(|_| d.start.date_naive()),
        // A swap is dated by its slot: once that day is long past, decided or not, the
        // request no longer matters on the phone.
        RecordBody::Swap(s) => Some(s.date),
        RecordBody::Team(_) | RecordBody::Volunteer(_) => None,
    };
    dated.is_some_and(|date| date < today - Duration::days(i64::from(days)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::duty::tests::{part, session};
    use crate::record::tests::sample;
    use crate::team::Team;

    fn local(record: Record, synced: bool) -> LocalRecord {
        LocalRecord {
            synced,
            ..LocalRecord::new_unsynced(record)
        }
    }

    #[test]
    fn a_lead_keeps_no_synced_incident() {
        use crate::record::tests::sample_incident;
        let incident = sample_incident(1, 1);
        assert!(unreadable(&local(incident.clone(), true), UserRole::Lead));
        assert!(!unreadable(&local(incident.clone(), false), UserRole::Lead));
        assert!(!unreadable(&local(incident, true), UserRole::Officer));
        assert!(!unreadable(&local(sample(2, 1), true), UserRole::Lead));
    }

    #[test]
    fn only_old_synced_events_go() {
        let check_in = sample(1, 1);
        let made = check_in.body.device_time().date_naive();
        let later = |days: i64| made + Duration::days(days);
        assert!(!expired(&local(check_in.clone(), true), later(90), 90));
        assert!(expired(&local(check_in.clone(), true), later(91), 90));
        // Unsynced: never, however old.
        assert!(!expired(&local(check_in.clone(), false), later(4000), 90));

        let mut closed = session("07:00", Some("08:00"), vec![part(1, "07:00", None)]);
        let as_record0 = |body| check_in.corrected(check_in.version.clone(), body);
        let undecided = local(as_record0(RecordBody::Duty(closed.clone())), true);
        assert!(!expired(
            &undecided,
            closed.start.date_naive() + Duration::days(400),
            90
        ));
        closed.participants[0].approval = crate::duty::Approval::Approved;
        let day = closed.start.date_naive();
        let as_record = |body| check_in.corrected(check_in.version.clone(), body);
        assert!(expired(
            &local(as_record(RecordBody::Duty(closed.clone())), true),
            day + Duration::days(91),
            90
        ));
        let open = session("07:00", None, vec![]);
        assert!(!expired(
            &local(as_record(RecordBody::Duty(open)), true),
            day + Duration::days(400),
            90
        ));
        let team = Team {
            school_id: "sch-1".into(),
            name: "护学队".into(),
            device_time: closed.start,
        };
        assert!(!expired(
            &local(as_record(RecordBody::Team(team)), true),
            day + Duration::days(400),
            90
        ));
    }
}
