//! The event webhook worker: every round it fans new events out into deliveries (one per
//! endpoint that takes them) and attempts the deliveries that are due, signed. Delivery state
//! lives in the database, so a restart or a crash loses nothing (an attempt cut off mid-way
//! is tried again once its lease runs out: at least once), and several processes on one
//! PostgreSQL share the work (`store::event_webhooks` leases each delivery to one of them).

use crate::domain::{deliveries, time::iso_micros, time::now_ms};
use crate::services::outbound::Outbound;
use crate::state::AppState;
use crate::store::{
    StoreError,
    event_webhooks::{Attempt, DueDelivery},
};
use futures_util::future::join_all;
use std::time::Duration;

/// How often a process looks for work.
const POLL: Duration = Duration::from_millis(500);
/// How long a taken delivery is reserved: longer than an attempt may take.
const LEASE_MS: i64 = 60_000;
/// Deliveries attempted at once per round.
const BATCH: i64 = 32;
const USER_AGENT: &str = concat!("licensd-webhooks/", env!("CARGO_PKG_VERSION"));

/// How often old events are deleted (`event_retention_days`).
const PRUNE_EVERY: Duration = Duration::from_secs(3600);
/// Events deleted per statement, so that a first prune of a large table does not hold
/// SQLite's writer for long.
const PRUNE_BATCH: i64 = 5_000;

pub async fn run(state: AppState) {
    let mut tick = tokio::time::interval(POLL);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut pruned_at: Option<tokio::time::Instant> = None;
    loop {
        tick.tick().await;
        if let Err(e) = round(&state).await {
            tracing::warn!(error = %e, "event webhook round failed");
        }
        if pruned_at.is_none_or(|at| at.elapsed() >= PRUNE_EVERY) {
            pruned_at = Some(tokio::time::Instant::now());
            if let Err(e) = prune(&state).await {
                tracing::warn!(error = %e, "deleting old events failed");
            }
        }
    }
}

/// Deletes events older than the retention, a batch at a time.
async fn prune(state: &AppState) -> Result<(), StoreError> {
    let days = state.config.event_retention_days;
    if days == 0 {
        return Ok(());
    }
    let before = now_ms().saturating_sub(i64::from(days) * 86_400_000);
    let mut total = 0;
    loop {
        let gone = state.store.prune_events(before, PRUNE_BATCH).await?;
        total += gone;
        if gone < PRUNE_BATCH as u64 {
            break;
        }
        tokio::task::yield_now().await;
    }
    if total > 0 {
        tracing::info!(events = total, days, "deleted events past their retention");
    }
    Ok(())
}

async fn round(state: &AppState) -> Result<(), StoreError> {
    let store = &state.store;
    for endpoint in store.endpoints_behind().await? {
        store.fan_out(endpoint, now_ms()).await?;
    }
    let due = store.take_due_deliveries(now_ms(), LEASE_MS, BATCH).await?;
    for finished in join_all(due.iter().map(|d| attempt(state, d))).await {
        finished?;
    }
    Ok(())
}

/// One POST of the event, and its outcome recorded.
async fn attempt(state: &AppState, d: &DueDelivery) -> Result<(), StoreError> {
    let data: serde_json::Value = serde_json::from_str(&d.payload).unwrap_or(serde_json::Value::Null);
    let created_at = iso_micros(d.event_created_at.get());
    let body = match d.format {
        deliveries::Format::Discord => deliveries::discord_message(&d.kind, &created_at, &data),
        deliveries::Format::Json => {
            serde_json::json!({ "id": d.event_id, "type": d.kind, "created_at": created_at, "data": data })
        }
    }
    .to_string();
    let signature = deliveries::signature(&d.secret, now_ms() / 1000, &body);
    let headers = [
        (deliveries::SIGNATURE_HEADER, signature),
        ("licensd-event-id", d.event_id.to_string()),
        ("licensd-event-type", d.kind.clone()),
    ];
    let req = Outbound {
        url: &d.url,
        params: None,
        body: Some(&body),
        content_type: Some("application/json"),
        user_agent: USER_AGENT,
    };
    let outcome = match state.services.http.exchange(&req, &headers).await {
        Ok(reply) if (200..300).contains(&reply.status) => Attempt::Delivered { status: i64::from(reply.status) },
        Ok(reply) => {
            let error = format!("HTTP {}", reply.status);
            again(state, d, Some(i64::from(reply.status)), error, reply.retry_after_ms)
        }
        Err(e) => again(state, d, None, e.to_string(), None),
    };
    let label = match &outcome {
        Attempt::Delivered { .. } => "delivered",
        Attempt::Retry { .. } => "retry",
        Attempt::Failed { error, .. } => {
            tracing::warn!(delivery = d.id, event = d.event_id, error, "event webhook delivery failed for good");
            "failed"
        }
    };
    state.metrics.delivery(label);
    state.store.finish_attempt(d.id, &outcome, now_ms()).await
}

/// The next attempt after a failed one: the backoff's time, or later when the receiver asked
/// to wait longer (a rate-limited Discord webhook says how long).
fn again(state: &AppState, d: &DueDelivery, status: Option<i64>, error: String, wait_ms: Option<i64>) -> Attempt {
    let base = i64::try_from(state.config.webhook_retry_base_ms).unwrap_or(i64::MAX).max(1);
    let attempts = u32::try_from(d.attempts).unwrap_or(u32::MAX);
    let now = now_ms();
    match deliveries::next_attempt_at(attempts, base, rand::random::<f64>(), now, d.event_created_at.get()) {
        Some(at) => Attempt::Retry { at: at.max(now.saturating_add(wait_ms.unwrap_or(0))), status, error },
        None => Attempt::Failed { status, error },
    }
}
