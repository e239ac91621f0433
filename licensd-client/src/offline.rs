//! Offline license files: verifying, without network, a license file that a licensd server
//! signed (the admin API's `POST /admin/v1/licenses/{id}/offline`, `licensd license checkout`,
//! or the Licenses API's `POST /api/v2/licenses/offline`).
//!
//! ```
//! use licensd_client::offline::{OfflineError, OfflineVerifier};
//! use std::time::SystemTime;
//!
//! # fn check(file: &str) -> Result<(), OfflineError> {
//! let verifier = OfflineVerifier::new(
//!     "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a", // the server's public key
//!     "XXXXXXXXXX", // the seller's ownerid
//!     "MyApp",      // the app's name
//! )?;
//! match verifier.verify(file, Some("this-machine-hwid"), SystemTime::now()) {
//!     Ok(license) => println!("{} ({}) until {:?}", license.key, license.plan, license.expires_at),
//!     // Still genuine, but the app must check out a fresh file online now.
//!     Err(OfflineError::RefreshDue { .. }) => println!("please connect to refresh your license"),
//!     Err(e) => return Err(e),
//! }
//! # Ok(()) }
//! ```
//!
//! # What is checked, in this order
//!
//! 1. The armour and the envelope parse ([`OfflineError::Malformed`]).
//! 2. The file names the key that signed it; it must be one this verifier trusts
//!    ([`OfflineError::UnknownKey`]), and its Ed25519 signature over `licensd-license-file-v1\n`
//!    followed by the payload bytes must verify ([`OfflineError::BadSignature`]). Only then is
//!    the payload read ([`OfflineError::UnsupportedVersion`] for a format this SDK does not know).
//! 3. A file signed by a retired key ([`OfflineVerifier::with_retired_key`]) counts only when it
//!    was issued before the key's retirement, or in its second ([`OfflineError::RetiredKey`]).
//! 4. The seller's `ownerid` and the app's name ([`OfflineError::WrongApp`]), then the machine
//!    the file is bound to, if any ([`OfflineError::WrongMachine`]).
//! 5. Time, each with the clock-skew tolerance ([`OfflineVerifier::with_max_skew`], 5 minutes by
//!    default): not issued in the future ([`OfflineError::NotYetValid`]), the license not past its
//!    expiry ([`OfflineError::Expired`]), the file not past its time-to-live
//!    ([`OfflineError::RefreshDue`]: check out a fresh file online).

use base64::{Engine as _, engine::general_purpose::STANDARD as B64};
use ed25519_dalek::{Signature, Verifier, VerifyingKey};
use serde::Deserialize;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

const BEGIN: &str = "-----BEGIN LICENSD LICENSE FILE-----";
const END: &str = "-----END LICENSD LICENSE FILE-----";
const SIGNING_CONTEXT: &[u8] = b"licensd-license-file-v1\n";
const VERSION: u64 = 1;
const DEFAULT_MAX_SKEW: Duration = Duration::from_secs(300);

/// Why a file is refused. Every check has its own variant.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum OfflineError {
    /// A public key given to the verifier is not 64 hex digits of an Ed25519 key.
    #[error("invalid public key: {0}")]
    InvalidPublicKey(String),
    /// Not a license file: no armour, bad base64 or JSON, or a payload without the fields of its version.
    #[error("not a well-formed license file: {0}")]
    Malformed(String),
    /// Signed by a key this verifier does not trust (another server, or a key not yet pinned).
    #[error("the file is signed by a key this program does not trust ({0})")]
    UnknownKey(String),
    /// The signature does not verify: the file was altered or forged.
    #[error("the file's signature does not verify: it was altered or forged")]
    BadSignature,
    /// A payload version this SDK does not know.
    #[error("license file format version {0} is not supported")]
    UnsupportedVersion(u64),
    /// Signed by a retired key after its retirement.
    #[error("the file was signed by a retired key after it was retired")]
    RetiredKey,
    /// A file for another seller or app.
    #[error("the file is for another application ({ownerid}/{app})")]
    WrongApp {
        /// The file's `ownerid`.
        ownerid: String,
        /// The file's app name.
        app: String,
    },
    /// The file is bound to another machine (or to one, and none was given).
    #[error("the file is bound to another machine")]
    WrongMachine,
    /// Issued later than the local clock (plus the tolerance) allows: the clock is far behind.
    #[error("the file was issued in the future (unix {issued_at}): check this machine's clock")]
    NotYetValid {
        /// When the file says it was issued (unix seconds).
        issued_at: i64,
    },
    /// The license itself has expired.
    #[error("the license expired at unix {expires_at}")]
    Expired {
        /// When (unix seconds).
        expires_at: i64,
    },
    /// The file's time-to-live has passed: the app must check out a fresh file online (where a
    /// banned or switched-off license gets none).
    #[error("the license file must be refreshed online (due at unix {refresh_by})")]
    RefreshDue {
        /// When the refresh was due (unix seconds).
        refresh_by: i64,
    },
}

/// The machine a file is bound to.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Machine {
    /// What `id` is.
    pub kind: MachineKind,
    /// The HWID or the instance id.
    pub id: String,
}

/// Kinds of machine binding.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum MachineKind {
    /// A client API hardware id.
    Hwid,
    /// A Licenses API instance id (UUID).
    Instance,
}

/// A verified file's content.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OfflineLicense {
    /// The license key.
    pub key: String,
    /// The license's id on the server.
    pub license_id: i64,
    /// The seller's `ownerid`.
    pub ownerid: String,
    /// The app's name.
    pub app: String,
    /// The app's id on the server.
    pub app_id: i64,
    /// The plan's name.
    pub plan: String,
    /// The plan's level.
    pub level: i64,
    /// The seller's feature names.
    pub entitlements: Vec<String>,
    /// When the file was issued.
    pub issued_at: SystemTime,
    /// When the license ends; `None`: never.
    pub expires_at: Option<SystemTime>,
    /// When the app must check out a fresh file online.
    pub refresh_by: SystemTime,
    /// The machine the file is bound to; `None`: any.
    pub machine: Option<Machine>,
    /// The public key (hex) that signed the file.
    pub signed_by: String,
}

#[derive(Deserialize)]
struct Envelope {
    alg: String,
    key: String,
    payload: String,
    sig: String,
}

#[derive(Deserialize)]
struct Version {
    v: u64,
}

#[derive(Deserialize)]
struct Payload {
    app: AppRef,
    entitlements: Vec<String>,
    expires_at: Option<i64>,
    issued_at: i64,
    license: LicenseRef,
    machine: Option<Machine>,
    ownerid: String,
    plan: PlanRef,
    refresh_by: i64,
}

#[derive(Deserialize)]
struct AppRef {
    id: i64,
    name: String,
}

#[derive(Deserialize)]
struct LicenseRef {
    id: i64,
    key: String,
}

#[derive(Deserialize)]
struct PlanRef {
    level: i64,
    name: String,
}

struct TrustedKey {
    hex: String,
    key: VerifyingKey,
    /// Unix seconds; files issued later are refused (times are whole seconds, so a file of the
    /// retirement's own second still counts: every process had stopped by then).
    retired_at: Option<i64>,
}

/// Verifies license files of one app against the server's public key(s).
pub struct OfflineVerifier {
    keys: Vec<TrustedKey>,
    ownerid: String,
    app: String,
    max_skew: Duration,
}

impl OfflineVerifier {
    /// A verifier of the app `app_name` of the seller `ownerid`, trusting the server's current
    /// public key (64 hex digits: `GET /api/info`, `licensd pubkey`).
    pub fn new(public_key_hex: &str, ownerid: &str, app_name: &str) -> Result<Self, OfflineError> {
        let current = trusted(public_key_hex, None)?;
        Ok(Self {
            keys: vec![current],
            ownerid: ownerid.to_owned(),
            app: app_name.to_owned(),
            max_skew: DEFAULT_MAX_SKEW,
        })
    }

    /// Also trusts a key the server used before `licensd key rotate`, for the files it signed
    /// before `retired_at` (the rotation's time), until they expire or their TTL passes.
    pub fn with_retired_key(mut self, public_key_hex: &str, retired_at: SystemTime) -> Result<Self, OfflineError> {
        let at = retired_at.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs() as i64);
        self.keys.push(trusted(public_key_hex, Some(at))?);
        Ok(self)
    }

    /// How far the local clock may be off the server's (default 5 minutes).
    pub fn with_max_skew(mut self, max_skew: Duration) -> Self {
        self.max_skew = max_skew;
        self
    }

    /// Verifies `file` for this machine (`machine`: its HWID or instance id; `None` accepts
    /// only unbound files) at `now`.
    pub fn verify(&self, file: &str, machine: Option<&str>, now: SystemTime) -> Result<OfflineLicense, OfflineError> {
        let envelope = unarmour(file)?;
        let trusted = self
            .keys
            .iter()
            .find(|k| k.hex.eq_ignore_ascii_case(&envelope.key))
            .ok_or_else(|| OfflineError::UnknownKey(envelope.key.clone()))?;
        let payload_bytes = B64.decode(&envelope.payload).map_err(|e| malformed("payload", e))?;
        let sig: [u8; 64] = B64
            .decode(&envelope.sig)
            .ok()
            .and_then(|s| s.try_into().ok())
            .ok_or_else(|| OfflineError::Malformed("sig is not a base64 Ed25519 signature".into()))?;
        let message = [SIGNING_CONTEXT, &payload_bytes].concat();
        trusted.key.verify(&message, &Signature::from_bytes(&sig)).map_err(|_| OfflineError::BadSignature)?;
        let Version { v } = serde_json::from_slice(&payload_bytes).map_err(|e| malformed("payload", e))?;
        if v != VERSION {
            return Err(OfflineError::UnsupportedVersion(v));
        }
        let p: Payload = serde_json::from_slice(&payload_bytes).map_err(|e| malformed("payload", e))?;
        if trusted.retired_at.is_some_and(|at| p.issued_at > at) {
            return Err(OfflineError::RetiredKey);
        }
        if p.ownerid != self.ownerid || p.app.name != self.app {
            return Err(OfflineError::WrongApp { ownerid: p.ownerid, app: p.app.name });
        }
        if p.machine.as_ref().is_some_and(|m| Some(m.id.as_str()) != machine) {
            return Err(OfflineError::WrongMachine);
        }
        self.check_times(&p, now)?;
        Ok(OfflineLicense {
            key: p.license.key,
            license_id: p.license.id,
            ownerid: p.ownerid,
            app: p.app.name,
            app_id: p.app.id,
            plan: p.plan.name,
            level: p.plan.level,
            entitlements: p.entitlements,
            issued_at: time(p.issued_at)?,
            expires_at: p.expires_at.map(time).transpose()?,
            refresh_by: time(p.refresh_by)?,
            machine: p.machine,
            signed_by: trusted.hex.clone(),
        })
    }

    fn check_times(&self, p: &Payload, now: SystemTime) -> Result<(), OfflineError> {
        let now = match now.duration_since(UNIX_EPOCH) {
            Ok(d) => d.as_secs() as i64,
            Err(e) => -(e.duration().as_secs() as i64),
        };
        let skew = self.max_skew.as_secs() as i64;
        if p.issued_at > now.saturating_add(skew) {
            return Err(OfflineError::NotYetValid { issued_at: p.issued_at });
        }
        if let Some(expires_at) = p.expires_at.filter(|&at| now >= at.saturating_add(skew)) {
            return Err(OfflineError::Expired { expires_at });
        }
        if now >= p.refresh_by.saturating_add(skew) {
            return Err(OfflineError::RefreshDue { refresh_by: p.refresh_by });
        }
        Ok(())
    }
}

fn trusted(public_key_hex: &str, retired_at: Option<i64>) -> Result<TrustedKey, OfflineError> {
    let key = crate::verify::parse_key(public_key_hex).map_err(|e| OfflineError::InvalidPublicKey(e.to_string()))?;
    Ok(TrustedKey { hex: hex::encode(key.as_bytes()), key, retired_at })
}

fn unarmour(file: &str) -> Result<Envelope, OfflineError> {
    let start = file.find(BEGIN).ok_or_else(|| OfflineError::Malformed("no BEGIN line".into()))? + BEGIN.len();
    let end = file[start..].find(END).ok_or_else(|| OfflineError::Malformed("no END line".into()))? + start;
    let body: String = file[start..end].split_whitespace().collect();
    let bytes = B64.decode(body).map_err(|e| malformed("armour", e))?;
    let envelope: Envelope = serde_json::from_slice(&bytes).map_err(|e| malformed("envelope", e))?;
    if envelope.alg != "ed25519" {
        return Err(OfflineError::Malformed(format!("unknown alg {:?}", envelope.alg)));
    }
    Ok(envelope)
}

fn malformed(part: &str, e: impl std::fmt::Display) -> OfflineError {
    OfflineError::Malformed(format!("{part}: {e}"))
}

fn time(unix_secs: i64) -> Result<SystemTime, OfflineError> {
    u64::try_from(unix_secs)
        .map(|s| UNIX_EPOCH + Duration::from_secs(s))
        .map_err(|_| OfflineError::Malformed(format!("time {unix_secs} before 1970")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use ed25519_dalek::{Signer, SigningKey};

    const NOW: i64 = 1_800_000_000;

    fn payload(machine: Option<&str>) -> serde_json::Value {
        serde_json::json!({
            "app": {"id": 1, "name": "MyApp"}, "entitlements": ["pro"], "expires_at": NOW + 1000,
            "issued_at": NOW - 10, "license": {"id": 2, "key": "KEY-1"},
            "machine": machine.map(|m| serde_json::json!({"id": m, "kind": "hwid"})),
            "ownerid": "owner12345", "plan": {"level": 1, "name": "basic"}, "refresh_by": NOW + 100,
            "ttl": 110, "v": 1
        })
    }

    fn file(key: &SigningKey, payload: &serde_json::Value) -> String {
        let bytes = serde_json::to_vec(payload).unwrap();
        let sig = key.sign(&[SIGNING_CONTEXT, &bytes].concat());
        let env = serde_json::json!({
            "alg": "ed25519", "key": hex::encode(key.verifying_key().as_bytes()),
            "payload": B64.encode(&bytes), "sig": B64.encode(sig.to_bytes()),
        });
        format!("{BEGIN}\n{}\n{END}\n", B64.encode(serde_json::to_vec(&env).unwrap()))
    }

    fn at(secs: i64) -> SystemTime {
        UNIX_EPOCH + Duration::from_secs(secs as u64)
    }

    fn verifier(key: &SigningKey) -> OfflineVerifier {
        OfflineVerifier::new(&hex::encode(key.verifying_key().as_bytes()), "owner12345", "MyApp").unwrap()
    }

    #[test]
    fn each_check_has_its_own_refusal() {
        let key = SigningKey::from_bytes(&[1; 32]);
        let other = SigningKey::from_bytes(&[2; 32]);
        let v = verifier(&key).with_max_skew(Duration::from_secs(5));
        let bound = file(&key, &payload(Some("hw-1")));
        let ok = v.verify(&bound, Some("hw-1"), at(NOW)).unwrap();
        assert_eq!((ok.key.as_str(), ok.level, ok.entitlements.as_slice()), ("KEY-1", 1, &["pro".to_owned()][..]));
        assert_eq!(v.verify(&bound, Some("hw-2"), at(NOW)), Err(OfflineError::WrongMachine));
        assert_eq!(v.verify(&bound, None, at(NOW)), Err(OfflineError::WrongMachine));
        assert!(v.verify(&file(&key, &payload(None)), Some("any"), at(NOW)).is_ok());
        assert!(matches!(v.verify(&file(&other, &payload(None)), None, at(NOW)), Err(OfflineError::UnknownKey(_))));
        assert_eq!(v.verify(&bound, Some("hw-1"), at(NOW + 104)).map(|_| ()), Ok(()), "within the skew");
        assert!(matches!(v.verify(&bound, Some("hw-1"), at(NOW + 105)), Err(OfflineError::RefreshDue { .. })));
        assert!(matches!(v.verify(&bound, Some("hw-1"), at(NOW + 2000)), Err(OfflineError::Expired { .. })));
        assert!(matches!(v.verify(&bound, Some("hw-1"), at(NOW - 20)), Err(OfflineError::NotYetValid { .. })));
        let mut p = payload(None);
        p["ownerid"] = "someone".into();
        assert!(matches!(v.verify(&file(&key, &p), None, at(NOW)), Err(OfflineError::WrongApp { .. })));
        p = payload(None);
        p["v"] = 2.into();
        assert_eq!(v.verify(&file(&key, &p), None, at(NOW)), Err(OfflineError::UnsupportedVersion(2)));
        assert!(matches!(v.verify("hello", None, at(NOW)), Err(OfflineError::Malformed(_))));
        assert!(matches!(OfflineVerifier::new("abcd", "o", "a"), Err(OfflineError::InvalidPublicKey(_))));
    }

    #[test]
    fn an_altered_payload_breaks_the_signature() {
        let key = SigningKey::from_bytes(&[1; 32]);
        let good = file(&key, &payload(None));
        let body: String = good.lines().filter(|l| !l.starts_with("-----")).collect();
        let mut env: serde_json::Value = serde_json::from_slice(&B64.decode(body).unwrap()).unwrap();
        let mut p = payload(None);
        p["expires_at"] = serde_json::Value::Null;
        env["payload"] = B64.encode(serde_json::to_vec(&p).unwrap()).into();
        let forged = format!("{BEGIN}\n{}\n{END}\n", B64.encode(serde_json::to_vec(&env).unwrap()));
        assert_eq!(verifier(&key).verify(&forged, None, at(NOW)), Err(OfflineError::BadSignature));
    }

    #[test]
    fn a_retired_key_verifies_only_what_it_signed_before_its_retirement() {
        let old = SigningKey::from_bytes(&[1; 32]);
        let new = SigningKey::from_bytes(&[2; 32]);
        let ring = verifier(&new).with_retired_key(&hex::encode(old.verifying_key().as_bytes()), at(NOW)).unwrap();
        let before = file(&old, &payload(None));
        assert_eq!(
            ring.verify(&before, None, at(NOW + 50)).unwrap().signed_by,
            hex::encode(old.verifying_key().as_bytes())
        );
        let mut p = payload(None);
        p["issued_at"] = NOW.into();
        assert!(ring.verify(&file(&old, &p), None, at(NOW + 50)).is_ok(), "the retirement's own second");
        p["issued_at"] = (NOW + 1).into();
        assert_eq!(ring.verify(&file(&old, &p), None, at(NOW + 50)), Err(OfflineError::RetiredKey));
        assert!(ring.verify(&file(&new, &p), None, at(NOW + 50)).is_ok());
    }
}
