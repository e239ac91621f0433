//! Trusting an answer: the Ed25519 signature over timestamp || body (the server's
//! `x-signature-ed25519` and `x-signature-timestamp` headers) and the timestamp's freshness.

use crate::error::{Error, Result};
use ed25519_dalek::{Signature, Verifier, VerifyingKey};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// Header with the unix seconds the answer was signed at.
pub(crate) const TS_HEADER: &str = "x-signature-timestamp";
/// Header with the lowercase hex Ed25519 signature over timestamp || body.
pub(crate) const SIG_HEADER: &str = "x-signature-ed25519";
/// KeyAuth clients refuse answers older than 20-25 s; licensd stamps at send time.
pub(crate) const DEFAULT_MAX_SKEW: Duration = Duration::from_secs(20);

/// An answer as it came off the wire, before anything in it is trusted.
#[derive(Debug)]
pub(crate) struct RawAnswer {
    pub timestamp: Option<String>,
    pub signature: Option<String>,
    pub body: Vec<u8>,
}

/// Parses a hex Ed25519 public key (64 hex digits).
pub(crate) fn parse_key(hex_key: &str) -> Result<VerifyingKey> {
    let bytes: [u8; 32] = hex::decode(hex_key.trim())
        .map_err(|e| Error::InvalidPublicKey(e.to_string()))?
        .try_into()
        .map_err(|_| Error::InvalidPublicKey("not 32 bytes".into()))?;
    VerifyingKey::from_bytes(&bytes).map_err(|e| Error::InvalidPublicKey(e.to_string()))
}

/// The signed headers, parsed: the timestamp text (the signed bytes) and the signature.
pub(crate) fn signed_parts(raw: &RawAnswer) -> Result<(&str, Signature)> {
    let ts = raw.timestamp.as_deref().ok_or(Error::MissingSignature("no x-signature-timestamp header"))?;
    let sig = raw.signature.as_deref().ok_or(Error::MissingSignature("no x-signature-ed25519 header"))?;
    let bytes: [u8; 64] = hex::decode(sig)
        .ok()
        .and_then(|b| b.try_into().ok())
        .ok_or(Error::MissingSignature("x-signature-ed25519 is not 128 hex digits"))?;
    Ok((ts, Signature::from_bytes(&bytes)))
}

/// Whether `sig` is `key`'s signature over `ts` immediately followed by `body`.
pub(crate) fn verifies(key: &VerifyingKey, ts: &str, body: &[u8], sig: &Signature) -> bool {
    let mut message = Vec::with_capacity(ts.len() + body.len());
    message.extend_from_slice(ts.as_bytes());
    message.extend_from_slice(body);
    key.verify(&message, sig).is_ok()
}

/// Refuses a timestamp further than `max_skew` from the local clock, either way.
pub(crate) fn check_fresh(ts: &str, max_skew: Duration) -> Result<()> {
    let timestamp: i64 = ts.parse().map_err(|_| Error::MissingSignature("x-signature-timestamp is not decimal"))?;
    let now = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs() as i64);
    if timestamp.abs_diff(now) > max_skew.as_secs() {
        return Err(Error::StaleTimestamp { timestamp, now, max_skew_secs: max_skew.as_secs() });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use ed25519_dalek::{Signer, SigningKey};

    #[test]
    fn signature_covers_timestamp_then_body() {
        let key = SigningKey::from_bytes(&[7; 32]);
        let sig = key.sign(b"1700000000{\"a\":1}");
        let public = key.verifying_key();
        assert!(verifies(&public, "1700000000", b"{\"a\":1}", &sig));
        assert!(!verifies(&public, "1700000001", b"{\"a\":1}", &sig));
        assert!(!verifies(&public, "1700000000", b"{\"a\":2}", &sig));
    }

    #[test]
    fn old_and_future_timestamps_are_stale() {
        let now = SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_secs() as i64;
        let skew = Duration::from_secs(20);
        assert!(check_fresh(&now.to_string(), skew).is_ok());
        for ts in [now - 60, now + 60] {
            assert!(matches!(check_fresh(&ts.to_string(), skew), Err(Error::StaleTimestamp { .. })));
        }
    }

    #[test]
    fn keys_are_64_hex_digits() {
        assert!(parse_key(&hex::encode(SigningKey::from_bytes(&[1; 32]).verifying_key().as_bytes())).is_ok());
        assert!(matches!(parse_key("abcd"), Err(Error::InvalidPublicKey(_))));
        assert!(matches!(parse_key("zz"), Err(Error::InvalidPublicKey(_))));
    }
}
