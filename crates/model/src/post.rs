//! Posts: the school gates where peak-hour duty happens.

use serde::{Deserialize, Serialize};

use crate::record::Position;

/// How far from a gate a phone may be and still be "at" it, before the fix's own
/// accuracy is added: a school gate plus the pavement and the police car beside it.
pub const NEAR_GATE_M: f64 = 150.0;
/// A fix less precise than this says nothing useful about which gate a phone is at.
pub const MAX_USEFUL_ACCURACY_M: u32 = 300;

/// Where a gate is: WGS-84 microdegrees, like `Position`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct GeoPoint {
    pub lat_e6: i32,
    pub lon_e6: i32,
}

impl GeoPoint {
    pub fn is_valid(&self) -> bool {
        (-90_000_000..=90_000_000).contains(&self.lat_e6)
            && (-180_000_000..=180_000_000).contains(&self.lon_e6)
    }

    /// Distance in metres to a fix, by the equirectangular approximation: well under
    /// 1% off at the few hundred metres that matter here, and cheap on a phone.
    pub fn metres_to(&self, fix: &Position) -> f64 {
        const EARTH_RADIUS_M: f64 = 6_371_000.0;
        let rad = |e6: i32| f64::from(e6) * 1e-6_f64.to_radians();
        let (lat1, lat2) = (rad(self.lat_e6), rad(fix.lat_e6));
        let mut dlon = rad(fix.lon_e6) - rad(self.lon_e6);
        // Across the antimeridian the short way round is the other way.
        if dlon.abs() > std::f64::consts::PI {
            dlon -= std::f64::consts::TAU.copysign(dlon);
        }
        let x = dlon * cos_of_latitude((lat1 + lat2) / 2.0);
        let y = lat2 - lat1;
        (x * x + y * y).sqrt() * EARTH_RADIUS_M
    }
}

/// cos of a latitude in radians (|x| ≤ π/2) by its Taylor series to x¹⁰, in Horner
/// form: off by under 5e-7 there (a millimetre in a kilometre). `f64::cos` brings
/// libm's range reduction for any angle into the wasm (~7 KB, BENCHMARKS.md).
fn cos_of_latitude(x: f64) -> f64 {
    let x2 = x * x;
    1.0 - x2 / 2.0 * (1.0 - x2 / 12.0 * (1.0 - x2 / 30.0 * (1.0 - x2 / 56.0 * (1.0 - x2 / 90.0))))
}

/// One school gate an officer can check in at.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Post {
    /// Stable id, e.g. `s01-g1`.
    pub id: String,
    /// The school this gate belongs to (its peak windows apply here).
    #[serde(default)]
    pub school_id: String,
    /// School name as people say it (Chinese first).
    pub school: String,
    /// Gate name, e.g. 南门.
    pub gate: String,
    /// Where the gate is, if the admin entered it; lets a phone preselect the gate it
    /// stands at.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<GeoPoint>,
}

impl Post {
    /// What a picker shows: school and gate.
    pub fn label(&self) -> String {
        format!("{} · {}", self.school, self.gate)
    }
}

/// The post a phone at `fix` is standing at: the nearest located post within
/// `NEAR_GATE_M` plus the fix's accuracy. `None` for a vague fix or no post near.
pub fn nearest_post<'a>(posts: &'a [Post], fix: &Position) -> Option<&'a Post> {
    if fix.accuracy_m > MAX_USEFUL_ACCURACY_M {
        return None;
    }
    let reach = NEAR_GATE_M + f64::from(fix.accuracy_m);
    posts
        .iter()
        .filter_map(|p| Some((p, p.location?.metres_to(fix))))
        .filter(|(_, d)| *d <= reach)
        .min_by(|a, b| a.1.total_cmp(&b.1))
        .map(|(p, _)| p)
}

/// Whether a check-in's fix puts the phone at its gate (docs/proof.md §2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OnSite {
    /// Within `NEAR_GATE_M` of the gate, by a fix at least that precise.
    OnSite,
    /// Farther than `NEAR_GATE_M` even at the fix's most favourable reading (its
    /// distance less its accuracy).
    OffSite,
    /// No fix, a gate without a location, a fix vaguer than `MAX_USEFUL_ACCURACY_M`
    /// (or than the gate area, near it), or a fix whose accuracy circle straddles the
    /// line: it cannot tell.
    Unknown,
}

/// The on-site verdict of a check-in at `post` with `fix`.
pub fn on_site(post: &Post, fix: Option<&Position>) -> OnSite {
    let (Some(gate), Some(fix)) = (post.location, fix) else {
        return OnSite::Unknown;
    };
    if fix.accuracy_m > MAX_USEFUL_ACCURACY_M {
        return OnSite::Unknown;
    }
    let distance = gate.metres_to(fix);
    let accuracy = f64::from(fix.accuracy_m);
    // Proof needs a fix that can place the phone at the gate: one vaguer than the gate
    // area itself cannot, however close its centre.
    if distance <= NEAR_GATE_M && accuracy <= NEAR_GATE_M {
        OnSite::OnSite
    } else if distance - accuracy > NEAR_GATE_M {
        OnSite::OffSite
    } else {
        OnSite::Unknown
    }
}

/// Demo schools and gates used until posts can be managed on the server.
pub fn demo_posts() -> Vec<Post> {
    // Made-up spots in one city centre, a few hundred metres apart.
    [
        ("s01-g1", "s01", "实验小学", "南门", 31_230_400, 121_473_700),
        ("s01-g2", "s01", "实验小学", "北门", 31_232_200, 121_473_700),
        ("s02-g1", "s02", "第一中学", "正门", 31_226_000, 121_480_000),
        ("s03-g1", "s03", "育才小学", "东门", 31_240_000, 121_470_000),
        (
            "s04-g1",
            "s04",
            "阳光幼儿园",
            "正门",
            31_221_500,
            121_465_300,
        ),
    ]
    .into_iter()
    .map(|(id, school_id, school, gate, lat_e6, lon_e6)| Post {
        id: id.into(),
        school_id: school_id.into(),
        school: school.into(),
        gate: gate.into(),
        location: Some(GeoPoint { lat_e6, lon_e6 }),
    })
    .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn on_site_off_site_or_cannot_tell() {
        let gate = &demo_posts()[0]; // 31.230400, 121.473700
                                     // 1e-6° of latitude is ~0.111 m: 900 µ° ≈ 100 m north, 1800 µ° ≈ 200 m.
        let fix = |north_e6: i32, accuracy_m: u32| Position {
            lat_e6: 31_230_400 + north_e6,
            lon_e6: 121_473_700,
            accuracy_m,
        };
        let cases = [
            ("at the gate", Some(fix(0, 10)), OnSite::OnSite),
            ("100 m off, precise", Some(fix(900, 10)), OnSite::OnSite),
            ("100 m off, ±150 m", Some(fix(900, 150)), OnSite::OnSite),
            (
                "100 m off, ±250 m: too vague to prove",
                Some(fix(900, 250)),
                OnSite::Unknown,
            ),
            ("200 m off, precise", Some(fix(1800, 10)), OnSite::OffSite),
            (
                "200 m off, ±80 m could be inside",
                Some(fix(1800, 80)),
                OnSite::Unknown,
            ),
            ("2 km off, ±300 m", Some(fix(18_000, 300)), OnSite::OffSite),
            ("at the gate but ±301 m", Some(fix(0, 301)), OnSite::Unknown),
            ("no fix", None, OnSite::Unknown),
        ];
        for (why, fix, want) in cases {
            assert_eq!(on_site(gate, fix.as_ref()), want, "{why}");
        }
        let unplaced = Post {
            location: None,
            ..gate.clone()
        };
        assert_eq!(on_site(&unplaced, Some(&fix(0, 5))), OnSite::Unknown);
    }

    #[test]
    fn the_latitude_cosine_matches_the_standard_one_from_pole_to_pole() {
        for tenth_degree in -900..=900 {
            let x = f64::from(tenth_degree) / 10.0 * std::f64::consts::PI / 180.0;
            let error = (cos_of_latitude(x) - x.cos()).abs();
            assert!(
                error < 5e-7,
                "{tenth_degree} tenths of a degree: off by {error}"
            );
        }
    }

    #[test]
    fn demo_post_ids_are_unique_and_valid() {
        let posts = demo_posts();
        let mut ids: Vec<_> = posts.iter().map(|p| p.id.clone()).collect();
        ids.sort();
        ids.dedup();
        assert_eq!(ids.len(), posts.len());
        assert!(posts.iter().all(|p| crate::record::valid_post_id(&p.id)));
    }

    fn fix(lat_e6: i32, lon_e6: i32, accuracy_m: u32) -> Position {
        Position {
            lat_e6,
            lon_e6,
            accuracy_m,
        }
    }

    #[test]
    fn distances_are_close_to_the_great_circle() {
        let gate = GeoPoint {
            lat_e6: 31_230_400,
            lon_e6: 121_473_700,
        };
        // 0.001° of latitude is 111.2 m everywhere.
        let d = gate.metres_to(&fix(31_231_400, 121_473_700, 5));
        assert!((d - 111.2).abs() < 0.5, "{d}");
        // 0.001° of longitude at 31.23° N is 95.1 m.
        let d = gate.metres_to(&fix(31_230_400, 121_474_700, 5));
        assert!((d - 95.1).abs() < 0.5, "{d}");
        let east = GeoPoint {
            lat_e6: 0,
            lon_e6: 179_999_000,
        };
        let d = east.metres_to(&fix(0, -179_999_000, 5));
        assert!((d - 222.4).abs() < 0.5, "antimeridian: {d}");
    }

    #[test]
    fn nearest_post_table() {
        let posts = demo_posts();
        let cases = [
            // At the south gate, a good fix.
            (fix(31_230_450, 121_473_700, 10), Some("s01-g1")),
            // Between the school's two gates (200 m apart), nearer the north one.
            (fix(31_231_500, 121_473_700, 10), Some("s01-g2")),
            // 400 m from every gate.
            (fix(31_235_900, 121_490_000, 10), None),
            // Beside a gate, but the fix is vague.
            (fix(31_230_400, 121_473_700, 301), None),
            // 200 m off with a 60 m fix: within 150 + 60.
            (fix(31_228_600, 121_473_700, 60), Some("s01-g1")),
        ];
        for (n, (at, want)) in cases.iter().enumerate() {
            assert_eq!(
                nearest_post(&posts, at).map(|p| p.id.as_str()),
                *want,
                "case {n}"
            );
        }
        let unlocated: Vec<Post> = posts
            .into_iter()
            .map(|p| Post {
                location: None,
                ..p
            })
            .collect();
        assert_eq!(
            nearest_post(&unlocated, &fix(31_230_400, 121_473_700, 5)),
            None
        );
    }
}
