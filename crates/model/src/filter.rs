//! Which records a history screen or an export shows: a date range, a post, a kind.

use chrono::NaiveDate;

use crate::record::Record;

/// A history filter; `None` fields do not filter. Dates are the phone's local date at
/// the time the record was made (what the officer saw on the screen).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filter {
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    pub post: Option<String>,
    /// A record kind's wire name: `checkin` or `incident`.
    pub kind: Option<String>,
}

impl Filter {
    pub fn matches(&self, record: &Record) -> bool {
        let date = record.body.device_time().date_naive();
        self.from.is_none_or(|from| date >= from)
            && self.to.is_none_or(|to| date <= to)
            && self
                .post
                .as_deref()
                .is_none_or(|p| record.body.post_id() == p)
            && self.kind.as_deref().is_none_or(|k| record.body.kind() == k)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::tests::{sample, sample_incident};

    fn day(s: &str) -> Option<NaiveDate> {
        Some(s.parse().unwrap())
    }

    #[test]
    fn filter_table() {
        // sample(): s01-g1 check-in at 2026-11-25T07:12:33+08:00.
        let r = sample(1, 1);
        let cases = [
            (Filter::default(), true),
            (
                Filter {
                    from: day("2026-11-25"),
                    to: day("2026-11-25"),
                    ..Filter::default()
                },
                true,
            ),
            (
                Filter {
                    from: day("2026-11-26"),
                    ..Filter::default()
                },
                false,
            ),
            (
                Filter {
                    to: day("2026-11-24"),
                    ..Filter::default()
                },
                false,
            ),
            (
                Filter {
                    post: Some("s01-g1".into()),
                    ..Filter::default()
                },
                true,
            ),
            (
                Filter {
                    post: Some("s01-g2".into()),
                    ..Filter::default()
                },
                false,
            ),
            (
                Filter {
                    kind: Some("checkin".into()),
                    ..Filter::default()
                },
                true,
            ),
            (
                Filter {
                    kind: Some("incident".into()),
                    ..Filter::default()
                },
                false,
            ),
        ];
        for (n, (f, want)) in cases.iter().enumerate() {
            assert_eq!(f.matches(&r), *want, "case {n}");
        }
        let incident = sample_incident(2, 1);
        assert!(Filter {
            kind: Some("incident".into()),
            ..Filter::default()
        }
        .matches(&incident));
    }

    #[test]
    fn the_date_is_the_phones_local_date_not_utc() {
        // 07:12 at +08:00 is 23:12 UTC the day before; the officer saw the 25th.
        let f = Filter {
            from: day("2026-11-25"),
            to: day("2026-11-25"),
            ..Filter::default()
        };
        assert!(f.matches(&sample(1, 1)));
    }
}
