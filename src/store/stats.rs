//! Whole-database counts for the metrics endpoint: licenses by state and the event webhooks'
//! backlog. Each is one aggregate query; the caller decides how often to run them.

use super::{Result, Store};

impl Store {
    /// Licenses per state (`banned`, `disabled`, `expired`, `used`, `unused`; the first that
    /// applies, in that order), across every seller.
    pub async fn license_counts_by_state(&self, now_ms: i64) -> Result<Vec<(String, i64)>> {
        Ok(sqlx::query_as::<_, (String, i64)>(
            "SELECT s.state, COUNT(*) FROM (SELECT CASE \
               WHEN banned_reason IS NOT NULL THEN 'banned' \
               WHEN active = 0 THEN 'disabled' \
               WHEN expires_at IS NOT NULL AND expires_at <= $1 THEN 'expired' \
               WHEN used_at IS NOT NULL OR activations > 0 THEN 'used' \
               ELSE 'unused' END AS state FROM licenses) s GROUP BY s.state ORDER BY s.state",
        )
        .bind(now_ms)
        .fetch_all(&mut *self.read().await?)
        .await?)
    }

    /// Event webhook deliveries waiting (`pending`) and given up (`failed`); delivered ones are
    /// not counted (they only grow).
    pub async fn delivery_counts_by_state(&self) -> Result<Vec<(String, i64)>> {
        Ok(sqlx::query_as::<_, (String, i64)>(
            "SELECT state, COUNT(*) FROM webhook_deliveries WHERE state IN ('pending', 'failed') \
             GROUP BY state ORDER BY state",
        )
        .fetch_all(&mut *self.read().await?)
        .await?)
    }
}
