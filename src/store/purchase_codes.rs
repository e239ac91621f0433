//! Buyers' codes for the customer panel's list of bought keys (`purchase_codes`), and that
//! list: a buyer (a customer, by the email of their orders) asks for a code, gets it by mail, and
//! shows it back once to see the keys of one app they bought.

use super::{Result, Store, values::Flag};
use crate::domain::ids::{AppId, CustomerId, SellerId};
use crate::domain::time::UnixMs;

/// A key as its buyer sees it: the key, what it is for, and where and when it was bought.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct BoughtKey {
    pub key: String,
    pub plan_name: String,
    pub duration_secs: Option<i64>,
    pub expires_at: Option<UnixMs>,
    pub used_at: Option<UnixMs>,
    pub banned_reason: Option<String>,
    #[sqlx(try_from = "Flag")]
    pub active: bool,
    /// The store and its order id; `None` for a key the seller made for the buyer by hand.
    pub store: Option<String>,
    pub external_id: Option<String>,
    pub created_at: UnixMs,
}

impl Store {
    /// The seller's customer with `email` when they hold at least one key of `app_id`.
    pub async fn buyer_of_app(&self, seller_id: SellerId, app_id: AppId, email: &str) -> Result<Option<CustomerId>> {
        let row: Option<(CustomerId,)> = sqlx::query_as(
            "SELECT c.id FROM customers c WHERE c.seller_id = $1 AND c.email = $2 AND c.email <> '' \
             AND EXISTS (SELECT 1 FROM licenses l WHERE l.customer_id = c.id AND l.app_id = $3)",
        )
        .bind(seller_id)
        .bind(email)
        .bind(app_id)
        .fetch_optional(&mut *self.read().await?)
        .await?;
        Ok(row.map(|(id,)| id))
    }

    /// Stores a new code for the buyer and app, replacing one that expired or failed
    /// `max_attempts` times; `false` while the current one is still live (it stays).
    pub async fn put_purchase_code(
        &self,
        customer_id: CustomerId,
        app_id: AppId,
        code_hash: &str,
        now: i64,
        expires_at: i64,
        max_attempts: i64,
    ) -> Result<bool> {
        let done = sqlx::query(
            "INSERT INTO purchase_codes (customer_id, app_id, code_hash, attempts, created_at, expires_at) \
             VALUES ($1, $2, $3, 0, $4, $5) ON CONFLICT (customer_id, app_id) DO UPDATE SET \
             code_hash = excluded.code_hash, attempts = 0, created_at = excluded.created_at, \
             expires_at = excluded.expires_at \
             WHERE purchase_codes.expires_at <= $4 OR purchase_codes.attempts >= $6",
        )
        .bind(customer_id)
        .bind(app_id)
        .bind(code_hash)
        .bind(now)
        .bind(expires_at)
        .bind(max_attempts)
        .execute(&mut *self.write().await?)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Counts one attempt at the buyer's live code and returns its digest to compare with, or
    /// `None` when there is no code, it expired, or `max_attempts` were made. Counted before the
    /// comparison, in one statement, so parallel guesses cannot exceed the bound.
    pub async fn attempt_purchase_code(
        &self,
        customer_id: CustomerId,
        app_id: AppId,
        now: i64,
        max_attempts: i64,
    ) -> Result<Option<String>> {
        let row: Option<(String,)> = sqlx::query_as(
            "UPDATE purchase_codes SET attempts = attempts + 1 \
             WHERE customer_id = $1 AND app_id = $2 AND expires_at > $3 AND attempts < $4 RETURNING code_hash",
        )
        .bind(customer_id)
        .bind(app_id)
        .bind(now)
        .bind(max_attempts)
        .fetch_optional(&mut *self.write().await?)
        .await?;
        Ok(row.map(|(h,)| h))
    }

    /// Spends the buyer's code `code_hash`; `false` when it is gone already (another request
    /// spent it first: a code opens the list once, however many race with it).
    pub async fn spend_purchase_code(&self, customer_id: CustomerId, app_id: AppId, code_hash: &str) -> Result<bool> {
        let done = sqlx::query("DELETE FROM purchase_codes WHERE customer_id = $1 AND app_id = $2 AND code_hash = $3")
            .bind(customer_id)
            .bind(app_id)
            .bind(code_hash)
            .execute(&mut *self.write().await?)
            .await?;
        Ok(done.rows_affected() == 1)
    }

    /// The buyer's newest `limit` keys of the app.
    pub async fn bought_keys(&self, customer_id: CustomerId, app_id: AppId, limit: i64) -> Result<Vec<BoughtKey>> {
        Ok(sqlx::query_as::<_, BoughtKey>(
            "SELECT l.key, p.name AS plan_name, l.duration_secs, l.expires_at, l.used_at, l.banned_reason, \
             l.active, o.store, o.external_id, l.created_at \
             FROM licenses l JOIN plans p ON p.id = l.plan_id LEFT JOIN orders o ON o.id = l.order_id \
             WHERE l.customer_id = $1 AND l.app_id = $2 ORDER BY l.id DESC LIMIT $3",
        )
        .bind(customer_id)
        .bind(app_id)
        .bind(limit)
        .fetch_all(&mut *self.read().await?)
        .await?)
    }
}
