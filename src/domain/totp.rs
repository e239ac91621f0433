//! TOTP two-factor codes (RFC 6238: HMAC-SHA1, 6 digits, 30 s steps), accepting one step of
//! clock skew either way. Secrets are stored base32-encoded, as authenticator apps show them.
//! `verify` answers the time step a code matched, so that the caller can accept each step once
//! (RFC 6238 section 5.2: a code must not be accepted a second time).

use totp_rs::{Builder, Secret, Totp};

/// A fresh 160-bit secret from the OS CSPRNG, base32.
pub fn new_secret() -> String {
    Secret::generate().to_base32()
}

fn totp(secret_b32: &str, issuer: &str, account: &str) -> Option<Totp> {
    let secret = Secret::try_from_base32(secret_b32).ok()?;
    // otpauth labels use ':' as the issuer separator, so it may not appear in either part.
    let clean = |s: &str| s.replace(':', "_");
    let issuer = Some(clean(issuer)).filter(|s| !s.is_empty());
    Builder::new().with_secret(secret).with_issuer(issuer).with_account_name(clean(account)).build().ok()
}

/// The `otpauth://totp/...` URI authenticator apps scan (as a QR code) to add the secret.
pub fn otpauth_url(secret_b32: &str, issuer: &str, account: &str) -> Option<String> {
    totp(secret_b32, issuer, account)?.to_url().ok()
}

/// The time step (`unix_secs / 30`) whose code `code` is, when it is valid at `unix_secs` for the
/// secret (current step, or one step before/after); `None` for a wrong code or secret.
pub fn verify(secret_b32: &str, code: &str, unix_secs: u64) -> Option<i64> {
    let code = code.trim();
    if code.len() != 6 {
        return None;
    }
    totp(secret_b32, "", "")?.check(code, unix_secs).and_then(|step| i64::try_from(step).ok())
}

/// The code valid at `unix_secs` (what an authenticator app shows).
pub fn code_at(secret_b32: &str, unix_secs: u64) -> Option<String> {
    Some(totp(secret_b32, "", "")?.generate(unix_secs).to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 6238 appendix B, SHA-1 secret "12345678901234567890", truncated to 6 digits.
    const RFC_SECRET: &str = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ";

    #[test]
    fn rfc6238_vectors() {
        assert_eq!(code_at(RFC_SECRET, 59).unwrap(), "287082");
        assert_eq!(code_at(RFC_SECRET, 1_111_111_109).unwrap(), "081804");
        assert_eq!(code_at(RFC_SECRET, 1_234_567_890).unwrap(), "005924");
        assert_eq!(code_at(RFC_SECRET, 2_000_000_000).unwrap(), "279037");
    }

    #[test]
    fn one_step_of_skew_either_way() {
        let t = 1_111_111_109;
        let code = code_at(RFC_SECRET, t).unwrap();
        let step = Some((t / 30) as i64);
        assert_eq!(verify(RFC_SECRET, &code, t), step);
        assert_eq!(verify(RFC_SECRET, &code, t + 30), step);
        assert_eq!(verify(RFC_SECRET, &code, t - 30), step);
        assert_eq!(verify(RFC_SECRET, &format!(" {code}\n"), t), step);
        assert_eq!(verify(RFC_SECRET, &code, t + 61), None);
        assert_eq!(verify(RFC_SECRET, &code, t - 61), None);
        assert_eq!(verify(RFC_SECRET, "12345", t), None);
        assert_eq!(verify("not base32!", &code, t), None);
    }

    #[test]
    fn the_step_is_the_codes_not_the_clocks() {
        let t = 1_111_111_109;
        let next = code_at(RFC_SECRET, t + 30).unwrap();
        assert_eq!(verify(RFC_SECRET, &next, t), Some((t / 30 + 1) as i64));
        let previous = code_at(RFC_SECRET, t - 30).unwrap();
        assert_eq!(verify(RFC_SECRET, &previous, t), Some((t / 30 - 1) as i64));
    }

    #[test]
    fn urls_and_secrets() {
        let s = new_secret();
        assert_eq!(Secret::try_from_base32(&s).unwrap().as_ref().len(), 20);
        let url = otpauth_url(&s, "My:App", "bob:x").unwrap();
        assert!(url.starts_with("otpauth://totp/"), "{url}");
        assert!(url.contains(&format!("secret={s}")), "{url}");
    }
}
