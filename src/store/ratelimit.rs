//! Fixed-window request counters in the database, so every server process counts together.

use super::{Result, Store};

impl Store {
    /// Counts one request in `bucket`'s current window of `window_ms` and returns the count
    /// including this one. One upsert: atomic on both engines, whatever the number of processes.
    pub async fn count_request(&self, bucket: &str, now_ms: i64, window_ms: i64) -> Result<i64> {
        let window_start = now_ms - now_ms.rem_euclid(window_ms);
        let (count,): (i64,) = sqlx::query_as(
            "INSERT INTO rate_limits (bucket, window_start, count) VALUES ($1, $2, 1) \
             ON CONFLICT (bucket, window_start) DO UPDATE SET count = rate_limits.count + 1 RETURNING count",
        )
        .bind(bucket)
        .bind(window_start)
        .fetch_one(self.writer())
        .await?;
        Ok(count)
    }

    /// Drops windows that ended before `before_ms` (run periodically by the server).
    pub async fn prune_rate_limits(&self, before_ms: i64) -> Result<u64> {
        Ok(sqlx::query("DELETE FROM rate_limits WHERE window_start < $1")
            .bind(before_ms)
            .execute(self.writer())
            .await?
            .rows_affected())
    }
}
