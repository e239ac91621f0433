//! Rendering of every client API response: the JSON envelope (`success`, integer `code`,
//! `message`, the action's members, a fresh UUIDv4 `nonce`, the request's `ownerid`), serialized
//! ASCII-only, and signed at send time: `x-signature-timestamp` + `x-signature-ed25519` over
//! timestamp || body with the server key, plus LibreAuth's `signature` header (hex HMAC-SHA256
//! of the body keyed by the app's secret) when the app is known.

use super::messages::Msg;
use crate::signing::Signer;
use axum::{
    body::Body,
    http::{HeaderValue, StatusCode, header},
    response::Response,
};
use hmac::{Hmac, Mac};
use serde::ser::{Serialize, SerializeMap, Serializer};
use serde_json::{Value, ser::Formatter};
use sha2::Sha256;
use std::io;

/// The `code` of every successful answer.
pub const SUCCESS_CODE: i64 = 68;
/// The body answered for an unknown application (clients compare it literally).
pub const INVALID_APP_BODY: &str = "KeyAuth_Invalid";

/// One answer before serialization.
#[derive(Debug, Clone)]
pub struct Reply {
    status: StatusCode,
    success: bool,
    code: i64,
    message: String,
    extra: Vec<(&'static str, Value)>,
    /// Seconds for a `Retry-After` header (503 answers).
    retry_after: Option<u64>,
}

impl Reply {
    pub fn success(message: impl Into<String>) -> Self {
        let message = message.into();
        Self {
            status: StatusCode::OK,
            success: true,
            code: SUCCESS_CODE,
            message,
            extra: Vec::new(),
            retry_after: None,
        }
    }

    /// A failure with `msg`'s code and the given (possibly customised) text.
    pub fn failure(msg: Msg, message: impl Into<String>) -> Self {
        let message = message.into();
        Self { status: StatusCode::OK, success: false, code: msg.code(), message, extra: Vec::new(), retry_after: None }
    }

    /// Adds a member after `message` (members are written in the order added).
    pub fn with(mut self, key: &'static str, value: impl Into<Value>) -> Self {
        self.extra.push((key, value.into()));
        self
    }

    /// Failures are HTTP 200 by protocol; rate limiting (429) and server faults differ.
    pub fn with_status(mut self, status: StatusCode) -> Self {
        self.status = status;
        self
    }

    /// Adds `Retry-After: secs` to the HTTP response.
    pub fn with_retry_after(mut self, secs: u64) -> Self {
        self.retry_after = Some(secs);
        self
    }

    pub fn is_success(&self) -> bool {
        self.success
    }

    /// The JSON body bytes, ASCII-only, with a fresh nonce and the echoed ownerid.
    pub fn to_body(&self, ownerid: &str) -> Vec<u8> {
        let nonce = uuid::Uuid::new_v4().to_string();
        let doc = Envelope { reply: self, nonce: &nonce, ownerid };
        let mut out = Vec::with_capacity(256);
        let mut ser = serde_json::Serializer::with_formatter(&mut out, AsciiFormatter);
        // Serializing owned JSON values into a Vec cannot fail.
        let _ = doc.serialize(&mut ser);
        out
    }

    /// The signed HTTP response.
    pub fn render(&self, ownerid: &str, signer: &Signer, app_secret: Option<&str>) -> Response {
        let mut res = signed(self.status, self.to_body(ownerid), signer, app_secret);
        if let Some(secs) = self.retry_after {
            res.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(secs));
        }
        res
    }
}

struct Envelope<'a> {
    reply: &'a Reply,
    nonce: &'a str,
    ownerid: &'a str,
}

impl Serialize for Envelope<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let r = self.reply;
        let mut map = s.serialize_map(Some(5 + r.extra.len()))?;
        map.serialize_entry("success", &r.success)?;
        map.serialize_entry("code", &r.code)?;
        map.serialize_entry("message", &r.message)?;
        for (k, v) in &r.extra {
            map.serialize_entry(k, v)?;
        }
        map.serialize_entry("nonce", self.nonce)?;
        map.serialize_entry("ownerid", self.ownerid)?;
        map.end()
    }
}

/// The plain `KeyAuth_Invalid` answer for an unknown application, still signed.
pub fn invalid_app(signer: &Signer) -> Response {
    signed(StatusCode::OK, INVALID_APP_BODY.as_bytes().to_vec(), signer, None)
}

fn signed(status: StatusCode, body: Vec<u8>, signer: &Signer, app_secret: Option<&str>) -> Response {
    // Stamped here, right before the bytes leave: clients refuse timestamps older than ~20 s.
    let ts = time::OffsetDateTime::now_utc().unix_timestamp().to_string();
    let sig = signer.sign(&ts, &body);
    let hmac = app_secret.map(|secret| hmac_hex(secret.as_bytes(), &body));
    let mut res = Response::new(Body::from(body));
    *res.status_mut() = status;
    let h = res.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json; charset=utf-8"));
    // Timestamp digits and hex strings are always valid header values.
    if let Ok(v) = HeaderValue::from_str(&ts) {
        h.insert("x-signature-timestamp", v);
    }
    if let Ok(v) = HeaderValue::from_str(&sig) {
        h.insert("x-signature-ed25519", v);
    }
    if let Some(Ok(v)) = hmac.map(|m| HeaderValue::from_str(&m)) {
        h.insert("signature", v);
    }
    res
}

/// Lowercase hex HMAC-SHA256 of `body` under `key`.
pub fn hmac_hex(key: &[u8], body: &[u8]) -> String {
    // HMAC accepts keys of any length, so the error arm is never taken.
    let Ok(mut mac) = <Hmac<Sha256> as Mac>::new_from_slice(key) else { return String::new() };
    mac.update(body);
    hex::encode(mac.finalize().into_bytes())
}

/// serde_json formatter that escapes every non-ASCII character as `\uXXXX` (UTF-16 units),
/// because one client re-encodes the body with a legacy code page before verifying it.
struct AsciiFormatter;

impl Formatter for AsciiFormatter {
    fn write_string_fragment<W: ?Sized + io::Write>(&mut self, w: &mut W, fragment: &str) -> io::Result<()> {
        let mut start = 0;
        for (i, c) in fragment.char_indices() {
            if c.is_ascii() {
                continue;
            }
            w.write_all(&fragment.as_bytes()[start..i])?;
            let mut units = [0u16; 2];
            for unit in c.encode_utf16(&mut units) {
                write!(w, "\\u{unit:04x}")?;
            }
            start = i + c.len_utf8();
        }
        w.write_all(&fragment.as_bytes()[start..])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn body_is_ascii_ordered_and_round_trips() {
        let r = Reply::success("h\u{e9}llo \u{1f600}").with("info", serde_json::json!({"u": "\u{fc}"}));
        let body = r.to_body("abcdefghij");
        assert!(body.is_ascii());
        let text = String::from_utf8(body).unwrap();
        assert!(text.starts_with(r#"{"success":true,"code":68,"message":"h\u00e9llo \ud83d\ude00","info""#), "{text}");
        let v: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(v["message"], "h\u{e9}llo \u{1f600}");
        assert_eq!(v["info"]["u"], "\u{fc}");
        assert_eq!(v["ownerid"], "abcdefghij");
        assert_eq!(uuid::Uuid::parse_str(v["nonce"].as_str().unwrap()).unwrap().get_version_num(), 4);
    }

    #[test]
    fn hmac_matches_rfc4231_case_2() {
        assert_eq!(
            hmac_hex(b"Jefe", b"what do ya want for nothing?"),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }
}
