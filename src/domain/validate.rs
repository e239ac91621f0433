//! Shared input checks: names, bounded strings. Errors name the offending field.

use std::fmt;

/// An input that broke a rule: which field, and why, in words fit for an API answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    pub field: &'static str,
    pub message: String,
}

impl FieldError {
    pub fn new(field: &'static str, message: impl Into<String>) -> Self {
        Self { field, message: message.into() }
    }
}

impl fmt::Display for FieldError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.field, self.message)
    }
}

impl std::error::Error for FieldError {}

/// A required, trimmed, non-empty string of at most `max` characters without control characters.
pub fn name(field: &'static str, value: &str, max: usize) -> Result<String, FieldError> {
    let v = value.trim();
    if v.is_empty() {
        return Err(FieldError::new(field, "must not be empty"));
    }
    bounded(field, v, max)
}

/// A possibly empty string of at most `max` characters without control characters.
pub fn bounded(field: &'static str, value: &str, max: usize) -> Result<String, FieldError> {
    if value.chars().count() > max {
        return Err(FieldError::new(field, format!("must be at most {max} characters")));
    }
    if value.chars().any(|c| c.is_control() && c != '\n' && c != '\t') {
        return Err(FieldError::new(field, "must not contain control characters"));
    }
    Ok(value.to_owned())
}

/// A customer's email address: trimmed, at most 254 characters, one `@` with text on both
/// sides, no spaces. Lower-cased, so one buyer is one customer whatever the store typed.
pub fn email(field: &'static str, value: &str) -> Result<String, FieldError> {
    let v = name(field, value, 254)?.to_lowercase();
    match v.split_once('@') {
        Some((local, domain))
            if !local.is_empty() && !domain.is_empty() && !domain.contains('@') && !v.contains(char::is_whitespace) =>
        {
            Ok(v)
        }
        _ => Err(FieldError::new(field, "must be an email address")),
    }
}

/// A count or limit that must lie in `min..=max`.
pub fn in_range(field: &'static str, value: i64, min: i64, max: i64) -> Result<i64, FieldError> {
    if value < min || value > max {
        return Err(FieldError::new(field, format!("must be between {min} and {max}")));
    }
    Ok(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_trimmed_and_bounded() {
        assert_eq!(name("name", "  app ", 10).unwrap(), "app");
        assert_eq!(name("name", "   ", 10).unwrap_err().field, "name");
        assert!(name("name", "abcdefghijk", 10).is_err());
        assert!(name("name", "a\u{0}b", 10).is_err());
        assert!(in_range("limit", 0, 1, 5).is_err());
        assert_eq!(in_range("limit", 3, 1, 5).unwrap(), 3);
    }

    #[test]
    fn emails_are_lowercased_and_need_one_at() {
        assert_eq!(email("e", " Ann@Example.COM ").unwrap(), "ann@example.com");
        for bad in ["", "ann", "@x", "ann@", "a@b@c", "a b@c"] {
            assert!(email("e", bad).is_err(), "{bad}");
        }
    }
}
