//! The catalog in the database: schools with their peak windows, and the posts at their gates.
//!
//! Phones pull it; an admin writes it, one school or post at a time or a whole CSV
//! import in one transaction. Every write is an upsert that leaves a row untouched
//! (`updated_at` included) when its content is unchanged, so writing the same thing
//! again changes nothing.

use std::collections::HashMap;
use std::error::Error;

use crate::db::{Db, Dialect};
use chrono::{DateTime, NaiveDate, SecondsFormat, Utc};
use gatewatch_model::record::{plain_text, valid_post_id, MAX_POST_ID_LEN};
use gatewatch_model::school::{demo_schools, School};
use gatewatch_model::{demo_posts, GeoPoint, Post};
use sqlx::AnyConnection;

use crate::error::AppError;

/// Longest gate name, in characters: it shares a line with the school name on a phone.
pub const MAX_GATE_CHARS: usize = 40;

/// A post as an admin defines it: its school by id (phones get the name joined in).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PostDef {
    pub id: String,
    pub school_id: String,
    pub gate: String,
    pub location: Option<GeoPoint>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PostError {
    #[error("post id must be 1-{MAX_POST_ID_LEN} characters of letters, digits, '-' or '_'")]
    BadId,
    #[error("gate name is empty")]
    NoGate,
    #[error("gate name has control characters")]
    BadGate,
    #[error("gate name is longer than {MAX_GATE_CHARS} characters")]
    GateTooLong,
    #[error("location must be latitude -90..90 and longitude -180..180 (in microdegrees)")]
    BadLocation,
}

impl PostDef {
    /// The post id rule is the one `CheckIn::validate` applies, so every post can be
    /// checked in at.
    pub fn validate(&self) -> Result<(), PostError> {
        if !valid_post_id(&self.id) {
            return Err(PostError::BadId);
        }
        if self.gate.trim().is_empty() {
            return Err(PostError::NoGate);
        }
        if !plain_text(&self.gate) {
            return Err(PostError::BadGate);
        }
        if self.gate.chars().count() > MAX_GATE_CHARS {
            return Err(PostError::GateTooLong);
        }
        if self.location.is_some_and(|l| !l.is_valid()) {
            return Err(PostError::BadLocation);
        }
        Ok(())
    }
}

/// A whole catalog to write at once: every post's school is among `schools`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Catalog {
    pub schools: Vec<School>,
    pub posts: Vec<PostDef>,
    /// Whether the posts' locations were given (an import file with latitude and
    /// longitude columns). If not, posts already stored keep theirs.
    pub locations_given: bool,
    /// Whether the schools' districts were given (a `district` column). If not, schools
    /// already stored keep theirs.
    pub districts_given: bool,
}

/// Writes the demo catalog if there are neither schools nor posts, so a fresh server
/// is usable at once; says whether it did. An admin's catalog is never touched.
pub async fn seed_demo(db: &Db, now: DateTime<Utc>) -> Result<bool, Box<dyn Error + Send + Sync>> {
    // The write lock up front: two servers starting on one file seed at most once.
    let mut tx = db.begin_write().await?;
    let rows: i64 =
        sqlx::query_scalar("SELECT (SELECT COUNT(*) FROM schools) + (SELECT COUNT(*) FROM posts)")
            .fetch_one(&mut *tx)
            .await?;
    if rows > 0 {
        return Ok(false);
    }
    let updated_at = stamp(now);
    for school in demo_schools() {
        let windows = serde_json::to_string(&school.windows)?;
        upsert_school(&mut tx, &school, &windows, &updated_at).await?;
    }
    for post in demo_posts() {
        let def = PostDef {
            id: post.id,
            school_id: post.school_id,
            gate: post.gate,
            location: post.location,
        };
        upsert_post(&mut tx, &def, &updated_at).await?;
    }
    tx.commit().await?;
    Ok(true)
}

/// Every school, by id.
pub async fn schools(db: &Db) -> Result<Vec<School>, AppError> {
    let rows: Vec<SchoolRow> = sqlx::query_as(
        "SELECT id, name, lead_minutes, utc_offset_minutes, windows, district, counted_from
         FROM schools ORDER BY id",
    )
    .fetch_all(db.pool())
    .await?;
    rows.into_iter().map(school_of_row).collect()
}

/// A `schools` row: id, name, lead minutes, UTC offset, windows (JSON), district, first
/// counted day.
type SchoolRow = (String, String, i64, i64, String, String, Option<String>);

fn school_of_row(
    (id, name, lead, offset, windows, district, counted_from): SchoolRow,
) -> Result<School, AppError> {
    let internal = |e: Box<dyn Error + Send + Sync>| AppError::Internal(e);
    Ok(School {
        id,
        name,
        windows: serde_json::from_str(&windows)?,
        lead_minutes: u32::try_from(lead).map_err(|e| internal(Box::new(e)))?,
        utc_offset_minutes: i32::try_from(offset).map_err(|e| internal(Box::new(e)))?,
        district,
        counted_from: counted_from
            .map(|day| NaiveDate::parse_from_str(&day, "%Y-%m-%d"))
            .transpose()
            .map_err(|e| internal(Box::new(e)))?,
    })
}

/// A post row: id, school id, school name, gate, latitude and longitude.
type PostRow = (String, String, String, String, Option<i64>, Option<i64>);

/// Every post with its school's name, by id.
pub async fn posts(db: &Db) -> Result<Vec<Post>, AppError> {
    let rows: Vec<PostRow> = sqlx::query_as(
        "SELECT p.id, p.school_id, s.name, p.gate, p.lat_e6, p.lon_e6
         FROM posts p JOIN schools s ON s.id = p.school_id
         ORDER BY p.id",
    )
    .fetch_all(db.pool())
    .await?;
    rows.into_iter()
        .map(|(id, school_id, school, gate, lat, lon)| {
            Ok(Post {
                id,
                school_id,
                school,
                gate,
                location: location(lat, lon)?,
            })
        })
        .collect()
}

/// The stored columns as a point: both set or neither (the server writes them
/// together; the schema checks their ranges).
fn location(lat_e6: Option<i64>, lon_e6: Option<i64>) -> Result<Option<GeoPoint>, AppError> {
    let micro = |v: i64| i32::try_from(v).map_err(|e| AppError::Internal(Box::new(e)));
    match (lat_e6, lon_e6) {
        (Some(lat), Some(lon)) => Ok(Some(GeoPoint {
            lat_e6: micro(lat)?,
            lon_e6: micro(lon)?,
        })),
        _ => Ok(None),
    }
}

/// Creates or replaces a school the caller has validated.
pub async fn put_school(db: &Db, school: &School, now: DateTime<Utc>) -> Result<(), AppError> {
    let windows = serde_json::to_string(&school.windows)?;
    // In a write transaction like every catalog change: an import running meanwhile
    // on another process reads the catalog before it writes.
    let mut tx = db.begin_write().await?;
    upsert_school(&mut tx, school, &windows, &stamp(now)).await?;
    tx.commit().await?;
    Ok(())
}

/// Creates or replaces a post the caller has validated, and returns it as phones will
/// see it; `None` when its school does not exist (nothing written).
pub async fn put_post(
    db: &Db,
    post: &PostDef,
    now: DateTime<Utc>,
) -> Result<Option<Post>, AppError> {
    let mut tx = db.begin_write().await?;
    let school: Option<String> = sqlx::query_scalar("SELECT name FROM schools WHERE id = $1")
        .bind(&post.school_id)
        .fetch_optional(&mut *tx)
        .await?;
    let Some(school) = school else {
        return Ok(None);
    };
    upsert_post(&mut tx, post, &stamp(now)).await?;
    tx.commit().await?;
    Ok(Some(Post {
        id: post.id.clone(),
        school_id: post.school_id.clone(),
        school,
        gate: post.gate.clone(),
        location: post.location,
    }))
}

/// Upserts a whole validated catalog in one transaction: all of it or nothing.
///
/// A CSV has no UTC offset column, so a school already stored keeps its offset and a
/// new one gets the offset given in `catalog`. Likewise a post already stored keeps its
/// location unless `catalog.locations_given`, a school its district unless
/// `catalog.districts_given`, and its first counted day unless the file gives one. A
/// new school without one is counted from `now`'s date in its zone: the days before it
/// was imported are not missed.
pub async fn import(db: &Db, catalog: &Catalog, now: DateTime<Utc>) -> Result<(), AppError> {
    let updated_at = stamp(now);
    let mut tx = db.begin_write().await?;
    let rows: Vec<SchoolRow> = sqlx::query_as(
        "SELECT id, name, lead_minutes, utc_offset_minutes, windows, district, counted_from
         FROM schools",
    )
    .fetch_all(&mut *tx)
    .await?;
    let stored: HashMap<String, School> = rows
        .into_iter()
        .map(|row| school_of_row(row).map(|s| (s.id.clone(), s)))
        .collect::<Result<_, AppError>>()?;
    for school in &catalog.schools {
        let school = merged_with_stored(school, stored.get(&school.id), catalog, now);
        let windows = serde_json::to_string(&school.windows)?;
        upsert_school(&mut tx, &school, &windows, &updated_at).await?;
    }
    let mut stored_locations: HashMap<String, GeoPoint> = HashMap::new();
    if !catalog.locations_given {
        let rows: Vec<(String, Option<i64>, Option<i64>)> =
            sqlx::query_as("SELECT id, lat_e6, lon_e6 FROM posts WHERE lat_e6 IS NOT NULL")
                .fetch_all(&mut *tx)
                .await?;
        for (id, lat, lon) in rows {
            if let Some(at) = location(lat, lon)? {
                stored_locations.insert(id, at);
            }
        }
    }
    for post in &catalog.posts {
        let mut post = post.clone();
        if let Some(stored) = stored_locations.get(&post.id) {
            post.location = Some(*stored);
        }
        upsert_post(&mut tx, &post, &updated_at).await?;
    }
    tx.commit().await?;
    Ok(())
}

/// `imported` as an import stores it: what the file does not say comes from the school
/// as `stored` (its offset always: a CSV has no such column), or for a new school, its
/// first counted day is the import's date in its zone.
fn merged_with_stored(
    imported: &School,
    stored: Option<&School>,
    catalog: &Catalog,
    now: DateTime<Utc>,
) -> School {
    let mut school = imported.clone();
    match stored {
        Some(held) => {
            school.utc_offset_minutes = held.utc_offset_minutes;
            if !catalog.districts_given {
                school.district.clone_from(&held.district);
            }
            school.counted_from = imported.counted_from.or(held.counted_from);
        }
        None => {
            let today = now.with_timezone(&school.offset()).date_naive();
            school.counted_from = imported.counted_from.or(Some(today));
        }
    }
    school
}

/// `windows` is `school.windows` as JSON (the caller owns that error).
async fn upsert_school(
    conn: &mut AnyConnection,
    school: &School,
    windows: &str,
    updated_at: &str,
) -> Result<(), sqlx::Error> {
    // `IS DISTINCT FROM` for `counted_from`, which may be NULL on either side.
    sqlx::query(
        "INSERT INTO schools (id, name, lead_minutes, utc_offset_minutes, windows, updated_at,
                              district, counted_from)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
         ON CONFLICT (id) DO UPDATE SET
             name = excluded.name, lead_minutes = excluded.lead_minutes,
             utc_offset_minutes = excluded.utc_offset_minutes, windows = excluded.windows,
             updated_at = excluded.updated_at, district = excluded.district,
             counted_from = excluded.counted_from
         WHERE (schools.name, schools.lead_minutes, schools.utc_offset_minutes, schools.windows,
                schools.district)
             <> (excluded.name, excluded.lead_minutes, excluded.utc_offset_minutes,
                 excluded.windows, excluded.district)
            OR schools.counted_from IS DISTINCT FROM excluded.counted_from",
    )
    .bind(&school.id)
    .bind(&school.name)
    .bind(i64::from(school.lead_minutes))
    .bind(i64::from(school.utc_offset_minutes))
    .bind(windows)
    .bind(updated_at)
    .bind(&school.district)
    .bind(
        school
            .counted_from
            .map(|day| day.format("%Y-%m-%d").to_string()),
    )
    .execute(&mut *conn)
    .await?;
    Ok(())
}

async fn upsert_post(
    conn: &mut AnyConnection,
    post: &PostDef,
    updated_at: &str,
) -> Result<(), sqlx::Error> {
    let held_school: Option<String> =
        sqlx::query_scalar("SELECT school_id FROM posts WHERE id = $1")
            .bind(&post.id)
            .fetch_optional(&mut *conn)
            .await?;
    if held_school.is_some_and(|s| s != post.school_id) {
        // A gate moved to another school: its check-ins and incidents are that school's
        // now, for whom may read them (the `school` column pulls are scoped by).
        let post_of_record = Dialect::of(conn).json_text("body", &["data", "post_id"]);
        sqlx::query(&format!(
            "UPDATE records SET school = $1
             WHERE kind IN ('checkin', 'incident') AND {post_of_record} = $2"
        ))
        .bind(&post.school_id)
        .bind(&post.id)
        .execute(&mut *conn)
        .await?;
    }
    // `IS DISTINCT FROM`, not `<>`: a location going from or to NULL is a change too.
    sqlx::query(
        "INSERT INTO posts (id, school_id, gate, updated_at, secret, lat_e6, lon_e6)
         VALUES ($1, $2, $3, $4, $5, $6, $7)
         ON CONFLICT (id) DO UPDATE SET
             school_id = excluded.school_id, gate = excluded.gate,
             updated_at = excluded.updated_at,
             lat_e6 = excluded.lat_e6, lon_e6 = excluded.lon_e6
         WHERE posts.school_id IS DISTINCT FROM excluded.school_id
            OR posts.gate IS DISTINCT FROM excluded.gate
            OR posts.lat_e6 IS DISTINCT FROM excluded.lat_e6
            OR posts.lon_e6 IS DISTINCT FROM excluded.lon_e6",
    )
    .bind(&post.id)
    .bind(&post.school_id)
    .bind(&post.gate)
    .bind(updated_at)
    .bind(new_secret())
    .bind(post.location.map(|l| l.lat_e6))
    .bind(post.location.map(|l| l.lon_e6))
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// A fresh gate-code secret: 32 random bytes from the OS, as hex.
fn new_secret() -> String {
    let bytes: Vec<u8> = [uuid::Uuid::new_v4(), uuid::Uuid::new_v4()]
        .iter()
        .flat_map(|u| *u.as_bytes())
        .collect();
    gatewatch_model::gatecode::secret_to_hex(&bytes)
}

/// Gives every post without a gate-code secret one (posts from before secrets existed).
pub async fn ensure_post_secrets(db: &Db) -> Result<(), sqlx::Error> {
    let missing: Vec<String> = sqlx::query_scalar("SELECT id FROM posts WHERE secret IS NULL")
        .fetch_all(db.pool())
        .await?;
    for id in missing {
        sqlx::query("UPDATE posts SET secret = $1 WHERE id = $2 AND secret IS NULL")
            .bind(new_secret())
            .bind(id)
            .execute(db.pool())
            .await?;
    }
    Ok(())
}

/// The gate-code secret of a post, `None` if there is no such post.
pub async fn post_secret(
    conn: impl sqlx::any::AnyExecutor<'_>,
    post_id: &str,
) -> Result<Option<Vec<u8>>, sqlx::Error> {
    let hex: Option<Option<String>> = sqlx::query_scalar("SELECT secret FROM posts WHERE id = $1")
        .bind(post_id)
        .fetch_optional(conn)
        .await?;
    Ok(hex
        .flatten()
        .and_then(|h| gatewatch_model::gatecode::secret_from_hex(&h)))
}

/// The school of a post, `None` if there is no such post.
pub async fn school_of_post(
    conn: impl sqlx::any::AnyExecutor<'_>,
    post_id: &str,
) -> Result<Option<String>, sqlx::Error> {
    sqlx::query_scalar("SELECT school_id FROM posts WHERE id = $1")
        .bind(post_id)
        .fetch_optional(conn)
        .await
}

fn stamp(now: DateTime<Utc>) -> String {
    now.to_rfc3339_opts(SecondsFormat::Millis, true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn post_validation_table() {
        let ok = PostDef {
            id: "s01-g1".into(),
            school_id: "s01".into(),
            gate: "南门".into(),
            location: None,
        };
        let cases = [
            (ok.clone(), None),
            (
                PostDef {
                    id: "A_z-9".into(),
                    ..ok.clone()
                },
                None,
            ),
            (
                PostDef {
                    id: String::new(),
                    ..ok.clone()
                },
                Some(PostError::BadId),
            ),
            (
                PostDef {
                    id: "s01 g1".into(),
                    ..ok.clone()
                },
                Some(PostError::BadId),
            ),
            (
                PostDef {
                    id: "门".into(),
                    ..ok.clone()
                },
                Some(PostError::BadId),
            ),
            (
                PostDef {
                    id: "x".repeat(65),
                    ..ok.clone()
                },
                Some(PostError::BadId),
            ),
            (
                PostDef {
                    gate: " ".into(),
                    ..ok.clone()
                },
                Some(PostError::NoGate),
            ),
            (
                PostDef {
                    gate: "南\0门".into(),
                    ..ok.clone()
                },
                Some(PostError::BadGate),
            ),
            (
                PostDef {
                    gate: "门".repeat(40),
                    ..ok.clone()
                },
                None,
            ),
            (
                PostDef {
                    gate: "门".repeat(41),
                    ..ok.clone()
                },
                Some(PostError::GateTooLong),
            ),
            (
                PostDef {
                    location: Some(GeoPoint {
                        lat_e6: -90_000_000,
                        lon_e6: 180_000_000,
                    }),
                    ..ok.clone()
                },
                None,
            ),
            (
                PostDef {
                    location: Some(GeoPoint {
                        lat_e6: 90_000_001,
                        lon_e6: 0,
                    }),
                    ..ok.clone()
                },
                Some(PostError::BadLocation),
            ),
            (
                PostDef {
                    location: Some(GeoPoint {
                        lat_e6: 0,
                        lon_e6: -180_000_001,
                    }),
                    ..ok.clone()
                },
                Some(PostError::BadLocation),
            ),
        ];
        for (post, want) in cases {
            assert_eq!(post.validate().err(), want, "{post:?}");
        }
    }
}
