//! The writes of a KeyAuth import: users with their hashes, HWIDs and subscriptions, and keys,
//! as multi-row inserts that skip whatever exists, so a repeated import changes nothing.

use super::{Result, Store, dynsql::DynSql};
use crate::domain::ids::{AppId, PlanId, SellerId};
use sqlx::AssertSqlSafe;
use std::collections::HashMap;

/// Rows per INSERT statement: 7 binds a user, 14 a key, well under both engines' limits.
const ROWS: usize = 1_000;

/// A KeyAuth user as licensd stores it.
#[derive(Debug, Clone)]
pub struct ImportedUser {
    pub username: String,
    pub email: Option<String>,
    /// A bcrypt (or Argon2id) hash; `None`: a key-only user.
    pub password_hash: Option<String>,
    pub ip: Option<String>,
    pub banned_reason: Option<String>,
    pub created_at: i64,
    pub hwids: Vec<String>,
    /// `(plan_id, expires_at)`, one per plan.
    pub subscriptions: Vec<(PlanId, Option<i64>)>,
}

/// A KeyAuth key as a licensd license.
#[derive(Debug, Clone)]
pub struct ImportedKey {
    pub key: String,
    pub plan_id: PlanId,
    pub duration_secs: Option<i64>,
    pub expires_at: Option<i64>,
    pub banned_reason: Option<String>,
    pub note: String,
    /// The username that redeemed it, linked when the user exists in the app.
    pub used_by: Option<String>,
    pub used_at: Option<i64>,
}

/// What an import batch added.
#[derive(Debug, Clone, Copy, Default)]
pub struct Added {
    pub rows: usize,
    pub subscriptions: usize,
}

impl Store {
    /// Inserts the users the app does not have yet, and the HWIDs and subscriptions of those
    /// (an existing user is left exactly as it is). Returns what was added.
    pub async fn import_users(&self, app_id: AppId, users: &[ImportedUser]) -> Result<Added> {
        let mut tx = self.begin_write().await?;
        let mut added = Added::default();
        for chunk in users.chunks(ROWS) {
            let mut q = DynSql::new(
                "INSERT INTO users (app_id, username, email, password_hash, ip, banned_reason, created_at) VALUES ",
            );
            for (i, u) in chunk.iter().enumerate() {
                q.push(if i == 0 { "(" } else { ", (" }).bind(app_id)?.push(", ").bind(u.username.clone())?;
                q.push(", ").bind(u.email.clone())?.push(", ").bind(u.password_hash.clone())?;
                q.push(", ").bind(u.ip.clone())?.push(", ").bind(u.banned_reason.clone())?;
                q.push(", ").bind(u.created_at)?.push(")");
            }
            q.push(" ON CONFLICT (app_id, username) DO NOTHING RETURNING id, username");
            let created: Vec<(i64, String)> =
                sqlx::query_as_with(AssertSqlSafe(q.sql), q.args).fetch_all(&mut *tx).await?;
            added.rows += created.len();
            let by_name: HashMap<&str, &ImportedUser> = chunk.iter().map(|u| (u.username.as_str(), u)).collect();
            let created: Vec<(i64, &ImportedUser)> =
                created.iter().filter_map(|(id, name)| Some((*id, *by_name.get(name.as_str())?))).collect();
            insert_hwids(&mut tx, &created).await?;
            added.subscriptions += insert_subscriptions(&mut tx, &created).await?;
        }
        tx.commit().await?;
        Ok(added)
    }

    /// Inserts the keys the seller does not have yet; returns how many were added.
    pub async fn import_keys(
        &self,
        seller_id: SellerId,
        app_id: AppId,
        keys: &[ImportedKey],
        now: i64,
    ) -> Result<usize> {
        let mut tx = self.begin_write().await?;
        let mut added = 0;
        for chunk in keys.chunks(ROWS) {
            let mut q = DynSql::new(
                "INSERT INTO licenses (seller_id, app_id, plan_id, key, duration_secs, expires_at, banned_reason, \
                 note, used_by_user_id, used_at, customer_id, created_at, updated_at) VALUES ",
            );
            for (i, k) in chunk.iter().enumerate() {
                q.push(if i == 0 { "(" } else { ", (" }).bind(seller_id)?.push(", ").bind(app_id)?;
                q.push(", ").bind(k.plan_id)?.push(", ").bind(k.key.clone())?;
                q.push(", ").bind(k.duration_secs)?.push(", ").bind(k.expires_at)?;
                q.push(", ").bind(k.banned_reason.clone())?.push(", ").bind(k.note.clone())?;
                q.push(", (SELECT id FROM users WHERE app_id = ").bind(app_id)?;
                q.push(" AND username = ").bind(k.used_by.clone())?.push("), ").bind(k.used_at)?;
                // Like generated keys: the seller's default customer (`customers`).
                q.push(", (SELECT id FROM customers WHERE seller_id = ").bind(seller_id)?.push(" AND email = '')");
                q.push(", ").bind(now)?.push(", ").bind(now)?.push(")");
            }
            q.push(" ON CONFLICT (seller_id, key) DO NOTHING RETURNING id");
            let created: Vec<(i64,)> = sqlx::query_as_with(AssertSqlSafe(q.sql), q.args).fetch_all(&mut *tx).await?;
            added += created.len();
        }
        tx.commit().await?;
        Ok(added)
    }
}

async fn insert_hwids(tx: &mut sqlx::AnyConnection, users: &[(i64, &ImportedUser)]) -> Result<()> {
    let rows: Vec<(i64, &str, i64)> =
        users.iter().flat_map(|(id, u)| u.hwids.iter().map(move |h| (*id, h.as_str(), u.created_at))).collect();
    for chunk in rows.chunks(ROWS) {
        let mut q = DynSql::new("INSERT INTO user_hwids (user_id, hwid, created_at) VALUES ");
        for (i, (id, hwid, at)) in chunk.iter().enumerate() {
            q.push(if i == 0 { "(" } else { ", (" }).bind(*id)?.push(", ").bind(hwid.to_string())?;
            q.push(", ").bind(*at)?.push(")");
        }
        q.push(" ON CONFLICT (user_id, hwid) DO NOTHING");
        sqlx::query_with(AssertSqlSafe(q.sql), q.args).execute(&mut *tx).await?;
    }
    Ok(())
}

async fn insert_subscriptions(tx: &mut sqlx::AnyConnection, users: &[(i64, &ImportedUser)]) -> Result<usize> {
    let rows: Vec<(i64, PlanId, Option<i64>, i64)> = users
        .iter()
        .flat_map(|(id, u)| u.subscriptions.iter().map(move |(plan, exp)| (*id, *plan, *exp, u.created_at)))
        .collect();
    let mut added = 0;
    for chunk in rows.chunks(ROWS) {
        let mut q = DynSql::new("INSERT INTO subscriptions (user_id, plan_id, expires_at, created_at) VALUES ");
        for (i, (id, plan, exp, at)) in chunk.iter().enumerate() {
            q.push(if i == 0 { "(" } else { ", (" }).bind(*id)?.push(", ").bind(*plan)?;
            q.push(", ").bind(*exp)?.push(", ").bind(*at)?.push(")");
        }
        q.push(" ON CONFLICT (user_id, plan_id) DO NOTHING");
        added += sqlx::query_with(AssertSqlSafe(q.sql), q.args).execute(&mut *tx).await?.rows_affected() as usize;
    }
    Ok(added)
}
