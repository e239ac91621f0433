//! The seller's view of client API state: blacklist entries (HWIDs and IPs refused by the
//! client API) and live sessions.

use super::values::Flag;
use super::{Page, Result, ReturnedRows, Store, client_data::one_row};
use crate::domain::ids::{AppId, UserId};
use crate::domain::time::UnixMs;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct BlacklistEntry {
    pub id: i64,
    pub app_id: AppId,
    /// `hwid` or `ip`.
    pub kind: String,
    pub value: String,
    pub reason: String,
    pub created_at: UnixMs,
}

/// A session that has not expired, with the username of its user when validated.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct LiveSession {
    /// The SHA-256 digest of the client's session id (the id itself is not stored).
    pub id: String,
    pub user_id: Option<UserId>,
    pub username: Option<String>,
    #[sqlx(try_from = "Flag")]
    pub validated: bool,
    pub ip: String,
    pub created_at: UnixMs,
    pub expires_at: UnixMs,
}

impl Store {
    /// A new blacklist entry; the same kind and value twice is `Conflict`.
    pub async fn add_blacklist_entry(
        &self,
        app_id: AppId,
        kind: &str,
        value: &str,
        reason: &str,
        now: i64,
    ) -> Result<BlacklistEntry> {
        sqlx::query_as::<_, BlacklistEntry>(
            "INSERT INTO blacklist (app_id, kind, value, reason, created_at) VALUES ($1, $2, $3, $4, $5) \
             RETURNING id, app_id, kind, value, reason, created_at",
        )
        .bind(app_id)
        .bind(kind)
        .bind(value)
        .bind(reason)
        .bind(now)
        .fetch_all(&mut *self.write().await?)
        .await
        .one()
    }

    pub async fn list_blacklist_entries(&self, app_id: AppId, page: Page) -> Result<Vec<BlacklistEntry>> {
        Ok(sqlx::query_as::<_, BlacklistEntry>(
            "SELECT id, app_id, kind, value, reason, created_at FROM blacklist WHERE app_id = $1 ORDER BY id \
             LIMIT $2 OFFSET $3",
        )
        .bind(app_id)
        .bind(page.limit)
        .bind(page.offset)
        .fetch_all(&mut *self.read().await?)
        .await?)
    }

    pub async fn delete_blacklist_entry(&self, app_id: AppId, id: i64) -> Result<()> {
        one_row(
            sqlx::query("DELETE FROM blacklist WHERE app_id = $1 AND id = $2")
                .bind(app_id)
                .bind(id)
                .execute(&mut *self.write().await?)
                .await?,
        )
    }

    /// Deletes the app's blacklist entry of this kind and value; a missing one is `NotFound`.
    pub async fn delete_blacklist_value(&self, app_id: AppId, kind: &str, value: &str) -> Result<()> {
        one_row(
            sqlx::query("DELETE FROM blacklist WHERE app_id = $1 AND kind = $2 AND value = $3")
                .bind(app_id)
                .bind(kind)
                .bind(value)
                .execute(&mut *self.write().await?)
                .await?,
        )
    }

    /// Ends every session of the app; returns how many there were.
    pub async fn end_app_sessions(&self, app_id: AppId) -> Result<u64> {
        Ok(sqlx::query("DELETE FROM sessions WHERE app_id = $1")
            .bind(app_id)
            .execute(&mut *self.write().await?)
            .await?
            .rows_affected())
    }

    /// The app's unexpired sessions, newest first.
    pub async fn list_live_sessions(&self, app_id: AppId, now: i64, page: Page) -> Result<Vec<LiveSession>> {
        Ok(sqlx::query_as::<_, LiveSession>(
            "SELECT s.id, s.user_id, u.username, s.validated, s.ip, s.created_at, s.expires_at FROM sessions s \
             LEFT JOIN users u ON u.id = s.user_id WHERE s.app_id = $1 AND s.expires_at > $2 \
             ORDER BY s.created_at DESC, s.id LIMIT $3 OFFSET $4",
        )
        .bind(app_id)
        .bind(now)
        .bind(page.limit)
        .bind(page.offset)
        .fetch_all(&mut *self.read().await?)
        .await?)
    }

    /// Ends one session of the app, named by the digest `list_live_sessions` shows or by the
    /// client's session id itself; a missing one (or another app's) is `NotFound`.
    pub async fn end_session(&self, app_id: AppId, id: &str) -> Result<()> {
        one_row(
            sqlx::query("DELETE FROM sessions WHERE id IN ($1, $3) AND app_id = $2")
                .bind(id)
                .bind(app_id)
                .bind(crate::domain::secret::hash_secret(id))
                .execute(&mut *self.write().await?)
                .await?,
        )
    }
}
