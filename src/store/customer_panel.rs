//! The customer panel's reads and writes (the app a panel URL names is `apps::customer_panel_app`):
//! the lookup of a user's browser sessions (`customer_sessions`; storing,
//! touching and pruning them is `browser_sessions`), and the once-per-cooldown claim of a
//! self-service HWID reset.

use super::{Result, Store};
use crate::domain::ids::{AppId, UserId};
use crate::domain::time::UnixMs;

/// A live session with the user it belongs to.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct CustomerSession {
    pub session_id: i64,
    pub csrf_token: String,
    pub last_used_at: UnixMs,
    pub user_id: UserId,
    pub username: String,
}

impl Store {
    /// The session of cookie digest `token_hash` of a user of app `app_id`, if it is live at
    /// `now` (not expired, used since `idle_since`).
    pub async fn customer_session(
        &self,
        app_id: AppId,
        token_hash: &str,
        now: i64,
        idle_since: i64,
    ) -> Result<Option<CustomerSession>> {
        Ok(sqlx::query_as::<_, CustomerSession>(
            "SELECT s.id AS session_id, s.csrf_token, s.last_used_at, u.id AS user_id, u.username \
             FROM customer_sessions s JOIN users u ON u.id = s.account_id \
             WHERE s.token_hash = $1 AND u.app_id = $2 AND s.expires_at > $3 AND s.last_used_at > $4",
        )
        .bind(token_hash)
        .bind(app_id)
        .bind(now)
        .bind(idle_since)
        .fetch_optional(&mut *self.read().await?)
        .await?)
    }

    /// Claims the user's self-service HWID reset at `now` unless one was claimed after
    /// `not_since`: true when this call claimed it. A conditional update, so of two racing
    /// resets only one gets through.
    pub async fn claim_hwid_reset(&self, user_id: UserId, now: i64, not_since: i64) -> Result<bool> {
        let done = sqlx::query(
            "UPDATE users SET hwid_reset_at = $2 WHERE id = $1 AND (hwid_reset_at IS NULL OR hwid_reset_at <= $3)",
        )
        .bind(user_id)
        .bind(now)
        .bind(not_since)
        .execute(&mut *self.write().await?)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// When the user last reset their own HWID, if ever.
    pub async fn hwid_reset_at(&self, user_id: UserId) -> Result<Option<UnixMs>> {
        let (at,): (Option<UnixMs>,) = sqlx::query_as("SELECT hwid_reset_at FROM users WHERE id = $1")
            .bind(user_id)
            .fetch_one(&mut *self.read().await?)
            .await?;
        Ok(at)
    }
}
