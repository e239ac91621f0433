//! Signatures of the stores' order webhooks. Lemon Squeezy: `X-Signature` is the lowercase hex
//! HMAC-SHA256 of the raw body keyed with the webhook's signing secret.

use hmac::{Hmac, Mac};
use sha2::Sha256;

/// Whether `signature` (hex) is the HMAC-SHA256 of `body` under `secret`, compared in
/// constant time (`Mac::verify_slice`).
pub fn hmac_hex_matches(secret: &str, body: &[u8], signature: &str) -> bool {
    let Ok(expected) = hex::decode(signature.trim()) else { return false };
    let Ok(mut mac) = <Hmac<Sha256> as Mac>::new_from_slice(secret.as_bytes()) else { return false };
    mac.update(body);
    mac.verify_slice(&expected).is_ok()
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
}
