//! Event webhooks: a seller's endpoints, the fan-out of new events into one delivery per
//! endpoint, and the deliveries' state. The client API's own `webhook` relay is `webhooks`.
//!
//! Several processes share the work without a coordinator: fan-out locks the endpoint's row
//! for its transaction (a no-op update, as `app_for_update`), and a delivery is taken by a
//! conditional update of its lease, so two processes never attempt the same delivery at once.

use super::values::Flag;
use super::{Page, Result, ReturnedRows, Store, StoreError, dynsql::DynSql};
use crate::domain::deliveries;
use crate::domain::ids::SellerId;
use crate::domain::time::UnixMs;
use sqlx::AssertSqlSafe;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Endpoint {
    pub id: i64,
    pub seller_id: SellerId,
    pub url: String,
    /// Space-separated event patterns.
    pub events: String,
    pub secret: String,
    #[sqlx(try_from = "String")]
    pub format: deliveries::Format,
    #[sqlx(try_from = "Flag")]
    pub enabled: bool,
    pub created_at: UnixMs,
    pub updated_at: UnixMs,
}

impl Endpoint {
    pub fn patterns(&self) -> Vec<String> {
        self.events.split_whitespace().map(str::to_owned).collect()
    }
}

macro_rules! endpoint_columns {
    () => {
        "id, seller_id, url, events, secret, format, enabled, created_at, updated_at"
    };
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Delivery {
    pub id: i64,
    pub endpoint_id: i64,
    pub event_id: i64,
    #[sqlx(rename = "type")]
    pub kind: String,
    pub state: String,
    pub attempts: i64,
    pub next_attempt_at: UnixMs,
    pub last_status: Option<i64>,
    pub last_error: String,
    pub created_at: UnixMs,
    pub updated_at: UnixMs,
}

/// A delivery taken for one attempt, with what the attempt needs.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct DueDelivery {
    pub id: i64,
    pub attempts: i64,
    pub url: String,
    pub secret: String,
    #[sqlx(try_from = "String")]
    pub format: deliveries::Format,
    pub event_id: i64,
    #[sqlx(rename = "type")]
    pub kind: String,
    pub payload: String,
    pub event_created_at: UnixMs,
}

/// How an attempt ended.
#[derive(Debug, Clone)]
pub enum Attempt {
    Delivered {
        status: i64,
    },
    /// Try again at `at`.
    Retry {
        at: i64,
        status: Option<i64>,
        error: String,
    },
    /// The retry window is over.
    Failed {
        status: Option<i64>,
        error: String,
    },
}

/// The changes of an endpoint's settings; `None` keeps a field.
#[derive(Debug, Clone, Default)]
pub struct EndpointChanges {
    pub url: Option<String>,
    pub events: Option<String>,
    pub format: Option<String>,
    pub enabled: Option<bool>,
}

/// Rows fanned out per endpoint and round; deliveries taken per round.
const FAN_OUT_BATCH: i64 = 500;

impl Store {
    /// A new endpoint (`settings`: url, events and format, all given); it receives events
    /// recorded from now on.
    pub async fn create_endpoint(
        &self,
        seller_id: SellerId,
        settings: &EndpointChanges,
        secret: &str,
        now: i64,
    ) -> Result<Endpoint> {
        sqlx::query_as::<_, Endpoint>(concat!(
            "INSERT INTO webhook_endpoints (seller_id, url, events, secret, format, enabled, cursor, created_at, \
             updated_at) VALUES ($1, $2, $3, $4, $5, $6, (SELECT COALESCE(MAX(id), 0) FROM events WHERE seller_id = $1), \
             $7, $7) RETURNING ",
            endpoint_columns!()
        ))
        .bind(seller_id)
        .bind(settings.url.as_deref())
        .bind(settings.events.as_deref())
        .bind(secret)
        .bind(settings.format.as_deref().unwrap_or("json"))
        .bind(i64::from(settings.enabled.unwrap_or(true)))
        .bind(now)
        .fetch_all(&mut *self.write().await?)
        .await
        .one()
    }

    pub async fn endpoint(&self, seller_id: SellerId, id: i64) -> Result<Endpoint> {
        Ok(sqlx::query_as::<_, Endpoint>(concat!(
            "SELECT ",
            endpoint_columns!(),
            " FROM webhook_endpoints WHERE id = $1 AND seller_id = $2"
        ))
        .bind(id)
        .bind(seller_id)
        .fetch_one(&mut *self.read().await?)
        .await?)
    }

    pub async fn list_endpoints(&self, seller_id: SellerId) -> Result<Vec<Endpoint>> {
        Ok(sqlx::query_as::<_, Endpoint>(concat!(
            "SELECT ",
            endpoint_columns!(),
            " FROM webhook_endpoints WHERE seller_id = $1 ORDER BY id"
        ))
        .bind(seller_id)
        .fetch_all(&mut *self.read().await?)
        .await?)
    }

    pub async fn update_endpoint(
        &self,
        seller_id: SellerId,
        id: i64,
        c: &EndpointChanges,
        now: i64,
    ) -> Result<Endpoint> {
        sqlx::query_as::<_, Endpoint>(concat!(
            "UPDATE webhook_endpoints SET url = COALESCE($3, url), events = COALESCE($4, events), \
             enabled = COALESCE($5, enabled), format = COALESCE($7, format), updated_at = $6 \
             WHERE id = $1 AND seller_id = $2 RETURNING ",
            endpoint_columns!()
        ))
        .bind(id)
        .bind(seller_id)
        .bind(c.url.as_deref())
        .bind(c.events.as_deref())
        .bind(c.enabled.map(i64::from))
        .bind(now)
        .bind(c.format.as_deref())
        .fetch_all(&mut *self.write().await?)
        .await
        .one()
    }

    pub async fn delete_endpoint(&self, seller_id: SellerId, id: i64) -> Result<()> {
        let done = sqlx::query("DELETE FROM webhook_endpoints WHERE id = $1 AND seller_id = $2")
            .bind(id)
            .bind(seller_id)
            .execute(&mut *self.write().await?)
            .await?;
        if done.rows_affected() == 0 { Err(StoreError::NotFound) } else { Ok(()) }
    }

    /// Enabled endpoints with events not yet fanned out.
    pub async fn endpoints_behind(&self) -> Result<Vec<i64>> {
        let rows: Vec<(i64,)> = sqlx::query_as(
            "SELECT e.id FROM webhook_endpoints e WHERE e.enabled = 1 \
             AND e.cursor < (SELECT COALESCE(MAX(v.id), 0) FROM events v WHERE v.seller_id = e.seller_id) ORDER BY e.id",
        )
        .fetch_all(&mut *self.read().await?)
        .await?;
        Ok(rows.into_iter().map(|(id,)| id).collect())
    }

    /// Turns the endpoint's next events into pending deliveries (those its patterns take) and
    /// moves its cursor past them, in one transaction; returns how many events it read.
    pub async fn fan_out(&self, endpoint_id: i64, now: i64) -> Result<usize> {
        let mut tx = self.begin_write().await?;
        let locked: Option<(i64, String, i64)> = sqlx::query_as(
            "UPDATE webhook_endpoints SET cursor = cursor WHERE id = $1 AND enabled = 1 RETURNING seller_id, events, cursor",
        )
        .bind(endpoint_id)
        .fetch_optional(&mut *tx)
        .await?;
        let Some((seller_id, events, cursor)) = locked else { return Ok(0) };
        let fresh: Vec<(i64, String, String)> = sqlx::query_as(
            "SELECT id, type, subject FROM events WHERE seller_id = $1 AND id > $2 ORDER BY id LIMIT $3",
        )
        .bind(seller_id)
        .bind(cursor)
        .bind(FAN_OUT_BATCH)
        .fetch_all(&mut *tx)
        .await?;
        let Some(last) = fresh.last().map(|(id, _, _)| *id) else { return Ok(0) };
        let patterns: Vec<String> = events.split_whitespace().map(str::to_owned).collect();
        let wanted: Vec<&(i64, String, String)> =
            fresh.iter().filter(|(_, kind, _)| deliveries::matches(&patterns, kind)).collect();
        if !wanted.is_empty() {
            let mut q = DynSql::new(
                "INSERT INTO webhook_deliveries (endpoint_id, event_id, subject, next_attempt_at, created_at, updated_at) VALUES ",
            );
            for (i, (event_id, _, subject)) in wanted.iter().enumerate() {
                q.push(if i == 0 { "(" } else { ", (" }).bind(endpoint_id)?.push(", ").bind(*event_id)?;
                q.push(", ").bind(subject.clone())?.push(", ").bind(now)?.push(", ").bind(now)?.push(", ").bind(now)?;
                q.push(")");
            }
            q.push(" ON CONFLICT (endpoint_id, event_id) DO NOTHING");
            sqlx::query_with(AssertSqlSafe(q.sql), q.args).execute(&mut *tx).await?;
        }
        sqlx::query("UPDATE webhook_endpoints SET cursor = $2 WHERE id = $1")
            .bind(endpoint_id)
            .bind(last)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(fresh.len())
    }

    /// Takes up to `limit` due deliveries for one attempt each, leased for `lease_ms`: pending,
    /// due, not leased, of an endpoint that is switched on, and the first pending one of their
    /// subject at their endpoint (so one license's events arrive in order).
    pub async fn take_due_deliveries(&self, now: i64, lease_ms: i64, limit: i64) -> Result<Vec<DueDelivery>> {
        let taken: Vec<(i64,)> = sqlx::query_as(
            "UPDATE webhook_deliveries SET lease_until = $2, attempts = attempts + 1, updated_at = $1 \
             WHERE lease_until < $1 AND state = 'pending' AND id IN ( \
               SELECT d.id FROM webhook_deliveries d WHERE d.state = 'pending' AND d.next_attempt_at <= $1 \
               AND d.lease_until < $1 \
               AND d.endpoint_id IN (SELECT id FROM webhook_endpoints WHERE enabled = 1) AND NOT EXISTS (SELECT 1 FROM webhook_deliveries p \
                 WHERE p.endpoint_id = d.endpoint_id AND p.subject = d.subject AND p.state = 'pending' AND p.id < d.id) \
               ORDER BY d.id LIMIT $3) RETURNING id",
        )
        .bind(now)
        .bind(now.saturating_add(lease_ms))
        .bind(limit)
        .fetch_all(&mut *self.write().await?)
        .await?;
        if taken.is_empty() {
            return Ok(Vec::new());
        }
        let mut q = DynSql::new(
            "SELECT d.id, d.attempts, e.url, e.secret, e.format, v.id AS event_id, v.type, v.payload, v.created_at AS event_created_at \
             FROM webhook_deliveries d JOIN webhook_endpoints e ON e.id = d.endpoint_id JOIN events v ON v.id = d.event_id \
             WHERE d.id IN (",
        );
        for (i, (id,)) in taken.iter().enumerate() {
            q.push(if i == 0 { "" } else { ", " }).bind(*id)?;
        }
        q.push(") ORDER BY d.id");
        Ok(sqlx::query_as_with::<_, DueDelivery, _>(AssertSqlSafe(q.sql), q.args)
            .fetch_all(&mut *self.read().await?)
            .await?)
    }

    /// Records how an attempt ended and releases the delivery's lease.
    pub async fn finish_attempt(&self, id: i64, attempt: &Attempt, now: i64) -> Result<()> {
        let (state, next, status, error) = match attempt {
            Attempt::Delivered { status } => ("delivered", None, Some(*status), ""),
            Attempt::Retry { at, status, error } => ("pending", Some(*at), *status, error.as_str()),
            Attempt::Failed { status, error } => ("failed", None, *status, error.as_str()),
        };
        sqlx::query(
            "UPDATE webhook_deliveries SET state = $2, next_attempt_at = COALESCE($3, next_attempt_at), \
             last_status = $4, last_error = $5, lease_until = 0, updated_at = $6 WHERE id = $1",
        )
        .bind(id)
        .bind(state)
        .bind(next)
        .bind(status)
        .bind(error)
        .bind(now)
        .execute(&mut *self.write().await?)
        .await?;
        Ok(())
    }

    /// The endpoint's deliveries, newest first, optionally in one state; and their total.
    pub async fn list_deliveries(
        &self,
        endpoint_id: i64,
        state: Option<&str>,
        page: Page,
    ) -> Result<(Vec<Delivery>, i64)> {
        let mut conn = self.read().await?;
        let (total,): (i64,) = sqlx::query_as(
            "SELECT COUNT(*) FROM webhook_deliveries WHERE endpoint_id = $1 AND ($2 IS NULL OR state = $2)",
        )
        .bind(endpoint_id)
        .bind(state)
        .fetch_one(&mut *conn)
        .await?;
        let rows = sqlx::query_as::<_, Delivery>(
            "SELECT d.id, d.endpoint_id, d.event_id, v.type, d.state, d.attempts, d.next_attempt_at, d.last_status, \
             d.last_error, d.created_at, d.updated_at FROM webhook_deliveries d JOIN events v ON v.id = d.event_id \
             WHERE d.endpoint_id = $1 AND ($2 IS NULL OR d.state = $2) ORDER BY d.id DESC LIMIT $3 OFFSET $4",
        )
        .bind(endpoint_id)
        .bind(state)
        .bind(page.limit)
        .bind(page.offset)
        .fetch_all(&mut *conn)
        .await?;
        Ok((rows, total))
    }

    /// Makes deliveries of the endpoint due again now: one (`Some(id)`), or every failed one.
    /// Returns how many.
    pub async fn redeliver(&self, endpoint_id: i64, delivery_id: Option<i64>, now: i64) -> Result<u64> {
        Ok(sqlx::query(
            "UPDATE webhook_deliveries SET state = 'pending', attempts = 0, next_attempt_at = $3, lease_until = 0, \
             updated_at = $3 WHERE endpoint_id = $1 AND (($2 IS NULL AND state = 'failed') OR id = $2)",
        )
        .bind(endpoint_id)
        .bind(delivery_id)
        .bind(now)
        .execute(&mut *self.write().await?)
        .await?
        .rows_affected())
    }
}
