//! Client tokens of KeyAuth's token system: the token a copy of a program presents at `init`,
//! kept as its SHA-256 digest, with the file hash its first `init` locked and its ban.

use super::values::Flag;
use super::{Page, Result, ReturnedRows, Store, client_data::one_row};
use crate::domain::ids::AppId;
use crate::domain::time::UnixMs;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ClientToken {
    pub id: i64,
    pub app_id: AppId,
    /// The token's last four characters (the token itself is not stored).
    pub hint: String,
    /// `license`, `user` or `other`: what `assigned` names.
    pub kind: String,
    pub assigned: String,
    /// The file hash the first `init` presented; `None` until then.
    pub file_hash: Option<String>,
    #[sqlx(try_from = "Flag")]
    pub banned: bool,
    pub reason: String,
    pub created_at: UnixMs,
    pub used_at: Option<UnixMs>,
}

/// A token to store: made by the seller (no hash, not banned) or imported from KeyAuth.
#[derive(Debug, Clone)]
pub struct NewClientToken<'a> {
    pub digest: &'a str,
    pub hint: &'a str,
    pub kind: &'a str,
    pub assigned: &'a str,
    pub file_hash: Option<&'a str>,
    pub banned: bool,
    pub reason: &'a str,
}

macro_rules! columns {
    () => {
        "id, app_id, hint, kind, assigned, file_hash, banned, reason, created_at, used_at"
    };
}

impl Store {
    /// Stores a token; `None` when the app already has one with that digest (an import run twice).
    /// A token imported with its hash counts as used from `now`.
    pub async fn insert_client_token(
        &self,
        app_id: AppId,
        t: &NewClientToken<'_>,
        now: i64,
    ) -> Result<Option<ClientToken>> {
        sqlx::query_as::<_, ClientToken>(concat!(
            "INSERT INTO client_tokens (app_id, digest, hint, kind, assigned, file_hash, banned, reason, created_at, used_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) ON CONFLICT (app_id, digest) DO NOTHING RETURNING ",
            columns!()
        ))
        .bind(app_id)
        .bind(t.digest)
        .bind(t.hint)
        .bind(t.kind)
        .bind(t.assigned)
        .bind(t.file_hash)
        .bind(i64::from(t.banned))
        .bind(t.reason)
        .bind(now)
        .bind(t.file_hash.map(|_| now))
        .fetch_all(&mut *self.write().await?)
        .await
        .optional()
    }

    /// The app's token with this digest.
    pub async fn client_token_by_digest(&self, app_id: AppId, digest: &str) -> Result<Option<ClientToken>> {
        Ok(sqlx::query_as::<_, ClientToken>(concat!(
            "SELECT ",
            columns!(),
            " FROM client_tokens WHERE app_id = $1 AND digest = $2"
        ))
        .bind(app_id)
        .bind(digest)
        .fetch_optional(&mut *self.read().await?)
        .await?)
    }

    /// Locks the file hash of a token that has none yet; `false` when another `init` locked one
    /// first (the caller reads it again and compares).
    pub async fn lock_client_token_hash(&self, app_id: AppId, id: i64, file_hash: &str, now: i64) -> Result<bool> {
        let done = sqlx::query(
            "UPDATE client_tokens SET file_hash = $3, used_at = $4 WHERE app_id = $1 AND id = $2 AND file_hash IS NULL",
        )
        .bind(app_id)
        .bind(id)
        .bind(file_hash)
        .bind(now)
        .execute(&mut *self.write().await?)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    pub async fn list_client_tokens(&self, app_id: AppId, page: Page) -> Result<Vec<ClientToken>> {
        Ok(sqlx::query_as::<_, ClientToken>(concat!(
            "SELECT ",
            columns!(),
            " FROM client_tokens WHERE app_id = $1 ORDER BY id LIMIT $2 OFFSET $3"
        ))
        .bind(app_id)
        .bind(page.limit)
        .bind(page.offset)
        .fetch_all(&mut *self.read().await?)
        .await?)
    }

    /// Bans (with a reason) or unbans the app's token `id`; a missing one is `NotFound`.
    pub async fn set_client_token_ban(
        &self,
        app_id: AppId,
        id: i64,
        banned: bool,
        reason: &str,
    ) -> Result<ClientToken> {
        sqlx::query_as::<_, ClientToken>(concat!(
            "UPDATE client_tokens SET banned = $3, reason = $4 WHERE app_id = $1 AND id = $2 RETURNING ",
            columns!()
        ))
        .bind(app_id)
        .bind(id)
        .bind(i64::from(banned))
        .bind(reason)
        .fetch_all(&mut *self.write().await?)
        .await
        .one()
    }

    /// Forgets the locked file hash, so the next `init` locks a new one.
    pub async fn reset_client_token_hash(&self, app_id: AppId, id: i64) -> Result<ClientToken> {
        sqlx::query_as::<_, ClientToken>(concat!(
            "UPDATE client_tokens SET file_hash = NULL WHERE app_id = $1 AND id = $2 RETURNING ",
            columns!()
        ))
        .bind(app_id)
        .bind(id)
        .fetch_all(&mut *self.write().await?)
        .await
        .one()
    }

    pub async fn delete_client_token(&self, app_id: AppId, id: i64) -> Result<()> {
        one_row(
            sqlx::query("DELETE FROM client_tokens WHERE app_id = $1 AND id = $2")
                .bind(app_id)
                .bind(id)
                .execute(&mut *self.write().await?)
                .await?,
        )
    }
}
