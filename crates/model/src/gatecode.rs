//! Rotating gate codes: proof that the officer was at the gate.
//!
//! Each post has a secret. A team lead's phone at the gate shows the post's current
//! code (TOTP, RFC 6238: HMAC-SHA1, 30-second steps, 6 digits) as a QR code; the
//! officer scans or types it into the check-in. The server, which knows the secret,
//! checks the code against the check-in's device time at sync. Entry never waits on
//! this: a check-in without a code is simply "unverified".

use chrono::{DateTime, FixedOffset};
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha1::Sha1;

/// Seconds a code is shown before the next one.
pub const STEP_SECS: i64 = 30;
/// Steps either side of the device time a code is still accepted: scanning and
/// typing take time, and phone clocks drift.
pub const ACCEPT_STEPS: i64 = 2;
/// Prefix of the QR payload, `GW1:<post id>:<code>`.
const QR_PREFIX: &str = "GW1";

/// The 6-digit code of `secret` at unix time `unix_secs`.
pub fn code_at(secret: &[u8], unix_secs: i64) -> String {
    format!(
        "{:06}",
        totp(secret, unix_secs.div_euclid(STEP_SECS), 1_000_000)
    )
}

fn totp(secret: &[u8], counter: i64, modulo: u32) -> u32 {
    // HMAC accepts keys of any length, so `new_from_slice` cannot fail.
    let Ok(mut mac) = Hmac::<Sha1>::new_from_slice(secret) else {
        return 0;
    };
    mac.update(&counter.to_be_bytes());
    let digest = mac.finalize().into_bytes();
    // RFC 4226 dynamic truncation.
    let offset = usize::from(digest[19] & 0x0f);
    let bin = u32::from_be_bytes([
        digest[offset] & 0x7f,
        digest[offset + 1],
        digest[offset + 2],
        digest[offset + 3],
    ]);
    bin % modulo
}

/// Seconds left before the code shown at `unix_secs` changes.
pub fn seconds_left(unix_secs: i64) -> i64 {
    STEP_SECS - unix_secs.rem_euclid(STEP_SECS)
}

/// What the server concluded about a check-in's gate code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Proof {
    /// The code matches the post's secret around the device time.
    Verified,
    /// No code was entered (never blocks a check-in).
    Unverified,
    /// A code was entered and does not match: wrong post, or far from the device time.
    Failed,
}

/// Checks `code` against `secret` around `device_time`.
pub fn verify(secret: &[u8], code: Option<&str>, device_time: DateTime<FixedOffset>) -> Proof {
    let Some(code) = code else {
        return Proof::Unverified;
    };
    let t = device_time.timestamp();
    let matches =
        (-ACCEPT_STEPS..=ACCEPT_STEPS).any(|k| code_at(secret, t + k * STEP_SECS) == code);
    if matches {
        Proof::Verified
    } else {
        Proof::Failed
    }
}

/// A post secret from its hex form (as the server hands it out), or `None` if it is
/// not hex or too short to be a secret (fewer than 10 bytes).
pub fn secret_from_hex(hex: &str) -> Option<Vec<u8>> {
    if !hex.len().is_multiple_of(2) || hex.len() < 20 {
        return None;
    }
    (0..hex.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(hex.get(i..i + 2)?, 16).ok())
        .collect()
}

/// The hex form of a secret.
pub fn secret_to_hex(secret: &[u8]) -> String {
    secret.iter().map(|b| format!("{b:02x}")).collect()
}

/// Whether `code` has the shape of a gate code (6 ASCII digits).
pub fn is_code(code: &str) -> bool {
    code.len() == 6 && code.bytes().all(|b| b.is_ascii_digit())
}

/// The text a gate's QR code carries.
pub fn qr_payload(post_id: &str, code: &str) -> String {
    format!("{QR_PREFIX}:{post_id}:{code}")
}

/// Reads a scanned QR payload back into (post id, code).
pub fn parse_qr(payload: &str) -> Option<(&str, &str)> {
    let rest = payload.strip_prefix(QR_PREFIX)?.strip_prefix(':')?;
    let (post, code) = rest.rsplit_once(':')?;
    (!post.is_empty() && is_code(code)).then_some((post, code))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const RFC_SECRET: &[u8] = b"12345678901234567890";

    #[test]
    fn matches_the_rfc_6238_sha1_vectors() {
        // RFC 6238 appendix B (8 digits), SHA-1.
        for (t, want) in [
            (59, 94287082),
            (1111111109, 7081804),
            (1111111111, 14050471),
            (1234567890, 89005924),
            (2000000000, 69279037),
            (20000000000, 65353130),
        ] {
            assert_eq!(totp(RFC_SECRET, t / 30, 100_000_000), want, "t={t}");
            assert_eq!(code_at(RFC_SECRET, t), format!("{:06}", want % 1_000_000));
        }
    }

    #[test]
    fn verification_table() {
        let at = |s: &str| DateTime::parse_from_rfc3339(s).unwrap();
        let shown = at("2026-11-25T07:00:10+08:00");
        let code = code_at(b"post-secret", shown.timestamp());
        let cases = [
            (
                Some(code.as_str()),
                "2026-11-25T07:00:10+08:00",
                Proof::Verified,
            ),
            // Typed a minute later on the same phone: still accepted.
            (
                Some(code.as_str()),
                "2026-11-25T07:01:05+08:00",
                Proof::Verified,
            ),
            // Expired: five minutes later.
            (
                Some(code.as_str()),
                "2026-11-25T07:05:10+08:00",
                Proof::Failed,
            ),
            (Some("000000"), "2026-11-25T07:00:10+08:00", Proof::Failed),
            (None, "2026-11-25T07:00:10+08:00", Proof::Unverified),
        ];
        for (code, when, want) in cases {
            assert_eq!(
                verify(b"post-secret", code, at(when)),
                want,
                "{code:?} at {when}"
            );
        }
        // Another post's secret does not accept it.
        assert_eq!(verify(b"other-post", Some(&code), shown), Proof::Failed);
    }

    #[test]
    fn qr_payload_round_trips_and_rejects_garbage() {
        assert_eq!(
            parse_qr(&qr_payload("s01-g1", "042117")),
            Some(("s01-g1", "042117"))
        );
        for bad in [
            "",
            "GW1",
            "GW1:s01-g1",
            "GW1::123456",
            "GW1:s01-g1:12345",
            "GW2:s01-g1:123456",
            "GW1:s01-g1:12345a",
        ] {
            assert_eq!(parse_qr(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn secrets_round_trip_through_hex_and_garbage_is_refused() {
        let secret: Vec<u8> = (0u8..20).collect();
        assert_eq!(secret_from_hex(&secret_to_hex(&secret)), Some(secret));
        for bad in [
            "",
            "abc",
            "zz00112233445566778899",
            "0011",
            "+01122334455667788990",
        ] {
            assert_eq!(secret_from_hex(bad), None, "{bad:?}");
        }
    }

    proptest! {
        #[test]
        fn codes_are_six_digits_and_stable_within_a_step(secret in proptest::collection::vec(any::<u8>(), 1..40), t in 0i64..4_000_000_000) {
            let code = code_at(&secret, t);
            prop_assert!(is_code(&code));
            let step_start = t - t.rem_euclid(STEP_SECS);
            prop_assert_eq!(code_at(&secret, step_start + STEP_SECS - 1), code);
            prop_assert!((1..=STEP_SECS).contains(&seconds_left(t)));
        }
    }
}
