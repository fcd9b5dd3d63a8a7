//! The 值班表 as a CSV file (docs/duty-roster.md §3): what an admin or a supervisor
//! uploads (`read_csv`, all or nothing, every refusal naming its line) and downloads
//! (`write_csv`, which `read_csv` reads back).
//!
//! ```text
//! 日期,学校,校门,时段,民警,车辆
//! 2026-12-07,实验小学,南门,早,zhang.wei、li.na,苏A·12345
//! ```
//!
//! One row is one slot (gate × date × window) with its officers. Schools by id or
//! name, gates by post id or gate name within the school, officers by username, by a
//! display name only one account has, or by account id.

use std::collections::{BTreeMap, HashMap};

use chrono::NaiveDate;
use uuid::Uuid;

use crate::calendar::school_id;
use crate::csv::{header, text, window_label, Column, Lang, Sheet};
use crate::csv_in::{self, parse_date, parse_window_kind, LineError, Problem, Row};
use crate::post::Post;
use crate::roster::{changeable, Assignment, Person, Slot, Unchangeable};
use crate::school::{School, WindowKind};
use crate::sorting;

const DATE: Column = ("日期", "date");
const SCHOOL: Column = ("学校", "school");
const GATE: Column = ("校门", "gate");
const WINDOW: Column = ("时段", "window");
const OFFICER: Column = ("民警", "officer");
const CAR: Column = ("车辆", "car");

/// Longest car plate or call sign, in characters.
pub const MAX_CAR_CHARS: usize = 20;

/// A 值班表 as read: its assignments, and the line each came from (for a refusal
/// found later, against the roster already stored, to name its line too).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RosterSheet {
    pub assignments: Vec<Assignment>,
    lines: BTreeMap<(Slot, Uuid), usize>,
}

impl RosterSheet {
    /// The line of the file `assignment` was read from.
    pub fn line_of(&self, assignment: &Assignment) -> Option<usize> {
        self.lines
            .get(&(assignment.slot(), assignment.officer))
            .copied()
    }
}

/// The assignments of a 值班表 CSV, or the first line that is wrong: an unknown school
/// (of `catalog`: the server passes the caller's scope, so a school outside it is
/// unknown), gate, window or officer, an officer who does not `serve` the row's
/// school, a date before `today` (a day gone is kept as it was) or more than a year
/// after it (`roster::changeable`), or an officer twice in one date × window.
pub fn read_csv(
    text: &str,
    catalog: &[School],
    posts: &[Post],
    people: &[Person],
    serves: &dyn Fn(&Person, &str) -> bool,
    today: NaiveDate,
) -> Result<RosterSheet, LineError> {
    let (header, rows) = csv_in::read(text, DATE)?;
    let columns = Columns {
        date: header.require(DATE)?,
        school: header.require(SCHOOL)?,
        gate: header.require(GATE)?,
        window: header.require(WINDOW)?,
        officer: header.require(OFFICER)?,
        car: header.find(CAR),
    };
    let mut seen: HashMap<(NaiveDate, WindowKind, Uuid), usize> = HashMap::new();
    let mut out = Vec::new();
    let mut lines = BTreeMap::new();
    for row in &rows {
        let (slot, school) = columns.slot(row, catalog, posts, today)?;
        for person in columns.officers(row, people)? {
            if !serves(person, &school) {
                return Err(row.error(Problem::OfficerElsewhere {
                    officer: person.username.clone(),
                    school: row.get(Some(columns.school.0)).into(),
                }));
            }
            if let Some(other_line) = seen.insert((slot.date, slot.window, person.user), row.line) {
                return Err(row.error(Problem::OfficerTwice {
                    officer: person.username.clone(),
                    other_line,
                }));
            }
            let assignment = Assignment {
                officer: person.user,
                ..slot.clone()
            };
            lines.insert((assignment.slot(), person.user), row.line);
            out.push(assignment);
        }
    }
    sorting::sort(&mut out);
    Ok(RosterSheet {
        assignments: out,
        lines,
    })
}

/// Where the 值班表's columns are.
struct Columns {
    date: (usize, Column),
    school: (usize, Column),
    gate: (usize, Column),
    window: (usize, Column),
    officer: (usize, Column),
    car: Option<usize>,
}

impl Columns {
    /// The row's slot and car, as an assignment still without its officer, and the
    /// id of its school.
    fn slot(
        &self,
        row: &Row,
        catalog: &[School],
        posts: &[Post],
        today: NaiveDate,
    ) -> Result<(Assignment, String), LineError> {
        let date_text = row.required(self.date)?;
        let date =
            parse_date(date_text).ok_or_else(|| row.error(Problem::BadDate(date_text.into())))?;
        changeable(date, today).map_err(|why| {
            row.error(match why {
                Unchangeable::Past => Problem::Past(date),
                Unchangeable::TooFar => Problem::TooFar(date),
            })
        })?;
        let school = school_id(row.required(self.school)?, catalog).map_err(|p| row.error(p))?;
        let gate = row.required(self.gate)?;
        let post = posts
            .iter()
            .filter(|p| p.school_id == school)
            .find(|p| p.id == gate)
            .or_else(|| {
                posts
                    .iter()
                    .find(|p| p.school_id == school && p.gate == gate)
            })
            .ok_or_else(|| {
                row.error(Problem::UnknownGate {
                    school: row.get(Some(self.school.0)).into(),
                    gate: gate.into(),
                })
            })?;
        let window_text = row.required(self.window)?;
        let window = parse_window_kind(window_text)
            .ok_or_else(|| row.error(Problem::BadWindowKind(window_text.into())))?;
        let car = row.get(self.car);
        if !csv_in::fits(car, MAX_CAR_CHARS) {
            return Err(row.error(Problem::BadText(CAR)));
        }
        let slot = Assignment {
            post_id: post.id.clone(),
            date,
            window,
            officer: Uuid::nil(),
            car: (!car.is_empty()).then(|| car.to_string()),
        };
        Ok((slot, school))
    }

    /// The people the row's officer cell names, separated by `、`, `;` or `，`.
    fn officers<'p>(&self, row: &Row, people: &'p [Person]) -> Result<Vec<&'p Person>, LineError> {
        row.required(self.officer)?
            .split(['、', ';', '；', ',', '，'])
            .map(str::trim)
            .filter(|name| !name.is_empty())
            .map(|name| person(name, people).map_err(|p| row.error(p)))
            .collect()
    }
}

/// The person `name` names: by username, by account id, or by a display name only
/// one account has.
fn person<'p>(name: &str, people: &'p [Person]) -> Result<&'p Person, Problem> {
    let by_id = Uuid::parse_str(name).ok();
    if let Some(p) = people
        .iter()
        .find(|p| p.username == name || Some(p.user) == by_id)
    {
        return Ok(p);
    }
    let mut named = people.iter().filter(|p| p.display_name == name);
    match (named.next(), named.next()) {
        (Some(p), None) => Ok(p),
        (Some(_), Some(_)) => Err(Problem::AmbiguousOfficer(name.into())),
        (None, _) => Err(Problem::UnknownOfficer(name.into())),
    }
}

/// `assignments` as a 值班表 in `lang`, one row per slot and car, by date, school,
/// gate and window; what `read_csv` reads back. Schools and gates are named by name,
/// or by id where a name would be ambiguous; officers by username.
pub fn write_csv(
    assignments: &[Assignment],
    posts: &[Post],
    schools: &[School],
    people: &[Person],
    lang: Lang,
) -> String {
    let mut rows: BTreeMap<RowKey, Vec<Uuid>> = BTreeMap::new();
    for a in assignments {
        let post = posts.iter().find(|p| p.id == a.post_id);
        let key = RowKey {
            date: a.date,
            school: post.map_or_else(String::new, |p| school_cell(&p.school_id, schools)),
            gate: post.map_or_else(|| a.post_id.clone(), |p| gate_cell(p, posts)),
            window: a.window,
            car: a.car.clone().unwrap_or_default(),
        };
        rows.entry(key).or_default().push(a.officer);
    }
    let separator = lang.pick("、", ";");
    let mut sheet = Sheet::new();
    sheet.row(header(lang, &[DATE, SCHOOL, GATE, WINDOW, OFFICER, CAR]));
    for (key, officers) in rows {
        let names: Vec<String> = officers
            .iter()
            .map(|id| {
                people
                    .iter()
                    .find(|p| p.user == *id)
                    .map_or_else(|| id.to_string(), |p| p.username.clone())
            })
            .collect();
        sheet.row([
            key.date.to_string(),
            text(&key.school).into_owned(),
            text(&key.gate).into_owned(),
            window_label(key.window, lang).to_string(),
            text(&names.join(separator)).into_owned(),
            text(&key.car).into_owned(),
        ]);
    }
    sheet.finish()
}

/// One row of the written sheet: its fields in the order rows sort.
#[derive(Debug, PartialEq, Eq, PartialOrd, Ord)]
struct RowKey {
    date: NaiveDate,
    school: String,
    gate: String,
    window: WindowKind,
    car: String,
}

/// A school's name, or its id when another school has the same name (or it is
/// unknown).
fn school_cell(id: &str, schools: &[School]) -> String {
    match schools.iter().find(|s| s.id == id) {
        Some(s) if schools.iter().filter(|o| o.name == s.name).count() == 1 => s.name.clone(),
        _ => id.to_string(),
    }
}

/// A gate's name, or its post id when the school has two gates of that name.
fn gate_cell(post: &Post, posts: &[Post]) -> String {
    let same = posts
        .iter()
        .filter(|p| p.school_id == post.school_id && p.gate == post.gate)
        .count();
    if same == 1 {
        post.gate.clone()
    } else {
        post.id.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::post::demo_posts;
    use crate::school::demo_schools;

    const HEADER: &str = "日期,学校,校门,时段,民警,车辆\n";

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 12, 1).unwrap()
    }

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn people() -> Vec<Person> {
        let person = |n: u128, username: &str, display_name: &str| Person {
            user: Uuid::from_u128(n),
            username: username.into(),
            display_name: display_name.into(),
        };
        vec![
            person(1, "zhang.wei", "张伟"),
            person(2, "li.na", "李娜"),
            person(3, "wang.fang", "王芳"),
            person(4, "wang.fang2", "王芳"),
        ]
    }

    /// Everyone serves every school.
    fn anywhere(_: &Person, _: &str) -> bool {
        true
    }

    fn read(body: &str) -> Result<Vec<Assignment>, LineError> {
        read_csv(
            &format!("{HEADER}{body}"),
            &demo_schools(),
            &demo_posts(),
            &people(),
            &anywhere,
            today(),
        )
        .map(|sheet| sheet.assignments)
    }

    fn assignment(
        post: &str,
        date: &str,
        window: WindowKind,
        officer: u128,
        car: Option<&str>,
    ) -> Assignment {
        Assignment {
            post_id: post.into(),
            date: d(date),
            window,
            officer: Uuid::from_u128(officer),
            car: car.map(String::from),
        }
    }

    #[test]
    fn a_roster_reads_by_names_ids_and_in_either_language() {
        use WindowKind::*;
        let body = "2026-12-07,实验小学,南门,早,zhang.wei、李娜,苏A·12345\n\
                    2026/12/7,s01,s01-g2,晚高峰,wang.fang ; 00000000-0000-0000-0000-000000000004,\n\
                    \n\
                    2026-12-08,第一中学,正门,afternoon,zhang.wei,\n";
        let want = vec![
            assignment("s01-g1", "2026-12-07", Morning, 1, Some("苏A·12345")),
            assignment("s01-g1", "2026-12-07", Morning, 2, Some("苏A·12345")),
            assignment("s01-g2", "2026-12-07", Afternoon, 3, None),
            assignment("s01-g2", "2026-12-07", Afternoon, 4, None),
            assignment("s02-g1", "2026-12-08", Afternoon, 1, None),
        ];
        assert_eq!(read(body), Ok(want.clone()));
        let english = "Date,School,Gate,Window,Officer\n\
                       2026-12-07,s01,s01-g1,morning,zhang.wei;li.na\n";
        let got = read_csv(
            english,
            &demo_schools(),
            &demo_posts(),
            &people(),
            &anywhere,
            today(),
        )
        .unwrap()
        .assignments;
        let no_car = |a: &Assignment| Assignment {
            car: None,
            ..a.clone()
        };
        assert_eq!(got, [no_car(&want[0]), no_car(&want[1])]);
    }

    /// (why, body after the header, the line refused, the problem)
    #[test]
    fn bad_rosters_are_refused_naming_the_line() {
        use Problem::*;
        let ok = "2026-12-07,实验小学,南门,早,zhang.wei,\n";
        let cases: Vec<(&str, String, usize, Problem)> = vec![
            (
                "an unknown school",
                format!("{ok}2026-12-07,火星小学,南门,午,li.na,\n"),
                3,
                UnknownSchool("火星小学".into()),
            ),
            (
                "an unknown gate",
                format!("{ok}2026-12-07,实验小学,西门,午,li.na,\n"),
                3,
                UnknownGate {
                    school: "实验小学".into(),
                    gate: "西门".into(),
                },
            ),
            (
                "another school's gate",
                format!("{ok}2026-12-07,实验小学,s02-g1,午,li.na,\n"),
                3,
                UnknownGate {
                    school: "实验小学".into(),
                    gate: "s02-g1".into(),
                },
            ),
            (
                "an unknown window",
                format!("{ok}2026-12-07,实验小学,南门,夜,li.na,\n"),
                3,
                BadWindowKind("夜".into()),
            ),
            (
                "an unknown officer",
                format!("{ok}2026-12-07,实验小学,南门,午,zhao.liu,\n"),
                3,
                UnknownOfficer("zhao.liu".into()),
            ),
            (
                "a name two accounts have",
                format!("{ok}2026-12-07,实验小学,南门,午,王芳,\n"),
                3,
                AmbiguousOfficer("王芳".into()),
            ),
            (
                "no officer",
                format!("{ok}2026-12-07,实验小学,南门,午,,\n"),
                3,
                Empty(OFFICER),
            ),
            (
                "one officer at two gates at once",
                format!("{ok}2026-12-07,第一中学,正门,早,张伟,\n"),
                3,
                OfficerTwice {
                    officer: "zhang.wei".into(),
                    other_line: 2,
                },
            ),
            (
                "one officer twice in a cell",
                "2026-12-07,实验小学,南门,早,zhang.wei、张伟,\n".into(),
                2,
                OfficerTwice {
                    officer: "zhang.wei".into(),
                    other_line: 2,
                },
            ),
            (
                "more than a year ahead",
                format!("{ok}2027-12-03,实验小学,南门,早,li.na,\n"),
                3,
                TooFar(d("2027-12-03")),
            ),
            (
                "a day gone",
                format!("{ok}2026-11-30,实验小学,南门,早,li.na,\n"),
                3,
                Past(d("2026-11-30")),
            ),
            (
                "not a date",
                format!("{ok}12月7日,实验小学,南门,早,li.na,\n"),
                3,
                BadDate("12月7日".into()),
            ),
            (
                "a long plate",
                format!(
                    "{ok}2026-12-07,实验小学,南门,午,li.na,{}\n",
                    "苏".repeat(21)
                ),
                3,
                BadText(CAR),
            ),
            (
                "a stray cell",
                format!("{ok}2026-12-07,实验小学,南门,午,li.na,,多余\n"),
                3,
                ExtraCells {
                    header: 6,
                    found: 7,
                },
            ),
        ];
        for (why, body, line, problem) in cases {
            assert_eq!(read(&body), Err(LineError::new(line, problem)), "{why}");
        }
        // Today and a year (and a leap day) ahead are still allowed.
        assert!(
            read("2026-12-01,实验小学,南门,早,li.na,\n2027-12-02,实验小学,南门,早,li.na,\n")
                .is_ok()
        );
        assert_eq!(
            read_csv(
                "日期,学校,校门,时段\n",
                &demo_schools(),
                &demo_posts(),
                &people(),
                &anywhere,
                today()
            ),
            Err(LineError::new(1, MissingColumn(OFFICER)))
        );
    }

    #[test]
    fn an_officer_of_another_school_is_refused_by_line_and_each_assignment_keeps_its_line() {
        let only_s01 = |_: &Person, school: &str| school == "s01";
        let body = "2026-12-07,实验小学,南门,早,zhang.wei,\n\
                    2026-12-07,s02,s02-g1,早,li.na,\n";
        let refused = read_csv(
            &format!("{HEADER}{body}"),
            &demo_schools(),
            &demo_posts(),
            &people(),
            &only_s01,
            today(),
        );
        let problem = Problem::OfficerElsewhere {
            officer: "li.na".into(),
            school: "s02".into(),
        };
        assert_eq!(refused, Err(LineError::new(3, problem)));
        let sheet = read_csv(
            &format!("{HEADER}{body}"),
            &demo_schools(),
            &demo_posts(),
            &people(),
            &anywhere,
            today(),
        )
        .unwrap();
        let lines: Vec<_> = sheet.assignments.iter().map(|a| sheet.line_of(a)).collect();
        assert_eq!(lines, [Some(2), Some(3)]);
    }

    #[test]
    fn the_written_sheet_reads_back_in_both_languages() {
        use WindowKind::*;
        let roster = vec![
            assignment("s01-g1", "2026-12-07", Morning, 1, Some("苏A·12345")),
            assignment("s01-g1", "2026-12-07", Morning, 2, Some("苏A·12345")),
            assignment("s01-g1", "2026-12-07", Morning, 3, Some("=A1")),
            assignment("s02-g1", "2026-12-07", Noon, 4, None),
            assignment("s04-g1", "2026-12-08", Afternoon, 1, None),
        ];
        let (schools, posts, people) = (demo_schools(), demo_posts(), people());
        let zh = write_csv(&roster, &posts, &schools, &people, Lang::Zh);
        assert_eq!(
            zh,
            "\u{feff}日期,学校,校门,时段,民警,车辆\r\n\
             2026-12-07,实验小学,南门,早,wang.fang,'=A1\r\n\
             2026-12-07,实验小学,南门,早,zhang.wei、li.na,苏A·12345\r\n\
             2026-12-07,第一中学,正门,午,wang.fang2,\r\n\
             2026-12-08,阳光幼儿园,正门,晚,zhang.wei,\r\n"
        );
        let en = write_csv(&roster, &posts, &schools, &people, Lang::En);
        assert!(
            en.starts_with("\u{feff}date,school,gate,window,officer,car\r\n"),
            "{en}"
        );
        assert!(en.contains(",morning,zhang.wei;li.na,"), "{en}");
        for sheet in [zh, en] {
            assert_eq!(
                read_csv(&sheet, &schools, &posts, &people, &anywhere, today())
                    .map(|s| s.assignments),
                Ok(roster.clone()),
                "{sheet}"
            );
        }
    }
}
