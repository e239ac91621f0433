//! The Licenses API's body reading (`api::licenses::fields`): any bytes either fail as a 422
//! naming the offending fields, or yield values within the field rules (trimmed strings of at
//! most 255 characters without control characters, limits in 1..=2^31-1, times after now);
//! a value that meets a rule is read back unchanged. Never a panic.
#![no_main]

use axum::{http::StatusCode, response::IntoResponse};
use libfuzzer_sys::fuzz_target;
use licensd::api::licenses::{
    LicensesError,
    fields::{Fields, MAX_LIMIT, MAX_STRING, parse_object},
};
use serde_json::Value;

const NOW_MS: i64 = 1_700_000_000_000;
const NAMES: [&str; 6] = ["body", "license_key", "instance_id", "limit", "expires_at", "active"];

fuzz_target!(|data: &[u8]| {
    let body = match parse_object(data) {
        Ok(body) => body,
        Err(e) => return assert_rejection(e),
    };
    let mut f = Fields::new(&body);
    let key = f.string("license_key");
    let instance = f.optional_string("instance_id");
    let limit = f.limit("limit");
    let expires = f.future_time("expires_at", NOW_MS);
    let active = f.boolean("active");
    let outcome = f.finish();
    for s in std::iter::once(&key).chain(instance.as_ref()) {
        assert_eq!(s.trim(), s);
        assert!(s.chars().count() <= MAX_STRING && !s.chars().any(char::is_control));
    }
    if let Some(Some(n)) = limit {
        assert!((1..=MAX_LIMIT).contains(&n));
    }
    if let Some(Some(t)) = expires {
        assert!(t > NOW_MS);
    }
    if matches!(body.get("active"), Some(Value::Bool(_))) {
        assert_eq!(active, body["active"].as_bool());
    }
    if let Some(Value::String(s)) = body.get("license_key") {
        let t = s.trim();
        if !t.is_empty() && t.chars().count() <= MAX_STRING && !t.chars().any(char::is_control) {
            assert_eq!(key, t);
        }
    }
    if let Some(n) = body.get("limit").and_then(Value::as_i64).filter(|n| (1..=MAX_LIMIT).contains(n)) {
        assert_eq!(limit, Some(Some(n)));
    }
    match outcome {
        Ok(()) => assert!(!key.is_empty(), "a missing key passed"),
        Err(e) => assert_rejection(e),
    }
});

/// A refusal names known fields and renders as a 422.
fn assert_rejection(e: LicensesError) {
    let LicensesError::Invalid(errors) = &e else { panic!("not a field error: {e:?}") };
    assert!(!errors.is_empty());
    for (field, message) in errors {
        assert!(NAMES.contains(&field.as_str()), "unknown field {field}");
        assert!(message.starts_with("The ") && message.ends_with('.'), "{message}");
    }
    assert_eq!(e.into_response().status(), StatusCode::UNPROCESSABLE_ENTITY);
}
