//! 落实率 reports for managers (docs/duty-roster.md §2–3, §6–7): per gate, per
//! assignment and per officer, as JSON for the console and as the model's sheets.
//!
//! Every figure is computed by `gatewatch_model`'s functions — `coverage::coverage`,
//! `roster::assignment_verdicts`, `roster::officer_report`, the `csv` sheets — from what
//! the database holds for the caller's schools: the schools (district, first counted
//! day) and their gates, the calendar entries that apply to them, the roster of the
//! range, and the check-ins with their authors (`records.author`, named from `users`).
//! This module only reads those and shapes the answers; the phone computes the same
//! numbers from the same functions.

use std::collections::HashMap;

use chrono::{DateTime, Days, FixedOffset, NaiveDate, Utc};
use gatewatch_model::calendar::Calendar;
use gatewatch_model::coverage::{self, Cell, Gap, Rate, Seen, Status, Verdict, Visits, Why};
use gatewatch_model::csv::{self, Lang, SheetKind};
use gatewatch_model::roster::{
    assignment_verdicts, officer_report, Assignment, AssignmentVerdict, OfficerTally, Person,
};
use gatewatch_model::school::{School, WindowKind};
use gatewatch_model::{Post, Presence};
use serde::Serialize;
use uuid::Uuid;

use crate::auth::SchoolScope;
use crate::db::Db;
use crate::error::AppError;
use crate::export::{of_kind, DateRange};
use crate::{calendar, catalog, roster};

/// What every report of a range is computed from, for the schools of one scope.
pub struct Inputs {
    schools: Vec<School>,
    posts: Vec<Post>,
    calendar: Calendar,
    visits: Visits,
    /// The range's assignments at those schools, by date, post, window and officer.
    assignments: Vec<Assignment>,
    /// Everyone the report may name: the assigned officers and the check-ins' authors.
    people: HashMap<Uuid, Person>,
    range: DateRange,
}

impl Inputs {
    /// Reads the inputs of `range` for the schools of `scope`.
    pub async fn load(db: &Db, range: DateRange, scope: &SchoolScope) -> Result<Inputs, AppError> {
        // Coverage goes by instants; a phone in another offset than the school's may
        // date an arrival up to two days apart (offsets span ±18 h), so read that much
        // more.
        let slack = Days::new(2);
        let first = range.from.checked_sub_days(slack).unwrap_or(range.from);
        let last = range.to.checked_add_days(slack).unwrap_or(range.to);
        // Independent reads, on their own pooled connections at once.
        let (mut schools, mut posts, entries, roster, stored) = tokio::try_join!(
            catalog::schools(db),
            catalog::posts(db),
            calendar::entries_for(db, scope),
            roster::between(db, range.from, range.to, scope),
            of_kind(db, "checkin", first..=last, scope),
        )?;
        schools.retain(|s| scope.contains(&s.id));
        posts.retain(|p| scope.contains(&p.school_id));
        let calendar = Calendar::new(entries);
        let mut people: HashMap<Uuid, Person> =
            roster.people.into_iter().map(|p| (p.user, p)).collect();
        let mut author_of: HashMap<Uuid, Uuid> = HashMap::with_capacity(stored.len());
        for s in &stored {
            if let Some(author) = &s.author {
                author_of.insert(s.record.id, author.user);
                people.entry(author.user).or_insert_with(|| author.clone());
            }
        }
        let visits = Visits::of_records(stored.iter().map(|s| &s.record), |r| {
            author_of.get(&r.id).copied()
        });
        Ok(Inputs {
            schools,
            posts,
            calendar,
            visits,
            assignments: roster.assignments,
            people,
            range,
        })
    }

    /// Every gate's due windows of the range, judged.
    fn cells(&self, now: DateTime<Utc>) -> Vec<Cell<'_>> {
        coverage::coverage(
            &self.calendar,
            &self.schools,
            &self.posts,
            &self.visits,
            self.range.days(),
            now,
        )
    }

    /// Every assignment of the range, judged.
    fn verdicts(&self, now: DateTime<Utc>) -> Vec<AssignmentVerdict<'_>> {
        assignment_verdicts(
            &self.calendar,
            &self.schools,
            &self.posts,
            &self.visits,
            &self.assignments,
            now,
        )
    }

    fn person(&self, id: Uuid) -> Option<&Person> {
        self.people.get(&id)
    }

    /// A person by id; an id no account has (the roster only names accounts, so this
    /// is a guard) shows as the id.
    fn named(&self, id: Uuid) -> Person {
        self.person(id).cloned().unwrap_or_else(|| Person {
            user: id,
            username: String::new(),
            display_name: id.to_string(),
        })
    }

    fn gates(&self) -> csv::Gates<'_> {
        csv::Gates::new(&self.posts, &self.schools)
    }

    /// The zone of each gate's school, for the times the JSON gives.
    fn zones(&self) -> HashMap<&str, FixedOffset> {
        let of_school: HashMap<&str, FixedOffset> = self
            .schools
            .iter()
            .map(|s| (s.id.as_str(), s.offset()))
            .collect();
        self.posts
            .iter()
            .filter_map(|p| Some((p.id.as_str(), *of_school.get(p.school_id.as_str())?)))
            .collect()
    }
}

/// `GET /api/reports/coverage`: the rate, the school × day heatmap's cells, each gate's
/// due windows with status and why, and each assignment's verdicts.
#[derive(Debug, Serialize)]
pub struct CoverageReport {
    pub from: NaiveDate,
    pub to: NaiveDate,
    /// Covered over decided gate windows (upcoming ones not counted).
    pub rate: Rate,
    pub by_school_day: Vec<SchoolDay>,
    pub gates: Vec<GateVerdict>,
    /// The assignments whose window was due, by date, gate, window and officer.
    pub assignments: Vec<AssignmentReport>,
    /// Assignments on a day the calendar has no such window (never counted).
    pub not_due: Vec<NotDue>,
}

/// One school on one day: its gates' due windows.
#[derive(Debug, Serialize)]
pub struct SchoolDay {
    pub school_id: String,
    pub date: NaiveDate,
    pub covered: u32,
    pub decided: u32,
}

/// One gate's due window (`coverage::Cell`).
#[derive(Debug, Serialize)]
pub struct GateVerdict {
    pub school_id: String,
    pub post_id: String,
    pub date: NaiveDate,
    pub window: WindowKind,
    /// The on-post time D, in the school's zone.
    pub on_post_by: DateTime<FixedOffset>,
    pub status: Status,
    /// The reason in words (`csv::why_text`, in the query's `lang`).
    pub why: String,
    pub reason: Reason,
}

/// A verdict's reason (`coverage::Why`) with people named and times in the school's
/// zone.
#[derive(Debug, Serialize)]
pub struct Reason {
    pub first: Option<Sighting>,
    pub first_full: Option<Sighting>,
    pub left: Option<Sighting>,
    pub gap: Option<GapView>,
}

/// Someone at a gate at an instant (`coverage::Seen`); `person` is `null` for a record
/// stored before accounts.
#[derive(Debug, Serialize)]
pub struct Sighting {
    pub person: Option<Person>,
    pub at: DateTime<FixedOffset>,
    pub flags: Presence,
}

#[derive(Debug, Serialize)]
pub struct GapView {
    pub from: DateTime<FixedOffset>,
    pub to: DateTime<FixedOffset>,
}

/// One due assignment: the officer's own verdict and why, the gate's, who came instead.
#[derive(Debug, Serialize)]
pub struct AssignmentReport {
    pub school_id: String,
    pub post_id: String,
    pub date: NaiveDate,
    pub window: WindowKind,
    pub officer: Person,
    pub car: Option<String>,
    pub on_post_by: DateTime<FixedOffset>,
    /// From the assigned officer's own visits only.
    pub status: Status,
    pub why: String,
    pub reason: Reason,
    /// From everyone's visits: was anyone there.
    pub gate_status: Status,
    /// The other people counted at the slot, by username.
    pub instead: Vec<Person>,
    /// Whether someone not known (a record stored before accounts) came too.
    pub instead_unknown: bool,
}

/// An assignment on a day its window is not due.
#[derive(Debug, Serialize)]
pub struct NotDue {
    pub post_id: String,
    pub date: NaiveDate,
    pub window: WindowKind,
    pub officer: Person,
    pub car: Option<String>,
}

/// How JSON names a verdict's people and times: `inputs`' people, `zone` the school's.
struct Wording<'i> {
    inputs: &'i Inputs,
    zone: FixedOffset,
    lang: Lang,
}

impl Wording<'_> {
    fn sighting(&self, seen: Option<Seen>) -> Option<Sighting> {
        seen.map(|s| Sighting {
            person: s.person.and_then(|p| self.inputs.person(p)).cloned(),
            at: s.at.with_timezone(&self.zone),
            flags: s.presence,
        })
    }

    fn reason(&self, why: &Why) -> Reason {
        Reason {
            first: self.sighting(why.first),
            first_full: self.sighting(why.first_full),
            left: self.sighting(why.left),
            gap: why.gap.map(|Gap { from, to }| GapView {
                from: from.with_timezone(&self.zone),
                to: to.with_timezone(&self.zone),
            }),
        }
    }

    /// The status, the reason in words and in parts, and D in the school's zone.
    fn verdict(
        &self,
        verdict: &Verdict,
        due: DateTime<FixedOffset>,
    ) -> (Status, String, Reason, DateTime<FixedOffset>) {
        (
            verdict.status,
            csv::why_text(verdict.status, &verdict.why, due, self.lang),
            self.reason(&verdict.why),
            due.with_timezone(&self.zone),
        )
    }
}

/// The zone of a gate not in `zones` (a guard: every judged gate's school is known).
const CHINA: FixedOffset = match FixedOffset::east_opt(8 * 3600) {
    Some(zone) => zone,
    None => unreachable!(),
};

/// The coverage report of `inputs`' range as of `now`, reasons worded in `lang`.
pub fn coverage_report(inputs: &Inputs, now: DateTime<Utc>, lang: Lang) -> CoverageReport {
    let cells = inputs.cells(now);
    let zones = inputs.zones();
    let wording = |post_id: &str| Wording {
        inputs,
        zone: zones.get(post_id).copied().unwrap_or(CHINA),
        lang,
    };
    let by_school_day = Rate::by(&cells, |c| (c.school_id, c.date))
        .into_iter()
        .map(|((school_id, date), rate)| SchoolDay {
            school_id: school_id.to_owned(),
            date,
            covered: rate.covered,
            decided: rate.decided,
        })
        .collect();
    let gates = cells
        .iter()
        .map(|c| {
            let verdict = Verdict {
                status: c.status,
                why: c.why,
            };
            let (status, why, reason, on_post_by) = wording(c.post_id).verdict(&verdict, c.due);
            GateVerdict {
                school_id: c.school_id.to_owned(),
                post_id: c.post_id.to_owned(),
                date: c.date,
                window: c.kind,
                on_post_by,
                status,
                why,
                reason,
            }
        })
        .collect();
    let school_of: HashMap<&str, &str> = inputs
        .posts
        .iter()
        .map(|p| (p.id.as_str(), p.school_id.as_str()))
        .collect();
    let (mut assignments, mut not_due) = (Vec::new(), Vec::new());
    for v in inputs.verdicts(now) {
        let a = v.assignment;
        let Some(due) = &v.due else {
            not_due.push(NotDue {
                post_id: a.post_id.clone(),
                date: a.date,
                window: a.window,
                officer: inputs.named(a.officer),
                car: a.car.clone(),
            });
            continue;
        };
        let (status, why, reason, on_post_by) =
            wording(&a.post_id).verdict(&due.own, due.on_post_by);
        let mut instead: Vec<Person> = due
            .instead
            .iter()
            .flatten()
            .map(|p| inputs.named(*p))
            .collect();
        instead.sort_by(|x, y| x.username.cmp(&y.username));
        assignments.push(AssignmentReport {
            school_id: school_of
                .get(a.post_id.as_str())
                .copied()
                .unwrap_or("")
                .to_owned(),
            post_id: a.post_id.clone(),
            date: a.date,
            window: a.window,
            officer: inputs.named(a.officer),
            car: a.car.clone(),
            on_post_by,
            status,
            why,
            reason,
            gate_status: due.gate,
            instead,
            instead_unknown: due.instead.contains(&None),
        });
    }
    CoverageReport {
        from: inputs.range.from,
        to: inputs.range.to,
        rate: Rate::of(&cells),
        by_school_day,
        gates,
        assignments,
        not_due,
    }
}

/// `GET /api/reports/officers`: each officer's assigned due windows of the range by
/// their own verdict.
#[derive(Debug, Serialize)]
pub struct OfficersReport {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub officers: Vec<OfficerRow>,
}

/// One officer: who, their counts (`assigned`, `covered`, `late`, `partial`,
/// `missed`, `upcoming`, and `officer`, the id) and the rate, covered over decided.
#[derive(Debug, Serialize)]
pub struct OfficerRow {
    pub person: Person,
    #[serde(flatten)]
    pub counts: OfficerTally,
    pub rate: Rate,
}

fn tallies(inputs: &Inputs, now: DateTime<Utc>) -> Vec<OfficerTally> {
    officer_report(&inputs.verdicts(now), inputs.range.days())
}

/// The per-officer report, by username.
pub fn officers_report(inputs: &Inputs, now: DateTime<Utc>) -> OfficersReport {
    let mut officers: Vec<OfficerRow> = tallies(inputs, now)
        .into_iter()
        .map(|t| OfficerRow {
            person: inputs.named(t.officer),
            counts: t,
            rate: t.rate(),
        })
        .collect();
    officers.sort_by(|a, b| a.person.username.cmp(&b.person.username));
    OfficersReport {
        from: inputs.range.from,
        to: inputs.range.to,
        officers,
    }
}

/// A sheet of the range and its file name (`csv::file_name`, with the dates).
pub struct Sheet {
    pub file_name: String,
    pub bytes: Vec<u8>,
}

/// 落实率 per gate × day × window with why, then the rates (`csv::coverage`).
pub fn coverage_sheet(inputs: &Inputs, now: DateTime<Utc>, lang: Lang) -> Sheet {
    let cells = inputs.cells(now);
    let text = csv::coverage(
        &cells,
        &inputs.gates(),
        |id| inputs.person(id),
        &inputs.range.label(),
        lang,
    );
    sheet(inputs, SheetKind::Coverage, text, lang)
}

/// 排班落实 per assignment (`csv::assignments`).
pub fn assignments_sheet(inputs: &Inputs, now: DateTime<Utc>, lang: Lang) -> Sheet {
    let verdicts = inputs.verdicts(now);
    let text = csv::assignments(&verdicts, &inputs.gates(), |id| inputs.person(id), lang);
    sheet(inputs, SheetKind::Assignments, text, lang)
}

/// 民警落实 per officer (`csv::officers`).
pub fn officers_sheet(inputs: &Inputs, now: DateTime<Utc>, lang: Lang) -> Sheet {
    let text = csv::officers(
        &tallies(inputs, now),
        |id| inputs.person(id),
        &inputs.range.label(),
        lang,
    );
    sheet(inputs, SheetKind::Officers, text, lang)
}

fn sheet(inputs: &Inputs, kind: SheetKind, text: String, lang: Lang) -> Sheet {
    Sheet {
        file_name: csv::file_name(kind, inputs.range.from, inputs.range.to, lang),
        bytes: text.into_bytes(),
    }
}

/// `GET /api/coverage`: the gates' rates over the range — overall, per day, per
/// window kind and per school — for screens rather than spreadsheets.
#[derive(Debug, Serialize)]
pub struct CoverageSummary {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub overall: RateView,
    pub by_day: Vec<Keyed<NaiveDate>>,
    pub by_window: Vec<Keyed<&'static str>>,
    pub by_school: Vec<Keyed<String>>,
}

/// A rate with its percentage spelled out (`null` before any window is decided).
#[derive(Debug, Serialize)]
pub struct RateView {
    pub covered: u32,
    pub decided: u32,
    pub percent: Option<f64>,
}

impl From<Rate> for RateView {
    fn from(r: Rate) -> Self {
        RateView {
            covered: r.covered,
            decided: r.decided,
            percent: r.percent(),
        }
    }
}

#[derive(Debug, Serialize)]
pub struct Keyed<K> {
    pub key: K,
    #[serde(flatten)]
    pub rate: RateView,
}

fn keyed<K>(groups: std::collections::BTreeMap<K, Rate>) -> Vec<Keyed<K>> {
    groups
        .into_iter()
        .map(|(key, rate)| Keyed {
            key,
            rate: rate.into(),
        })
        .collect()
}

pub fn coverage_summary(inputs: &Inputs, now: DateTime<Utc>) -> CoverageSummary {
    let cells = inputs.cells(now);
    CoverageSummary {
        from: inputs.range.from,
        to: inputs.range.to,
        overall: Rate::of(&cells).into(),
        by_day: keyed(Rate::by(&cells, |c| c.date)),
        // Keyed by kind first, so windows come in the order of the day.
        by_window: keyed(Rate::by(&cells, |c| c.kind))
            .into_iter()
            .map(|k| Keyed {
                key: k.key.as_str(),
                rate: k.rate,
            })
            .collect(),
        by_school: keyed(Rate::by(&cells, |c| c.school_id.to_string())),
    }
}
