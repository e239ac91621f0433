//! Request parameters from wherever the caller put them. The published documents disagree
//! (body in the text, query string in the examples), so every endpoint reads the query string,
//! then a JSON or form body; a field in the body wins over the same field in the query string.

use super::ResellerError;
use crate::api::known_json::known_members;
use axum::{
    body::Bytes,
    extract::{FromRequest, Request},
    http::header::CONTENT_TYPE,
};
use serde_json::Value;
use std::collections::HashMap;

/// Longest value accepted for any parameter; tokens and keys are far shorter.
pub const MAX_VALUE_CHARS: usize = 256;

/// The parameters any endpoint reads; others are ignored whatever they hold.
pub const KNOWN: [&str; 5] = ["api_token", "license", "discord_user_id", "limit", "page"];

/// The merged parameters of one request, trimmed; empty values count as absent.
#[derive(Debug, Default)]
pub struct Params(HashMap<String, String>);

impl Params {
    /// A parameter's value, `None` when absent or empty.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0.get(name).map(String::as_str).filter(|v| !v.is_empty())
    }

    /// A required parameter: 400 naming it when absent.
    pub fn require(&self, name: &str) -> Result<&str, ResellerError> {
        self.get(name).ok_or_else(|| ResellerError::BadRequest(format!("Missing parameter: {name}")))
    }

    /// An optional whole-number parameter within `min..=max`, else `default`.
    pub fn int_in(&self, name: &str, default: i64, min: i64, max: i64) -> Result<i64, ResellerError> {
        let Some(raw) = self.get(name) else { return Ok(default) };
        raw.parse::<i64>()
            .ok()
            .filter(|n| (min..=max).contains(n))
            .ok_or_else(|| ResellerError::BadRequest(format!("{name} must be a whole number from {min} to {max}")))
    }

    fn insert(&mut self, name: &str, value: &str) -> Result<(), ResellerError> {
        if !KNOWN.contains(&name) {
            return Ok(());
        }
        let value = value.trim();
        if value.chars().count() > MAX_VALUE_CHARS {
            return Err(ResellerError::BadRequest(format!("{name} is too long")));
        }
        // Also keeps NUL away from PostgreSQL, which refuses it in text.
        if value.chars().any(char::is_control) {
            return Err(ResellerError::BadRequest(format!("{name} must not contain control characters")));
        }
        self.0.insert(name.to_owned(), value.to_owned());
        Ok(())
    }

    /// Query string pairs; of a repeated name the first one counts.
    fn from_query(query: &str) -> Result<Self, ResellerError> {
        let mut params = Self::default();
        for (name, value) in form_urlencoded::parse(query.as_bytes()) {
            if !params.0.contains_key(name.as_ref()) {
                params.insert(&name, &value)?;
            }
        }
        Ok(params)
    }

    /// Form pairs; of a repeated name the first one in the body counts. Unknown names are
    /// skipped as they are read (nothing per name is kept), so the work is linear in the body.
    fn merge_form(&mut self, body: &[u8]) -> Result<(), ResellerError> {
        let text = std::str::from_utf8(body).map_err(|_| bad("Malformed form body: not UTF-8"))?;
        let mut seen = [false; KNOWN.len()];
        for (name, value) in form_urlencoded::parse(text.as_bytes()) {
            let Some(i) = KNOWN.iter().position(|k| *k == name) else { continue };
            if !std::mem::replace(&mut seen[i], true) {
                self.insert(&name, &value)?;
            }
        }
        Ok(())
    }

    /// A JSON object's members. Strings and integers are taken as text (a Discord id may come
    /// as a number); `null` counts as absent; anything else is refused.
    fn merge_json(&mut self, body: &[u8]) -> Result<(), ResellerError> {
        let members = known_members(body, &KNOWN).map_err(|_| bad("Malformed JSON body: expected an object"))?;
        for (name, value) in members {
            match value {
                Value::String(s) => self.insert(name, &s)?,
                Value::Number(n) if n.is_u64() || n.is_i64() => self.insert(name, &n.to_string())?,
                Value::Null => {}
                _ => return Err(ResellerError::BadRequest(format!("{name} must be a string"))),
            }
        }
        Ok(())
    }
}

fn bad(message: &str) -> ResellerError {
    ResellerError::BadRequest(message.to_owned())
}

/// What the body is, from its content type (parameters such as `charset` are ignored).
enum BodyKind {
    Json,
    Form,
}

fn body_kind(content_type: Option<&str>) -> Result<BodyKind, ResellerError> {
    let media = content_type.and_then(|c| c.split(';').next()).map(|m| m.trim().to_ascii_lowercase());
    match media.as_deref() {
        Some("application/json") => Ok(BodyKind::Json),
        Some(m) if m.starts_with("application/") && m.ends_with("+json") => Ok(BodyKind::Json),
        Some("application/x-www-form-urlencoded") => Ok(BodyKind::Form),
        _ => Err(bad("Unsupported content type: send application/json or application/x-www-form-urlencoded")),
    }
}

impl Params {
    /// The parameters of a request with this query string, content type and body. Public for
    /// the fuzz target (`fuzz/`).
    pub fn parse(query: &str, content_type: Option<&str>, body: &[u8]) -> Result<Self, ResellerError> {
        let mut params = Self::from_query(query)?;
        // A GET, or a POST with everything in the query string, has no body to read.
        if body.iter().all(u8::is_ascii_whitespace) {
            return Ok(params);
        }
        match body_kind(content_type)? {
            BodyKind::Json => params.merge_json(body)?,
            BodyKind::Form => params.merge_form(body)?,
        }
        Ok(params)
    }

    /// Every parameter kept, empty ones included.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.0.iter().map(|(k, v)| (k.as_str(), v.as_str()))
    }
}

impl<S: Send + Sync> FromRequest<S> for Params {
    type Rejection = ResellerError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let query = req.uri().query().unwrap_or("").to_owned();
        let content_type = req.headers().get(CONTENT_TYPE).map(|v| v.to_str().unwrap_or("?").to_owned());
        let body = Bytes::from_request(req, state).await.map_err(|e| {
            if e.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
                ResellerError::BodyTooLarge
            } else {
                bad("Could not read the request body")
            }
        })?;
        Self::parse(&query, content_type.as_deref(), &body)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn body_wins_over_query_and_values_are_trimmed() {
        let mut p = Params::from_query("api_token=q&license=%20K1%20&license=K2&empty=").unwrap();
        assert_eq!(p.get("license"), Some("K1"));
        assert_eq!(p.get("empty"), None);
        p.merge_json(br#"{"api_token":"b","discord_user_id":123456789012345678,"x":[true],"page":null}"#).unwrap();
        assert_eq!(p.get("api_token"), Some("b"));
        assert_eq!(p.get("discord_user_id"), Some("123456789012345678"));
        assert!(p.merge_json(b"[1]").is_err());
        assert!(p.merge_json(br#"{"license":true}"#).is_err());
        assert!(p.merge_json(br#"{"license":1.5}"#).is_err());
        p.merge_form(b"license=F+1&license=F2").unwrap();
        assert_eq!(p.get("license"), Some("F 1"));
        assert!(p.merge_form(b"license=\xff").is_err());
    }

    #[test]
    fn numbers_and_content_types() {
        let p = Params::from_query("limit=20&page=x").unwrap();
        assert_eq!(p.int_in("limit", 100, 1, 500).unwrap(), 20);
        assert!(p.int_in("page", 1, 1, i64::MAX).is_err());
        assert_eq!(p.int_in("absent", 7, 1, 9).unwrap(), 7);
        assert!(Params::from_query(&format!("license={}", "k".repeat(300))).is_err());
        assert!(Params::from_query("license=a%00b").is_err());
        assert!(Params::from_query("note=a%00b").unwrap().0.is_empty());
        assert_eq!(Params::from_query("license=K%0A").unwrap().get("license"), Some("K"));
        assert!(Params::default().merge_json(br#"{"license":"a\u0000"}"#).is_err());
        assert!(matches!(body_kind(Some("application/json; charset=utf-8")), Ok(BodyKind::Json)));
        assert!(matches!(body_kind(Some("Application/X-WWW-Form-Urlencoded")), Ok(BodyKind::Form)));
        assert!(body_kind(Some("text/plain")).is_err());
        assert!(body_kind(None).is_err());
    }
}
