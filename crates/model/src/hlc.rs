//! Hybrid logical clock: versions that order edits from different phones without
//! trusting their wall clocks.
//!
//! A version is `(wall_ms, counter, device)`. A device never issues a version lower than
//! one it has already issued or seen, even if its wall clock jumps backwards; a device
//! whose clock is hours ahead pulls everyone else forward with it instead of making
//! their later edits lose. The device id breaks ties, so the order is total.
//!
//! On the wire and in storage a version is one string, `wwwwwwwwwwww-cccc-device`
//! (wall time and counter as fixed-width hex), which sorts the same way the struct does.

use std::cmp::Ordering;
use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Identifies one installation of the app (one browser profile on one phone).
///
/// 1–32 characters of `[0-9a-z]`; the app makes one from 12 random hex digits. The
/// server writes its own versions under the reserved ids (`RESERVED_DEVICES`), which
/// no phone may push as.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(transparent)]
pub struct DeviceId(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HlcError {
    #[error("device id must be 1-32 characters of 0-9 and a-z")]
    BadDevice,
    #[error("version must look like wwwwwwwwwwww-cccc-device")]
    BadFormat,
}

/// The device the server's merges are stored as.
pub const SERVER_DEVICE: &str = "server";
/// The device an admin's corrections are stored as.
pub const ADMIN_DEVICE: &str = "admin";
/// Every device id the server writes versions as. History and merge take a version
/// under one of them for the server's own, so a phone pushing as one would pass its
/// edits off as the server's: pushes naming one are refused (`PushRequest::
/// check_devices`). `DeviceId::from_random` never makes one (hex digits only).
pub const RESERVED_DEVICES: [&str; 2] = [SERVER_DEVICE, ADMIN_DEVICE];

impl DeviceId {
    pub fn new(id: impl Into<String>) -> Result<Self, HlcError> {
        let id = id.into();
        let ok = (1..=32).contains(&id.len())
            && id
                .bytes()
                .all(|b| b.is_ascii_digit() || b.is_ascii_lowercase());
        if ok {
            Ok(Self(id))
        } else {
            Err(HlcError::BadDevice)
        }
    }

    /// A device id from 16 random bytes (e.g. a fresh UUID's bytes), 12 hex digits long.
    pub fn from_random(bytes: [u8; 16]) -> Self {
        let hex: String = bytes[..6].iter().map(|b| format!("{b:02x}")).collect();
        Self(hex)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Whether the server writes versions under this id (`RESERVED_DEVICES`).
    pub fn is_reserved(&self) -> bool {
        RESERVED_DEVICES.contains(&self.0.as_str())
    }

    /// The id the server's merges are stored as.
    pub fn server() -> Self {
        Self(SERVER_DEVICE.to_owned())
    }

    /// The id an admin's corrections are stored as.
    pub fn admin() -> Self {
        Self(ADMIN_DEVICE.to_owned())
    }
}

impl<'de> Deserialize<'de> for DeviceId {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        DeviceId::new(s).map_err(serde::de::Error::custom)
    }
}

impl fmt::Display for DeviceId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// One version stamp. Ordered by wall time, then counter, then device id.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Hlc {
    pub wall_ms: u64,
    pub counter: u16,
    pub device: DeviceId,
}

/// Wall time is 12 hex digits: enough until the year 10889.
const MAX_WALL_MS: u64 = 0xffff_ffff_ffff;

/// How far ahead of the receiver's clock a version may be. A phone whose clock is
/// hours wrong still syncs; one set years ahead (or a crafted version) must not drag
/// every other device's clock with it.
pub const MAX_AHEAD_MS: u64 = 24 * 60 * 60 * 1000;

impl Hlc {
    /// Whether this version claims a time more than `MAX_AHEAD_MS` past `now_ms`.
    pub fn is_too_far_ahead(&self, now_ms: u64) -> bool {
        self.wall_ms > now_ms.saturating_add(MAX_AHEAD_MS)
    }
}

impl Ord for Hlc {
    fn cmp(&self, other: &Self) -> Ordering {
        (self.wall_ms, self.counter, &self.device).cmp(&(
            other.wall_ms,
            other.counter,
            &other.device,
        ))
    }
}

impl PartialOrd for Hlc {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl fmt::Display for Hlc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{:012x}-{:04x}-{}",
            self.wall_ms, self.counter, self.device
        )
    }
}

impl FromStr for Hlc {
    type Err = HlcError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let mut parts = s.splitn(3, '-');
        let (Some(w), Some(c), Some(d)) = (parts.next(), parts.next(), parts.next()) else {
            return Err(HlcError::BadFormat);
        };
        if w.len() != 12 || c.len() != 4 {
            return Err(HlcError::BadFormat);
        }
        let wall_ms = u64::from_str_radix(w, 16).map_err(|_| HlcError::BadFormat)?;
        let counter = u16::from_str_radix(c, 16).map_err(|_| HlcError::BadFormat)?;
        // from_str_radix accepts a leading '+'; the canonical form never has one.
        if !w.bytes().chain(c.bytes()).all(|b| b.is_ascii_hexdigit()) {
            return Err(HlcError::BadFormat);
        }
        Ok(Hlc {
            wall_ms,
            counter,
            device: DeviceId::new(d)?,
        })
    }
}

impl Serialize for Hlc {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Hlc {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

/// The clock state one device keeps (and persists) to issue versions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Clock {
    pub device: DeviceId,
    /// The highest wall time and counter issued or observed so far.
    pub last_ms: u64,
    pub last_counter: u16,
}

impl Clock {
    pub fn new(device: DeviceId) -> Self {
        Self {
            device,
            last_ms: 0,
            last_counter: 0,
        }
    }

    /// A fresh version for a local edit made when the device clock reads `now_ms`.
    pub fn tick(&mut self, now_ms: u64) -> Hlc {
        let now_ms = now_ms.min(MAX_WALL_MS);
        if now_ms > self.last_ms {
            self.last_ms = now_ms;
            self.last_counter = 0;
        } else {
            self.bump_counter();
        }
        self.current()
    }

    /// Take note of a version seen from elsewhere, so later local edits order after it.
    /// Versions too far ahead of `now_ms` are not followed (see `MAX_AHEAD_MS`).
    pub fn observe(&mut self, seen: &Hlc, now_ms: u64) {
        let now_ms = now_ms.min(MAX_WALL_MS);
        if seen.is_too_far_ahead(now_ms) {
            return;
        }
        let before = (self.last_ms, self.last_counter);
        let top = before.max((seen.wall_ms, seen.counter)).max((now_ms, 0));
        self.last_ms = top.0;
        self.last_counter = top.1;
    }

    fn bump_counter(&mut self) {
        match self.last_counter.checked_add(1) {
            Some(c) => self.last_counter = c,
            // 65,536 edits in one millisecond: borrow the next millisecond instead.
            None => {
                self.last_ms = (self.last_ms + 1).min(MAX_WALL_MS);
                self.last_counter = 0;
            }
        }
    }

    fn current(&self) -> Hlc {
        Hlc {
            wall_ms: self.last_ms,
            counter: self.last_counter,
            device: self.device.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn dev(s: &str) -> DeviceId {
        DeviceId::new(s).unwrap()
    }

    #[test]
    fn versions_from_one_device_always_increase_even_when_its_clock_goes_back() {
        let mut c = Clock::new(dev("a1"));
        let v1 = c.tick(1_000);
        let v2 = c.tick(500); // clock set back
        let v3 = c.tick(500);
        let v4 = c.tick(2_000);
        assert!(v1 < v2 && v2 < v3 && v3 < v4);
    }

    #[test]
    fn an_edit_after_seeing_a_remote_version_orders_after_it() {
        let mut fast = Clock::new(dev("fast"));
        let remote = fast.tick(10 * 3_600_000); // a phone ten hours ahead
        let mut slow = Clock::new(dev("slow"));
        slow.observe(&remote, 1_000);
        assert!(slow.tick(1_000) > remote);
    }

    #[test]
    fn a_version_from_years_ahead_does_not_drag_the_clock() {
        let mut c = Clock::new(dev("a"));
        let bogus = Hlc {
            wall_ms: 4_000_000_000_000,
            counter: 0,
            device: dev("liar"),
        };
        assert!(bogus.is_too_far_ahead(1_000));
        c.observe(&bogus, 1_000);
        assert_eq!(c.tick(1_000).wall_ms, 1_000);
        // Hours ahead is still followed.
        let hours = Hlc {
            wall_ms: 1_000 + 5 * 3_600_000,
            counter: 0,
            device: dev("b"),
        };
        c.observe(&hours, 2_000);
        assert!(c.tick(2_000) > hours);
    }

    #[test]
    fn string_form_round_trips_and_rejects_garbage() {
        let v = Hlc {
            wall_ms: 0x0193_a1b2_c3d4,
            counter: 7,
            device: dev("ab12"),
        };
        assert_eq!(v.to_string(), "0193a1b2c3d4-0007-ab12");
        assert_eq!(v.to_string().parse::<Hlc>().unwrap(), v);
        for bad in [
            "",
            "x",
            "0193a1b2c3d4-0007",
            "0193a1b2c3d4-0007-AB",
            "+193a1b2c3d4-0007-a",
            "0193a1b2c3d-00007-a",
        ] {
            assert!(bad.parse::<Hlc>().is_err(), "{bad:?} should not parse");
        }
    }

    #[test]
    fn counter_overflow_borrows_the_next_millisecond() {
        let mut c = Clock {
            device: dev("a"),
            last_ms: 5,
            last_counter: u16::MAX,
        };
        let v = c.tick(5);
        assert_eq!((v.wall_ms, v.counter), (6, 0));
    }

    fn arb_hlc() -> impl Strategy<Value = Hlc> {
        (0u64..=MAX_WALL_MS, any::<u16>(), "[0-9a-z]{1,12}").prop_map(|(w, c, d)| Hlc {
            wall_ms: w,
            counter: c,
            device: dev(&d),
        })
    }

    #[test]
    fn the_servers_own_devices_are_reserved_and_valid_ids() {
        for id in RESERVED_DEVICES {
            let device = dev(id);
            assert!(device.is_reserved(), "{id}");
        }
        assert!(DeviceId::server().is_reserved() && DeviceId::admin().is_reserved());
        assert_eq!(DeviceId::server(), dev("server"));
        assert!(!dev("a1b2c3d4e5f6").is_reserved());
        assert!(!dev("servers").is_reserved());
    }

    proptest! {
        #[test]
        fn a_phone_never_makes_a_reserved_device_id(bytes in any::<[u8; 16]>()) {
            let device = DeviceId::from_random(bytes);
            prop_assert!(!device.is_reserved());
            prop_assert_eq!(DeviceId::new(device.as_str()), Ok(device));
        }

        #[test]
        fn string_order_matches_version_order(a in arb_hlc(), b in arb_hlc()) {
            // The server's SQL compares versions as text: that must agree with Ord.
            prop_assert_eq!(a.to_string().cmp(&b.to_string()), a.cmp(&b));
            prop_assert_eq!(a.to_string().parse::<Hlc>().unwrap(), a);
        }

        #[test]
        fn ticks_are_strictly_increasing(times in proptest::collection::vec(0u64..10_000, 1..50)) {
            let mut c = Clock::new(dev("p"));
            let mut prev: Option<Hlc> = None;
            for t in times {
                let v = c.tick(t);
                if let Some(p) = &prev { prop_assert!(v > *p); }
                prev = Some(v);
            }
        }
    }
}
