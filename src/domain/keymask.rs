//! License key masks: `*` is one random character, anything else is copied as written.
//! `******-******` with upper case gives keys like `K3J9QX-P0AZ7M`.

use rand::{
    Rng, SeedableRng,
    rngs::{OsRng, StdRng},
};
use std::fmt;

/// Longest mask accepted (the key column has room for prefix + mask).
pub const MAX_MASK_LEN: usize = 128;
/// Fewest random characters a mask may have: a key is a bearer secret, so it needs entropy
/// (8 characters of 36 give about 41 bits; the default mask has 36 random characters).
pub const MIN_RANDOM_CHARS: usize = 8;

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum KeyCase {
    Upper,
    Lower,
    Mixed,
}

impl KeyCase {
    pub fn parse(s: &str) -> Option<Self> {
        match s.to_ascii_lowercase().as_str() {
            "upper" | "uppercase" => Some(Self::Upper),
            "lower" | "lowercase" => Some(Self::Lower),
            "mixed" => Some(Self::Mixed),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Upper => "upper",
            Self::Lower => "lower",
            Self::Mixed => "mixed",
        }
    }

    fn alphabet(self) -> &'static [u8] {
        match self {
            Self::Upper => b"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789",
            Self::Lower => b"abcdefghijklmnopqrstuvwxyz0123456789",
            Self::Mixed => b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MaskError {
    Empty,
    TooLong,
    TooFewRandom,
    BadCharacter(char),
}

impl fmt::Display for MaskError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Empty => write!(f, "mask is empty"),
            Self::TooLong => write!(f, "mask is longer than {MAX_MASK_LEN} characters"),
            Self::TooFewRandom => write!(f, "mask needs at least {MIN_RANDOM_CHARS} '*' characters"),
            Self::BadCharacter(c) => {
                write!(f, "mask may contain only '*', letters, digits, '-', '_' and '.', not {c:?}")
            }
        }
    }
}

impl std::error::Error for MaskError {}

/// A parsed mask with its case: the generator for one batch of keys.
#[derive(Debug, Clone)]
pub struct KeyMask {
    parts: Vec<Option<u8>>, // None = random slot
    case: KeyCase,
}

impl KeyMask {
    pub fn parse(mask: &str, case: KeyCase) -> Result<Self, MaskError> {
        if mask.is_empty() {
            return Err(MaskError::Empty);
        }
        if mask.len() > MAX_MASK_LEN {
            return Err(MaskError::TooLong);
        }
        let parts = mask
            .chars()
            .map(|c| match c {
                '*' => Ok(None),
                c if is_literal(c) => Ok(Some(c as u8)),
                c => Err(MaskError::BadCharacter(c)),
            })
            .collect::<Result<Vec<_>, _>>()?;
        if parts.iter().filter(|p| p.is_none()).count() < MIN_RANDOM_CHARS {
            return Err(MaskError::TooFewRandom);
        }
        Ok(Self { parts, case })
    }

    /// One key: `prefix` followed by the mask with every `*` replaced by a random character.
    /// Random bytes are drawn in blocks and mapped without bias (bytes past the largest
    /// multiple of the alphabet's size are skipped).
    pub fn generate(&self, prefix: &str, rng: &mut impl Rng) -> String {
        let alphabet = self.case.alphabet();
        let zone = 256 - 256 % alphabet.len();
        let mut block = [0u8; 64];
        let mut next = block.len();
        let mut key = String::with_capacity(prefix.len() + self.parts.len());
        key.push_str(prefix);
        for part in &self.parts {
            let byte = match part {
                Some(literal) => *literal,
                None => loop {
                    if next == block.len() {
                        rng.fill_bytes(&mut block);
                        next = 0;
                    }
                    let r = usize::from(block[next]);
                    next += 1;
                    if r < zone {
                        break alphabet[r % alphabet.len()];
                    }
                },
            };
            key.push(byte as char);
        }
        key
    }

    /// `count` keys from a ChaCha CSPRNG freshly seeded from the OS CSPRNG: one system call
    /// per batch instead of one per character keeps 100 000 keys well under a second.
    pub fn generate_many(&self, prefix: &str, count: usize) -> Vec<String> {
        match StdRng::from_rng(OsRng) {
            Ok(mut rng) => (0..count).map(|_| self.generate(prefix, &mut rng)).collect(),
            Err(_) => (0..count).map(|_| self.generate(prefix, &mut OsRng)).collect(),
        }
    }
}

fn is_literal(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')
}

/// Prefixes (`ps-`) follow the same character rules as a mask's literal part.
pub fn validate_prefix(prefix: &str) -> Result<(), MaskError> {
    if prefix.len() > 32 {
        return Err(MaskError::TooLong);
    }
    match prefix.chars().find(|c| !is_literal(*c)) {
        Some(c) => Err(MaskError::BadCharacter(c)),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_literals_and_fills_stars() {
        let mask = KeyMask::parse("ABC-****-****", KeyCase::Upper).unwrap();
        let key = mask.generate("ps-", &mut OsRng);
        assert_eq!(key.len(), 3 + 13);
        assert!(key.starts_with("ps-ABC-"));
        assert_eq!(&key[11..12], "-");
        assert!(key[7..11].chars().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit()));
    }

    #[test]
    fn lower_case_has_no_upper() {
        let mask = KeyMask::parse("****************", KeyCase::Lower).unwrap();
        for key in mask.generate_many("", 100) {
            assert!(!key.chars().any(|c| c.is_ascii_uppercase()), "{key}");
        }
    }

    #[test]
    fn rejects_weak_or_odd_masks() {
        assert_eq!(KeyMask::parse("", KeyCase::Upper).unwrap_err(), MaskError::Empty);
        assert_eq!(KeyMask::parse("****", KeyCase::Upper).unwrap_err(), MaskError::TooFewRandom);
        assert_eq!(KeyMask::parse("********'", KeyCase::Upper).unwrap_err(), MaskError::BadCharacter('\''));
        assert_eq!(KeyMask::parse(&"*".repeat(129), KeyCase::Upper).unwrap_err(), MaskError::TooLong);
        assert!(validate_prefix("ps-").is_ok());
        assert!(validate_prefix("p s").is_err());
    }

    #[test]
    fn every_character_of_the_alphabet_occurs() {
        let mask = KeyMask::parse("********", KeyCase::Mixed).unwrap();
        let seen: std::collections::HashSet<char> = mask.generate_many("", 2_000).concat().chars().collect();
        assert_eq!(seen.len(), 62);
    }

    #[test]
    fn many_keys_are_unique() {
        let mask = KeyMask::parse("******-******-******", KeyCase::Mixed).unwrap();
        let keys = mask.generate_many("", 10_000);
        let set: std::collections::HashSet<_> = keys.iter().collect();
        assert_eq!(set.len(), keys.len());
    }
}
