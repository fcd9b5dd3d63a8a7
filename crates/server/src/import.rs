//! Reading a catalog from the CSV an admin keeps in a spreadsheet: one row per post,
//! its school's columns repeated on each of the school's rows.
//!
//! ```text
//! school_id,school_name,post_id,gate,morning,noon,afternoon,lead_minutes
//! s01,实验小学,s01-g1,南门,07:20-08:00,11:40-12:20,16:30-17:20,15
//! s01,实验小学,s01-g2,北门,07:20-08:00,11:40-12:20,16:30-17:20,15
//! s04,阳光幼儿园,s04-g1,正门,08:00-08:30,,16:00-16:40,
//! ```
//!
//! An empty window cell means the school has no such window; an empty lead time means
//! `DEFAULT_LEAD_MINUTES`. The whole file is checked before anything is written, and
//! the first problem found is reported with its line number.

use std::collections::HashMap;

use chrono::NaiveTime;
use gatewatch_model::school::{
    PeakWindow, School, WindowKind, DEFAULT_LEAD_MINUTES, DEFAULT_UTC_OFFSET_MINUTES,
};

use crate::catalog::{Catalog, PostDef};

/// The columns, in the order of the template. Files may order them differently and may
/// carry more columns, which are ignored.
pub const COLUMNS: [&str; 8] = [
    "school_id",
    "school_name",
    "post_id",
    "gate",
    "morning",
    "noon",
    "afternoon",
    "lead_minutes",
];

/// What is wrong with an import, and where: `line` is the file's line, the header
/// being line 1.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}: {problem}")]
pub struct ImportError {
    pub line: u64,
    pub problem: String,
}

/// Parses a UTF-8 CSV (without a byte order mark) into a catalog.
pub fn parse(csv_text: &[u8]) -> Result<Catalog, ImportError> {
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .from_reader(csv_text);
    let header = reader
        .headers()
        .map_err(|e| csv_error(csv_text, &e, 1))?
        .clone();
    let columns = Columns::find(&header)?;
    let mut schools: Vec<School> = Vec::new();
    // Where each school and post was first seen: index into `schools`, line.
    let mut school_at: HashMap<String, (usize, u64)> = HashMap::new();
    let mut post_at: HashMap<String, u64> = HashMap::new();
    let mut posts = Vec::new();
    for (n, row) in reader.records().enumerate() {
        let fallback_line = n as u64 + 2;
        let row = row.map_err(|e| csv_error(csv_text, &e, fallback_line))?;
        // Spreadsheets save rows of empty cells below the data.
        if row.iter().all(str::is_empty) {
            continue;
        }
        let line = row
            .position()
            .map_or(fallback_line, |p| line_of(csv_text, p));
        let fail = |problem: String| ImportError { line, problem };
        let (school, post) = columns.read(&row).map_err(fail)?;
        match school_at.get(&school.id) {
            Some(&(i, first)) if schools[i] != school => {
                return Err(fail(format!(
                    "school `{}` differs from line {first}: every row of a school must \
                     repeat the same name, windows and lead time",
                    school.id
                )));
            }
            Some(_) => {}
            None => {
                school_at.insert(school.id.clone(), (schools.len(), line));
                schools.push(school);
            }
        }
        if let Some(first) = post_at.insert(post.id.clone(), line) {
            return Err(fail(format!(
                "post `{}` is already on line {first}",
                post.id
            )));
        }
        posts.push(post);
    }
    if posts.is_empty() {
        return Err(ImportError {
            line: 2,
            problem: "the file has no rows below its header".into(),
        });
    }
    Ok(Catalog { schools, posts })
}

/// Where each of `COLUMNS` is in this file.
struct Columns([usize; 8]);

impl Columns {
    fn find(header: &csv::StringRecord) -> Result<Self, ImportError> {
        let mut at = [0; 8];
        for (slot, name) in at.iter_mut().zip(COLUMNS) {
            let mut found = header
                .iter()
                .enumerate()
                .filter(|(_, h)| h.eq_ignore_ascii_case(name));
            *slot = match (found.next(), found.next()) {
                (Some((i, _)), None) => i,
                (None, _) => {
                    return Err(ImportError {
                        line: 1,
                        problem: format!(
                            "the header has no `{name}` column; expected {}",
                            COLUMNS.join(",")
                        ),
                    })
                }
                (Some(_), Some(_)) => {
                    return Err(ImportError {
                        line: 1,
                        problem: format!("the header has two `{name}` columns"),
                    })
                }
            };
        }
        Ok(Columns(at))
    }

    /// The school and the post of one row, each checked on its own.
    fn read(&self, row: &csv::StringRecord) -> Result<(School, PostDef), String> {
        let [school_id, school_name, post_id, gate, morning, noon, afternoon, lead] =
            self.0.map(|i| row.get(i).unwrap_or(""));
        let mut windows = Vec::new();
        for (kind, column, cell) in [
            (WindowKind::Morning, "morning", morning),
            (WindowKind::Noon, "noon", noon),
            (WindowKind::Afternoon, "afternoon", afternoon),
        ] {
            if !cell.is_empty() {
                windows.push(window(kind, cell).ok_or_else(|| {
                    format!("{column} `{cell}` is not a window like 07:20-08:00")
                })?);
            }
        }
        let lead_minutes = if lead.is_empty() {
            DEFAULT_LEAD_MINUTES
        } else {
            lead.parse()
                .map_err(|_| format!("lead_minutes `{lead}` is not a whole number of minutes"))?
        };
        let school = School {
            id: school_id.into(),
            name: school_name.into(),
            windows,
            lead_minutes,
            utc_offset_minutes: DEFAULT_UTC_OFFSET_MINUTES,
        };
        school
            .validate()
            .map_err(|e| format!("school `{school_id}`: {e}"))?;
        let post = PostDef {
            id: post_id.into(),
            school_id: school_id.into(),
            gate: gate.into(),
            location: None,
        };
        post.validate()
            .map_err(|e| format!("post `{post_id}`: {e}"))?;
        Ok((school, post))
    }
}

/// `07:20-08:00`; also with a full-width colon, `~` or a dash as typed by an input
/// method, and hours without a leading zero.
fn window(kind: WindowKind, cell: &str) -> Option<PeakWindow> {
    let cell = cell.replace('：', ":");
    let (opens, closes) = cell.split_once(['-', '–', '—', '~', '～'])?;
    let time = |s: &str| NaiveTime::parse_from_str(s.trim(), "%H:%M").ok();
    Some(PeakWindow {
        kind,
        opens: time(opens)?,
        closes: time(closes)?,
    })
}

/// The line a record starts on. The csv crate positions a record where the previous
/// one ended, before the blank lines it skips; count those too.
fn line_of(text: &[u8], position: &csv::Position) -> u64 {
    let start = usize::try_from(position.byte()).unwrap_or(usize::MAX);
    let blank_lines = text
        .get(start..)
        .unwrap_or_default()
        .iter()
        .take_while(|b| matches!(b, b'\n' | b'\r'))
        .filter(|b| **b == b'\n')
        .count();
    position.line() + blank_lines as u64
}

fn csv_error(text: &[u8], e: &csv::Error, fallback_line: u64) -> ImportError {
    let line = e.position().map_or(fallback_line, |p| line_of(text, p));
    let problem = match e.kind() {
        csv::ErrorKind::Utf8 { .. } => {
            "the file is not UTF-8 text; save it as \"CSV UTF-8\"".to_owned()
        }
        csv::ErrorKind::UnequalLengths {
            expected_len, len, ..
        } => format!("{len} cells where the header has {expected_len}"),
        _ => e.to_string(),
    };
    ImportError { line, problem }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEADER: &str = "school_id,school_name,post_id,gate,morning,noon,afternoon,lead_minutes\n";

    fn parse_str(body: &str) -> Result<Catalog, ImportError> {
        parse(format!("{HEADER}{body}").as_bytes())
    }

    fn t(h: u32, m: u32) -> NaiveTime {
        NaiveTime::from_hms_opt(h, m, 0).unwrap()
    }

    #[test]
    fn rows_of_one_school_make_one_school_and_its_posts() {
        let catalog = parse_str(
            "s01,实验小学,s01-g1,南门,07:20-08:00,,16:30-17:20,\n\
             s01,实验小学,s01-g2,北门,07:20-08:00,,16:30-17:20,\n\
             ,,,,,,,\n\
             s02,第一中学,s02-g1,正门,7:00～7：40,,,10\n",
        )
        .unwrap();
        assert_eq!(catalog.schools.len(), 2);
        let s01 = &catalog.schools[0];
        assert_eq!(s01.windows.len(), 2);
        assert_eq!(s01.windows[1].kind, WindowKind::Afternoon);
        assert_eq!(s01.lead_minutes, DEFAULT_LEAD_MINUTES);
        let s02 = &catalog.schools[1];
        assert_eq!(
            (s02.windows[0].opens, s02.windows[0].closes),
            (t(7, 0), t(7, 40))
        );
        assert_eq!(s02.lead_minutes, 10);
        let posts: Vec<(&str, &str)> = catalog
            .posts
            .iter()
            .map(|p| (p.id.as_str(), p.school_id.as_str()))
            .collect();
        assert_eq!(
            posts,
            [("s01-g1", "s01"), ("s01-g2", "s01"), ("s02-g1", "s02")]
        );
    }

    #[test]
    fn columns_are_found_by_name_in_any_order() {
        let text =
            "gate,post_id,school_id,school_name,lead_minutes,afternoon,noon,morning,remark\n\
                    南门,s01-g1,s01,实验小学,,,,07:20-08:00,new\n";
        let catalog = parse(text.as_bytes()).unwrap();
        assert_eq!(catalog.posts[0].gate, "南门");
        assert_eq!(catalog.schools[0].windows[0].kind, WindowKind::Morning);
    }

    #[test]
    fn each_problem_is_reported_with_its_line() {
        let ok = "s01,实验小学,s01-g1,南门,07:20-08:00,,,\n";
        let cases = [
            (
                "s01,实验小学,s01-g2,北门,07:20-0800,,,\n",
                3,
                "morning `07:20-0800`",
            ),
            (
                "s01,实验小学,s01-g2,北门,08:00-07:20,,,\n",
                3,
                "school `s01`",
            ),
            (
                "s01,实验小学,s01-g2,北门,07:20-08:00,,,soon\n",
                3,
                "lead_minutes `soon`",
            ),
            (
                "s01,实验小学,s01-g2,北门,07:20-08:00,,,121\n",
                3,
                "lead time",
            ),
            (
                "s01,实验一小,s01-g2,北门,07:20-08:00,,,\n",
                3,
                "differs from line 2",
            ),
            ("s02,第一中学,s01-g1,正门,,,,\n", 3, "already on line 2"),
            ("s02,第一中学,s02 g1,正门,,,,\n", 3, "post `s02 g1`"),
            ("s02,第一中学,s02-g1,,,,,\n", 3, "gate name is empty"),
            (",第一中学,s02-g1,正门,,,,\n", 3, "school id"),
            ("s02,,s02-g1,正门,,,,\n", 3, "name is empty"),
            ("s02,第一中学,s02-g1,正门,,\n", 3, "6 cells"),
            ("\n\ns02,第一中学,s02-g1,正门,,,,x\n", 5, "lead_minutes"),
            ("\r\n\r\ns02,第一中学,s02-g1\r\n", 5, "3 cells"),
            (
                "s02,\"第一\n中学\",s02-g1,正门,,,,\n,,s03 g1,,,,,\n",
                5,
                "school id",
            ),
        ];
        for (row, line, what) in cases {
            let err = parse_str(&format!("{ok}{row}")).unwrap_err();
            assert_eq!(err.line, line, "{row:?}: {err}");
            assert!(err.to_string().contains(what), "{row:?}: {err}");
        }
    }

    #[test]
    fn a_bad_header_or_no_rows_is_refused() {
        let err = parse(b"school_id,school_name,post_id,gate\ns01,a,b,c\n").unwrap_err();
        assert_eq!(err.line, 1);
        assert!(err.problem.contains("`morning`"), "{err}");
        assert_eq!(parse(HEADER.as_bytes()).unwrap_err().line, 2);
        assert_eq!(parse(b"").unwrap_err().line, 1);
        let doubled = HEADER.trim_end().to_owned() + ",gate\n";
        assert!(parse(doubled.as_bytes())
            .unwrap_err()
            .problem
            .contains("two `gate`"));
    }

    #[test]
    fn text_that_is_not_utf8_names_its_line() {
        let mut text = format!("{HEADER}s01,实验小学,s01-g1,南门,,,,\n").into_bytes();
        // GBK for 实验, as a Chinese Excel saves "CSV" by default.
        text.extend_from_slice(b"s02,\xca\xb5\xd1\xe9,s02-g1,x,,,,\n");
        let err = parse(&text).unwrap_err();
        assert_eq!(err.line, 3);
        assert!(err.problem.contains("UTF-8"), "{err}");
    }
}
