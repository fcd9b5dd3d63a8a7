//! Reading accounts from the CSV an admin keeps in a spreadsheet: one row per person.
//!
//! ```text
//! username,display_name,role,schools,teams
//! wang.li,王力,officer,s01;s02,
//! zhao.min,赵敏,lead,s01,
//! ```
//!
//! `role` is `officer`, `lead`, `supervisor` or `admin`; `schools` are catalog school ids and `teams`
//! team ids, each list separated by `;` (one spreadsheet cell). Passwords are never in
//! the file: new accounts get one made up by the server, answered once. The whole file
//! is read before anything is written; the first problem is reported with its line.

use std::collections::BTreeSet;

use gatewatch_model::access::UserRole;
use gatewatch_model::account::normalize_username;
use uuid::Uuid;

use crate::accounts::UserFields;
use crate::import::line_of;

pub const COLUMNS: [&str; 5] = ["username", "display_name", "role", "schools", "teams"];

/// Most accounts one import may carry (a city's officers and leads fit many times).
pub const MAX_ROWS: usize = 5000;

/// One account of the file and the line it is on (the header is line 1).
#[derive(Debug, Clone)]
pub struct Row {
    pub line: u64,
    pub username: String,
    pub fields: UserFields,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}: {problem}")]
pub struct ImportError {
    pub line: u64,
    pub problem: String,
}

fn at(line: u64, problem: impl Into<String>) -> ImportError {
    ImportError {
        line,
        problem: problem.into(),
    }
}

/// The ids of a list cell: separated by `;`, blanks ignored.
fn ids(cell: &str) -> impl Iterator<Item = &str> {
    cell.split(';').map(str::trim).filter(|s| !s.is_empty())
}

/// Parses a CSV's text (`csv_text::decode` made it from the file's bytes) into
/// accounts.
pub fn parse(text: &str) -> Result<Vec<Row>, ImportError> {
    let text = text.as_bytes();
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .from_reader(text);
    let header = reader.headers().map_err(|e| at(1, e.to_string()))?.clone();
    let column = |name: &str| {
        header
            .iter()
            .position(|h| h.eq_ignore_ascii_case(name))
            .ok_or_else(|| at(1, format!("the header has no `{name}` column")))
    };
    let [username, display_name, role, schools, teams] = [
        column(COLUMNS[0])?,
        column(COLUMNS[1])?,
        column(COLUMNS[2])?,
        column(COLUMNS[3])?,
        column(COLUMNS[4])?,
    ];
    let mut rows = Vec::new();
    let mut seen = BTreeSet::new();
    for record in reader.records() {
        let record = record.map_err(|e| {
            let line = e.position().map_or(0, |p| line_of(text, p));
            at(line, e.to_string())
        })?;
        let line = record.position().map_or(0, |p| line_of(text, p));
        if record.iter().all(str::is_empty) {
            continue;
        }
        if rows.len() == MAX_ROWS {
            return Err(at(
                line,
                format!("an import carries at most {MAX_ROWS} accounts"),
            ));
        }
        let cell = |i: usize| record.get(i).unwrap_or("");
        let name = normalize_username(cell(username)).map_err(|e| at(line, e.to_string()))?;
        if !seen.insert(name.clone()) {
            return Err(at(line, format!("`{name}` is on an earlier line too")));
        }
        let role = UserRole::parse(&cell(role).to_lowercase()).ok_or_else(|| {
            at(
                line,
                format!(
                    "role `{}` is not officer, lead, supervisor or admin",
                    cell(role)
                ),
            )
        })?;
        let teams = ids(cell(teams))
            .map(|t| Uuid::parse_str(t).map_err(|_| at(line, format!("`{t}` is not a team id"))))
            .collect::<Result<_, _>>()?;
        rows.push(Row {
            line,
            username: name,
            fields: UserFields {
                display_name: cell(display_name).to_owned(),
                role,
                schools: ids(cell(schools)).map(str::to_owned).collect(),
                teams,
                disabled: false,
            },
        });
    }
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_are_read_with_their_lines() {
        let rows = parse(
            "username,display_name,role,schools,teams\n\
             Wang.Li,王力,officer,s01; s02,\n\
             \n\
             zhao,赵敏,LEAD,s01,00000000-0000-0000-0000-000000000009\n",
        )
        .unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!((rows[0].line, rows[0].username.as_str()), (2, "wang.li"));
        assert_eq!(rows[0].fields.schools.len(), 2);
        assert_eq!((rows[1].line, rows[1].fields.role), (4, UserRole::Lead));
        assert_eq!(rows[1].fields.teams.len(), 1);
    }

    #[test]
    fn problems_name_their_line() {
        let header = "username,display_name,role,schools,teams\n";
        for (body, line, says) in [
            ("ab,x,officer,,\n", 2, "username"),
            ("abc,x,chief,,\n", 2, "chief"),
            ("abc,x,lead,,nope\n", 2, "team id"),
            ("abc,x,lead,,\nABC,y,lead,,\n", 3, "earlier line"),
        ] {
            let e = parse(&format!("{header}{body}")).unwrap_err();
            assert_eq!(e.line, line, "{body}");
            assert!(e.problem.contains(says), "{e}");
        }
        let e = parse("username,role\nabc,lead\n").unwrap_err();
        assert_eq!(e.line, 1);
        assert!(e.problem.contains("display_name"));
    }
}
