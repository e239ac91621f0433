//! Lenient reading of the client API's form fields, from the raw body bytes and the query string.
//!
//! Clients send `application/x-www-form-urlencoded`, but one builds the body by concatenating raw
//! strings, so the parser is forgiving: `%XX` is decoded, a `%` not followed by two hex digits is
//! kept literally, `+` is a space, invalid UTF-8 is replaced with U+FFFD instead of rejected.
//! The content type is not checked. Rules:
//! - an empty value counts as absent;
//! - NUL characters become U+FFFD (PostgreSQL text cannot hold them, so a NUL reaching a query
//!   would fail it with a server error);
//! - when a name repeats, the FIRST occurrence wins, and body fields come before query fields
//!   (so a body field beats a query field of the same name);
//! - at most `MAX_FIELDS` pairs are read (later pairs are ignored); a value longer than
//!   `MAX_VALUE_BYTES` after decoding is dropped and reported by `oversize()`, so the request
//!   is answered with the protocol's failure shape (still echoing `ownerid`).

use std::collections::HashMap;

/// Pairs read per request; a KeyAuth request has about ten.
pub const MAX_FIELDS: usize = 64;
/// Longest accepted value in bytes (the largest legitimate ones are webhook bodies and chat
/// messages, a few KiB at most).
pub const MAX_VALUE_BYTES: usize = 64 * 1024;
/// Longest accepted field name in bytes.
pub const MAX_NAME_BYTES: usize = 64;

/// The request's fields by name.
#[derive(Debug, Clone, Default)]
pub struct Fields {
    map: HashMap<String, String>,
    oversize: Option<String>,
}

impl Fields {
    /// Reads the body's pairs then the query string's (see the module doc for the rules).
    pub fn parse(body: &[u8], query: Option<&str>) -> Self {
        let mut fields = Self::default();
        let mut seen = 0;
        let sources = [body, query.unwrap_or("").as_bytes()];
        for (name, value) in sources.into_iter().flat_map(form_urlencoded::parse) {
            seen += 1;
            if seen > MAX_FIELDS {
                break;
            }
            if name.len() > MAX_NAME_BYTES || value.is_empty() {
                continue;
            }
            // Replaced before the length check: each NUL grows by two bytes as U+FFFD.
            let value = value.replace('\0', "\u{fffd}");
            if value.len() > MAX_VALUE_BYTES {
                fields.oversize.get_or_insert_with(|| name.into_owned());
                continue;
            }
            fields.map.entry(name.into_owned()).or_insert(value);
        }
        fields
    }

    /// The name of the first value that was too long, if any.
    pub fn oversize(&self) -> Option<&str> {
        self.oversize.as_deref()
    }

    /// The value of `name`, `None` when absent or empty.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.map.get(name).map(String::as_str)
    }

    /// Every field kept, in no particular order: lets the fuzz target (`fuzz/`) check the
    /// parser's bounds on whatever it produced.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.map.iter().map(|(k, v)| (k.as_str(), v.as_str()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_and_tolerates_raw_values() {
        let f = Fields::parse(b"type=init&name=My%20App&ver=1.0&hash=50%&pass=a b+c&x=", None);
        assert_eq!(f.get("type"), Some("init"));
        assert_eq!(f.get("name"), Some("My App"));
        assert_eq!(f.get("hash"), Some("50%"));
        assert_eq!(f.get("pass"), Some("a b c"));
        assert_eq!(f.get("x"), None);
        assert_eq!(f.get("missing"), None);
    }

    #[test]
    fn invalid_utf8_is_replaced_and_first_wins() {
        let f = Fields::parse(b"name=a\xff%FE&name=second", Some("name=query&type=check"));
        assert_eq!(f.get("name"), Some("a\u{fffd}\u{fffd}"));
        assert_eq!(f.get("type"), Some("check"));
        let f = Fields::parse(b"message=a%00b\x00", None);
        assert_eq!(f.get("message"), Some("a\u{fffd}b\u{fffd}"));
    }

    #[test]
    fn bounds_count_and_length() {
        let many: String = (0..100).map(|i| format!("f{i}=v&")).collect();
        let f = Fields::parse(many.as_bytes(), None);
        assert_eq!(f.get("f63"), Some("v"));
        assert_eq!(f.get("f64"), None);
        let long = format!("type=x&data={}&ownerid=o", "a".repeat(MAX_VALUE_BYTES + 1));
        let f = Fields::parse(long.as_bytes(), None);
        assert_eq!(f.oversize(), Some("data"));
        assert_eq!(f.get("data"), None);
        assert_eq!(f.get("ownerid"), Some("o"));
        // NULs count as the three bytes of the U+FFFD that replaces them.
        let nuls = format!("data={}", "%00".repeat(MAX_VALUE_BYTES / 3 + 1));
        assert_eq!(Fields::parse(nuls.as_bytes(), None).oversize(), Some("data"));
    }
}
