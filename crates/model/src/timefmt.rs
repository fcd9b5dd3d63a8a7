//! Reading the timestamps of the wire and of local storage — RFC 3339 date-times,
//! `HH:MM[:SS]` times and `YYYY-MM-DD` dates — without chrono's general-purpose
//! format parser, which costs the phone kilobytes of wasm for three fixed shapes.
//! Writing stays with chrono. Checked against chrono's own parser by property tests.

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveTime, TimeZone, Utc};
use serde::de::Error as _;
use serde::{Deserialize, Deserializer};

/// The value of a run of ASCII digits (at most 9 of them), or `None`.
fn digits(b: &[u8]) -> Option<u32> {
    if b.is_empty() || b.len() > 9 || !b.iter().all(u8::is_ascii_digit) {
        return None;
    }
    Some(b.iter().fold(0, |n, d| n * 10 + u32::from(d - b'0')))
}

/// `YYYY-MM-DD`.
pub fn parse_date(s: &str) -> Option<NaiveDate> {
    let b = s.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    NaiveDate::from_ymd_opt(digits(&b[..4])? as i32, digits(&b[5..7])?, digits(&b[8..])?)
}

/// `HH:MM`, `HH:MM:SS` or `HH:MM:SS.fraction` (up to nanoseconds).
pub fn parse_time(s: &str) -> Option<NaiveTime> {
    let b = s.as_bytes();
    if b.len() < 5 || b[2] != b':' {
        return None;
    }
    let (h, m) = (digits(&b[..2])?, digits(&b[3..5])?);
    let (sec, nano) = match &b[5..] {
        [] => (0, 0),
        [b':', rest @ ..] if rest.len() >= 2 => {
            let sec = digits(&rest[..2])?;
            let nano = match &rest[2..] {
                [] => 0,
                [b'.', frac @ ..] => nanos(frac)?,
                _ => return None,
            };
            (sec, nano)
        }
        _ => return None,
    };
    if sec > 59 {
        return None;
    }
    NaiveTime::from_hms_nano_opt(h, m, sec, nano)
}

/// A decimal fraction of a second (1 to 9 digits) in nanoseconds.
fn nanos(frac: &[u8]) -> Option<u32> {
    let n = digits(frac)?;
    Some(n * 10u32.pow(9 - frac.len() as u32))
}

/// An RFC 3339 date-time: `YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM)`.
pub fn parse_rfc3339(s: &str) -> Option<DateTime<FixedOffset>> {
    let b = s.as_bytes();
    if b.len() < 20 || !matches!(b[10], b'T' | b't' | b' ') {
        return None;
    }
    let date = parse_date(&s[..10])?;
    let zone_at = b
        .iter()
        .rposition(|c| matches!(c, b'Z' | b'z' | b'+' | b'-'))?;
    if zone_at < 19 {
        return None;
    }
    let time = parse_time(s.get(11..zone_at)?)?;
    let offset_secs = match &b[zone_at..] {
        [b'Z' | b'z'] => 0,
        [sign @ (b'+' | b'-'), h1, h2, b':', m1, m2] => {
            let (h, m) = (digits(&[*h1, *h2])?, digits(&[*m1, *m2])?);
            if h > 23 || m > 59 {
                return None;
            }
            let secs = (h * 3600 + m * 60) as i32;
            if *sign == b'-' {
                -secs
            } else {
                secs
            }
        }
        _ => return None,
    };
    FixedOffset::east_opt(offset_secs)?
        .from_local_datetime(&date.and_time(time))
        .single()
}

fn text<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    String::deserialize(d)
}

/// serde `deserialize_with` for `DateTime<FixedOffset>`.
pub fn fixed<'de, D: Deserializer<'de>>(d: D) -> Result<DateTime<FixedOffset>, D::Error> {
    let s = text(d)?;
    parse_rfc3339(&s).ok_or_else(|| D::Error::custom(format!("`{s}` is not an RFC 3339 date-time")))
}

/// serde `deserialize_with` for `DateTime<Utc>`.
pub fn utc<'de, D: Deserializer<'de>>(d: D) -> Result<DateTime<Utc>, D::Error> {
    fixed(d).map(|t| t.with_timezone(&Utc))
}

/// serde `deserialize_with` for `Option<DateTime<FixedOffset>>` (with `#[serde(default)]`).
pub fn opt_fixed<'de, D: Deserializer<'de>>(
    d: D,
) -> Result<Option<DateTime<FixedOffset>>, D::Error> {
    match Option::<String>::deserialize(d)? {
        None => Ok(None),
        Some(s) => parse_rfc3339(&s)
            .map(Some)
            .ok_or_else(|| D::Error::custom(format!("`{s}` is not an RFC 3339 date-time"))),
    }
}

/// serde `deserialize_with` for `Option<DateTime<Utc>>` (with `#[serde(default)]`).
pub fn opt_utc<'de, D: Deserializer<'de>>(d: D) -> Result<Option<DateTime<Utc>>, D::Error> {
    opt_fixed(d).map(|t| t.map(|t| t.with_timezone(&Utc)))
}

/// serde `deserialize_with` for `NaiveDate` (`2026-11-25`).
pub fn date<'de, D: Deserializer<'de>>(d: D) -> Result<NaiveDate, D::Error> {
    let s = text(d)?;
    parse_date(&s).ok_or_else(|| D::Error::custom(format!("`{s}` is not a date like 2026-11-25")))
}

/// serde `deserialize_with` for `Option<NaiveDate>` (with `#[serde(default)]`).
pub fn opt_date<'de, D: Deserializer<'de>>(d: D) -> Result<Option<NaiveDate>, D::Error> {
    match Option::<String>::deserialize(d)? {
        None => Ok(None),
        Some(s) => parse_date(&s)
            .map(Some)
            .ok_or_else(|| D::Error::custom(format!("`{s}` is not a date like 2026-11-25"))),
    }
}

/// serde `deserialize_with` for `NaiveTime`.
pub fn time<'de, D: Deserializer<'de>>(d: D) -> Result<NaiveTime, D::Error> {
    let s = text(d)?;
    parse_time(&s).ok_or_else(|| D::Error::custom(format!("`{s}` is not a time of day like 07:20")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn shapes_accepted_and_refused() {
        let ok = [
            "2026-11-25T07:12:33+08:00",
            "2026-11-25T07:12:33Z",
            "2026-11-25t07:12:33.5z",
            "2026-11-25 07:12:33.123456789-05:30",
            "2026-11-24T23:12:33.123Z",
        ];
        for s in ok {
            assert_eq!(
                parse_rfc3339(s),
                DateTime::parse_from_rfc3339(s).ok(),
                "{s}"
            );
            assert!(parse_rfc3339(s).is_some(), "{s}");
        }
        let bad = [
            "",
            "2026-11-25",
            "2026-11-25T07:12:33",
            "2026-13-25T07:12:33Z",
            "2026-02-30T07:12:33Z",
            "2026-11-25T24:00:00Z",
            "2026-11-25T07:12:61Z",
            "2026-11-25T07:12:33+8:00",
            "2026-11-25T07:12:33+24:00",
            "2026-11-25T07:12:33.Z",
            "2026-11-25T07:12:33.1234567891Z",
            "2026-11-25X07:12:33Z",
            "２026-11-25T07:12:33Z",
        ];
        for s in bad {
            assert_eq!(parse_rfc3339(s), None, "{s}");
        }
        assert_eq!(parse_time("07:20"), NaiveTime::from_hms_opt(7, 20, 0));
        assert_eq!(parse_time("07:20:05"), NaiveTime::from_hms_opt(7, 20, 5));
        assert_eq!(parse_time("7:20"), None);
        assert_eq!(parse_time("07:60"), None);
        assert_eq!(
            parse_date("2026-11-25"),
            NaiveDate::from_ymd_opt(2026, 11, 25)
        );
        assert_eq!(parse_date("2026-11-5"), None);
    }

    proptest! {
        #[test]
        fn agrees_with_chrono_on_what_chrono_writes(
            secs in 0i64..4_102_444_800,
            nanos in prop_oneof![Just(0u32), 0u32..1_000_000_000],
            offset_min in -1439i32..=1439,
        ) {
            let offset = FixedOffset::east_opt(offset_min * 60).unwrap();
            let t = DateTime::from_timestamp(secs, nanos).unwrap().with_timezone(&offset);
            let text = t.to_rfc3339();
            prop_assert_eq!(parse_rfc3339(&text), Some(t));
            let json = serde_json::to_string(&t).unwrap();
            let back: DateTime<FixedOffset> = fixed(&mut serde_json::Deserializer::from_str(&json)).unwrap();
            prop_assert_eq!(back, t);
            let utc = t.with_timezone(&Utc);
            let json = serde_json::to_string(&utc).unwrap();
            prop_assert_eq!(super::utc(&mut serde_json::Deserializer::from_str(&json)).unwrap(), utc);
            let time = t.time();
            prop_assert_eq!(parse_time(serde_json::to_value(time).unwrap().as_str().unwrap()), Some(time));
        }

        #[test]
        fn never_accepts_what_chrono_refuses(s in "[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]{1,9})?(Z|[+-][0-9]{2}:[0-9]{2})") {
            let chrono = DateTime::parse_from_rfc3339(&s).ok();
            let ours = parse_rfc3339(&s);
            // chrono takes :60 as a leap second; we refuse it (no phone or server writes one).
            if ours.is_some() || !s[17..19].starts_with('6') {
                prop_assert_eq!(ours, chrono, "{}", s);
            }
        }
    }
}
