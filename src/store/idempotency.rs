//! Stored answers of requests sent with an `Idempotency-Key` (Licenses API activate and
//! deactivate): a repeat by the same seller with the same key gets the first answer again.
//!
//! The answer is saved in the same transaction as the operation it answers (`begin_once`,
//! `finish_once`), by an insert only one transaction can win. A concurrent twin that loses the
//! insert rolls its own work back and replays the winner's answer: the operation takes effect once.

use super::{AnyConnection, Conn, Result, Store};
use crate::domain::ids::SellerId;
use crate::domain::time::now_ms;

/// A rendered HTTP answer: status and JSON body text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answer {
    pub status: u16,
    pub body: String,
}

/// How long an idempotency key is remembered.
pub const IDEMPOTENCY_TTL_MS: i64 = 24 * 3_600_000;

impl Store {
    /// The answer saved for `key`, if any.
    async fn saved_answer<'e>(
        db: impl sqlx::Executor<'e, Database = sqlx::Any>,
        seller_id: SellerId,
        key: &str,
    ) -> Result<Option<Answer>> {
        let row: Option<(i64, String)> =
            sqlx::query_as("SELECT status, body FROM idempotency_keys WHERE seller_id = $1 AND key = $2")
                .bind(seller_id)
                .bind(key)
                .fetch_optional(db)
                .await?;
        Ok(row.map(|(status, body)| Answer { status: u16::try_from(status).unwrap_or(500), body }))
    }

    /// Saves `answer` for `key`; false when another transaction saved one first.
    async fn save_answer(tx: &mut AnyConnection, seller_id: SellerId, key: &str, answer: &Answer) -> Result<bool> {
        let row: Option<(i64,)> = sqlx::query_as(
            "INSERT INTO idempotency_keys (seller_id, key, status, body, created_at) VALUES ($1, $2, $3, $4, $5) \
             ON CONFLICT (seller_id, key) DO NOTHING RETURNING seller_id",
        )
        .bind(seller_id)
        .bind(key)
        .bind(i64::from(answer.status))
        .bind(&answer.body)
        .bind(now_ms())
        .fetch_optional(&mut *tx)
        .await?;
        Ok(row.is_some())
    }

    /// Opens the write transaction of an operation that answers once per `key`: `Err` holds
    /// the answer already saved for `key`. Without a key it just opens the transaction.
    pub(crate) async fn begin_once(&self, seller_id: SellerId, key: Option<&str>) -> Result<Result<Conn<'_>, Answer>> {
        let mut tx = self.begin_write().await?;
        if let Some(key) = key
            && let Some(saved) = Self::saved_answer(&mut *tx, seller_id, key).await?
        {
            tx.rollback().await?;
            return Ok(Err(saved));
        }
        Ok(Ok(tx))
    }

    /// Saves `answer` under `key` in the operation's transaction and commits. When a concurrent
    /// request with the same key committed first (PostgreSQL), undoes this one and replays that.
    pub(crate) async fn finish_once(
        &self,
        mut tx: Conn<'_>,
        seller_id: SellerId,
        key: Option<&str>,
        answer: Answer,
    ) -> Result<Answer> {
        if let Some(key) = key
            && !Self::save_answer(&mut tx, seller_id, key, &answer).await?
        {
            tx.rollback().await?;
            return Self::saved_answer(&mut *self.write().await?, seller_id, key)
                .await?
                .ok_or(super::StoreError::NotFound);
        }
        tx.commit().await?;
        Ok(answer)
    }

    /// Forgets keys saved before `before_ms` (run periodically by the server).
    pub async fn prune_idempotency_keys(&self, before_ms: i64) -> Result<u64> {
        Ok(sqlx::query("DELETE FROM idempotency_keys WHERE created_at < $1")
            .bind(before_ms)
            .execute(&mut *self.write().await?)
            .await?
            .rows_affected())
    }
}
