//! KeyAuth's token system: with an app's `token_system` on, every `init` presents a client token
//! (a file the seller hands to each copy of the program) and a hash of that file. The seller
//! makes, lists, bans, unbans, resets and deletes tokens here (through a `ClientApp`); `init`
//! asks `check` for the verdict. Tokens are stored as SHA-256 digests, shown once when made.

use super::{ManageError, change, client_data::ClientApp};
use crate::domain::ids::AppId;
use crate::domain::{secret, time::now_ms, validate};
use crate::store::{
    Page, Store, StoreError,
    client_tokens::{ClientToken, NewClientToken},
};

/// Characters of a token licensd makes: KeyAuth's 32 hex digits (128 random bits).
pub const TOKEN_CHARS: usize = 32;
/// Longest token accepted from an import or an `init`, and longest label or reason.
pub const MAX_CHARS: usize = 255;
/// Shortest token an import takes: a shorter one is guessable (KeyAuth's have 32 characters).
pub const MIN_IMPORTED_CHARS: usize = 16;
/// Longest file hash locked or compared: the official C++ client sends the token file's path
/// as its `thash`, and a Windows path may be long.
pub const MAX_HASH_CHARS: usize = 1_024;
/// KeyAuth's reason of a ban given without one.
pub const DEFAULT_REASON: &str = "Token is banned";

/// What `assigned` names, as KeyAuth's `type` column says it.
pub const KINDS: [&str; 3] = ["license", "user", "other"];

/// A token just made: the only time its text is shown.
#[derive(Debug, Clone)]
pub struct MadeToken {
    pub token: String,
    pub row: ClientToken,
}

/// What `init`'s token check found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    Accepted,
    /// No token of the app has this text.
    Unknown,
    /// Banned, with the seller's reason.
    Banned(String),
    /// The token's first `init` locked another file hash.
    HashMismatch,
}

/// A token's kind from the request (`license`, `user` or `other`; default `other`).
pub fn kind(value: Option<&str>) -> Result<&'static str, ManageError> {
    let v = value.unwrap_or("other").trim().to_ascii_lowercase();
    KINDS.into_iter().find(|k| *k == v).ok_or_else(|| ManageError::invalid("kind", "must be license, user or other"))
}

/// The last four characters, to tell tokens apart in a listing without showing them.
pub fn hint(token: &str) -> String {
    let chars: Vec<char> = token.chars().collect();
    chars[chars.len().saturating_sub(4)..].iter().collect()
}

/// Makes a token for what `assigned` names (a key, a username, or any label).
pub async fn create(
    store: &Store,
    at: &ClientApp,
    kind_name: Option<&str>,
    assigned: &str,
) -> Result<MadeToken, ManageError> {
    let kind = kind(kind_name)?;
    let assigned = validate::bounded("assigned", assigned.trim(), MAX_CHARS)?;
    let token = secret::random_string(b"0123456789abcdef", TOKEN_CHARS);
    let digest = secret::hash_secret(&token);
    let new = NewClientToken {
        digest: &digest,
        hint: &hint(&token),
        kind,
        assigned: &assigned,
        file_hash: None,
        banned: false,
        reason: "",
    };
    change(store, async |store| {
        let row = store.insert_client_token(at.id(), &new, now_ms()).await?.ok_or_else(|| {
            // 128 random bits do not repeat; a repeat means the generator is broken.
            ManageError::Store(StoreError::Conflict("client token digest".into()))
        })?;
        at.audit(store, "client_token.create", &row.id.to_string(), &format!("{kind}:{assigned}")).await?;
        Ok(MadeToken { token, row })
    })
    .await
}

pub async fn list(store: &Store, at: &ClientApp, page: Page) -> Result<Vec<ClientToken>, ManageError> {
    Ok(store.list_client_tokens(at.id(), page).await?)
}

/// Bans token `id`: every later `init` with it is refused with `reason`.
pub async fn ban(store: &Store, at: &ClientApp, id: i64, reason: Option<&str>) -> Result<ClientToken, ManageError> {
    let reason = validate::bounded("reason", reason.unwrap_or("").trim(), MAX_CHARS)?;
    let reason = if reason.is_empty() { DEFAULT_REASON.to_owned() } else { reason };
    change(store, async |store| {
        let row = store.set_client_token_ban(at.id(), id, true, &reason).await.map_err(not_found)?;
        at.audit(store, "client_token.ban", &id.to_string(), &reason).await?;
        Ok(row)
    })
    .await
}

pub async fn unban(store: &Store, at: &ClientApp, id: i64) -> Result<ClientToken, ManageError> {
    change(store, async |store| {
        let row = store.set_client_token_ban(at.id(), id, false, "").await.map_err(not_found)?;
        at.audit(store, "client_token.unban", &id.to_string(), "").await?;
        Ok(row)
    })
    .await
}

/// Forgets the file hash token `id` locked, so its next `init` locks a new one (a program
/// update that changed the token file).
pub async fn reset_hash(store: &Store, at: &ClientApp, id: i64) -> Result<ClientToken, ManageError> {
    change(store, async |store| {
        let row = store.reset_client_token_hash(at.id(), id).await.map_err(not_found)?;
        at.audit(store, "client_token.reset_hash", &id.to_string(), "").await?;
        Ok(row)
    })
    .await
}

pub async fn delete(store: &Store, at: &ClientApp, id: i64) -> Result<(), ManageError> {
    change(store, async |store| {
        store.delete_client_token(at.id(), id).await.map_err(not_found)?;
        at.audit(store, "client_token.delete", &id.to_string(), "").await
    })
    .await
}

fn not_found(e: StoreError) -> ManageError {
    ManageError::from_store("client token", "id")(e)
}

/// `init`'s check of a presented token and file hash (both trimmed and non-empty). The first
/// `init` of a token locks its hash with a conditional update, so of two racing first inits
/// with different hashes one wins and the other is compared with the winner's.
pub async fn check(store: &Store, app_id: AppId, token: &str, file_hash: &str) -> Result<Verdict, StoreError> {
    if token.chars().count() > MAX_CHARS {
        return Ok(Verdict::Unknown);
    }
    let digest = secret::hash_secret(token);
    // Twice at most: a failed lock means another init locked first (compare with its hash),
    // or the seller reset the hash in between (lock again).
    for _ in 0..2 {
        let Some(found) = store.client_token_by_digest(app_id, &digest).await? else {
            return Ok(Verdict::Unknown);
        };
        if found.banned {
            return Ok(Verdict::Banned(found.reason));
        }
        match found.file_hash {
            Some(locked) => return Ok(compare(&locked, file_hash)),
            // No hash this long can be locked: it cannot be the token's file.
            None if file_hash.chars().count() > MAX_HASH_CHARS => return Ok(Verdict::HashMismatch),
            None if store.lock_client_token_hash(app_id, found.id, file_hash, now_ms()).await? => {
                return Ok(Verdict::Accepted);
            }
            None => continue,
        }
    }
    // Locked and reset again between every read: judged as a mismatch, the client retries.
    Ok(Verdict::HashMismatch)
}

fn compare(locked: &str, presented: &str) -> Verdict {
    if secret::constant_time_eq(locked.as_bytes(), presented.as_bytes()) {
        Verdict::Accepted
    } else {
        Verdict::HashMismatch
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hints_are_the_last_four_characters() {
        assert_eq!(hint("0123456789abcdef"), "cdef");
        assert_eq!(hint("ab"), "ab");
        assert_eq!(hint("日本語のトークン"), "トークン");
    }

    #[test]
    fn kinds_are_keyauths_types() {
        assert_eq!(kind(None).unwrap(), "other");
        assert_eq!(kind(Some(" License ")).unwrap(), "license");
        assert!(kind(Some("seller")).is_err());
    }
}
