//! Client API sessions, kept in the database so that any server process can serve any request.
//! A session belongs to one app, expires after the app's TTL, and becomes "validated" (bound to
//! a user) after a successful register, login or license.
//!
//! The database holds the SHA-256 of each session id, never the id (like API tokens): a
//! presented id is found by its digest, so no comparison runs on the secret itself, and a leaked
//! table (or the admin API's session list) hands out no usable session. The methods here take
//! and return the client's id; `Session::id` is the client's id too.

use super::values::Flag;
use super::{Result, ReturnedRows, Store, StoreError};
use crate::domain::ids::{AppId, UserId};
use crate::domain::time::UnixMs;
use crate::domain::{names, secret, time::now_ms};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Session {
    pub id: String,
    pub app_id: AppId,
    pub user_id: Option<UserId>,
    #[sqlx(try_from = "Flag")]
    pub validated: bool,
    pub ip: String,
    pub created_at: UnixMs,
    pub expires_at: UnixMs,
}

impl Session {
    /// The user of a validated session.
    pub fn validated_user_id(&self) -> Option<UserId> {
        self.user_id.filter(|_| self.validated)
    }
}

/// A user as other clients may see it: `domain::names::public_name` of these fields.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct NamedUser {
    pub id: UserId,
    pub username: String,
    #[sqlx(try_from = "Flag")]
    pub name_is_key: bool,
}

impl NamedUser {
    pub fn public_name(&self) -> String {
        names::public_name(self.id, &self.username, self.name_is_key)
    }
}

/// 1 when the username of the users row `$alias` is a license key of its app's seller, else 0.
macro_rules! name_is_key {
    ($alias:literal) => {
        concat!(
            "CAST(CASE WHEN EXISTS (SELECT 1 FROM licenses nk JOIN apps na ON na.seller_id = nk.seller_id \
             WHERE na.id = ",
            $alias,
            ".app_id AND nk.key = ",
            $alias,
            ".username) THEN 1 ELSE 0 END AS BIGINT)"
        )
    };
}
pub(crate) use name_is_key;

impl Store {
    /// A fresh session with an unguessable id, living `ttl_secs` from `now`.
    pub async fn create_session(&self, app_id: AppId, ttl_secs: i64, ip: &str, now: i64) -> Result<Session> {
        let id = secret::new_session_id();
        let created = sqlx::query_as::<_, Session>(
            "INSERT INTO sessions (id, app_id, ip, created_at, expires_at) VALUES ($1, $2, $3, $4, $5) \
             RETURNING id, app_id, user_id, validated, ip, created_at, expires_at",
        )
        .bind(secret::hash_secret(&id))
        .bind(app_id)
        .bind(ip)
        .bind(now)
        .bind(now.saturating_add(ttl_secs.max(1).saturating_mul(1000)))
        .fetch_all(&mut *self.write().await?)
        .await
        .one()?;
        Ok(Session { id, ..created })
    }

    /// Binds the session to `user_id` and marks it validated, if it still exists and has not
    /// expired; `NotFound` otherwise. Expiry is judged at the time of this write, not of the
    /// request's start: a login may spend long on password hashing and queued writes, and a
    /// session that expired meanwhile must not come back as a validated one.
    pub async fn validate_session(&self, app_id: AppId, id: &str, user_id: UserId) -> Result<()> {
        let done = sqlx::query(
            "UPDATE sessions SET user_id = $3, validated = 1 WHERE id = $1 AND app_id = $2 AND expires_at > $4",
        )
        .bind(secret::hash_secret(id))
        .bind(app_id)
        .bind(user_id)
        .bind(now_ms())
        .execute(&mut *self.write().await?)
        .await?;
        if done.rows_affected() == 0 { Err(StoreError::NotFound) } else { Ok(()) }
    }

    pub async fn delete_session(&self, app_id: AppId, id: &str) -> Result<()> {
        sqlx::query("DELETE FROM sessions WHERE id = $1 AND app_id = $2")
            .bind(secret::hash_secret(id))
            .bind(app_id)
            .execute(&mut *self.write().await?)
            .await?;
        Ok(())
    }

    /// Ends every session of a user (e.g. after a username change).
    pub async fn delete_user_sessions(&self, user_id: UserId) -> Result<u64> {
        Ok(sqlx::query("DELETE FROM sessions WHERE user_id = $1")
            .bind(user_id)
            .execute(&mut *self.write().await?)
            .await?
            .rows_affected())
    }

    /// Users with a validated, unexpired session in the app (each once), by username, and
    /// whether each one's name is a license key of the seller (`domain::names`).
    pub async fn online_users(&self, app_id: AppId, now: i64) -> Result<Vec<NamedUser>> {
        Ok(sqlx::query_as::<_, NamedUser>(concat!(
            "SELECT DISTINCT u.id, u.username, ",
            name_is_key!("u"),
            " AS name_is_key FROM sessions s JOIN users u ON u.id = s.user_id \
             WHERE s.app_id = $1 AND s.validated = 1 AND s.expires_at > $2 ORDER BY u.username"
        ))
        .bind(app_id)
        .bind(now)
        .fetch_all(&mut *self.read().await?)
        .await?)
    }

    /// Drops sessions that expired before `now` (run periodically by the server).
    pub async fn prune_sessions(&self, now: i64) -> Result<u64> {
        Ok(sqlx::query("DELETE FROM sessions WHERE expires_at <= $1")
            .bind(now)
            .execute(&mut *self.write().await?)
            .await?
            .rows_affected())
    }
}
