//! Offline license files: a license checked out as a signed document that an app verifies
//! without network (docs/offline-licenses.md). Pure: the payload, its canonical encoding, the
//! armour, and the terms a file may carry; signing is a function handed in.
//!
//! Wire form: the armour's base64 body decodes to the envelope
//! `{"alg":"ed25519","key":HEX,"payload":B64,"sig":B64}`; `sig` is Ed25519 over
//! `SIGNING_CONTEXT || payload bytes`. The context keeps a file signature apart from the client
//! API's response signatures (`timestamp || body`, which start with a digit) made by the same key.

use base64::{Engine as _, engine::general_purpose::STANDARD as B64};
use serde::{Deserialize, Serialize};

pub const BEGIN: &str = "-----BEGIN LICENSD LICENSE FILE-----";
pub const END: &str = "-----END LICENSD LICENSE FILE-----";
/// Prefixed to the payload bytes before signing.
pub const SIGNING_CONTEXT: &[u8] = b"licensd-license-file-v1\n";
/// The payload's `v`.
pub const VERSION: u32 = 1;
/// Most entitlements one file names, and the longest one.
pub const MAX_ENTITLEMENTS: usize = 32;
pub const MAX_ENTITLEMENT_LEN: usize = 64;

/// What a file asserts. Fields (here and in the nested types) are declared in alphabetical
/// order, so serde writes the canonical form: sorted keys, no whitespace. Times are unix seconds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Payload {
    pub app: AppRef,
    pub entitlements: Vec<String>,
    /// When the license itself ends; `None`: never.
    pub expires_at: Option<i64>,
    pub issued_at: i64,
    pub license: LicenseRef,
    /// The one machine the file is good on; `None`: any.
    pub machine: Option<Machine>,
    /// The seller's public id (client API `ownerid`).
    pub ownerid: String,
    pub plan: PlanRef,
    /// `issued_at + ttl`: past it the app must check out a fresh file online.
    pub refresh_by: i64,
    pub ttl: i64,
    pub v: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AppRef {
    pub id: i64,
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LicenseRef {
    pub id: i64,
    pub key: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlanRef {
    pub level: i64,
    pub name: String,
}

/// A machine binding: a client API HWID or a Licenses API instance id.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Machine {
    pub id: String,
    pub kind: MachineKind,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum MachineKind {
    Hwid,
    Instance,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Envelope {
    alg: String,
    key: String,
    payload: String,
    sig: String,
}

/// Why a license cannot be written into a file (beyond the usability rule).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TermError {
    /// A key whose duration counts from first use has no end yet; a file would claim "never".
    #[error("the license has not started yet: its time counts from its first redemption or activation")]
    NotStarted,
    #[error("ttl_secs must be between 60 and {0}")]
    Ttl(i64),
    #[error("at most {MAX_ENTITLEMENTS} entitlements of 1 to {MAX_ENTITLEMENT_LEN} printable ASCII characters")]
    Entitlements,
}

/// The license's end (unix ms) as a file states it.
pub fn license_end(expires_at_ms: Option<i64>, duration_secs: Option<i64>) -> Result<Option<i64>, TermError> {
    match (expires_at_ms, duration_secs) {
        (Some(at), _) => Ok(Some(at)),
        (None, Some(_)) => Err(TermError::NotStarted),
        (None, None) => Ok(None),
    }
}

/// The asked TTL (default: the longest allowed), checked against `max_ttl_secs`.
pub fn ttl(requested: Option<i64>, max_ttl_secs: i64) -> Result<i64, TermError> {
    let ttl = requested.unwrap_or(max_ttl_secs);
    if (60..=max_ttl_secs).contains(&ttl) { Ok(ttl) } else { Err(TermError::Ttl(max_ttl_secs)) }
}

/// Entitlements are the seller's own feature names: short printable ASCII, no duplicates kept.
pub fn entitlements(mut names: Vec<String>) -> Result<Vec<String>, TermError> {
    let ok = |n: &String| (1..=MAX_ENTITLEMENT_LEN).contains(&n.len()) && n.bytes().all(|b| b.is_ascii_graphic());
    if names.len() > MAX_ENTITLEMENTS || !names.iter().all(ok) {
        return Err(TermError::Entitlements);
    }
    names.sort();
    names.dedup();
    Ok(names)
}

/// Unix ms to the file's unix seconds, rounded down (a file never outlives its license).
pub fn secs(ms: i64) -> i64 {
    ms.div_euclid(1000)
}

/// The armoured, signed file. `sign` returns the Ed25519 signature of the bytes it is given
/// by the key whose public half is `public_hex`.
pub fn encode(payload: &Payload, public_hex: &str, sign: impl FnOnce(&[u8]) -> [u8; 64]) -> String {
    // Serialising plain structs of strings and integers cannot fail.
    let bytes = serde_json::to_vec(payload).unwrap_or_default();
    let mut message = SIGNING_CONTEXT.to_vec();
    message.extend_from_slice(&bytes);
    let envelope = Envelope {
        alg: "ed25519".into(),
        key: public_hex.to_owned(),
        payload: B64.encode(&bytes),
        sig: B64.encode(sign(&message)),
    };
    armour(&serde_json::to_vec(&envelope).unwrap_or_default())
}

fn armour(body: &[u8]) -> String {
    let text = B64.encode(body);
    let mut out = format!("{BEGIN}\n");
    for line in text.as_bytes().chunks(64) {
        out.push_str(&String::from_utf8_lossy(line));
        out.push('\n');
    }
    out.push_str(END);
    out.push('\n');
    out
}

/// A file taken apart, nothing verified.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decoded {
    pub key_hex: String,
    pub payload_bytes: Vec<u8>,
    pub signature: Vec<u8>,
    pub payload: Payload,
}

impl Decoded {
    /// The file again, with `payload_bytes` and `signature` as they are now.
    pub fn encode(&self) -> String {
        let envelope = Envelope {
            alg: "ed25519".into(),
            key: self.key_hex.clone(),
            payload: B64.encode(&self.payload_bytes),
            sig: B64.encode(&self.signature),
        };
        armour(&serde_json::to_vec(&envelope).unwrap_or_default())
    }
}

/// Takes a file apart: armour, envelope, payload. Text around the armour is ignored.
pub fn decode(text: &str) -> Result<Decoded, String> {
    let start = text.find(BEGIN).ok_or("no BEGIN line")? + BEGIN.len();
    let end = text[start..].find(END).ok_or("no END line")? + start;
    let body: String = text[start..end].split_whitespace().collect();
    let envelope: Envelope =
        serde_json::from_slice(&B64.decode(body).map_err(|e| e.to_string())?).map_err(|e| format!("envelope: {e}"))?;
    if envelope.alg != "ed25519" {
        return Err(format!("unknown alg {}", envelope.alg));
    }
    let payload_bytes = B64.decode(&envelope.payload).map_err(|e| format!("payload: {e}"))?;
    let payload = serde_json::from_slice(&payload_bytes).map_err(|e| format!("payload: {e}"))?;
    let signature = B64.decode(&envelope.sig).map_err(|e| format!("sig: {e}"))?;
    Ok(Decoded { key_hex: envelope.key, payload_bytes, signature, payload })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Payload {
        Payload {
            app: AppRef { id: 3, name: "MyApp".into() },
            entitlements: vec!["export".into()],
            expires_at: Some(2_000_000_000),
            issued_at: 1_700_000_000,
            license: LicenseRef { id: 9, key: "AAAA-BBBB".into() },
            machine: Some(Machine { id: "hw-1".into(), kind: MachineKind::Hwid }),
            ownerid: "abcdefghij".into(),
            plan: PlanRef { level: 2, name: "pro".into() },
            refresh_by: 1_700_086_400,
            ttl: 86_400,
            v: VERSION,
        }
    }

    #[test]
    fn payload_is_canonical_json_with_sorted_keys() {
        let text = String::from_utf8(serde_json::to_vec(&sample()).unwrap()).unwrap();
        assert_eq!(
            text,
            r#"{"app":{"id":3,"name":"MyApp"},"entitlements":["export"],"expires_at":2000000000,"issued_at":1700000000,"license":{"id":9,"key":"AAAA-BBBB"},"machine":{"id":"hw-1","kind":"hwid"},"ownerid":"abcdefghij","plan":{"level":2,"name":"pro"},"refresh_by":1700086400,"ttl":86400,"v":1}"#
        );
    }

    #[test]
    fn encodes_armoured_and_decodes_back() {
        let mut signed = Vec::new();
        let file = encode(&sample(), "ab", |m| {
            signed = m.to_vec();
            [7; 64]
        });
        assert!(file.starts_with(BEGIN) && file.trim_end().ends_with(END));
        assert!(file.lines().all(|l| l.len() <= 64 || l.starts_with("-----")));
        let d = decode(&format!("pasted:\n{file}\nthanks")).unwrap();
        assert_eq!(d.payload, sample());
        assert_eq!(d.key_hex, "ab");
        assert_eq!(d.signature, vec![7; 64]);
        assert_eq!(signed, [SIGNING_CONTEXT, &d.payload_bytes].concat());
        assert_eq!(decode(&d.encode()).unwrap(), d);
        assert!(decode("nothing").is_err());
        assert!(decode(&file.replace("-----END", "x")).is_err());
    }

    #[test]
    fn terms() {
        assert_eq!(license_end(Some(5), Some(10)), Ok(Some(5)));
        assert_eq!(license_end(None, None), Ok(None));
        assert_eq!(license_end(None, Some(10)), Err(TermError::NotStarted));
        assert_eq!(ttl(None, 3600), Ok(3600));
        assert_eq!(ttl(Some(60), 3600), Ok(60));
        assert!(ttl(Some(59), 3600).is_err() && ttl(Some(3601), 3600).is_err());
        assert_eq!(entitlements(vec!["b".into(), "a".into(), "b".into()]), Ok(vec!["a".into(), "b".into()]));
        assert!(entitlements(vec!["has space".into()]).is_err());
        assert!(entitlements(vec![String::new()]).is_err());
        assert!(entitlements(vec!["x".into(); 33]).is_err());
        assert_eq!(secs(1_999), 1);
        assert_eq!(secs(-1), -1);
    }
}
