//! Web-loader tokens: one short-lived, single-use sign-in secret per user (stored as its
//! SHA-256), for KeyAuth clients' `login` with `username` + `token`.

use super::{Result, Store};
use crate::domain::ids::{AppId, UserId};

impl Store {
    /// Stores `token_hash` as the user's web-loader token until `expires_at`, replacing any
    /// earlier one.
    pub async fn set_web_token(&self, user_id: UserId, token_hash: &str, expires_at: i64) -> Result<()> {
        sqlx::query(
            "INSERT INTO web_loader_tokens (user_id, token_hash, expires_at) VALUES ($1, $2, $3) \
             ON CONFLICT (user_id) DO UPDATE SET token_hash = excluded.token_hash, expires_at = excluded.expires_at",
        )
        .bind(user_id)
        .bind(token_hash)
        .bind(expires_at)
        .execute(&mut *self.write().await?)
        .await?;
        Ok(())
    }

    /// Spends user `username`'s token if it is `token_hash` and unexpired at `now`: one
    /// conditional delete, so two sign-ins racing with one token cannot both have it.
    pub async fn take_web_token(
        &self,
        app_id: AppId,
        username: &str,
        token_hash: &str,
        now: i64,
    ) -> Result<Option<UserId>> {
        Ok(sqlx::query_as::<_, (UserId,)>(
            "DELETE FROM web_loader_tokens WHERE token_hash = $3 AND expires_at > $4 \
             AND user_id = (SELECT id FROM users WHERE app_id = $1 AND username = $2) RETURNING user_id",
        )
        .bind(app_id)
        .bind(username)
        .bind(token_hash)
        .bind(now)
        .fetch_optional(&mut *self.write().await?)
        .await?
        .map(|(id,)| id))
    }
}
