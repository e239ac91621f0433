//! Request bodies: a JSON object read field by field with Laravel's rules and messages, so a
//! wrong type, a missing field or an absurd number is a 422 naming the field, never a 500.
//! Unknown fields are ignored. Public (with `LicensesError`) for the fuzz target in `fuzz/`.

use super::error::LicensesError;
use crate::{api::known_json::known_members, domain::time::parse_datetime, state::AppState};
use axum::{
    body::Bytes,
    extract::{FromRequest, Request},
};
use serde_json::{Map, Value};

/// Longest string accepted in a body field.
pub const MAX_STRING: usize = 255;
/// Largest activation limit accepted (Laravel's integer columns stop at 2^31 - 1).
pub const MAX_LIMIT: i64 = i32::MAX as i64;

/// A JSON object body. An empty body is an empty object (so the missing fields get named).
pub struct JsonObject(pub Map<String, Value>);

impl FromRequest<AppState> for JsonObject {
    type Rejection = LicensesError;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        let bytes = Bytes::from_request(req, state)
            .await
            .map_err(|_| LicensesError::field("body", "The request body could not be read."))?;
        parse_object(&bytes).map(Self)
    }
}

/// Every field a Licenses API endpoint reads; `parse_object` keeps only these.
pub const FIELDS: [&str; 6] = ["license_key", "instance_name", "instance_id", "limit", "expires_at", "active"];

/// The body's JSON object with only its `FIELDS` (others are skipped unstored, so a body of many
/// names costs one pass; of a repeated name the last counts); blank is empty, anything but an
/// object is a 422 naming `body`. Public so the fuzz target (`fuzz/`) can drive it.
pub fn parse_object(bytes: &[u8]) -> Result<Map<String, Value>, LicensesError> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Ok(Map::new());
    }
    match known_members(bytes, &FIELDS) {
        Ok(members) => Ok(members.into_iter().map(|(name, value)| (name.to_owned(), value)).collect()),
        Err(_) => Err(LicensesError::field("body", "The request body must be a JSON object.")),
    }
}

/// Reads fields of a body and collects every problem before answering.
pub struct Fields<'a> {
    body: &'a Map<String, Value>,
    errors: Vec<(String, String)>,
}

/// `license_key` -> `license key`, as Laravel words its messages.
fn label(field: &str) -> String {
    field.replace('_', " ")
}

impl<'a> Fields<'a> {
    pub fn new(body: &'a Map<String, Value>) -> Self {
        Self { body, errors: Vec::new() }
    }

    fn fail(&mut self, field: &str, rule: &str) {
        self.errors.push((field.to_owned(), format!("The {} field {rule}.", label(field))));
    }

    /// A present, non-null value (Laravel trims strings and treats empty ones as null).
    fn given(&self, field: &str) -> Option<&'a Value> {
        match self.body.get(field) {
            None | Some(Value::Null) => None,
            Some(Value::String(s)) if s.trim().is_empty() => None,
            Some(v) => Some(v),
        }
    }

    /// A required string of at most `MAX_STRING` characters, trimmed.
    pub fn string(&mut self, field: &str) -> String {
        match self.given(field) {
            None => self.fail(field, "is required"),
            Some(v) => return self.string_value(field, v).unwrap_or_default(),
        }
        String::new()
    }

    /// An optional string; absent, null and empty are `None`.
    pub fn optional_string(&mut self, field: &str) -> Option<String> {
        let v = self.given(field)?;
        self.string_value(field, v)
    }

    fn string_value(&mut self, field: &str, v: &Value) -> Option<String> {
        let Value::String(s) = v else {
            self.fail(field, "must be a string");
            return None;
        };
        let s = s.trim();
        if s.chars().count() > MAX_STRING {
            self.fail(field, &format!("must not be greater than {MAX_STRING} characters"));
            return None;
        }
        // PostgreSQL cannot store NUL in text; no key, name or id needs control characters.
        if s.chars().any(char::is_control) {
            self.fail(field, "must not contain control characters");
            return None;
        }
        Some(s.to_owned())
    }

    /// An optional, nullable activation limit: `None` absent, `Some(None)` unlimited.
    pub fn limit(&mut self, field: &str) -> Option<Option<i64>> {
        match self.body.get(field)? {
            Value::Null => return Some(None),
            v => match integer(v) {
                Some(n) if n < 1 => self.fail(field, "must be at least 1"),
                Some(n) if n > MAX_LIMIT => self.fail(field, &format!("must not be greater than {MAX_LIMIT}")),
                Some(n) => return Some(Some(n)),
                None => self.fail(field, "must be an integer"),
            },
        }
        None
    }

    /// An optional, nullable time after `now_ms`: `YYYY-MM-DD HH:MM:SS` (UTC) or ISO 8601.
    pub fn future_time(&mut self, field: &str, now_ms: i64) -> Option<Option<i64>> {
        match self.body.get(field)? {
            Value::Null => return Some(None),
            Value::String(s) => match parse_datetime(s) {
                Some(t) if t > now_ms => return Some(Some(t)),
                Some(_) => self.fail(field, "must be a date after now"),
                None => self.fail(field, "must be a valid date"),
            },
            _ => self.fail(field, "must be a valid date"),
        }
        None
    }

    /// An optional boolean (Laravel accepts true/false, 1/0, "1"/"0"); null means absent.
    pub fn boolean(&mut self, field: &str) -> Option<bool> {
        let parsed = match self.body.get(field)? {
            Value::Null => return None,
            Value::Bool(b) => Some(*b),
            Value::Number(n) => n.as_i64().and_then(flag),
            Value::String(s) => s.parse::<i64>().ok().and_then(flag),
            _ => None,
        };
        if parsed.is_none() {
            self.fail(field, "must be true or false");
        }
        parsed
    }

    /// Every problem found, as a 422, or nothing.
    pub fn finish(self) -> Result<(), LicensesError> {
        if self.errors.is_empty() { Ok(()) } else { Err(LicensesError::Invalid(self.errors)) }
    }
}

fn flag(n: i64) -> Option<bool> {
    match n {
        0 => Some(false),
        1 => Some(true),
        _ => None,
    }
}

/// A JSON integer, or a string of digits (Laravel's `integer` rule accepts both).
fn integer(v: &Value) -> Option<i64> {
    match v {
        Value::Number(n) => n.as_i64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn body(v: Value) -> Map<String, Value> {
        v.as_object().unwrap().clone()
    }

    #[test]
    fn required_strings_name_the_field() {
        let b = body(json!({"license_key": 5, "instance_name": "  "}));
        let mut f = Fields::new(&b);
        f.string("license_key");
        f.string("instance_name");
        let Err(LicensesError::Invalid(errors)) = f.finish() else { panic!() };
        assert_eq!(errors[0], ("license_key".into(), "The license key field must be a string.".into()));
        assert_eq!(errors[1], ("instance_name".into(), "The instance name field is required.".into()));
    }

    #[test]
    fn limits_and_flags() {
        let b = body(json!({"a": null, "b": 3, "c": 0, "d": 1e40, "e": "7", "t": 1, "u": "0", "v": 2}));
        let mut f = Fields::new(&b);
        assert_eq!(f.limit("a"), Some(None));
        assert_eq!(f.limit("b"), Some(Some(3)));
        assert_eq!(f.limit("c"), None);
        assert_eq!(f.limit("d"), None);
        assert_eq!(f.limit("e"), Some(Some(7)));
        assert_eq!(f.limit("missing"), None);
        assert_eq!(f.boolean("t"), Some(true));
        assert_eq!(f.boolean("u"), Some(false));
        assert_eq!(f.boolean("v"), None);
        let Err(LicensesError::Invalid(errors)) = f.finish() else { panic!() };
        assert_eq!(errors.len(), 3);
    }

    #[test]
    fn times_must_be_future() {
        const NOW: i64 = 1_700_000_000_000;
        let b = body(json!({"p": "2000-01-01 00:00:00", "f": "2100-01-01T00:00:00Z", "x": "soon", "n": null}));
        let mut f = Fields::new(&b);
        assert_eq!(f.future_time("p", NOW), None);
        assert_eq!(f.future_time("f", NOW), Some(Some(4_102_444_800_000)));
        assert_eq!(f.future_time("x", NOW), None);
        assert_eq!(f.future_time("n", NOW), Some(None));
        assert!(f.finish().is_err());
    }
}
