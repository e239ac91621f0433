//! KeyAuth's records as licensd's: which fields mean what, and why a record is skipped. Plans
//! are resolved by the caller; a user's subscriptions are attached there too.

use super::parse::{Row, number, text};
use crate::domain::ids::PlanId;
use crate::domain::{secret, validate};
use crate::manage::client_tokens;
use crate::services::password;
use crate::store::client_tokens::NewClientToken;
use crate::store::keyauth_import::{ImportedKey, ImportedUser};
use serde_json::Value;

/// Longest username, HWID, IP or ban reason taken from a file.
const MAX_TEXT: usize = 256;
/// Longest key note.
const MAX_NOTE: usize = 1_000;
const DAY_SECS: f64 = 86_400.0;

/// A user row; `Err` is the reason it is skipped.
pub fn user(row: &Row, now: i64) -> Result<ImportedUser, String> {
    let username = text(row, "username").ok_or("no username")?;
    let username = validate::name("username", &username, MAX_TEXT).map_err(|e| e.to_string())?;
    let email = match text(row, "email") {
        Some(e) => Some(validate::email("email", &e).map_err(|e| e.to_string())?),
        None => None,
    };
    let password_hash = text(row, "password");
    // Only hashes are taken: a plain or unknown value would become a password nobody knows.
    if let Some(h) = &password_hash
        && !password::is_legacy(h)
        && !h.starts_with("$argon2id$")
    {
        return Err("password is not a bcrypt hash".into());
    }
    // KeyAuth's `addhwiduser` appends to the one column; commas separate the HWIDs.
    let hwids: Vec<String> = text(row, "hwid")
        .map(|h| h.split(',').map(str::trim).filter(|h| !h.is_empty()).map(str::to_owned).collect())
        .unwrap_or_default();
    if hwids.iter().any(|h| h.chars().count() > MAX_TEXT) {
        return Err(format!("a HWID is longer than {MAX_TEXT} characters"));
    }
    let ip = bounded(row, "ip")?;
    // The `banned` column holds the reason, NULL when not banned.
    let banned_reason = bounded(row, "banned")?.filter(|r| r != "0");
    let created_at = match number(row, "createdate")? {
        Some(secs) => secs_to_ms(secs)?,
        None => now,
    };
    Ok(ImportedUser { username, email, password_hash, ip, banned_reason, created_at, hwids, subscriptions: Vec::new() })
}

/// A subscription row: the username, KeyAuth's subscription name and the expiry (unix ms).
pub fn subscription(row: &Row) -> Result<(String, String, Option<i64>), String> {
    let user = text(row, "user").ok_or("no user")?;
    let name = text(row, "subscription").unwrap_or_else(|| "default".into());
    let expires = number(row, "expiry")?.map(secs_to_ms).transpose()?;
    Ok((user, name, expires))
}

/// A key row and its level; `plan_id` is filled in by the caller.
pub fn key(row: &Row, now: i64) -> Result<(ImportedKey, i64), String> {
    let key = text(row, "key").ok_or("no key")?;
    // The rule of licensd's own license import.
    if key.len() > 200 || key.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err("key must be 1-200 characters without spaces".into());
    }
    let level = number(row, "level")?.unwrap_or(1.0);
    if level.fract() != 0.0 || !(0.0..=1_000_000.0).contains(&level) {
        return Err(format!("level is not a whole number 0 to 1000000: {level}"));
    }
    // `expires` (seller API, seconds) or `expiry` (dashboard download, days).
    let secs = match (number(row, "expires")?, number(row, "expiry")?) {
        (Some(s), _) => Some(s),
        (None, Some(days)) => Some(days * DAY_SECS),
        (None, None) => None,
    };
    let duration_secs = secs.map(|s| s.round() as i64);
    if duration_secs.is_some_and(|s| s <= 0) {
        return Err("expiry is not positive".into());
    }
    let status = text(row, "status");
    let used = match status.as_deref() {
        None | Some("Not Used") | Some("Banned") => false,
        Some("Used") => true,
        Some(other) => return Err(format!("unknown status {other:?}")),
    };
    let mut banned_reason = bounded(row, "banned")?.filter(|r| r != "0");
    if status.as_deref() == Some("Banned") && banned_reason.is_none() {
        banned_reason = Some("banned in KeyAuth".into());
    }
    let note = text(row, "note").unwrap_or_default();
    if note.chars().count() > MAX_NOTE {
        return Err(format!("note is longer than {MAX_NOTE} characters"));
    }
    let (used_by, used_at) = if used {
        let at = match number(row, "usedon")? {
            Some(secs) => secs_to_ms(secs)?,
            None => now,
        };
        (bounded(row, "usedby")?, Some(at))
    } else {
        (None, None)
    };
    // A used key's time ran from its use, as licensd's own keys do.
    let expires_at = used_at.zip(duration_secs).map(|(at, d)| at.saturating_add(d.saturating_mul(1000)));
    let plan_id = PlanId(0);
    let k = ImportedKey { key, plan_id, duration_secs, expires_at, banned_reason, note, used_by, used_at };
    Ok((k, level as i64))
}

/// A row of KeyAuth's `tokens` table, as licensd stores it: the digest, not the token.
#[derive(Debug, Clone)]
pub struct ImportedToken {
    pub digest: String,
    pub hint: String,
    pub kind: &'static str,
    pub assigned: String,
    pub file_hash: Option<String>,
    pub banned: bool,
    pub reason: String,
}

impl ImportedToken {
    pub fn as_new(&self) -> NewClientToken<'_> {
        NewClientToken {
            digest: &self.digest,
            hint: &self.hint,
            kind: self.kind,
            assigned: &self.assigned,
            file_hash: self.file_hash.as_deref(),
            banned: self.banned,
            reason: &self.reason,
        }
    }
}

/// A token row: `token`, `type` (`license` or `user`; anything else is `other`), `assigned`,
/// `banned` (0 or 1), `reason`, `hash` (the file hash its first `init` locked, if any).
pub fn token(row: &Row) -> Result<ImportedToken, String> {
    let token = text(row, "token").ok_or("no token")?;
    let (min, max) = (client_tokens::MIN_IMPORTED_CHARS, client_tokens::MAX_CHARS);
    if !(min..=max).contains(&token.chars().count()) || token.chars().any(char::is_control) {
        return Err(format!("token must be {min}-{max} characters without control characters"));
    }
    let kind = match text(row, "type").map(|t| t.to_ascii_lowercase()).as_deref() {
        Some("license") => "license",
        Some("user") => "user",
        _ => "other",
    };
    // MySQL's tinyint: 0 or 1, quoted or not, or a JSON boolean from another exporter.
    let banned = match row.fields.get("banned") {
        Some(Value::Bool(b)) => *b,
        _ => match text(row, "banned").as_deref() {
            None | Some("0") | Some("false") => false,
            Some("1") | Some("true") => true,
            Some(other) => return Err(format!("banned is not 0 or 1: {other:?}")),
        },
    };
    let reason = match bounded(row, "reason")? {
        _ if !banned => String::new(),
        Some(r) => r,
        None => client_tokens::DEFAULT_REASON.to_owned(),
    };
    Ok(ImportedToken {
        digest: secret::hash_secret(&token),
        hint: client_tokens::hint(&token),
        kind,
        assigned: bounded(row, "assigned")?.unwrap_or_default(),
        file_hash: match text(row, "hash") {
            Some(h) if h.chars().count() > client_tokens::MAX_HASH_CHARS => {
                return Err(format!("hash is longer than {} characters", client_tokens::MAX_HASH_CHARS));
            }
            h => h,
        },
        banned,
        reason,
    })
}

fn bounded(row: &Row, name: &str) -> Result<Option<String>, String> {
    match text(row, name) {
        Some(t) if t.chars().count() > MAX_TEXT => Err(format!("{name} is longer than {MAX_TEXT} characters")),
        t => Ok(t),
    }
}

/// Unix seconds (KeyAuth's timestamps) as licensd's milliseconds.
fn secs_to_ms(secs: f64) -> Result<i64, String> {
    if !(0.0..=1e13).contains(&secs) {
        return Err(format!("timestamp out of range: {secs}"));
    }
    Ok((secs * 1000.0).round() as i64)
}
