//! The server's Ed25519 identity. Clients pin its public key and verify every client API
//! response: the signature covers the ASCII unix-seconds timestamp followed by the body bytes.

use ed25519_dalek::{Signer as _, SigningKey, VerifyingKey};
use std::io::Write;
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::Path;

pub struct Signer {
    key: SigningKey,
    public_hex: String,
}

impl std::fmt::Debug for Signer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never print the private half.
        f.debug_struct("Signer").field("public_hex", &self.public_hex).finish()
    }
}

impl Signer {
    pub fn from_seed(seed: [u8; 32]) -> Self {
        let key = SigningKey::from_bytes(&seed);
        let public_hex = hex::encode(key.verifying_key().as_bytes());
        Self { key, public_hex }
    }

    /// From a 64-hex-character seed given in configuration.
    pub fn from_hex(seed_hex: &str) -> Result<Self, String> {
        let bytes = hex::decode(seed_hex.trim()).map_err(|_| "signing_key must be 64 hex characters".to_string())?;
        let seed: [u8; 32] = bytes.try_into().map_err(|_| "signing_key must be 64 hex characters".to_string())?;
        Ok(Self::from_seed(seed))
    }

    /// Loads the key file, or creates it (mode 0600) when it does not exist. Two processes
    /// starting at once agree on one key: the file appears atomically via a hard link, and the
    /// loser of that race loads the winner's key.
    pub fn load_or_create(path: &Path, create: bool) -> Result<Self, String> {
        if path.exists() {
            return Self::load(path);
        }
        if !create {
            return Err(format!("signing key {} does not exist; pass --create to generate one", path.display()));
        }
        let dir = path.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."));
        crate::fsmode::create_private_dir(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
        let (tmp, seed) = new_key_file(dir)?;
        let linked = std::fs::hard_link(&tmp, path);
        let _ = std::fs::remove_file(&tmp);
        match linked {
            Ok(()) => Ok(Self::from_seed(seed)),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Self::load(path),
            Err(e) => Err(format!("cannot create signing key {}: {e}", path.display())),
        }
    }

    /// Writes a new key to `path`, keeping the current file as `<path>.<now_ms>.old`.
    pub fn replace_file(path: &Path, now_ms: i64) -> Result<Self, String> {
        let dir = path.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."));
        let (tmp, seed) = new_key_file(dir)?;
        if path.exists() {
            let mut kept = path.as_os_str().to_owned();
            kept.push(format!(".{now_ms}.old"));
            std::fs::rename(path, &kept).map_err(|e| format!("cannot keep the old key {}: {e}", path.display()))?;
        }
        std::fs::rename(&tmp, path).map_err(|e| format!("cannot write signing key {}: {e}", path.display()))?;
        Ok(Self::from_seed(seed))
    }

    fn load(path: &Path) -> Result<Self, String> {
        let meta = std::fs::metadata(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        if meta.permissions().mode() & 0o077 != 0 {
            tracing::warn!(path = %path.display(), "signing key file is readable by others; chmod 600 it");
        }
        let raw = std::fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        if raw.len() == 32 {
            let seed: [u8; 32] = raw.try_into().map_err(|_| "unreachable".to_string())?;
            return Ok(Self::from_seed(seed));
        }
        let text = String::from_utf8(raw).map_err(|_| format!("{}: not a signing key", path.display()))?;
        if text.contains("BEGIN PRIVATE KEY") {
            use ed25519_dalek::pkcs8::DecodePrivateKey;
            let key = SigningKey::from_pkcs8_pem(&text).map_err(|e| format!("{}: {e}", path.display()))?;
            return Ok(Self::from_seed(key.to_bytes()));
        }
        Self::from_hex(&text).map_err(|e| format!("{}: {e}", path.display()))
    }

    pub fn public_hex(&self) -> &str {
        &self.public_hex
    }

    pub fn verifying_key(&self) -> VerifyingKey {
        self.key.verifying_key()
    }

    /// The raw Ed25519 signature of `message` (offline license files sign their own
    /// domain-separated message, `domain::offline`).
    pub fn sign_message(&self, message: &[u8]) -> [u8; 64] {
        self.key.sign(message).to_bytes()
    }

    /// Lowercase hex signature over `timestamp || body`.
    pub fn sign(&self, timestamp: &str, body: &[u8]) -> String {
        let mut msg = Vec::with_capacity(timestamp.len() + body.len());
        msg.extend_from_slice(timestamp.as_bytes());
        msg.extend_from_slice(body);
        hex::encode(self.key.sign(&msg).to_bytes())
    }
}

/// A fresh random seed written (hex, mode 0600, synced) to a temporary file in `dir`, to be
/// moved into place by the caller.
fn new_key_file(dir: &Path) -> Result<(std::path::PathBuf, [u8; 32]), String> {
    let mut seed = [0u8; 32];
    getrandom::getrandom(&mut seed).map_err(|e| format!("OS random source failed: {e}"))?;
    let tmp = dir.join(format!(".signing.key.{}", std::process::id()));
    let write = || -> std::io::Result<()> {
        let mut f = std::fs::OpenOptions::new().write(true).create_new(true).mode(0o600).open(&tmp)?;
        f.write_all(hex::encode(seed).as_bytes())?;
        f.sync_all()
    };
    write().map_err(|e| format!("cannot write signing key in {}: {e}", dir.display()))?;
    Ok((tmp, seed))
}

#[cfg(test)]
mod tests {
    use super::*;
    use ed25519_dalek::{Signature, Verifier};

    #[test]
    fn signs_timestamp_then_body() {
        let s = Signer::from_seed([7; 32]);
        let sig = hex::decode(s.sign("1700000000", b"{\"a\":1}")).unwrap();
        let sig = Signature::from_slice(&sig).unwrap();
        assert!(s.verifying_key().verify(b"1700000000{\"a\":1}", &sig).is_ok());
        assert!(s.verifying_key().verify(b"1700000001{\"a\":1}", &sig).is_err());
    }

    #[test]
    fn creates_once_with_private_mode_and_reloads() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("k");
        assert!(Signer::load_or_create(&path, false).is_err());
        let a = Signer::load_or_create(&path, true).unwrap();
        assert_eq!(std::fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600);
        let b = Signer::load_or_create(&path, true).unwrap();
        assert_eq!(a.public_hex(), b.public_hex());
        std::fs::write(&path, "nonsense").unwrap();
        assert!(Signer::load_or_create(&path, true).is_err());
    }
}
