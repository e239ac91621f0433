//! KeyAuth's answers: `{"success":true|false,"message":...}` plus the type's members, in
//! order. With `format=text` a success is its bare text (the keys of `add`, a variable's
//! value, or the message); a failure stays JSON, as the official Discord bot expects: it tells
//! keys from an error by the word `message` in the body.

use super::request::Format;
use axum::{
    http::{HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
};
use serde::ser::{Serialize, SerializeMap, Serializer};
use serde_json::Value;

#[derive(Debug, Clone)]
pub struct Reply {
    status: StatusCode,
    success: bool,
    message: Option<String>,
    members: Vec<(&'static str, Value)>,
    /// The body of a success under `format=text`; `None`: the message (or, without one, JSON).
    text: Option<String>,
    retry_after: Option<i64>,
}

impl Reply {
    pub fn ok(message: impl Into<String>) -> Self {
        Self { message: Some(message.into()), ..Self::data() }
    }

    /// A success without a message (KeyAuth's `info`, `userdata`, `stats`).
    pub fn data() -> Self {
        Self {
            status: StatusCode::OK,
            success: true,
            message: None,
            members: Vec::new(),
            text: None,
            retry_after: None,
        }
    }

    pub fn fail(status: StatusCode, message: impl Into<String>) -> Self {
        Self { status, success: false, message: Some(message.into()), ..Self::data() }
    }

    pub fn with(mut self, name: &'static str, value: impl Into<Value>) -> Self {
        self.members.push((name, value.into()));
        self
    }

    /// What `format=text` answers for this success.
    pub fn text(mut self, text: impl Into<String>) -> Self {
        self.text = Some(text.into());
        self
    }

    pub fn retry_after(mut self, secs: i64) -> Self {
        self.retry_after = Some(secs);
        self
    }

    pub fn render(self, format: Format) -> Response {
        let plain = match (format, self.success) {
            (Format::Text, true) => self.text.clone().or_else(|| self.message.clone()),
            _ => None,
        };
        let mut res = match plain {
            Some(body) => (self.status, [(header::CONTENT_TYPE, "text/plain; charset=utf-8")], body).into_response(),
            None => {
                let body = serde_json::to_vec(&self).unwrap_or_default();
                (self.status, [(header::CONTENT_TYPE, "application/json")], body).into_response()
            }
        };
        if let Some(secs) = self.retry_after {
            res.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(secs));
        }
        res
    }
}

impl Serialize for Reply {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(None)?;
        map.serialize_entry("success", &self.success)?;
        if let Some(m) = &self.message {
            map.serialize_entry("message", m)?;
        }
        for (name, value) in &self.members {
            map.serialize_entry(name, value)?;
        }
        map.end()
    }
}
