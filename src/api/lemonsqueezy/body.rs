//! Request bodies: form-encoded (what Lemon Squeezy documents) or a JSON object (what its SDK
//! sends, as `application/vnd.api+json`). The content type is not trusted: a body that opens
//! with `{` is JSON, anything else a form. Fields are strings of at most 255 characters.

use super::error::{LsError, Verb};
use serde_json::Value;
use std::collections::HashMap;

const MAX_FIELD_CHARS: usize = 255;

pub struct Fields {
    verb: Verb,
    values: HashMap<String, String>,
}

impl Fields {
    /// The body's fields; a body that is neither a JSON object nor a form is a 422 naming
    /// `license_key` (nothing could be read from it).
    pub fn parse(verb: Verb, bytes: &[u8]) -> Result<Self, LsError> {
        let trimmed = bytes.trim_ascii_start();
        let values = if trimmed.starts_with(b"{") {
            let object: serde_json::Map<String, Value> = serde_json::from_slice(trimmed)
                .map_err(|_| LsError::Invalid(verb, "The request body is not valid JSON.".into()))?;
            object.into_iter().filter_map(|(k, v)| scalar(v).map(|v| (k, v))).collect()
        } else {
            form_urlencoded::parse(bytes).map(|(k, v)| (k.into_owned(), v.into_owned())).collect()
        };
        Ok(Self { verb, values })
    }

    /// A required field, in Laravel's words when missing, empty or too long.
    pub fn required(&self, name: &str) -> Result<String, LsError> {
        match self.optional(name)? {
            Some(v) => Ok(v),
            None => Err(LsError::Invalid(self.verb, format!("The {} field is required.", words(name)))),
        }
    }

    /// An optional field: absent or empty is `None`.
    pub fn optional(&self, name: &str) -> Result<Option<String>, LsError> {
        let Some(v) = self.values.get(name).map(|v| v.trim()).filter(|v| !v.is_empty()) else { return Ok(None) };
        if v.chars().count() > MAX_FIELD_CHARS {
            let message = format!("The {} field must not be greater than {MAX_FIELD_CHARS} characters.", words(name));
            return Err(LsError::Invalid(self.verb, message));
        }
        Ok(Some(v.to_owned()))
    }
}

/// JSON strings and numbers as text; other values count as absent.
fn scalar(v: Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// `license_key` → `license key`, as Laravel names attributes.
fn words(name: &str) -> String {
    name.replace('_', " ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn form_and_json_bodies_read_alike() {
        for body in
            [&b"license_key=K-1&instance_name=pc%201"[..], br#" {"license_key": "K-1", "instance_name": "pc 1"}"#]
        {
            let f = Fields::parse(Verb::Activate, body).unwrap();
            assert_eq!(f.required("license_key").unwrap(), "K-1");
            assert_eq!(f.required("instance_name").unwrap(), "pc 1");
        }
    }

    #[test]
    fn missing_empty_and_long_fields_are_refused() {
        let f = Fields::parse(Verb::Validate, br#"{"license_key": "", "instance_id": [1]}"#).unwrap();
        let Err(LsError::Invalid(_, m)) = f.required("license_key") else { panic!("empty accepted") };
        assert_eq!(m, "The license key field is required.");
        assert_eq!(f.optional("instance_id").unwrap(), None);
        let long = format!("license_key={}", "K".repeat(256));
        let Err(LsError::Invalid(_, m)) =
            Fields::parse(Verb::Validate, long.as_bytes()).unwrap().required("license_key")
        else {
            panic!("long accepted")
        };
        assert_eq!(m, "The license key field must not be greater than 255 characters.");
        assert!(Fields::parse(Verb::Validate, b"{not json").is_err());
    }
}
