//! Signatures of the stores' order webhooks. Lemon Squeezy (`X-Signature`) and Sell.app
//! (`signature`): the lowercase hex HMAC-SHA256 of the raw body keyed with the signing secret.
//! Stripe (`Stripe-Signature: t=<unix secs>,v1=<hex>[,v1=<hex>...]`): the HMAC-SHA256 of
//! `"{t}.{raw body}"`, and `t` must be within a tolerance of now (replays of old deliveries).

use hmac::{Hmac, Mac};
use sha2::Sha256;

/// Stripe's own default tolerance between the signed timestamp and now.
pub const STRIPE_TOLERANCE_SECS: i64 = 300;

/// Whether `signature` (hex) is the HMAC-SHA256 of `parts` (concatenated) under `secret`,
/// compared in constant time (`Mac::verify_slice`).
fn hmac_of_parts_matches(secret: &str, parts: &[&[u8]], signature: &str) -> bool {
    let Ok(expected) = hex::decode(signature.trim()) else { return false };
    let Ok(mut mac) = <Hmac<Sha256> as Mac>::new_from_slice(secret.as_bytes()) else { return false };
    for part in parts {
        mac.update(part);
    }
    mac.verify_slice(&expected).is_ok()
}

/// Whether `signature` (hex) is the HMAC-SHA256 of `body` under `secret`.
pub fn hmac_hex_matches(secret: &str, body: &[u8], signature: &str) -> bool {
    hmac_of_parts_matches(secret, &[body], signature)
}

/// Whether a `Stripe-Signature` header signs `body` under `secret` at a time within
/// `STRIPE_TOLERANCE_SECS` of `now_secs`. Any one `v1` may match (Stripe sends one per active
/// secret while a secret is rolled); other schemes (`v0`) are ignored, as Stripe's libraries do.
pub fn stripe_signature_ok(secret: &str, header: &str, body: &[u8], now_secs: i64) -> bool {
    let mut timestamp = None;
    let mut signatures = Vec::new();
    for item in header.split(',') {
        match item.trim().split_once('=') {
            Some(("t", t)) => timestamp = t.parse::<i64>().ok(),
            Some(("v1", s)) => signatures.push(s),
            _ => {}
        }
    }
    let Some(t) = timestamp else { return false };
    if (now_secs - t).abs() > STRIPE_TOLERANCE_SECS {
        return false;
    }
    let t = t.to_string();
    signatures.iter().any(|s| hmac_of_parts_matches(secret, &[t.as_bytes(), b".", body], s))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_vector_matches_and_any_change_does_not() {
        // RFC 4231 test case 2.
        let sig = "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843";
        assert!(hmac_hex_matches("Jefe", b"what do ya want for nothing?", sig));
        assert!(!hmac_hex_matches("Jefe", b"what do ya want for nothing!", sig));
        assert!(!hmac_hex_matches("jefe", b"what do ya want for nothing?", sig));
        assert!(!hmac_hex_matches("Jefe", b"what do ya want for nothing?", "zz"));
        assert!(!hmac_hex_matches("Jefe", b"what do ya want for nothing?", ""));
    }

    fn stripe_sig(secret: &str, t: i64, body: &[u8]) -> String {
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(secret.as_bytes()).unwrap();
        mac.update(format!("{t}.").as_bytes());
        mac.update(body);
        hex::encode(mac.finalize().into_bytes())
    }

    #[test]
    fn stripe_header_needs_a_fresh_timestamp_and_one_matching_v1() {
        let (secret, body, now) = ("whsec_test", b"{\"id\":\"evt_1\"}".as_slice(), 1_700_000_000);
        let good = stripe_sig(secret, now, body);
        assert!(stripe_signature_ok(secret, &format!("t={now},v1={good}"), body, now));
        assert!(stripe_signature_ok(secret, &format!("t={now},v1={},v1={good},v0=ab", "0".repeat(64)), body, now));
        assert!(stripe_signature_ok(secret, &format!("t={now},v1={good}"), body, now + 300));
        assert!(!stripe_signature_ok(secret, &format!("t={now},v1={good}"), body, now + 301), "stale");
        assert!(!stripe_signature_ok(secret, &format!("t={now},v1={good}"), body, now - 301), "from the future");
        assert!(!stripe_signature_ok(secret, &format!("t={},v1={good}", now + 1), body, now), "t is signed");
        assert!(!stripe_signature_ok(secret, &format!("v1={good}"), body, now), "no t");
        assert!(!stripe_signature_ok(secret, &format!("t={now},v0={good}"), body, now), "no v1");
        assert!(!stripe_signature_ok("other", &format!("t={now},v1={good}"), body, now));
        assert!(!stripe_signature_ok(secret, &format!("t={now},v1={good}"), b"{}", now));
        assert!(!stripe_signature_ok(secret, "", body, now));
    }
}
