//! What the blocking and the async client share: the client's settings and session, building
//! an action's form fields, and turning a raw answer into a typed result (signature, freshness,
//! envelope, refusal). Only sending the request differs between the two (`transport`).

use crate::{
    calls::{Call, Effect},
    error::{Error, Result},
    verify::{self, RawAnswer},
};
use ed25519_dalek::VerifyingKey;
use serde_json::{Map, Value};
use std::time::Duration;

/// The `code` of every successful answer.
const SUCCESS_CODE: i64 = 68;
/// `invalidver`'s code: `init` with an outdated `ver`.
const INVALID_VER_CODE: i64 = 21;
/// The signed plain-text answer for an unknown application.
const INVALID_APP_BODY: &[u8] = b"KeyAuth_Invalid";

/// Settings and state of one client.
#[derive(Debug, Clone)]
pub(crate) struct Core {
    pub name: String,
    pub ownerid: String,
    pub version: String,
    pub url: String,
    pub hash: Option<String>,
    pub hwid: Option<String>,
    pub key: Option<VerifyingKey>,
    pub trust_on_first_use: bool,
    pub max_skew: Duration,
    pub session: Option<String>,
    /// The `message` of the last answer, when its call returned `Ok`.
    pub last_message: Option<String>,
}

/// A verified JSON answer of the client API.
#[derive(Debug)]
pub(crate) struct Answer {
    pub success: bool,
    pub code: i64,
    pub message: String,
    pub doc: Map<String, Value>,
}

impl Answer {
    /// The members of a successful answer; a failure becomes the matching error.
    pub fn ok(self) -> Result<Map<String, Value>> {
        if self.success {
            return Ok(self.doc);
        }
        if self.code == INVALID_VER_CODE && self.message == "invalidver" {
            let download = self.doc.get("download").and_then(Value::as_str).unwrap_or("").to_owned();
            return Err(Error::OutdatedVersion { download });
        }
        Err(Error::Refused { code: self.code, message: self.message })
    }
}

impl Core {
    pub fn new(name: &str, ownerid: &str, version: &str, url: &str) -> Self {
        Self {
            name: name.to_owned(),
            ownerid: ownerid.to_owned(),
            version: version.to_owned(),
            url: url.to_owned(),
            hash: None,
            hwid: None,
            key: None,
            trust_on_first_use: false,
            max_skew: verify::DEFAULT_MAX_SKEW,
            session: None,
            last_message: None,
        }
    }

    /// The form fields of `call`, or why it cannot be sent.
    pub fn fields<T>(&self, call: &Call<T>) -> Result<Vec<(&'static str, String)>> {
        if self.key.is_none() && !self.trust_on_first_use {
            return Err(Error::NoPublicKey);
        }
        let mut fields =
            vec![("type", call.kind.to_owned()), ("name", self.name.clone()), ("ownerid", self.ownerid.clone())];
        if call.kind == "init" {
            fields.push(("ver", self.version.clone()));
            fields.extend(self.hash.clone().map(|h| ("hash", h)));
        } else {
            fields.push(("sessionid", self.session.clone().ok_or(Error::NoSession)?));
        }
        if call.sends_hwid {
            fields.extend(self.hwid.clone().map(|h| ("hwid", h)));
        }
        fields.extend(call.fields.iter().cloned());
        Ok(fields)
    }

    /// Verifies `raw` as the answer to `call`, applies the call's effect on the session and
    /// decodes its result.
    pub fn finish<T>(&mut self, call: Call<T>, raw: RawAnswer) -> Result<T> {
        self.last_message = None;
        let learned = self.trust(call.kind, &raw)?;
        if raw.body == INVALID_APP_BODY {
            return Err(Error::UnknownApp);
        }
        let answer = self.envelope(&raw.body)?;
        if answer.success {
            match call.effect {
                Effect::None => {}
                Effect::StartSession => {
                    let id = answer.doc.get("sessionid").and_then(Value::as_str);
                    self.session =
                        Some(id.ok_or_else(|| Error::Malformed("init without sessionid".into()))?.to_owned());
                    // Trust on first use: the key is pinned once a successful init verified under it.
                    self.key = self.key.or(learned);
                }
                Effect::EndSession => self.session = None,
            }
        }
        let message = answer.message.clone();
        let result = (call.decode)(answer);
        if result.is_ok() {
            self.last_message = Some(message);
        }
        result
    }

    /// Checks the signature and the timestamp; returns the key learned by trust on first use.
    fn trust(&self, kind: &str, raw: &RawAnswer) -> Result<Option<VerifyingKey>> {
        let (ts, sig) = verify::signed_parts(raw)?;
        let (key, learned) = match self.key {
            Some(key) => (key, None),
            None if self.trust_on_first_use && kind == "init" => {
                let key = claimed_key(&raw.body).ok_or(Error::NoPublicKey)?;
                (key, Some(key))
            }
            None => return Err(Error::NoPublicKey),
        };
        if !verify::verifies(&key, ts, &raw.body, &sig) {
            // Validly signed by the key the answer names, just not the pinned one: a re-keyed
            // or different server rather than a forgery.
            return Err(match claimed_key(&raw.body) {
                Some(served) if served != key && verify::verifies(&served, ts, &raw.body, &sig) => {
                    Error::WrongPublicKey {
                        pinned: hex::encode(key.as_bytes()),
                        served: hex::encode(served.as_bytes()),
                    }
                }
                _ => Error::BadSignature,
            });
        }
        verify::check_fresh(ts, self.max_skew)?;
        Ok(learned)
    }

    /// The envelope every JSON answer has: `success`, an integer `code`, `message`, the echo of
    /// our `ownerid`.
    fn envelope(&self, body: &[u8]) -> Result<Answer> {
        let doc: Map<String, Value> =
            serde_json::from_slice(body).map_err(|e| Error::Malformed(format!("not a JSON object: {e}")))?;
        let success = doc.get("success").and_then(Value::as_bool).ok_or_else(|| malformed("success"))?;
        let code = doc.get("code").and_then(Value::as_i64).ok_or_else(|| malformed("code"))?;
        let message = doc.get("message").and_then(Value::as_str).ok_or_else(|| malformed("message"))?.to_owned();
        if doc.get("ownerid").and_then(Value::as_str) != Some(self.ownerid.as_str()) {
            return Err(Error::Malformed("the answer echoes another ownerid".into()));
        }
        if success != (code == SUCCESS_CODE) {
            return Err(Error::Malformed(format!("success {success} with code {code}")));
        }
        Ok(Answer { success, code, message, doc })
    }
}

fn malformed(member: &str) -> Error {
    Error::Malformed(format!("member {member:?} missing or of the wrong type"))
}

/// The key an `init` answer names in `pubkey` (unverified: only ever checked against the signature).
fn claimed_key(body: &[u8]) -> Option<VerifyingKey> {
    let doc: Value = serde_json::from_slice(body).ok()?;
    verify::parse_key(doc.get("pubkey")?.as_str()?).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calls;
    use ed25519_dalek::{Signer, SigningKey};

    /// A client pinned to a test key, and that key's signed answer with `body`, stamped now.
    fn signed(key: &SigningKey, body: &str) -> RawAnswer {
        let ts = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs().to_string();
        let sig = key.sign(format!("{ts}{body}").as_bytes());
        RawAnswer { timestamp: Some(ts), signature: Some(hex::encode(sig.to_bytes())), body: body.into() }
    }

    #[test]
    fn last_message_is_the_last_accepted_answers() {
        let key = SigningKey::from_bytes(&[3; 32]);
        let mut core = Core::new("App", "OWNER12345", "1.0", "http://h/");
        core.key = Some(key.verifying_key());
        let ok = r#"{"success":true,"code":68,"message":"Session is validated.","ownerid":"OWNER12345"}"#;
        core.finish(calls::check(), signed(&key, ok)).unwrap();
        assert_eq!(core.last_message.as_deref(), Some("Session is validated."));
        let no = r#"{"success":false,"code":36,"message":"Session is not validated","ownerid":"OWNER12345"}"#;
        assert!(matches!(core.finish(calls::check(), signed(&key, no)), Err(Error::Refused { code: 36, .. })));
        assert_eq!(core.last_message, None, "a refusal leaves no message of success");
        // An accepted failure (checkblacklist's inverted answer) is a successful call.
        let clean = r#"{"success":false,"code":62,"message":"Client is not blacklisted","ownerid":"OWNER12345"}"#;
        assert!(!core.finish(calls::checkblacklist(), signed(&key, clean)).unwrap());
        assert_eq!(core.last_message.as_deref(), Some("Client is not blacklisted"));
        core.finish(calls::check(), signed(&key, ok)).unwrap();
        let forged = RawAnswer { body: no.into(), ..signed(&key, ok) };
        assert!(matches!(core.finish(calls::check(), forged), Err(Error::BadSignature)));
        assert_eq!(core.last_message, None, "an untrusted answer leaves none either");
    }
}
