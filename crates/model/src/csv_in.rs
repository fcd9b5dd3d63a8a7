//! Reading the CSV files people upload (the school calendar, the 值班表): cells with
//! the line each row starts on, headers found by their Chinese or English name, the
//! dates and window names Excel users type, and `LineError`, the one refusal of an
//! upload, naming its line and worded in both languages.
//!
//! The reader is written by hand rather than with the `csv` crate: every refusal must
//! name the line a person sees in their editor, and the crate positions a record where
//! the previous one ended (before the blank and comment lines it skips). Text arrives
//! decoded (the server turns GB18030 or UTF-8 bytes into text); a leading BOM is
//! skipped. Lines starting with `#` are comments.

use chrono::NaiveDate;

use crate::csv::{Column, Lang};
use crate::school::WindowKind;

/// An upload refused: the line (1-based, as an editor numbers it) and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}: {problem}")]
pub struct LineError {
    pub line: usize,
    pub problem: Problem,
}

impl LineError {
    pub fn new(line: usize, problem: Problem) -> LineError {
        LineError { line, problem }
    }

    /// The refusal in `lang`, with its line: `第 3 行：…` / `line 3: …`.
    pub fn message(&self, lang: Lang) -> String {
        on_line(self.line, &self.problem.words(lang), lang)
    }
}

/// `words` said of line `line` of an upload, in `lang`: `第 3 行：…` / `line 3: …`.
pub fn on_line(line: usize, words: &str, lang: Lang) -> String {
    match lang {
        Lang::Zh => format!("第 {line} 行：{words}"),
        Lang::En => format!("line {line}: {words}"),
    }
}

/// What is wrong with a line of an upload. `Display` is the English wording.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Problem {
    /// The file has no header row, or the header lacks a required column.
    MissingColumn(Column),
    /// A quoted cell never closes.
    OpenQuote,
    /// More cells than the header has columns.
    ExtraCells {
        header: usize,
        found: usize,
    },
    /// A required cell is empty.
    Empty(Column),
    /// Not `YYYY-MM-DD` or `YYYY/M/D`.
    BadDate(String),
    /// A calendar date outside the year being imported.
    OutsideYear {
        date: NaiveDate,
        year: i32,
    },
    /// A roster date more than a year after today.
    TooFar(NaiveDate),
    /// A roster date before today: a day gone is kept as it was.
    Past(NaiveDate),
    /// An end date before its start.
    ToBeforeFrom,
    /// Not 全国 / 区:名称 / 学校:编号 (national / district:X / school:X).
    BadScope(String),
    UnknownSchool(String),
    /// Two schools have this name: use the id.
    AmbiguousSchool(String),
    UnknownDistrict(String),
    /// Not 放假 / 停课 / 上班 / 上课 / 特殊 (off / on / special).
    BadRule(String),
    /// A `special` entry without its windows.
    SpecialWithoutWindows,
    /// Windows on an entry that is not `special`.
    WindowsOnOtherRule,
    /// Not `早 07:00-07:40` (or a window's kind given twice, or closing before opening).
    BadWindow(String),
    /// Not 早 / 午 / 晚 (morning / noon / afternoon).
    BadWindowKind(String),
    /// Two entries of one scope and rule cover a common date.
    Overlap {
        other_line: usize,
    },
    /// No gate of that name or id at the school.
    UnknownGate {
        school: String,
        gate: String,
    },
    /// No account with that username or display name.
    UnknownOfficer(String),
    /// Several accounts have this display name: use the username.
    AmbiguousOfficer(String),
    /// One officer in two slots of one date and window.
    OfficerTwice {
        officer: String,
        other_line: usize,
    },
    /// A name or plate too long, or with control characters.
    BadText(Column),
    /// The officer is not one of the row's school.
    OfficerElsewhere {
        officer: String,
        school: String,
    },
}

impl Problem {
    /// The problem in `lang`.
    pub fn words(&self, lang: Lang) -> String {
        let zh = lang == Lang::Zh;
        let col = |c: &Column| lang.pick(c.0, c.1).to_string();
        match self {
            Problem::MissingColumn(c) if zh => format!("缺少列「{}」（表头行必须有）", c.0),
            Problem::MissingColumn(c) => format!("the header has no `{}` column", c.1),
            Problem::OpenQuote if zh => "引号没有闭合".into(),
            Problem::OpenQuote => "a quoted cell is never closed".into(),
            Problem::ExtraCells { header, found } if zh => {
                format!("有 {found} 个单元格，表头只有 {header} 列")
            }
            Problem::ExtraCells { header, found } => {
                format!("{found} cells where the header has {header}")
            }
            Problem::Empty(c) if zh => format!("「{}」不能为空", col(c)),
            Problem::Empty(c) => format!("`{}` is empty", col(c)),
            Problem::BadDate(t) if zh => {
                format!("日期「{t}」应写作 2026-10-01 或 2026/10/1")
            }
            Problem::BadDate(t) => format!("`{t}` is not a date like 2026-10-01 or 2026/10/1"),
            Problem::OutsideYear { date, year } if zh => {
                format!("日期 {date} 不在导入的年份 {year} 内")
            }
            Problem::OutsideYear { date, year } => {
                format!("{date} is outside the year being imported, {year}")
            }
            Problem::TooFar(date) if zh => format!("日期 {date} 距今超过一年"),
            Problem::TooFar(date) => format!("{date} is more than a year from today"),
            Problem::Past(date) if zh => {
                format!("日期 {date} 已过去：已过去的排班保持原样，不能更改")
            }
            Problem::Past(date) => {
                format!("{date} is past: the roster of a day gone stays as it was")
            }
            Problem::ToBeforeFrom if zh => "结束日期早于开始日期".into(),
            Problem::ToBeforeFrom => "the end date comes before the start date".into(),
            Problem::BadScope(t) if zh => {
                format!("范围「{t}」应为 全国、区:名称 或 学校:编号")
            }
            Problem::BadScope(t) => {
                format!("`{t}` is not a scope (national, district:<name>, school:<id>)")
            }
            Problem::UnknownSchool(t) if zh => format!("没有学校「{t}」"),
            Problem::UnknownSchool(t) => format!("no school `{t}`"),
            Problem::AmbiguousSchool(t) if zh => format!("有多所学校名为「{t}」，请写学校编号"),
            Problem::AmbiguousSchool(t) => {
                format!("several schools are called `{t}`: use the school's id")
            }
            Problem::UnknownDistrict(t) if zh => format!("没有学校属于「{t}」区"),
            Problem::UnknownDistrict(t) => format!("no school is in district `{t}`"),
            Problem::BadRule(t) if zh => {
                format!("类型「{t}」应为 放假、停课、上班、上课 或 特殊")
            }
            Problem::BadRule(t) => format!("`{t}` is not a rule (off, on, special)"),
            Problem::SpecialWithoutWindows if zh => "「特殊」日必须写明时段".into(),
            Problem::SpecialWithoutWindows => "a special day lists its windows".into(),
            Problem::WindowsOnOtherRule if zh => "只有「特殊」日可以写时段".into(),
            Problem::WindowsOnOtherRule => "only a special day lists windows".into(),
            Problem::BadWindow(t) if zh => format!("时段「{t}」应写作 早 07:00-07:40;晚 16:30-17:10，每个时段一次，结束晚于开始"),
            Problem::BadWindow(t) => format!(
                "`{t}` is not windows like morning 07:00-07:40;afternoon 16:30-17:10 (each once, closing after opening)"
            ),
            Problem::BadWindowKind(t) if zh => format!("时段「{t}」应为 早、午 或 晚"),
            Problem::BadWindowKind(t) => {
                format!("`{t}` is not a window (morning, noon, afternoon)")
            }
            Problem::Overlap { other_line } if zh => {
                format!("与第 {other_line} 行的同一范围、同一类型的日期重叠")
            }
            Problem::Overlap { other_line } => {
                format!("overlaps line {other_line}, of the same scope and rule")
            }
            Problem::UnknownGate { school, gate } if zh => {
                format!("学校「{school}」没有校门「{gate}」")
            }
            Problem::UnknownGate { school, gate } => {
                format!("school `{school}` has no gate `{gate}`")
            }
            Problem::UnknownOfficer(t) if zh => format!("没有账号或姓名为「{t}」的民警"),
            Problem::UnknownOfficer(t) => format!("no officer with the username or name `{t}`"),
            Problem::AmbiguousOfficer(t) if zh => format!("有多人名为「{t}」，请写账号"),
            Problem::AmbiguousOfficer(t) => {
                format!("several accounts are called `{t}`: use the username")
            }
            Problem::OfficerTwice { officer, other_line } if zh => format!(
                "民警「{officer}」在同一日期、同一时段已排在第 {other_line} 行"
            ),
            Problem::OfficerTwice {
                officer,
                other_line,
            } => format!(
                "officer `{officer}` is already on line {other_line} for the same date and window"
            ),
            Problem::OfficerElsewhere { officer, school } if zh => {
                format!("民警「{officer}」不是「{school}」的民警")
            }
            Problem::OfficerElsewhere { officer, school } => {
                format!("`{officer}` is not an officer of `{school}`")
            }
            Problem::BadText(c) if zh => format!("「{}」太长或含有控制字符", c.0),
            Problem::BadText(c) => format!("`{}` is too long or has control characters", c.1),
        }
    }
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.words(Lang::En))
    }
}

/// One data row: the line it starts on and its cells, trimmed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    pub line: usize,
    pub cells: Vec<String>,
}

impl Row {
    /// The cell of `column` (empty when the row is short or the column absent).
    pub fn get(&self, column: Option<usize>) -> &str {
        column
            .and_then(|c| self.cells.get(c))
            .map_or("", String::as_str)
    }

    /// The non-empty cell of a required column.
    pub fn required(&self, at: (usize, Column)) -> Result<&str, LineError> {
        match self.get(Some(at.0)) {
            "" => Err(LineError::new(self.line, Problem::Empty(at.1))),
            cell => Ok(cell),
        }
    }

    pub fn error(&self, problem: Problem) -> LineError {
        LineError::new(self.line, problem)
    }
}

/// A file's header row, for finding columns by either language's name.
#[derive(Debug, Clone)]
pub struct Header {
    line: usize,
    names: Vec<String>,
}

impl Header {
    /// Where `column` is, by its Chinese or English name (English in any case).
    pub fn find(&self, (zh, en): Column) -> Option<usize> {
        self.names
            .iter()
            .position(|n| n == zh || n.eq_ignore_ascii_case(en))
    }

    /// Where a column the file must have is.
    pub fn require(&self, column: Column) -> Result<(usize, Column), LineError> {
        self.find(column)
            .map(|at| (at, column))
            .ok_or_else(|| LineError::new(self.line, Problem::MissingColumn(column)))
    }
}

/// The header and the data rows of `text`. Blank lines and `#` comment lines are
/// skipped; a row with more cells than the header is refused.
pub fn read(text: &str, first_column: Column) -> Result<(Header, Vec<Row>), LineError> {
    let mut rows = records(text)?.into_iter();
    let Some(first) = rows.next() else {
        return Err(LineError::new(1, Problem::MissingColumn(first_column)));
    };
    let header = Header {
        line: first.line,
        names: first.cells,
    };
    let width = header.names.len();
    let rows: Vec<Row> = rows.collect();
    if let Some(wide) = rows
        .iter()
        .find(|r| r.cells.len() > width && r.cells[width..].iter().any(|c| !c.is_empty()))
    {
        return Err(wide.error(Problem::ExtraCells {
            header: width,
            found: wide.cells.len(),
        }));
    }
    Ok((header, rows))
}

/// Every non-blank, non-comment record of `text` (RFC 4180: quoted cells may hold
/// commas, doubled quotes and line breaks), each with the line it starts on.
fn records(text: &str) -> Result<Vec<Row>, LineError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut out = Vec::new();
    let mut chars = text.chars().peekable();
    let mut line = 1;
    while chars.peek().is_some() {
        let start = line;
        if chars.peek() == Some(&'#') {
            // A comment runs to the end of its line.
            for c in chars.by_ref() {
                if c == '\n' {
                    break;
                }
            }
            line += 1;
            continue;
        }
        let mut cells = Vec::new();
        let mut cell = String::new();
        let mut quoted = false;
        loop {
            match chars.next() {
                None if quoted => return Err(LineError::new(start, Problem::OpenQuote)),
                None => break,
                Some('"') if quoted && chars.peek() == Some(&'"') => {
                    chars.next();
                    cell.push('"');
                }
                Some('"') if quoted => quoted = false,
                Some('"') if cell.trim().is_empty() => {
                    cell.clear();
                    quoted = true;
                }
                Some('\n') if quoted => {
                    line += 1;
                    cell.push('\n');
                }
                Some(c) if quoted => cell.push(c),
                Some(',') => cells.push(finish(&mut cell)),
                Some('\r') if chars.peek() == Some(&'\n') => {}
                Some('\n' | '\r') => {
                    line += 1;
                    break;
                }
                Some(c) => cell.push(c),
            }
        }
        cells.push(finish(&mut cell));
        if cells.iter().any(|c| !c.is_empty()) {
            out.push(Row { line: start, cells });
        }
    }
    Ok(out)
}

/// A cell as read: trimmed, and without the `'` a sheet of ours put before text that
/// a spreadsheet would take for a formula (`csv::text`), so what we write reads back.
fn finish(cell: &mut String) -> String {
    let cell = std::mem::take(cell);
    let cell = cell.trim();
    match cell.strip_prefix('\'') {
        Some(rest) if rest.starts_with(['=', '+', '-', '@']) => rest.to_string(),
        _ => cell.to_string(),
    }
}

/// `YYYY-MM-DD`, `YYYY/M/D` or `YYYY-M-D` (as Excel writes dates in China).
pub fn parse_date(text: &str) -> Option<NaiveDate> {
    let mut parts = text.split(['-', '/']);
    let mut number = |max_len: usize| -> Option<u32> {
        let p = parts.next()?;
        (!p.is_empty() && p.len() <= max_len && p.bytes().all(|b| b.is_ascii_digit()))
            .then(|| p.parse().ok())?
    };
    let (year, month, day) = (number(4)?, number(2)?, number(2)?);
    if parts.next().is_some() || year < 1000 {
        return None;
    }
    NaiveDate::from_ymd_opt(i32::try_from(year).ok()?, month, day)
}

/// 早 / 午 / 晚, 早高峰 / 午间 / 晚高峰, or morning / noon / afternoon (any case).
pub fn parse_window_kind(text: &str) -> Option<WindowKind> {
    match text.to_ascii_lowercase().as_str() {
        "早" | "早高峰" | "morning" => Some(WindowKind::Morning),
        "午" | "午间" | "noon" => Some(WindowKind::Noon),
        "晚" | "晚高峰" | "afternoon" => Some(WindowKind::Afternoon),
        _ => None,
    }
}

/// Whether an uploaded name fits in `max` characters of plain text.
pub fn fits(text: &str, max: usize) -> bool {
    crate::record::within(text, max) && crate::record::plain_text(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(text: &str) -> Vec<(usize, Vec<String>)> {
        let rows = records(text).unwrap();
        rows.into_iter().map(|r| (r.line, r.cells)).collect()
    }

    fn row(line: usize, cells: &[&str]) -> (usize, Vec<String>) {
        (line, cells.iter().map(|c| c.to_string()).collect())
    }

    #[test]
    fn rows_carry_the_line_an_editor_shows() {
        let text =
            "\u{feff}a,b\r\n\r\n# 注释\n\"x, y\",\"two\nlines\"\n,,\n\"say \"\"hi\"\"\", z \n";
        assert_eq!(
            lines(text),
            [
                row(1, &["a", "b"]),
                row(4, &["x, y", "two\nlines"]),
                row(7, &["say \"hi\"", "z"]),
            ]
        );
        assert_eq!(
            records("a\n\"open\n").unwrap_err(),
            LineError::new(2, Problem::OpenQuote)
        );
    }

    #[test]
    fn a_header_is_found_in_either_language_and_wide_rows_refused() {
        let (header, rows) = read("日期,School\n2026-01-01,s01\n", ("日期", "date")).unwrap();
        assert_eq!(header.find(("日期", "date")), Some(0));
        assert_eq!(header.find(("学校", "school")), Some(1));
        assert_eq!(
            header.require(("校门", "gate")).unwrap_err(),
            LineError::new(1, Problem::MissingColumn(("校门", "gate")))
        );
        assert_eq!(rows[0].line, 2);
        let wide = read("a,b\n1,2\n1,2,3\n", ("a", "a")).unwrap_err();
        assert_eq!(wide.line, 3);
        assert_eq!(
            read("", ("日期", "date")).unwrap_err().problem,
            Problem::MissingColumn(("日期", "date"))
        );
    }

    #[test]
    fn dates_as_people_type_them() {
        let d = |y, m, d| NaiveDate::from_ymd_opt(y, m, d);
        assert_eq!(parse_date("2026-10-01"), d(2026, 10, 1));
        assert_eq!(parse_date("2026/1/4"), d(2026, 1, 4));
        assert_eq!(parse_date("2026-1-4"), d(2026, 1, 4));
        for bad in [
            "2026-02-30",
            "26/1/4",
            "2026/1",
            "2026/1/4/5",
            "2026年1月4日",
            "",
            "2026/+1/4",
        ] {
            assert_eq!(parse_date(bad), None, "{bad}");
        }
    }

    #[test]
    fn refusals_are_worded_in_both_languages() {
        let e = LineError::new(3, Problem::UnknownSchool("s99".into()));
        assert_eq!(e.message(Lang::Zh), "第 3 行：没有学校「s99」");
        assert_eq!(e.message(Lang::En), "line 3: no school `s99`");
        assert_eq!(e.to_string(), "line 3: no school `s99`");
    }
}
