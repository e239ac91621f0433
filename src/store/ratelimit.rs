//! Fixed-window request counters in the database (`rate_limits`), for `RateLimiter::Database`:
//! every server process sharing the database counts together.

use super::{Result, ReturnedRows, Store};

impl Store {
    /// Counts one request in `bucket`'s window starting at `window_start` and returns the count
    /// including this one. One upsert: atomic on both engines, whatever the number of processes.
    pub async fn count_request(&self, bucket: &str, window_start: i64) -> Result<i64> {
        let (count,): (i64,) = sqlx::query_as(
            "INSERT INTO rate_limits (bucket, window_start, count) VALUES ($1, $2, 1) \
             ON CONFLICT (bucket, window_start) DO UPDATE SET count = rate_limits.count + 1 RETURNING count",
        )
        .bind(bucket)
        .bind(window_start)
        .fetch_all(&mut *self.write().await?)
        .await
        .one()?;
        Ok(count)
    }

    /// Reserves `n` consecutive counts of `bucket`'s window for this process and returns the
    /// last of them (the window's count after the reservation). One upsert, atomic like
    /// `count_request`: two processes never get the same count.
    pub async fn reserve_requests(&self, bucket: &str, window_start: i64, n: i64) -> Result<i64> {
        let (count,): (i64,) = sqlx::query_as(
            "INSERT INTO rate_limits (bucket, window_start, count) VALUES ($1, $2, $3) \
             ON CONFLICT (bucket, window_start) DO UPDATE SET count = rate_limits.count + $3 RETURNING count",
        )
        .bind(bucket)
        .bind(window_start)
        .bind(n)
        .fetch_all(&mut *self.write().await?)
        .await
        .one()?;
        Ok(count)
    }

    /// Takes back one request counted in that window (never below zero).
    pub async fn uncount_request(&self, bucket: &str, window_start: i64) -> Result<()> {
        sqlx::query("UPDATE rate_limits SET count = count - 1 WHERE bucket = $1 AND window_start = $2 AND count > 0")
            .bind(bucket)
            .bind(window_start)
            .execute(&mut *self.write().await?)
            .await?;
        Ok(())
    }

    /// Drops windows that started before `before_ms` (run periodically by the server).
    pub async fn prune_rate_limits(&self, before_ms: i64) -> Result<u64> {
        Ok(sqlx::query("DELETE FROM rate_limits WHERE window_start < $1")
            .bind(before_ms)
            .execute(&mut *self.write().await?)
            .await?
            .rows_affected())
    }
}
