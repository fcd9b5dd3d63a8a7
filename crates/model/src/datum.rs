//! Map datums (docs/proof.md §2). Phones report WGS-84, the GPS datum; coordinates
//! copied from Amap or Tencent maps are GCJ-02, from Baidu maps BD-09, each hundreds of
//! metres from WGS-84 in mainland China. A gate's coordinates are converted to WGS-84
//! once, where they are entered, so every distance is taken in one datum.
//!
//! GCJ-02 is the published "offset" formula (Krasovsky ellipsoid); it has no closed
//! inverse, so WGS-84 is found by refining a guess until the forward formula gives
//! back the GCJ-02 point. BD-09 is a further offset of GCJ-02 with a closed inverse.
//! Outside mainland China's bounding box GCJ-02 equals WGS-84.

use std::f64::consts::PI;

/// Which datum a pair of coordinates is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Datum {
    /// GPS; what phones report.
    Wgs84,
    /// Amap (高德), Tencent (腾讯) maps.
    Gcj02,
    /// Baidu (百度) maps.
    Bd09,
}

impl Datum {
    /// `wgs84`, `gcj02` or `bd09` (any case; `gps`, `amap`/`高德`, `baidu`/`百度` too).
    pub fn parse(text: &str) -> Option<Datum> {
        match text.trim().to_ascii_lowercase().as_str() {
            "wgs84" | "wgs-84" | "gps" => Some(Datum::Wgs84),
            "gcj02" | "gcj-02" | "amap" | "高德" | "tencent" | "腾讯" => Some(Datum::Gcj02),
            "bd09" | "bd-09" | "baidu" | "百度" => Some(Datum::Bd09),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Datum::Wgs84 => "wgs84",
            Datum::Gcj02 => "gcj02",
            Datum::Bd09 => "bd09",
        }
    }
}

/// A point in degrees.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LatLon {
    pub lat: f64,
    pub lon: f64,
}

/// `point`, given in `datum`, in WGS-84.
pub fn to_wgs84(datum: Datum, point: LatLon) -> LatLon {
    match datum {
        Datum::Wgs84 => point,
        Datum::Gcj02 => gcj02_to_wgs84(point),
        Datum::Bd09 => gcj02_to_wgs84(bd09_to_gcj02(point)),
    }
}

/// Semi-major axis and eccentricity squared of the Krasovsky 1940 ellipsoid, which the
/// GCJ-02 formula uses.
const A: f64 = 6_378_245.0;
const EE: f64 = 0.006_693_421_622_965_943;

/// Whether the formula applies: mainland China's bounding box (elsewhere GCJ-02 is
/// WGS-84).
fn in_china(p: LatLon) -> bool {
    (72.004..=137.8347).contains(&p.lon) && (0.8293..=55.8271).contains(&p.lat)
}

/// WGS-84 → GCJ-02.
pub fn wgs84_to_gcj02(p: LatLon) -> LatLon {
    if !in_china(p) {
        return p;
    }
    let (x, y) = (p.lon - 105.0, p.lat - 35.0);
    let rad_lat = p.lat / 180.0 * PI;
    let magic = 1.0 - EE * rad_lat.sin().powi(2);
    let sqrt_magic = magic.sqrt();
    let d_lat = offset_lat(x, y) * 180.0 / ((A * (1.0 - EE)) / (magic * sqrt_magic) * PI);
    let d_lon = offset_lon(x, y) * 180.0 / (A / sqrt_magic * rad_lat.cos() * PI);
    LatLon {
        lat: p.lat + d_lat,
        lon: p.lon + d_lon,
    }
}

/// GCJ-02 → WGS-84: the WGS-84 point whose GCJ-02 image is `p`, refined until the
/// image is within 1e-9° (~0.1 mm) or after 30 rounds (each round divides the error
/// by more than ten).
pub fn gcj02_to_wgs84(p: LatLon) -> LatLon {
    let mut guess = p;
    for _ in 0..30 {
        let image = wgs84_to_gcj02(guess);
        let (d_lat, d_lon) = (image.lat - p.lat, image.lon - p.lon);
        if d_lat.abs() < 1e-9 && d_lon.abs() < 1e-9 {
            break;
        }
        guess = LatLon {
            lat: guess.lat - d_lat,
            lon: guess.lon - d_lon,
        };
    }
    guess
}

/// BD-09 → GCJ-02.
pub fn bd09_to_gcj02(p: LatLon) -> LatLon {
    let x_pi = PI * 3000.0 / 180.0;
    let (x, y) = (p.lon - 0.0065, p.lat - 0.006);
    let z = (x * x + y * y).sqrt() - 0.000_02 * (y * x_pi).sin();
    let theta = y.atan2(x) - 0.000_003 * (x * x_pi).cos();
    LatLon {
        lat: z * theta.sin(),
        lon: z * theta.cos(),
    }
}

/// GCJ-02 → BD-09 (to check the inverse; gates are never stored in BD-09).
pub fn gcj02_to_bd09(p: LatLon) -> LatLon {
    let x_pi = PI * 3000.0 / 180.0;
    let (x, y) = (p.lon, p.lat);
    let z = (x * x + y * y).sqrt() + 0.000_02 * (y * x_pi).sin();
    let theta = y.atan2(x) + 0.000_003 * (x * x_pi).cos();
    LatLon {
        lat: z * theta.sin() + 0.006,
        lon: z * theta.cos() + 0.0065,
    }
}

fn offset_lat(x: f64, y: f64) -> f64 {
    -100.0
        + 2.0 * x
        + 3.0 * y
        + 0.2 * y * y
        + 0.1 * x * y
        + 0.2 * x.abs().sqrt()
        + common_wave(x)
        + (20.0 * (y * PI).sin() + 40.0 * (y / 3.0 * PI).sin()) * 2.0 / 3.0
        + (160.0 * (y / 12.0 * PI).sin() + 320.0 * (y * PI / 30.0).sin()) * 2.0 / 3.0
}

fn offset_lon(x: f64, y: f64) -> f64 {
    300.0
        + x
        + 2.0 * y
        + 0.1 * x * x
        + 0.1 * x * y
        + 0.1 * x.abs().sqrt()
        + common_wave(x)
        + (20.0 * (x * PI).sin() + 40.0 * (x / 3.0 * PI).sin()) * 2.0 / 3.0
        + (150.0 * (x / 12.0 * PI).sin() + 300.0 * (x / 30.0 * PI).sin()) * 2.0 / 3.0
}

fn common_wave(x: f64) -> f64 {
    (20.0 * (6.0 * x * PI).sin() + 20.0 * (2.0 * x * PI).sin()) * 2.0 / 3.0
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn at(lat: f64, lon: f64) -> LatLon {
        LatLon { lat, lon }
    }

    fn assert_near(got: LatLon, want: LatLon, tolerance: f64, what: &str) {
        assert!(
            (got.lat - want.lat).abs() <= tolerance && (got.lon - want.lon).abs() <= tolerance,
            "{what}: got {got:?}, want {want:?} (±{tolerance}°)"
        );
    }

    /// Beijing railway station as the geoChina R package documents it (`conv`): one
    /// place in the three datums, given to 1e-5°.
    #[test]
    fn beijing_railway_station_in_three_datums() {
        let wgs = at(39.90105, 116.42079);
        let gcj = at(39.90245, 116.42703);
        let bd = at(39.90851, 116.43351);
        assert_near(wgs84_to_gcj02(wgs), gcj, 2e-5, "WGS-84 → GCJ-02");
        assert_near(gcj02_to_bd09(gcj), bd, 2e-5, "GCJ-02 → BD-09");
        assert_near(to_wgs84(Datum::Gcj02, gcj), wgs, 2e-5, "GCJ-02 → WGS-84");
        assert_near(to_wgs84(Datum::Bd09, bd), wgs, 2e-5, "BD-09 → WGS-84");
        // The offset is hundreds of metres: ignoring the datum would be wrong.
        assert!((gcj.lon - wgs.lon).abs() > 5e-3);
    }

    /// Aliyun's coordinate conversion documentation example (Hangzhou): its BD-09 and
    /// WGS-84 of one GCJ-02 point. Aliyun's WGS-84 is the one-step inverse; the refined
    /// one is within ~2 m of it.
    #[test]
    fn aliyuns_hangzhou_example() {
        let gcj = at(30.279164, 120.026268);
        assert_near(
            gcj02_to_bd09(gcj),
            at(30.285238, 120.032768),
            2e-6,
            "GCJ-02 → BD-09",
        );
        assert_near(
            bd09_to_gcj02(at(30.285238, 120.032768)),
            gcj,
            2e-5,
            "BD-09 → GCJ-02",
        );
        assert_near(
            to_wgs84(Datum::Gcj02, gcj),
            at(30.281543, 120.021519),
            3e-5,
            "GCJ-02 → WGS-84",
        );
    }

    #[test]
    fn outside_china_every_datum_but_baidus_is_gps() {
        let tokyo = at(35.6812, 139.7671);
        assert_eq!(wgs84_to_gcj02(tokyo), tokyo);
        assert_eq!(to_wgs84(Datum::Gcj02, tokyo), tokyo);
        assert_eq!(to_wgs84(Datum::Wgs84, tokyo), tokyo);
    }

    #[test]
    fn datums_by_name() {
        assert_eq!(Datum::parse(" GCJ-02 "), Some(Datum::Gcj02));
        assert_eq!(Datum::parse("高德"), Some(Datum::Gcj02));
        assert_eq!(Datum::parse("百度"), Some(Datum::Bd09));
        assert_eq!(Datum::parse("wgs84"), Some(Datum::Wgs84));
        assert_eq!(Datum::parse("utm"), None);
        for d in [Datum::Wgs84, Datum::Gcj02, Datum::Bd09] {
            assert_eq!(Datum::parse(d.as_str()), Some(d));
        }
    }

    proptest! {
        /// Anywhere in mainland China, GCJ-02 → WGS-84 → GCJ-02 comes back within
        /// 1e-8° (~1 mm), and BD-09 → GCJ-02 undoes GCJ-02 → BD-09.
        #[test]
        fn the_inverses_undo_the_offsets(lat in 18.0f64..53.0, lon in 74.0f64..134.0) {
            let gcj = at(lat, lon);
            let back = wgs84_to_gcj02(gcj02_to_wgs84(gcj));
            prop_assert!((back.lat - lat).abs() < 1e-8 && (back.lon - lon).abs() < 1e-8);
            let round = bd09_to_gcj02(gcj02_to_bd09(gcj));
            prop_assert!((round.lat - lat).abs() < 1e-5 && (round.lon - lon).abs() < 1e-5);
        }
    }
}
