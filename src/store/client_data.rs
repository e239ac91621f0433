//! The client API's data of an app and its users: app variables (`var`), user variables
//! (`getvar`/`setvar`), client logs (`log`), the counts of `fetchStats`, and username changes.

use super::values::Flag;
use super::{
    Page, Result, ReturnedRows, Store, StoreError,
    direct::{Arg, from_columns},
};
use crate::domain::events::{Event, EventKind, Subject};
use crate::domain::ids::{AppId, SellerId, UserId};
use crate::domain::time::UnixMs;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct AppVar {
    pub id: i64,
    pub app_id: AppId,
    pub name: String,
    pub value: String,
    /// 1: only a validated session may read it.
    #[sqlx(try_from = "Flag")]
    pub authed: bool,
}

from_columns!(AppVar { id, app_id, name, value, authed as Flag });

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct UserVar {
    pub user_id: UserId,
    pub name: String,
    pub value: String,
    /// 1: the client may read it but not change it (the seller still can).
    #[sqlx(try_from = "Flag")]
    pub readonly: bool,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ClientLog {
    pub id: i64,
    pub app_id: AppId,
    pub username: Option<String>,
    pub pcuser: Option<String>,
    pub message: String,
    pub created_at: UnixMs,
}

/// How the client's `setvar` ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SetUserVar {
    Set,
    /// The variable exists and is read-only.
    ReadOnly,
    /// A new variable, but the user already holds the most allowed.
    Full,
}

/// A client log line to store.
#[derive(Debug, Clone, Copy)]
pub struct NewClientLog<'a> {
    pub seller_id: SellerId,
    pub app_id: AppId,
    pub username: Option<&'a str>,
    pub pcuser: Option<&'a str>,
    pub message: &'a str,
    pub now: i64,
}

/// The real counts `fetchStats` reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, sqlx::FromRow)]
pub struct AppStats {
    pub num_users: i64,
    pub num_online_users: i64,
    pub num_keys: i64,
}

/// One insert in this many also prunes the app's old logs (an index walk of the kept entries is
/// too much for every `log` call, and a little overshoot is harmless).
pub const LOG_PRUNE_EVERY: i64 = 64;

/// `NotFound` unless the write touched a row (deletes and updates of one named row).
pub(super) fn one_row(done: sqlx::any::AnyQueryResult) -> Result<()> {
    if done.rows_affected() == 0 { Err(StoreError::NotFound) } else { Ok(()) }
}

impl Store {
    pub async fn app_var(&self, app_id: AppId, name: &str) -> Result<AppVar> {
        let sql = "SELECT id, app_id, name, value, authed FROM app_vars WHERE app_id = $1 AND name = $2";
        self.fetch_first(sql, &[Arg::Int(app_id.get()), Arg::Text(name)]).await
    }

    pub async fn list_app_vars(&self, app_id: AppId, page: Page) -> Result<Vec<AppVar>> {
        Ok(sqlx::query_as::<_, AppVar>(
            "SELECT id, app_id, name, value, authed FROM app_vars WHERE app_id = $1 ORDER BY name LIMIT $2 OFFSET $3",
        )
        .bind(app_id)
        .bind(page.limit)
        .bind(page.offset)
        .fetch_all(&mut *self.read().await?)
        .await?)
    }

    /// Creates or replaces the app variable `name`.
    pub async fn set_app_var(&self, app_id: AppId, name: &str, value: &str, authed: bool) -> Result<AppVar> {
        sqlx::query_as::<_, AppVar>(
            "INSERT INTO app_vars (app_id, name, value, authed) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (app_id, name) DO UPDATE SET value = excluded.value, authed = excluded.authed \
             RETURNING id, app_id, name, value, authed",
        )
        .bind(app_id)
        .bind(name)
        .bind(value)
        .bind(i64::from(authed))
        .fetch_all(&mut *self.write().await?)
        .await
        .one()
    }

    /// Creates the app variable `name`; `None` (and no change) when the app has one already.
    pub async fn create_app_var(&self, app_id: AppId, name: &str, value: &str, authed: bool) -> Result<Option<AppVar>> {
        Ok(sqlx::query_as::<_, AppVar>(
            "INSERT INTO app_vars (app_id, name, value, authed) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (app_id, name) DO NOTHING RETURNING id, app_id, name, value, authed",
        )
        .bind(app_id)
        .bind(name)
        .bind(value)
        .bind(i64::from(authed))
        .fetch_optional(&mut *self.write().await?)
        .await?)
    }

    /// Changes the value of the existing app variable `name`; a missing one is `NotFound`.
    pub async fn update_app_var_value(&self, app_id: AppId, name: &str, value: &str) -> Result<AppVar> {
        sqlx::query_as::<_, AppVar>(
            "UPDATE app_vars SET value = $3 WHERE app_id = $1 AND name = $2 RETURNING id, app_id, name, value, authed",
        )
        .bind(app_id)
        .bind(name)
        .bind(value)
        .fetch_all(&mut *self.write().await?)
        .await
        .one()
    }

    pub async fn delete_app_var(&self, app_id: AppId, name: &str) -> Result<()> {
        one_row(
            sqlx::query("DELETE FROM app_vars WHERE app_id = $1 AND name = $2")
                .bind(app_id)
                .bind(name)
                .execute(&mut *self.write().await?)
                .await?,
        )
    }

    pub async fn user_var(&self, user_id: UserId, name: &str) -> Result<UserVar> {
        Ok(sqlx::query_as::<_, UserVar>(
            "SELECT user_id, name, value, readonly FROM user_vars WHERE user_id = $1 AND name = $2",
        )
        .bind(user_id)
        .bind(name)
        .fetch_one(&mut *self.read().await?)
        .await?)
    }

    pub async fn list_user_vars(&self, user_id: UserId, page: Page) -> Result<Vec<UserVar>> {
        Ok(sqlx::query_as::<_, UserVar>(
            "SELECT user_id, name, value, readonly FROM user_vars WHERE user_id = $1 ORDER BY name LIMIT $2 OFFSET $3",
        )
        .bind(user_id)
        .bind(page.limit)
        .bind(page.offset)
        .fetch_all(&mut *self.read().await?)
        .await?)
    }

    /// The client's `setvar`: changes the variable unless it is read-only, or creates it while
    /// the user holds fewer than `cap` variables (0: no cap).
    ///
    /// Changing an existing one is one conditional update. A new name is inserted in a write
    /// transaction that first updates the user's row: on PostgreSQL that row lock serialises the
    /// user's concurrent inserts, so each one's count (a fresh snapshot per statement under READ
    /// COMMITTED) sees the others' committed rows and the cap holds; SQLite's `BEGIN IMMEDIATE`
    /// already serialises writers.
    pub async fn client_set_user_var(&self, user_id: UserId, name: &str, value: &str, cap: i64) -> Result<SetUserVar> {
        if let Some(changed) = update_user_var(&mut *self.write().await?, user_id, name, value).await? {
            return Ok(changed);
        }
        let mut tx = self.begin_write().await?;
        sqlx::query("UPDATE users SET id = id WHERE id = $1").bind(user_id).execute(&mut *tx).await?;
        // A racing insert of the same name may have won meanwhile: then this is a change.
        if let Some(changed) = update_user_var(&mut *tx, user_id, name, value).await? {
            tx.commit().await?;
            return Ok(changed);
        }
        let done = sqlx::query(
            "INSERT INTO user_vars (user_id, name, value, readonly) \
             SELECT CAST($1 AS BIGINT), CAST($2 AS TEXT), CAST($3 AS TEXT), 0 \
             WHERE $4 <= 0 OR (SELECT COUNT(*) FROM user_vars WHERE user_id = $1) < $4",
        )
        .bind(user_id)
        .bind(name)
        .bind(value)
        .bind(cap)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(if done.rows_affected() == 1 { SetUserVar::Set } else { SetUserVar::Full })
    }

    /// The seller's write: creates or replaces the variable, read-only or not.
    pub async fn put_user_var(&self, user_id: UserId, name: &str, value: &str, readonly: bool) -> Result<UserVar> {
        sqlx::query_as::<_, UserVar>(
            "INSERT INTO user_vars (user_id, name, value, readonly) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (user_id, name) DO UPDATE SET value = excluded.value, readonly = excluded.readonly \
             RETURNING user_id, name, value, readonly",
        )
        .bind(user_id)
        .bind(name)
        .bind(value)
        .bind(i64::from(readonly))
        .fetch_all(&mut *self.write().await?)
        .await
        .one()
    }

    pub async fn delete_user_var(&self, user_id: UserId, name: &str) -> Result<()> {
        one_row(
            sqlx::query("DELETE FROM user_vars WHERE user_id = $1 AND name = $2")
                .bind(user_id)
                .bind(name)
                .execute(&mut *self.write().await?)
                .await?,
        )
    }

    /// Stores a client log and its `client.log` event (for endpoints that forward logs, such as
    /// a Discord channel), in one transaction; now and then (one insert in `LOG_PRUNE_EVERY`)
    /// drops the app's logs older than its newest `keep`.
    pub async fn insert_client_log(&self, log: NewClientLog<'_>, keep: i64) -> Result<()> {
        let mut tx = self.begin_write().await?;
        let (id,): (i64,) = sqlx::query_as(
            "INSERT INTO client_logs (app_id, username, pcuser, message, created_at) VALUES ($1, $2, $3, $4, $5) \
             RETURNING id",
        )
        .bind(log.app_id)
        .bind(log.username)
        .bind(log.pcuser)
        .bind(log.message)
        .bind(log.now)
        .fetch_all(&mut *tx)
        .await
        .one()?;
        let fields = serde_json::json!({ "app_id": log.app_id, "username": log.username, "pcuser": log.pcuser, "message": log.message });
        let event = Event::new(EventKind::ClientLog, log.seller_id, Some(log.app_id), Subject::App(log.app_id), fields);
        super::events::insert(&mut tx, &[event]).await?;
        if id % LOG_PRUNE_EVERY == 0 {
            sqlx::query(
                "DELETE FROM client_logs WHERE app_id = $1 AND created_at < (SELECT created_at FROM client_logs \
                 WHERE app_id = $1 ORDER BY created_at DESC LIMIT 1 OFFSET $2)",
            )
            .bind(log.app_id)
            .bind(keep.max(1) - 1)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await
    }

    /// The app's client logs, newest first.
    pub async fn list_client_logs(&self, app_id: AppId, page: Page) -> Result<Vec<ClientLog>> {
        Ok(sqlx::query_as::<_, ClientLog>(
            "SELECT id, app_id, username, pcuser, message, created_at FROM client_logs WHERE app_id = $1 \
             ORDER BY created_at DESC, id DESC LIMIT $2 OFFSET $3",
        )
        .bind(app_id)
        .bind(page.limit)
        .bind(page.offset)
        .fetch_all(&mut *self.read().await?)
        .await?)
    }

    /// Users, users with a validated live session, and license keys of the app.
    pub async fn app_stats(&self, app_id: AppId, now: i64) -> Result<AppStats> {
        Ok(sqlx::query_as::<_, AppStats>(
            "SELECT (SELECT COUNT(*) FROM users WHERE app_id = $1) AS num_users, \
             (SELECT COUNT(DISTINCT user_id) FROM sessions WHERE app_id = $1 AND validated = 1 AND expires_at > $2) \
             AS num_online_users, (SELECT COUNT(*) FROM licenses WHERE app_id = $1) AS num_keys",
        )
        .bind(app_id)
        .bind(now)
        .fetch_one(&mut *self.read().await?)
        .await?)
    }

    /// Renames a user and ends all of its sessions, atomically. A taken name is `Conflict`
    /// (the unique constraint decides, so two renames to one name cannot both succeed).
    pub async fn rename_user_and_end_sessions(&self, app_id: AppId, user_id: UserId, username: &str) -> Result<()> {
        let mut tx = self.begin_write().await?;
        let done = sqlx::query("UPDATE users SET username = $3 WHERE id = $1 AND app_id = $2")
            .bind(user_id)
            .bind(app_id)
            .bind(username)
            .execute(&mut *tx)
            .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        sqlx::query("DELETE FROM sessions WHERE user_id = $1").bind(user_id).execute(&mut *tx).await?;
        tx.commit().await?;
        Ok(())
    }
}

/// Changes an existing user variable unless it is read-only; `None` when it does not exist.
async fn update_user_var<'e>(
    exec: impl sqlx::Executor<'e, Database = sqlx::Any>,
    user_id: UserId,
    name: &str,
    value: &str,
) -> Result<Option<SetUserVar>> {
    let row: Option<(i64,)> = sqlx::query_as(
        "UPDATE user_vars SET value = CASE WHEN readonly = 0 THEN $3 ELSE value END \
         WHERE user_id = $1 AND name = $2 RETURNING readonly",
    )
    .bind(user_id)
    .bind(name)
    .bind(value)
    .fetch_optional(exec)
    .await?;
    Ok(row.map(|(readonly,)| if readonly == 0 { SetUserVar::Set } else { SetUserVar::ReadOnly }))
}
