//! Bulk fixtures for benchmarks and demonstrations: end users bound to existing keys, instances
//! and client sessions, written set-wise or in multi-row batches instead of one row per request.

use super::{Result, Store, dynsql::DynSql};
use crate::domain::ids::{AppId, SellerId, UserId};
use crate::domain::secret;
use sqlx::AssertSqlSafe;

const BATCH: usize = 1_000;

impl Store {
    /// Makes every license of `app_id` with id in `first..=last` redeemed by a key-only user
    /// (username = key, as the client API's `license` login creates them) holding a subscription
    /// of the license's plan. Returns the number of users created.
    pub async fn bulk_redeem_range(&self, app_id: AppId, first: i64, last: i64, now_ms: i64) -> Result<u64> {
        let mut tx = self.begin_write().await?;
        let users = sqlx::query(
            "INSERT INTO users (app_id, username, created_at, last_login_at) \
             SELECT app_id, key, $4, $4 FROM licenses WHERE app_id = $1 AND id BETWEEN $2 AND $3",
        )
        .bind(app_id)
        .bind(first)
        .bind(last)
        .bind(now_ms)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        sqlx::query(
            "UPDATE licenses SET used_at = $4, \
             used_by_user_id = (SELECT u.id FROM users u WHERE u.app_id = licenses.app_id AND u.username = licenses.key) \
             WHERE app_id = $1 AND id BETWEEN $2 AND $3",
        )
        .bind(app_id)
        .bind(first)
        .bind(last)
        .bind(now_ms)
        .execute(&mut *tx)
        .await?;
        sqlx::query(
            "INSERT INTO subscriptions (user_id, plan_id, license_id, expires_at, created_at) \
             SELECT used_by_user_id, plan_id, id, NULL, $4 FROM licenses WHERE app_id = $1 AND id BETWEEN $2 AND $3",
        )
        .bind(app_id)
        .bind(first)
        .bind(last)
        .bind(now_ms)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(users)
    }

    /// Gives the users who redeemed the licenses of `app_id` with id in `first..=last` the
    /// password whose Argon2id PHC string is `password_hash`.
    pub async fn bulk_set_passwords(&self, app_id: AppId, first: i64, last: i64, password_hash: &str) -> Result<u64> {
        Ok(sqlx::query(
            "UPDATE users SET password_hash = $1 WHERE app_id = $2 AND id IN \
             (SELECT used_by_user_id FROM licenses WHERE app_id = $2 AND id BETWEEN $3 AND $4)",
        )
        .bind(password_hash)
        .bind(app_id)
        .bind(first)
        .bind(last)
        .execute(&mut *self.write().await?)
        .await?
        .rows_affected())
    }

    /// One instance (named `name_prefix-<license id>`) on each license in `license_ids`, with the
    /// activation counters kept in step. Returns the instance ids in the order of `license_ids`.
    pub async fn bulk_instances(
        &self,
        seller_id: SellerId,
        license_ids: &[i64],
        name_prefix: &str,
        now_ms: i64,
    ) -> Result<Vec<String>> {
        let ids: Vec<String> = license_ids.iter().map(|_| uuid::Uuid::new_v4().to_string()).collect();
        let mut tx = self.begin_write().await?;
        for (chunk_ids, chunk_licenses) in ids.chunks(BATCH).zip(license_ids.chunks(BATCH)) {
            let mut q =
                DynSql::new("INSERT INTO instances (id, license_id, seller_id, name, created_at, updated_at) VALUES ");
            for (i, (id, license_id)) in chunk_ids.iter().zip(chunk_licenses).enumerate() {
                q.push(if i == 0 { "(" } else { ", (" }).bind(id.clone())?.push(", ").bind(*license_id)?;
                q.push(", ").bind(seller_id)?.push(", ").bind(format!("{name_prefix}-{license_id}"))?;
                q.push(", ").bind(now_ms)?.push(", ").bind(now_ms)?.push(")");
            }
            sqlx::query_with(AssertSqlSafe(q.sql), q.args).execute(&mut *tx).await?;
        }
        sqlx::query(
            "UPDATE licenses SET activations = (SELECT COUNT(*) FROM instances i WHERE i.license_id = licenses.id) \
             WHERE seller_id = $1 AND id IN (SELECT license_id FROM instances WHERE seller_id = $1)",
        )
        .bind(seller_id)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(ids)
    }

    /// `count` client API sessions of `app_id` valid until `expires_at`; validated ones are bound
    /// to `user_id`. Returns their ids (the database holds their digests, see `store::sessions`).
    pub async fn bulk_sessions(
        &self,
        app_id: AppId,
        user_id: Option<UserId>,
        count: usize,
        now_ms: i64,
        expires_at: i64,
    ) -> Result<Vec<String>> {
        let ids: Vec<String> = (0..count).map(|_| secret::new_session_id()).collect();
        let validated = i64::from(user_id.is_some());
        let mut tx = self.begin_write().await?;
        for chunk in ids.chunks(BATCH) {
            let mut q = DynSql::new(
                "INSERT INTO sessions (id, app_id, user_id, validated, ip, created_at, expires_at) VALUES ",
            );
            for (i, id) in chunk.iter().enumerate() {
                q.push(if i == 0 { "(" } else { ", (" }).bind(secret::hash_secret(id))?.push(", ").bind(app_id)?;
                q.push(", ").bind(user_id)?.push(", ").bind(validated)?.push(", ").bind("127.0.0.1".to_owned())?;
                q.push(", ").bind(now_ms)?.push(", ").bind(expires_at)?.push(")");
            }
            sqlx::query_with(AssertSqlSafe(q.sql), q.args).execute(&mut *tx).await?;
        }
        tx.commit().await?;
        Ok(ids)
    }
}

impl Store {
    /// `(id, key)` of an app's licenses in id order, `count` of them from `offset`.
    pub async fn license_keys_page(&self, app_id: AppId, offset: i64, count: i64) -> Result<Vec<(i64, String)>> {
        Ok(sqlx::query_as("SELECT id, key FROM licenses WHERE app_id = $1 ORDER BY id LIMIT $2 OFFSET $3")
            .bind(app_id)
            .bind(count)
            .bind(offset)
            .fetch_all(&mut *self.read().await?)
            .await?)
    }
}
