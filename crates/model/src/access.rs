//! Who may read and write which records: the one rule the server applies to every
//! pushed record, every pulled change and every record's history.
//!
//! One pure rule for every record kind, so the push check, the pull filter and their
//! tests cannot disagree:
//! - officers push their own check-ins and incidents, and read those of their schools;
//! - team leads read and write their teams' teams, rosters and duty sessions, and read
//!   the check-ins of their schools — not incidents: those are bullying cases about
//!   minors, for the police alone; a lead may create a new team at one of their schools
//!   (the server then adds it to their teams), and move one of their teams only to one
//!   of their schools (`allowed_change`);
//! - supervisors (所长, 指挥室) read the check-ins, incidents and swap requests of their
//!   schools, and read and write those schools' roster (`ROSTER`), nothing else;
//! - officers read the roster of their schools and ask for swaps of their own posts;
//! - admins read and write everything.

use std::collections::BTreeSet;

use uuid::Uuid;

use crate::record::{Record, RecordBody};

/// What a user is to Gatewatch.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum UserRole {
    Officer,
    Lead,
    /// A police-station chief (所长) or the command room (指挥室): their schools' figures
    /// and roster.
    Supervisor,
    Admin,
}

/// What a user is responsible for: schools (by id) and volunteer teams (by record id).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Scope {
    pub schools: BTreeSet<String>,
    pub teams: BTreeSet<Uuid>,
}

/// The signed-in user a request acts for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    pub user: Uuid,
    pub role: UserRole,
    pub scope: Scope,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    Read,
    Write,
}

/// What the rule needs to know of a record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Subject<'a> {
    pub kind: &'static str,
    /// The school it concerns: a check-in's or incident's post's school, a team's school.
    pub school: Option<&'a str>,
    /// The volunteer team it belongs to: the team itself, a member's, a session's.
    pub team: Option<Uuid>,
    /// Who first pushed it (the server remembers); `None` for a record new to the server,
    /// which is then the pusher's own.
    pub author: Option<Uuid>,
}

impl UserRole {
    pub fn as_str(self) -> &'static str {
        match self {
            UserRole::Officer => "officer",
            UserRole::Lead => "lead",
            UserRole::Supervisor => "supervisor",
            UserRole::Admin => "admin",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "officer" => Some(UserRole::Officer),
            "lead" => Some(UserRole::Lead),
            "supervisor" => Some(UserRole::Supervisor),
            "admin" => Some(UserRole::Admin),
            _ => None,
        }
    }
}

impl<'a> Subject<'a> {
    /// The subject of `record`, whose id is `id`; `school_of_post` maps a post to its
    /// school, `author` is who first pushed the record.
    pub fn of(
        record: &'a Record,
        school_of_post: impl Fn(&str) -> Option<&'a str>,
        author: Option<Uuid>,
    ) -> Subject<'a> {
        let (school, team) = match &record.body {
            RecordBody::CheckIn(c) => (school_of_post(&c.post_id), None),
            RecordBody::Incident(i) => (school_of_post(&i.post_id), None),
            RecordBody::Team(t) => (Some(t.school_id.as_str()), Some(record.id)),
            RecordBody::Volunteer(v) => (None, Some(v.team)),
            RecordBody::Duty(d) => (None, Some(d.team)),
            RecordBody::Swap(s) => (school_of_post(&s.post_id), None),
        };
        Subject {
            kind: record.body.kind(),
            school,
            team,
            author,
        }
    }
}

/// The subject kind of a post's gate-code secret (its school is the post's school):
/// read by the leads of that school, who show the code at the gate, and by admins.
pub const GATE_SECRET: &str = "gate_secret";

/// The subject kind of a school's duty roster (its assignments; its school is the
/// slot's post's school): read by that school's officers, read and written by its
/// supervisors, who also decide its swap requests.
pub const ROSTER: &str = "roster";

/// The kinds whose subject is a school: what `may` puts at the user's own school.
const SCHOOL_KINDS: [&str; 6] = ["checkin", "incident", "team", "swap", GATE_SECRET, ROSTER];

/// Whether `who` may `access` a record that is `what`. Anything the rule does not name
/// is denied.
pub fn allowed(who: &Principal, what: &Subject, access: Access) -> bool {
    let in_schools = what.school.is_some_and(|s| who.scope.schools.contains(s));
    let in_teams = what.team.is_some_and(|t| who.scope.teams.contains(&t));
    let own = what.author.is_none_or(|a| a == who.user);
    match (who.role, what.kind) {
        (UserRole::Admin, _) => true,
        (UserRole::Officer, "checkin" | "incident") => match access {
            Access::Read => in_schools,
            Access::Write => in_schools && own,
        },
        // A team new to the server, at one of the lead's schools: theirs from now on.
        (UserRole::Lead, "team") if access == Access::Write && what.author.is_none() => {
            in_teams || in_schools
        }
        (UserRole::Lead, "team" | "volunteer" | "duty") => in_teams,
        // Not incidents (bullying cases about minors): officers and admins only.
        (UserRole::Lead, "checkin") => access == Access::Read && in_schools,
        // A post's gate-code secret: an officer who had it could make the code without
        // being at the gate.
        (UserRole::Lead, GATE_SECRET) => access == Access::Read && in_schools,
        (UserRole::Officer, ROSTER) => access == Access::Read && in_schools,
        // A swap request is the asking officer's; the supervisor decides through the
        // roster (`ROSTER` write), never by pushing a version of the request.
        (UserRole::Officer, "swap") => in_schools && own,
        (UserRole::Supervisor, "checkin" | "incident" | "swap") => {
            access == Access::Read && in_schools
        }
        (UserRole::Supervisor, ROSTER) => in_schools,
        _ => false,
    }
}

/// Whether a `role` may `access` records of `kind` at all, in its own scope: what the
/// phone offers each role (a screen for a kind the role may not write is not shown).
/// Read off `allowed` for a new record at one of the user's schools and teams, so the
/// screens and the server cannot disagree.
pub fn may(role: UserRole, kind: &'static str, access: Access) -> bool {
    const SCHOOL: &str = "own-school";
    let team = Uuid::nil();
    let who = Principal {
        user: Uuid::nil(),
        role,
        scope: Scope {
            schools: [SCHOOL.to_string()].into(),
            teams: [team].into(),
        },
    };
    let school = SCHOOL_KINDS.contains(&kind).then_some(SCHOOL);
    let team = matches!(kind, "team" | "volunteer" | "duty").then_some(team);
    let what = Subject {
        kind,
        school,
        team,
        author: None,
    };
    allowed(&who, &what, access)
}

/// Whether `who` may change a record from `held` to `new`, each of which `allowed` them
/// to write: a lead moves a team only to one of their own schools (a team's school is
/// where its hours are reported; moving it elsewhere is for that school's lead or an
/// admin).
pub fn allowed_change(who: &Principal, held: &Subject, new: &Subject) -> bool {
    match (who.role, new.kind) {
        (UserRole::Lead, "team") => {
            held.school == new.school || new.school.is_some_and(|s| who.scope.schools.contains(s))
        }
        _ => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const KINDS: [&str; 8] = [
        "checkin",
        "incident",
        "team",
        "volunteer",
        "duty",
        "swap",
        ROSTER,
        GATE_SECRET,
    ];
    const ME: Uuid = Uuid::from_u128(1);
    const SOMEONE: Uuid = Uuid::from_u128(2);
    const MY_TEAM: Uuid = Uuid::from_u128(10);
    const OTHER_TEAM: Uuid = Uuid::from_u128(11);

    fn principal(role: UserRole) -> Principal {
        Principal {
            user: ME,
            role,
            scope: Scope {
                schools: ["sch-1".to_string()].into(),
                teams: [MY_TEAM].into(),
            },
        }
    }

    /// A record of `kind`, in scope or not, made by `author`.
    fn subject(kind: &'static str, in_scope: bool, author: Option<Uuid>) -> Subject<'static> {
        let school = if in_scope { "sch-1" } else { "sch-9" };
        let team = if in_scope { MY_TEAM } else { OTHER_TEAM };
        match kind {
            "checkin" | "incident" | "swap" | ROSTER | GATE_SECRET => Subject {
                kind,
                school: Some(school),
                team: None,
                author,
            },
            "team" => Subject {
                kind,
                school: Some(school),
                team: Some(team),
                author,
            },
            _ => Subject {
                kind,
                school: None,
                team: Some(team),
                author,
            },
        }
    }

    #[test]
    fn a_lead_moves_a_team_only_to_their_own_schools() {
        let at = |school| Subject {
            kind: "team",
            school: Some(school),
            team: Some(MY_TEAM),
            author: Some(ME),
        };
        let lead = principal(UserRole::Lead);
        assert!(allowed_change(&lead, &at("sch-1"), &at("sch-1")));
        assert!(!allowed_change(&lead, &at("sch-1"), &at("sch-9")));
        // A team an admin put at another school may stay there, or come home.
        assert!(allowed_change(&lead, &at("sch-9"), &at("sch-9")));
        assert!(allowed_change(&lead, &at("sch-9"), &at("sch-1")));
        assert!(allowed_change(
            &principal(UserRole::Admin),
            &at("sch-1"),
            &at("sch-9")
        ));
    }

    /// Every role × kind × read/write × in/out of scope × own/someone else's, with the
    /// answer the issue asks for.
    #[test]
    fn the_whole_table() {
        use Access::{Read, Write};
        use UserRole::{Admin, Lead, Officer, Supervisor};
        let expected = |role, kind: &str, access, in_scope: bool, own: bool| -> bool {
            match (role, kind) {
                (Admin, _) => true,
                (Officer, "checkin" | "incident") => in_scope && (access == Read || own),
                (Officer, "swap") => in_scope && own,
                (Officer, ROSTER) => in_scope && access == Read,
                (Lead, "team" | "volunteer" | "duty") => in_scope,
                (Lead, "checkin" | GATE_SECRET) => in_scope && access == Read,
                (Supervisor, "checkin" | "incident" | "swap") => in_scope && access == Read,
                (Supervisor, ROSTER) => in_scope,
                _ => false,
            }
        };
        let mut out_of_scope_attempts = 0;
        for role in [Officer, Lead, Supervisor, Admin] {
            for kind in KINDS {
                for access in [Read, Write] {
                    for in_scope in [true, false] {
                        for own in [true, false] {
                            let author = if own { Some(ME) } else { Some(SOMEONE) };
                            let got =
                                allowed(&principal(role), &subject(kind, in_scope, author), access);
                            assert_eq!(
                                got,
                                expected(role, kind, access, in_scope, own),
                                "{role:?} {access:?} {kind} in_scope={in_scope} own={own}"
                            );
                            if !in_scope && role != Admin {
                                out_of_scope_attempts += 1;
                                assert!(!got, "out of scope must be denied");
                            }
                        }
                    }
                }
            }
        }
        assert_eq!(out_of_scope_attempts, 3 * KINDS.len() * 2 * 2);
    }

    #[test]
    fn a_lead_creates_a_team_only_at_their_schools() {
        let lead = principal(UserRole::Lead);
        let new_team = |school| Subject {
            kind: "team",
            school: Some(school),
            team: Some(Uuid::from_u128(99)),
            author: None,
        };
        assert!(allowed(&lead, &new_team("sch-1"), Access::Write));
        assert!(!allowed(&lead, &new_team("sch-9"), Access::Write));
        // Once stored, it is the lead's only through their scope.
        let stored = Subject {
            author: Some(ME),
            ..new_team("sch-1")
        };
        assert!(!allowed(&lead, &stored, Access::Write));
        assert!(!allowed(&lead, &new_team("sch-1"), Access::Read));
        assert!(!allowed(
            &principal(UserRole::Officer),
            &new_team("sch-1"),
            Access::Write
        ));
    }

    #[test]
    fn what_each_role_may_do_at_all() {
        use Access::{Read, Write};
        use UserRole::{Admin, Lead, Officer, Supervisor};
        let table = [
            // role, kind, may read, may write
            (Officer, "checkin", true, true),
            (Officer, "incident", true, true),
            (Officer, "team", false, false),
            (Officer, "duty", false, false),
            (Lead, "checkin", true, false),
            (Lead, "incident", false, false),
            (Lead, "team", true, true),
            (Lead, "volunteer", true, true),
            (Lead, "duty", true, true),
            (Admin, "checkin", true, true),
            (Admin, "team", true, true),
            (Officer, GATE_SECRET, false, false),
            (Lead, GATE_SECRET, true, false),
            (Admin, GATE_SECRET, true, true),
            (Officer, ROSTER, true, false),
            (Officer, "swap", true, true),
            (Lead, ROSTER, false, false),
            (Supervisor, "checkin", true, false),
            (Supervisor, "incident", true, false),
            (Supervisor, "swap", true, false),
            (Supervisor, ROSTER, true, true),
            (Supervisor, "team", false, false),
            (Supervisor, "duty", false, false),
            (Supervisor, GATE_SECRET, false, false),
        ];
        for (role, kind, read, write) in table {
            assert_eq!(may(role, kind, Read), read, "{role:?} read {kind}");
            assert_eq!(may(role, kind, Write), write, "{role:?} write {kind}");
        }
    }

    #[test]
    fn roles_read_back_from_their_names() {
        for role in [
            UserRole::Officer,
            UserRole::Lead,
            UserRole::Supervisor,
            UserRole::Admin,
        ] {
            assert_eq!(UserRole::parse(role.as_str()), Some(role));
        }
        assert_eq!(UserRole::parse("root"), None);
    }

    #[test]
    fn a_record_new_to_the_server_is_the_pushers_own() {
        let officer = principal(UserRole::Officer);
        assert!(allowed(
            &officer,
            &subject("checkin", true, None),
            Access::Write
        ));
        assert!(!allowed(
            &officer,
            &subject("checkin", false, None),
            Access::Write
        ));
    }

    #[test]
    fn a_check_in_at_an_unknown_post_is_nobodys_but_the_admins() {
        let lost = Subject {
            kind: "checkin",
            school: None,
            team: None,
            author: None,
        };
        for role in [UserRole::Officer, UserRole::Lead] {
            assert!(!allowed(&principal(role), &lost, Access::Read));
        }
        assert!(allowed(&principal(UserRole::Admin), &lost, Access::Write));
    }

    #[test]
    fn subjects_are_read_off_records() {
        use crate::duty::tests::{part, session};
        let check_in = crate::record::tests::sample(5, 1);
        let post = check_in.body.post_id().to_string();
        let s = Subject::of(&check_in, |p| (p == post).then_some("sch-1"), Some(ME));
        assert_eq!(
            (s.kind, s.school, s.team, s.author),
            ("checkin", Some("sch-1"), None, Some(ME))
        );
        let mut duty = session("07:00", None, vec![part(1, "07:00", None)]);
        duty.team = MY_TEAM;
        let record = check_in.corrected(check_in.version.clone(), RecordBody::Duty(duty));
        let s = Subject::of(&record, |_| None, None);
        assert_eq!((s.kind, s.school, s.team), ("duty", None, Some(MY_TEAM)));
        assert!(allowed(&principal(UserRole::Lead), &s, Access::Write));
        assert!(!allowed(&principal(UserRole::Officer), &s, Access::Read));
    }

    proptest! {
        #[test]
        fn writing_never_reaches_further_than_reading(
            role in prop_oneof![
                Just(UserRole::Officer),
                Just(UserRole::Lead),
                Just(UserRole::Supervisor),
                Just(UserRole::Admin)
            ],
            kind in proptest::sample::select(KINDS.to_vec()),
            in_scope in any::<bool>(),
            own in any::<bool>(),
        ) {
            let author = if own { Some(ME) } else { Some(SOMEONE) };
            let s = subject(kind, in_scope, author);
            let p = principal(role);
            prop_assert!(!allowed(&p, &s, Access::Write) || allowed(&p, &s, Access::Read));
        }
    }
}
