//! Secrets: generated from the OS CSPRNG, stored only as SHA-256, compared in constant time.

use rand::{Rng, rngs::OsRng};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

const ALPHANUM: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

/// A random string of `len` characters from `alphabet`, drawn from the OS CSPRNG.
pub fn random_string(alphabet: &[u8], len: usize) -> String {
    let mut rng = OsRng;
    (0..len).map(|_| alphabet[rng.gen_range(0..alphabet.len())] as char).collect()
}

/// A bearer secret such as `lsd_seller_<40 chars>` (about 238 bits); the prefix tells what it is.
pub fn new_token(kind: &str) -> String {
    format!("lsd_{kind}_{}", random_string(ALPHANUM, 40))
}

/// The seller's public 10-character owner id of the client API.
pub fn new_ownerid() -> String {
    random_string(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789", 10)
}

/// Unguessable session id for the client API (lowercase hex, 32 chars = 128 bits).
pub fn new_session_id() -> String {
    random_string(b"0123456789abcdef", 32)
}

/// SHA-256 hex of a secret: what the database stores instead of the secret.
/// Tokens are high-entropy, so a fast hash is enough; lookups by hash need no per-row salt.
pub fn hash_secret(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

/// Equality of two secrets without a timing side channel on where they differ.
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.ct_eq(b).into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_distinct_and_prefixed() {
        let a = new_token("seller");
        let b = new_token("seller");
        assert!(a.starts_with("lsd_seller_"));
        assert_eq!(a.len(), "lsd_seller_".len() + 40);
        assert_ne!(a, b);
    }

    #[test]
    fn hash_is_sha256_hex() {
        assert_eq!(hash_secret("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    }

    #[test]
    fn ownerid_has_ten_chars() {
        assert_eq!(new_ownerid().len(), 10);
        assert!(constant_time_eq(b"same", b"same"));
        assert!(!constant_time_eq(b"same", b"sane"));
        assert!(!constant_time_eq(b"same", b"same!"));
    }
}
