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

pub async fn run(state: AppState) {
    let mut tick = tokio::time::interval(POLL);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        if let Err(e) = round(&state).await {
            tracing::warn!(error = %e, "event webhook round failed");
        }
    }
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
    let created_at = iso_micros(d.event_created_at);
    let body = match deliveries::Format::parse(&d.format) {
        Some(deliveries::Format::Discord) => deliveries::discord_message(&d.kind, &created_at, &data),
        _ => serde_json::json!({ "id": d.event_id, "type": d.kind, "created_at": created_at, "data": data }),
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
        Ok((status, _)) if (200..300).contains(&status) => Attempt::Delivered { status: i64::from(status) },
        Ok((status, _)) => again(state, d, Some(i64::from(status)), format!("HTTP {status}")),
        Err(e) => again(state, d, None, e.to_string()),
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

fn again(state: &AppState, d: &DueDelivery, status: Option<i64>, error: String) -> Attempt {
    let base = i64::try_from(state.config.webhook_retry_base_ms).unwrap_or(i64::MAX).max(1);
    let attempts = u32::try_from(d.attempts).unwrap_or(u32::MAX);
    match deliveries::next_attempt_at(attempts, base, rand::random::<f64>(), now_ms(), d.event_created_at) {
        Some(at) => Attempt::Retry { at, status, error },
        None => Attempt::Failed { status, error },
    }
}
