//! Typed results of the client API actions, read from the answers' JSON members. Numbers the
//! protocol sends as strings (counts, unix seconds) are parsed into integers here.

use crate::error::{Error, Result};
use serde::{Deserialize, Deserializer, de::DeserializeOwned};
use serde_json::{Map, Value};

/// The application as `init` and `fetchStats` describe it (`appinfo`).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct AppInfo {
    /// Users of the app; `None` when the server does not count them here (licensd's `init`
    /// answers `N/A - Use fetchStats() ...`; `fetch_stats` has the numbers).
    #[serde(rename = "numUsers", deserialize_with = "count")]
    pub num_users: Option<u64>,
    /// Users with a live validated session; `None` as for `num_users`.
    #[serde(rename = "numOnlineUsers", deserialize_with = "count")]
    pub num_online_users: Option<u64>,
    /// License keys of the app; `None` as for `num_users`.
    #[serde(rename = "numKeys", deserialize_with = "count")]
    pub num_keys: Option<u64>,
    /// The app's current version.
    pub version: String,
    /// The seller's customer panel link (may be empty).
    #[serde(rename = "customerPanelLink")]
    pub customer_panel_link: String,
}

/// What `init` learned: the app, and the server's public key as its answer names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InitInfo {
    /// The app's `appinfo`.
    pub app: AppInfo,
    /// The server's Ed25519 public key (hex) from the answer's `pubkey`, if it sent one.
    pub pubkey: Option<String>,
    /// The app's changelog (only `/api/1.4/` sends it).
    pub changelog: Option<String>,
}

/// The signed-in user (`info` of register, login and license).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct UserInfo {
    /// The username (a `license` user's is its key).
    pub username: String,
    /// The running subscriptions, lowest level first; never empty after a sign-in.
    pub subscriptions: Vec<Subscription>,
    /// The client address the server saw.
    pub ip: String,
    /// The HWID sent, else the first bound one.
    pub hwid: Option<String>,
    /// When the user was created (unix seconds).
    #[serde(deserialize_with = "seconds")]
    pub createdate: i64,
    /// The last sign-in (unix seconds).
    #[serde(deserialize_with = "seconds")]
    pub lastlogin: i64,
}

/// One running subscription of the user.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Subscription {
    /// The plan's name.
    pub subscription: String,
    /// The last key redeemed for it, if any.
    pub key: Option<String>,
    /// When it ends (unix seconds; 4102444800, 2100-01-01, for a lifetime one).
    #[serde(deserialize_with = "seconds")]
    pub expiry: i64,
    /// Seconds left.
    pub timeleft: i64,
    /// The plan's level.
    pub level: String,
}

/// One chat message (`chatget`).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct ChatMessage {
    /// The author's public name.
    pub author: String,
    /// The text.
    pub message: String,
    /// When it was posted (unix seconds).
    pub timestamp: i64,
}

/// The two steps of `2faenable`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TwoFactorSetup {
    /// Without a code: the secret to put into an authenticator app.
    Secret {
        /// The TOTP secret, base32.
        secret_code: String,
        /// An `otpauth://` URI (for a QR code).
        qr_code: String,
    },
    /// With a valid code: 2FA is now on for the account.
    Activated,
}

/// A signed offline license file as a checkout answers it (`offline` of the client API,
/// `offline` of the Licenses API). Verify and keep the file with
/// [`OfflineVerifier`](crate::offline::OfflineVerifier); the times are what the server says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OfflineFile {
    /// The armoured file (`-----BEGIN LICENSD LICENSE FILE-----` ...).
    pub file: String,
    /// When the app must check out a fresh file online (unix seconds).
    pub refresh_by: i64,
    /// When the license ends (unix seconds); `None` for a lifetime license.
    pub expires_at: Option<i64>,
}

/// Reads member `key` of a verified answer as `T`.
pub(crate) fn member<T: DeserializeOwned>(doc: &Map<String, Value>, key: &str) -> Result<T> {
    let value = doc.get(key).cloned().unwrap_or(Value::Null);
    serde_json::from_value(value).map_err(|e| Error::Malformed(format!("member {key:?}: {e}")))
}

/// Unix seconds sent as a decimal string (clients parse them as numbers; integers are accepted too).
fn seconds<'de, D: Deserializer<'de>>(d: D) -> Result<i64, D::Error> {
    match Value::deserialize(d)? {
        Value::Number(n) => n.as_i64().ok_or_else(|| serde::de::Error::custom("not an integer")),
        Value::String(s) => s.parse().map_err(serde::de::Error::custom),
        other => Err(serde::de::Error::custom(format!("expected unix seconds, got {other}"))),
    }
}

/// A count sent as a decimal string; a text that is not a number (licensd's `init`) is `None`.
fn count<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u64>, D::Error> {
    Ok(match Value::deserialize(d)? {
        Value::Number(n) => n.as_u64(),
        Value::String(s) => s.parse().ok(),
        _ => None,
    })
}
