//! The events outbox: rows written in the transaction of the change they record (see
//! `domain::events`), read in id order by deliveries and counted per day for charts.

use super::{AnyConnection, Page, Result, Store, dynsql::DynSql};
use crate::domain::ids::{AppId, SellerId};
use crate::domain::time::UnixMs;
use crate::domain::{events::Event, time::now_ms};
use sqlx::AssertSqlSafe;

/// Rows per multi-row insert: 7 binds each, far below either engine's parameter limit.
const BATCH: usize = 1_000;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct StoredEvent {
    pub id: i64,
    pub seller_id: SellerId,
    pub app_id: Option<AppId>,
    #[sqlx(rename = "type")]
    pub kind: String,
    pub subject: String,
    pub payload: String,
    pub created_at: UnixMs,
}

/// How many events of one type a seller had on one day (UTC, `day` = unix day number).
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct DailyCount {
    pub day: i64,
    #[sqlx(rename = "type")]
    pub kind: String,
    pub count: i64,
}

impl Store {
    /// Records events; on a handle from [`Store::begin`] they commit with the change.
    pub async fn record_events(&self, events: &[Event]) -> Result<()> {
        insert(&mut *self.write().await?, events).await
    }

    /// A seller's events, newest first, optionally of one type.
    pub async fn list_events(
        &self,
        seller_id: SellerId,
        kind: Option<&str>,
        page: Page,
    ) -> Result<(Vec<StoredEvent>, i64)> {
        let mut conn = self.read().await?;
        let (total,): (i64,) =
            sqlx::query_as("SELECT COUNT(*) FROM events WHERE seller_id = $1 AND ($2 IS NULL OR type = $2)")
                .bind(seller_id)
                .bind(kind)
                .fetch_one(&mut *conn)
                .await?;
        let rows = sqlx::query_as::<_, StoredEvent>(
            "SELECT id, seller_id, app_id, type, subject, payload, created_at FROM events \
             WHERE seller_id = $1 AND ($2 IS NULL OR type = $2) ORDER BY id DESC LIMIT $3 OFFSET $4",
        )
        .bind(seller_id)
        .bind(kind)
        .bind(page.limit)
        .bind(page.offset)
        .fetch_all(&mut *conn)
        .await?;
        Ok((rows, total))
    }

    /// Events per UTC day and type since `since_ms` (the dashboard's charts).
    /// Deletes up to `limit` of the oldest events made before `before_ms` (their deliveries go
    /// with them); answers how many went. Ids grow with time, so the walk stops at the first
    /// young event.
    pub async fn prune_events(&self, before_ms: i64, limit: i64) -> Result<u64> {
        let done = sqlx::query(
            "DELETE FROM events WHERE id IN (SELECT id FROM events WHERE created_at < $1 ORDER BY id LIMIT $2)",
        )
        .bind(before_ms)
        .bind(limit)
        .execute(&mut *self.write().await?)
        .await?;
        Ok(done.rows_affected())
    }

    /// The seller's users active since `since_ms` (signed in since, or online now), and those
    /// online at `now_ms` (with a live validated session).
    pub async fn user_activity(&self, seller_id: SellerId, since_ms: i64, now_ms: i64) -> Result<(i64, i64)> {
        Ok(sqlx::query_as(
            "SELECT (SELECT COUNT(*) FROM users u JOIN apps a ON a.id = u.app_id \
             WHERE a.seller_id = $1 AND (u.last_login_at >= $2 OR EXISTS (SELECT 1 FROM sessions s \
             WHERE s.user_id = u.id AND s.validated = 1 AND s.expires_at > $3))), \
             (SELECT COUNT(DISTINCT s.user_id) FROM sessions s JOIN apps a ON a.id = s.app_id \
             WHERE a.seller_id = $1 AND s.validated = 1 AND s.expires_at > $3)",
        )
        .bind(seller_id)
        .bind(since_ms)
        .bind(now_ms)
        .fetch_one(&mut *self.read().await?)
        .await?)
    }

    pub async fn daily_event_counts(&self, seller_id: SellerId, since_ms: i64) -> Result<Vec<DailyCount>> {
        Ok(sqlx::query_as::<_, DailyCount>(
            "SELECT created_at / 86400000 AS day, type, COUNT(*) AS count FROM events \
             WHERE seller_id = $1 AND created_at >= $2 GROUP BY created_at / 86400000, type ORDER BY day, type",
        )
        .bind(seller_id)
        .bind(since_ms)
        .fetch_all(&mut *self.read().await?)
        .await?)
    }
}

/// Inserts events on a connection, for store functions that write them in their own
/// transaction (the public faces' redemptions, activations and assignments).
pub(super) async fn insert(conn: &mut AnyConnection, events: &[Event]) -> Result<()> {
    let now = now_ms();
    for chunk in events.chunks(BATCH) {
        let mut q = DynSql::new("INSERT INTO events (seller_id, app_id, type, subject, payload, created_at) VALUES ");
        for (i, e) in chunk.iter().enumerate() {
            q.push(if i == 0 { "(" } else { ", (" }).bind(e.seller_id)?.push(", ").bind(e.app_id)?;
            q.push(", ").bind(e.kind.as_str().to_owned())?.push(", ").bind(e.subject.to_string())?;
            q.push(", ").bind(e.payload.to_string())?.push(", ").bind(now)?.push(")");
        }
        sqlx::query_with(AssertSqlSafe(q.sql), q.args).execute(&mut *conn).await?;
    }
    Ok(())
}
