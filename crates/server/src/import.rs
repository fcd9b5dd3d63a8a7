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
//! `DEFAULT_LEAD_MINUTES`. Optional `latitude` and `longitude` columns give where each
//! gate is, in decimal degrees (`31.230416`, `121.473701`); a row gives both or
//! neither. Without those columns, posts already stored keep their locations. An
//! optional `datum` (坐标系) column says which map the location was copied from — `wgs84`
//! (GPS, the default), `gcj02` (Amap, Tencent) or `bd09` (Baidu) — and the location is
//! stored converted to WGS-84, what phones report. Optional
//! `district` (区) and `counted_from` (起算日期, `YYYY-MM-DD`) columns give a school's
//! district and its first counted day; without them a school keeps what it has, and a
//! new school is counted from the day of the import (`catalog::import`). The whole
//! file is checked before anything is written, and the first problem found is
//! reported with its line number.

use std::collections::HashMap;

use chrono::{NaiveDate, NaiveTime};
use gatewatch_model::datum::{to_wgs84, Datum, LatLon};
use gatewatch_model::school::{
    PeakWindow, School, WindowKind, DEFAULT_LEAD_MINUTES, DEFAULT_UTC_OFFSET_MINUTES,
};
use gatewatch_model::GeoPoint;

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

/// The optional columns of a gate's location, given together or not at all.
pub const LOCATION_COLUMNS: [&str; 2] = ["latitude", "longitude"];

/// The optional column of the datum a row's location is in (坐标系): `wgs84` (GPS, the
/// default), `gcj02` (Amap, Tencent: 高德, 腾讯) or `bd09` (Baidu: 百度). Locations are
/// stored in WGS-84, what phones report, so a gate copied from a Chinese map is not
/// hundreds of metres off.
pub const DATUM_COLUMN: [&str; 2] = ["datum", "坐标系"];

/// The optional column of a school's district (区), by its English or Chinese name.
pub const DISTRICT_COLUMN: [&str; 2] = ["district", "区"];
/// The optional column of a school's first counted day (起算日期), `YYYY-MM-DD`.
pub const COUNTED_FROM_COLUMN: [&str; 2] = ["counted_from", "起算日期"];

/// What is wrong with an import, and where: `line` is the file's line, the header
/// being line 1.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}: {problem}")]
pub struct ImportError {
    pub line: u64,
    pub problem: String,
}

/// Parses a CSV's text (`csv_text::decode` made it from the file's bytes) into a
/// catalog.
pub fn parse(text: &str) -> Result<Catalog, ImportError> {
    let csv_text = text.as_bytes();
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
    Ok(Catalog {
        schools,
        posts,
        locations_given: columns.location.is_some(),
        districts_given: columns.district.is_some(),
    })
}

/// Where each of `COLUMNS` is in this file, and the `LOCATION_COLUMNS` if it has them.
struct Columns {
    required: [usize; 8],
    location: Option<[usize; 2]>,
    district: Option<usize>,
    counted_from: Option<usize>,
    datum: Option<usize>,
}

impl Columns {
    fn find(header: &csv::StringRecord) -> Result<Self, ImportError> {
        let header_error = |problem: String| ImportError { line: 1, problem };
        let mut required = [0; 8];
        for (slot, name) in required.iter_mut().zip(COLUMNS) {
            *slot = column(header, name)?.ok_or_else(|| {
                header_error(format!(
                    "the header has no `{name}` column; expected {}",
                    COLUMNS.join(",")
                ))
            })?;
        }
        let [lat, lon] = LOCATION_COLUMNS;
        let location = match (column(header, lat)?, column(header, lon)?) {
            (Some(lat), Some(lon)) => Some([lat, lon]),
            (None, None) => None,
            (Some(_), None) | (None, Some(_)) => {
                return Err(header_error(format!(
                    "the header has only one of `{lat}` and `{lon}`; give both or neither"
                )))
            }
        };
        Ok(Columns {
            required,
            location,
            district: either_column(header, DISTRICT_COLUMN)?,
            counted_from: either_column(header, COUNTED_FROM_COLUMN)?,
            datum: either_column(header, DATUM_COLUMN)?,
        })
    }

    /// The school and the post of one row, each checked on its own.
    fn read(&self, row: &csv::StringRecord) -> Result<(School, PostDef), String> {
        let cell = |i: usize| row.get(i).unwrap_or("");
        let [school_id, school_name, post_id, gate, morning, noon, afternoon, lead] =
            self.required.map(cell);
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
        let optional = |at: Option<usize>| at.map_or("", cell);
        let counted_from = match optional(self.counted_from) {
            "" => None,
            day => Some(
                spreadsheet_date(day)
                    .ok_or_else(|| format!("counted_from `{day}` is not a date like 2026-09-01"))?,
            ),
        };
        let school = School {
            id: school_id.into(),
            name: school_name.into(),
            windows,
            lead_minutes,
            utc_offset_minutes: DEFAULT_UTC_OFFSET_MINUTES,
            district: optional(self.district).into(),
            counted_from,
        };
        school
            .validate()
            .map_err(|e| format!("school `{school_id}`: {e}"))?;
        let post = PostDef {
            id: post_id.into(),
            school_id: school_id.into(),
            gate: gate.into(),
            location: match self.location {
                Some(at) => location(at.map(cell))?
                    .map(|point| in_wgs84(point, optional(self.datum)))
                    .transpose()?,
                None => None,
            },
        };
        post.validate()
            .map_err(|e| format!("post `{post_id}`: {e}"))?;
        Ok((school, post))
    }
}

/// The column named `name` (any case), if the header has it once; an error if twice.
fn column(header: &csv::StringRecord, name: &str) -> Result<Option<usize>, ImportError> {
    let mut found = header
        .iter()
        .enumerate()
        .filter(|(_, h)| h.eq_ignore_ascii_case(name))
        .map(|(i, _)| i);
    match (found.next(), found.next()) {
        (first, None) => Ok(first),
        (_, Some(_)) => Err(ImportError {
            line: 1,
            problem: format!("the header has two `{name}` columns"),
        }),
    }
}

/// A date as a spreadsheet shows it: `2026-09-01`, or `2026/9/1` as a Chinese Excel
/// rewrites a date cell.
pub(crate) fn spreadsheet_date(cell: &str) -> Option<NaiveDate> {
    ["%Y-%m-%d", "%Y/%m/%d"]
        .into_iter()
        .find_map(|format| NaiveDate::parse_from_str(cell, format).ok())
}

/// The column named by either of `names` (its English and its Chinese name), if the
/// header has one; an error if it has both or one twice.
fn either_column(
    header: &csv::StringRecord,
    names: [&str; 2],
) -> Result<Option<usize>, ImportError> {
    let [english, chinese] = names;
    match (column(header, english)?, column(header, chinese)?) {
        (Some(_), Some(_)) => Err(ImportError {
            line: 1,
            problem: format!("the header has both `{english}` and `{chinese}`; give one"),
        }),
        (found, None) | (None, found) => Ok(found),
    }
}

/// `point`, given in the datum `cell` names (WGS-84 when empty), in WGS-84.
fn in_wgs84(point: GeoPoint, cell: &str) -> Result<GeoPoint, String> {
    let datum = match cell {
        "" => Datum::Wgs84,
        named => Datum::parse(named).ok_or_else(|| {
            format!("datum `{named}` is not wgs84, gcj02 (高德, 腾讯) or bd09 (百度)")
        })?,
    };
    if datum == Datum::Wgs84 {
        return Ok(point);
    }
    let degrees = |e6: i32| f64::from(e6) / 1e6;
    let wgs = to_wgs84(
        datum,
        LatLon {
            lat: degrees(point.lat_e6),
            lon: degrees(point.lon_e6),
        },
    );
    // Within ±90° and ±180° still: the offsets are under a hundredth of a degree.
    let micro = |deg: f64| (deg * 1e6).round() as i32;
    Ok(GeoPoint {
        lat_e6: micro(wgs.lat),
        lon_e6: micro(wgs.lon),
    })
}

/// A gate's location from its latitude and longitude cells: both empty is none.
fn location([lat, lon]: [&str; 2]) -> Result<Option<GeoPoint>, String> {
    let degrees = |name: &str, cell: &str, max: u32| {
        let e6 = microdegrees(cell)
            .ok_or_else(|| format!("{name} `{cell}` is not a number of degrees like 31.230416"))?;
        i32::try_from(e6)
            .ok()
            .filter(|e6| e6.unsigned_abs() <= max * 1_000_000)
            .ok_or_else(|| format!("{name} `{cell}` is not between -{max} and {max}"))
    };
    match (lat.is_empty(), lon.is_empty()) {
        (true, true) => Ok(None),
        (false, false) => Ok(Some(GeoPoint {
            lat_e6: degrees("latitude", lat, 90)?,
            lon_e6: degrees("longitude", lon, 180)?,
        })),
        _ => Err(format!(
            "latitude `{lat}` and longitude `{lon}` go together: give both or neither"
        )),
    }
}

/// Decimal degrees (`31.2304`, `-121.473701`, `+0.5`) as microdegrees, exactly: no
/// floats, so what the admin typed is what is stored. Digits past the sixth decimal
/// (under 0.11 m) round half away from zero. No exponents, no thousands separators.
fn microdegrees(cell: &str) -> Option<i64> {
    let (negative, unsigned) = match cell.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, cell.strip_prefix('+').unwrap_or(cell)),
    };
    let (whole, fraction) = unsigned.split_once('.').unwrap_or((unsigned, ""));
    let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if (whole.is_empty() && fraction.is_empty()) || !digits(whole) || !digits(fraction) {
        return None;
    }
    // Far out of range already; the limit only keeps the arithmetic from overflowing.
    let whole = whole.trim_start_matches('0');
    if whole.len() > 12 {
        return None;
    }
    let whole: i64 = if whole.is_empty() {
        0
    } else {
        whole.parse().ok()?
    };
    let micro = fraction
        .bytes()
        .chain(std::iter::repeat(b'0'))
        .take(6)
        .fold(0, |n, d| n * 10 + i64::from(d - b'0'));
    let round_up = fraction.as_bytes().get(6).is_some_and(|d| *d >= b'5');
    let abs = whole * 1_000_000 + micro + i64::from(round_up);
    Some(if negative { -abs } else { abs })
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
pub(crate) fn line_of(text: &[u8], position: &csv::Position) -> u64 {
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
        parse(&format!("{HEADER}{body}"))
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
        let catalog = parse(text).unwrap();
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
            // A line break inside a quoted name: the row is one record, refused for it.
            (
                "s02,\"第一\n中学\",s02-g1,正门,,,,\n,,s03 g1,,,,,\n",
                3,
                "control characters",
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
        let err = parse("school_id,school_name,post_id,gate\ns01,a,b,c\n").unwrap_err();
        assert_eq!(err.line, 1);
        assert!(err.problem.contains("`morning`"), "{err}");
        assert_eq!(parse(HEADER).unwrap_err().line, 2);
        assert_eq!(parse("").unwrap_err().line, 1);
        let doubled = HEADER.trim_end().to_owned() + ",gate\n";
        assert!(parse(&doubled).unwrap_err().problem.contains("two `gate`"));
    }

    #[test]
    fn degrees_are_read_exactly() {
        let cases = [
            ("31.230416", Some(31_230_416)),
            ("-121.473701", Some(-121_473_701)),
            ("121.4737", Some(121_473_700)),
            ("+0.5", Some(500_000)),
            (".5", Some(500_000)),
            ("5.", Some(5_000_000)),
            ("00031.5", Some(31_500_000)),
            ("-0", Some(0)),
            // Past the sixth decimal: rounded half away from zero.
            ("31.2304164999", Some(31_230_416)),
            ("31.2304165", Some(31_230_417)),
            ("-31.2304165", Some(-31_230_417)),
            ("0.0000005", Some(1)),
            ("99999", Some(99_999_000_000)),
            ("", None),
            ("-", None),
            (".", None),
            ("1e5", None),
            ("31.2.3", None),
            ("31,2", None),
            ("--1", None),
            ("- 1", None),
            ("NaN", None),
            ("３１.２", None),
            ("9999999999999", None),
        ];
        for (cell, want) in cases {
            assert_eq!(microdegrees(cell), want, "{cell:?}");
        }
    }

    #[test]
    fn a_location_copied_from_amap_or_baidu_is_stored_in_wgs84() {
        // Beijing railway station (geoChina's `conv` documentation): WGS-84
        // 39.90105, 116.42079; GCJ-02 39.90245, 116.42703; BD-09 39.90851, 116.43351.
        let file = "school_id,school_name,post_id,gate,morning,noon,afternoon,lead_minutes,latitude,longitude,坐标系\n\
                    s01,北京站小学,s01-g1,南门,07:20-08:00,,,,39.90245,116.42703,高德\n\
                    s01,北京站小学,s01-g2,北门,07:20-08:00,,,,39.90851,116.43351,bd09\n\
                    s01,北京站小学,s01-g3,东门,07:20-08:00,,,,39.90105,116.42079,\n";
        let catalog = parse(file).unwrap();
        for post in &catalog.posts {
            let at = post.location.unwrap();
            // Within 20 microdegrees (~2 m) of the WGS-84 point, from any datum.
            assert!(
                (at.lat_e6 - 39_901_050).abs() <= 20 && (at.lon_e6 - 116_420_790).abs() <= 20,
                "{}: {at:?}",
                post.id
            );
        }
        let wrong = file.replace("bd09", "utm");
        let err = parse(&wrong).unwrap_err();
        assert_eq!(err.line, 3);
        assert!(err.problem.contains("datum `utm`"), "{}", err.problem);
    }

    #[test]
    fn a_location_is_both_cells_or_neither_and_in_range() {
        let at = |lat_e6, lon_e6| Ok(Some(GeoPoint { lat_e6, lon_e6 }));
        let cases = [
            (["", ""], Ok(None)),
            (["31.2304", "121.4737"], at(31_230_400, 121_473_700)),
            (["-90", "180"], at(-90_000_000, 180_000_000)),
            (["31.2304", ""], Err("go together")),
            (["", "121.4737"], Err("go together")),
            (
                ["90.000001", "0"],
                Err("latitude `90.000001` is not between -90 and 90"),
            ),
            (
                ["0", "-180.5"],
                Err("longitude `-180.5` is not between -180 and 180"),
            ),
            (["0", "99999"], Err("longitude `99999` is not between")),
            (["31°13′", "121"], Err("latitude `31°13′` is not a number")),
        ];
        for (cells, want) in cases {
            match (location(cells), want) {
                (Ok(got), Ok(want)) => assert_eq!(got, want, "{cells:?}"),
                (Err(got), Err(want)) => assert!(got.contains(want), "{cells:?}: {got}"),
                (got, want) => panic!("{cells:?}: {got:?}, wanted {want:?}"),
            }
        }
    }
}
