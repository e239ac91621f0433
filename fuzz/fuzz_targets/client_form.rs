//! The client API's lenient form parser (`api::client::form::Fields`): any body and query string
//! parse without a panic into bounded fields (no NUL, no empty value, names and values within
//! their caps), and pairs encoded by a well-behaved client come back exactly, the body's value
//! winning over the query string's.
#![no_main]

use libfuzzer_sys::fuzz_target;
use licensd::api::client::form::{Fields, MAX_FIELDS, MAX_NAME_BYTES, MAX_VALUE_BYTES};
use std::collections::HashSet;

fuzz_target!(|input: (&[u8], Option<&str>, Vec<(String, String)>)| {
    let (body, query, pairs) = input;
    let fields = Fields::parse(body, query);
    let mut count = 0;
    for (name, value) in fields.iter() {
        count += 1;
        assert!(name.len() <= MAX_NAME_BYTES, "name over its cap");
        assert!(!value.is_empty() && value.len() <= MAX_VALUE_BYTES, "value empty or over its cap");
        assert!(!value.contains('\0'), "NUL kept");
        assert_eq!(fields.get(name), Some(value));
    }
    assert!(count <= MAX_FIELDS);
    round_trip(pairs);
});

/// Distinct, acceptable pairs, form-encoded into the body, and the same names in the query
/// string with other values: every body value is read back as sent (NUL as U+FFFD).
fn round_trip(pairs: Vec<(String, String)>) {
    let mut names = HashSet::new();
    let pairs: Vec<(String, String)> = pairs
        .into_iter()
        .filter(|(n, v)| n.len() <= MAX_NAME_BYTES && !v.is_empty() && v.len() * 3 <= MAX_VALUE_BYTES)
        .filter(|(n, _)| names.insert(n.clone()))
        .take(MAX_FIELDS)
        .collect();
    let body = form_urlencoded::Serializer::new(String::new()).extend_pairs(&pairs).finish();
    let query = form_urlencoded::Serializer::new(String::new())
        .extend_pairs(pairs.iter().map(|(n, _)| (n.as_str(), "from-the-query")))
        .finish();
    let fields = Fields::parse(body.as_bytes(), Some(&query));
    assert_eq!(fields.oversize(), None);
    for (name, value) in &pairs {
        assert_eq!(fields.get(name), Some(value.replace('\0', "\u{fffd}").as_str()), "field {name:?}");
    }
}
