//! End users of an app (client API "user", Licenses API "customer"): the seller's view of them.
//! The client API's own user queries (register, login, sessions) live in its store files.

use super::values::Flag;
use super::{Page, Result, Store, StoreError};
use crate::domain::ids::{AppId, LicenseId, PlanId, UserId};
use crate::domain::time::UnixMs;
use crate::domain::{time::now_ms, usable::UserFacts};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct User {
    pub id: UserId,
    pub app_id: AppId,
    pub username: String,
    pub email: Option<String>,
    pub password_hash: Option<String>,
    pub ip: Option<String>,
    pub banned_reason: Option<String>,
    pub totp_secret: Option<String>,
    #[sqlx(try_from = "Flag")]
    pub totp_enabled: bool,
    #[sqlx(try_from = "Flag")]
    pub paused: bool,
    pub created_at: UnixMs,
    pub last_login_at: Option<UnixMs>,
}

impl User {
    /// The user's switches, as `domain::usable` judges them.
    pub fn facts(&self) -> UserFacts {
        UserFacts { banned: self.banned_reason.is_some(), paused: self.paused }
    }
}

macro_rules! user_columns {
    () => {
        "id, app_id, username, email, password_hash, ip, banned_reason, totp_secret, totp_enabled, paused, created_at, last_login_at"
    };
}

/// A user's subscription to a plan, with the plan's name and level for display.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct UserSubscription {
    pub id: i64,
    pub plan_id: PlanId,
    pub plan: String,
    pub level: i64,
    pub license_id: Option<LicenseId>,
    pub expires_at: Option<UnixMs>,
    #[sqlx(try_from = "Flag")]
    pub paused: bool,
    pub created_at: UnixMs,
}

/// `%term%` for a case-insensitive LIKE with `\` as escape character.
pub(crate) fn like_pattern(term: &str) -> String {
    format!("%{}%", term.to_lowercase().replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_"))
}

impl Store {
    pub async fn count_users(&self, app_id: AppId, search: Option<&str>) -> Result<i64> {
        let (n,): (i64,) = sqlx::query_as(
            "SELECT COUNT(*) FROM users WHERE app_id = $1 AND ($2 IS NULL OR LOWER(username) LIKE $2 ESCAPE '\\')",
        )
        .bind(app_id)
        .bind(search.map(like_pattern))
        .fetch_one(&mut *self.read().await?)
        .await?;
        Ok(n)
    }

    pub async fn list_users(&self, app_id: AppId, search: Option<&str>, page: Page) -> Result<Vec<User>> {
        let pattern = search.map(like_pattern);
        Ok(sqlx::query_as::<_, User>(concat!(
            "SELECT ",
            user_columns!(),
            " FROM users WHERE app_id = $1 AND ($2 IS NULL OR LOWER(username) LIKE $2 ESCAPE '\\') ORDER BY id LIMIT $3 OFFSET $4"
        ))
        .bind(app_id)
        .bind(pattern)
        .bind(page.limit)
        .bind(page.offset)
        .fetch_all(&mut *self.read().await?)
        .await?)
    }

    /// A user of one app by id.
    pub async fn user(&self, app_id: AppId, id: UserId) -> Result<User> {
        Ok(sqlx::query_as::<_, User>(concat!("SELECT ", user_columns!(), " FROM users WHERE app_id = $1 AND id = $2"))
            .bind(app_id)
            .bind(id)
            .fetch_one(&mut *self.read().await?)
            .await?)
    }

    pub async fn user_subscriptions(&self, user_id: UserId) -> Result<Vec<UserSubscription>> {
        Ok(sqlx::query_as::<_, UserSubscription>(
            "SELECT s.id, s.plan_id, p.name AS plan, p.level, s.license_id, s.expires_at, s.paused, s.created_at \
             FROM subscriptions s JOIN plans p ON p.id = s.plan_id WHERE s.user_id = $1 ORDER BY p.level, s.id",
        )
        .bind(user_id)
        .fetch_all(&mut *self.read().await?)
        .await?)
    }

    pub async fn delete_user(&self, app_id: AppId, id: UserId) -> Result<()> {
        let done = sqlx::query("DELETE FROM users WHERE id = $1 AND app_id = $2")
            .bind(id)
            .bind(app_id)
            .execute(&mut *self.write().await?)
            .await?;
        if done.rows_affected() == 0 { Err(StoreError::NotFound) } else { Ok(()) }
    }

    /// A user by id or username within one app.
    pub async fn user_by_ref(&self, app_id: AppId, reference: &str) -> Result<User> {
        Ok(sqlx::query_as::<_, User>(concat!(
            "SELECT ",
            user_columns!(),
            " FROM users WHERE app_id = $1 AND (id = $2 OR username = $3) ORDER BY id LIMIT 1"
        ))
        .bind(app_id)
        .bind(reference.parse::<i64>().unwrap_or(-1))
        .bind(reference)
        .fetch_one(&mut *self.read().await?)
        .await?)
    }

    /// Forgets the user's bound HWIDs, so the next login binds a new one.
    pub async fn reset_user_hwid(&self, user_id: UserId) -> Result<u64> {
        Ok(sqlx::query("DELETE FROM user_hwids WHERE user_id = $1")
            .bind(user_id)
            .execute(&mut *self.write().await?)
            .await?
            .rows_affected())
    }

    pub async fn user_hwids(&self, user_id: UserId) -> Result<Vec<String>> {
        let rows: Vec<(String,)> = sqlx::query_as("SELECT hwid FROM user_hwids WHERE user_id = $1 ORDER BY created_at")
            .bind(user_id)
            .fetch_all(&mut *self.read().await?)
            .await?;
        Ok(rows.into_iter().map(|(h,)| h).collect())
    }

    pub async fn set_user_ban(&self, user_id: UserId, reason: Option<&str>) -> Result<()> {
        let done = sqlx::query("UPDATE users SET banned_reason = $2 WHERE id = $1")
            .bind(user_id)
            .bind(reason)
            .execute(&mut *self.write().await?)
            .await?;
        if done.rows_affected() == 0 { Err(StoreError::NotFound) } else { Ok(()) }
    }

    /// Extends every subscription of the user by `secs` (a running one from its end, an expired
    /// one from now); lifetime subscriptions stay lifetime.
    pub async fn extend_user_subscriptions(&self, user_id: UserId, secs: i64) -> Result<u64> {
        let now = now_ms();
        Ok(sqlx::query(
            "UPDATE subscriptions SET expires_at = CASE WHEN expires_at > $2 THEN expires_at ELSE $2 END + $3 \
             WHERE user_id = $1 AND expires_at IS NOT NULL",
        )
        .bind(user_id)
        .bind(now)
        .bind(secs.saturating_mul(1000))
        .execute(&mut *self.write().await?)
        .await?
        .rows_affected())
    }
}
