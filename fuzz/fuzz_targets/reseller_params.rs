//! The reseller API's parameter reading (`api::reseller::params::Params`): any query string,
//! content type and body parse without a panic, either into a refusal or into known parameters
//! only, each trimmed, within its length cap and free of control characters; distinct known
//! pairs encoded by a well-behaved client, as a form or as JSON, read back exactly, the body
//! winning over the query string. The parser must be linear: libFuzzer's `-timeout` catches an
//! input that makes it crawl.
#![no_main]

use libfuzzer_sys::fuzz_target;
use licensd::api::reseller::params::{KNOWN, MAX_VALUE_CHARS, Params};
use serde_json::{Map, Value};

const CONTENT_TYPES: [&str; 4] = ["application/json", "application/x-www-form-urlencoded", "text/plain", "application/vnd.x+json"];

fuzz_target!(|input: (&str, u8, &[u8], Vec<(u8, String)>)| {
    let (query, kind, body, pairs) = input;
    let content_type = CONTENT_TYPES.get(usize::from(kind) % 5).copied();
    if let Ok(params) = Params::parse(query, content_type, body) {
        for (name, value) in params.iter() {
            assert!(KNOWN.contains(&name), "unknown parameter {name:?} kept");
            assert_eq!(value.trim(), value);
            assert!(value.chars().count() <= MAX_VALUE_CHARS && !value.chars().any(char::is_control), "{value:?}");
        }
    }
    round_trip(&pairs);
});

/// Known names (picked by index) with acceptable values, first of each name only, sent in the
/// body as a form and as JSON, with other values in the query string.
fn round_trip(pairs: &[(u8, String)]) {
    let mut chosen: Vec<(&str, String)> = Vec::new();
    for (i, value) in pairs {
        let name = KNOWN[usize::from(*i) % KNOWN.len()];
        let value = value.trim();
        let fits = !value.is_empty() && value.chars().count() <= MAX_VALUE_CHARS && !value.chars().any(char::is_control);
        if fits && !chosen.iter().any(|(n, _)| *n == name) {
            chosen.push((name, value.to_owned()));
        }
    }
    let query = form_urlencoded::Serializer::new(String::new())
        .extend_pairs(chosen.iter().map(|(n, _)| (*n, "from-the-query")))
        .finish();
    let form = form_urlencoded::Serializer::new(String::new()).extend_pairs(&chosen).finish();
    let json: Map<String, Value> = chosen.iter().map(|(n, v)| ((*n).to_owned(), Value::from(v.as_str()))).collect();
    let json = serde_json::to_vec(&json).unwrap();
    for (content_type, body) in [("application/x-www-form-urlencoded", form.as_bytes()), ("application/json", &json)] {
        if chosen.is_empty() {
            continue;
        }
        let params = Params::parse(&query, Some(content_type), body).unwrap();
        for (name, value) in &chosen {
            assert_eq!(params.get(name), Some(value.as_str()), "{content_type} {name}");
        }
    }
}
