//! Lemon Squeezy's order webhooks: the body is a JSON:API order (`data.id`, `data.attributes`
//! with `user_email`, `user_name`, `total`, `currency`, `first_order_item.variant_id`) and
//! `meta.event_name`; `X-Signature` signs the raw body.

use super::HookError;
use crate::domain::store_hooks::hmac_hex_matches;
use crate::manage::store_connections::{self, PaidOrder};
use crate::state::AppState;
use crate::store::StoreError;
use axum::{
    Json,
    body::Bytes,
    extract::{Path, State},
    http::HeaderMap,
};
use serde::Deserialize;
use serde_json::{Value, json};

#[derive(Deserialize)]
struct Payload {
    meta: Meta,
    data: Order,
}

#[derive(Deserialize)]
struct Meta {
    event_name: String,
}

#[derive(Deserialize)]
struct Order {
    id: Value,
    attributes: Attributes,
}

#[derive(Deserialize)]
struct Attributes {
    user_email: String,
    #[serde(default)]
    user_name: String,
    #[serde(default)]
    total: i64,
    #[serde(default)]
    currency: String,
    first_order_item: Item,
}

#[derive(Deserialize)]
struct Item {
    variant_id: Value,
}

/// A JSON:API id or variant id: Lemon Squeezy sends numbers, strings are taken too.
fn id_text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_owned()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

pub async fn receive(
    State(state): State<AppState>,
    Path(seller_ref): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Json<Value>, HookError> {
    let connection = match state.store.connection_of(&seller_ref, "lemonsqueezy").await {
        Ok(c) => c,
        Err(StoreError::NotFound) => return Err(HookError::Unknown),
        Err(e) => return Err(HookError::Manage(e.into())),
    };
    let signature = headers.get("x-signature").and_then(|v| v.to_str().ok()).ok_or(HookError::Signature)?;
    if !hmac_hex_matches(&connection.secret, &body, signature) {
        return Err(HookError::Signature);
    }
    let payload: Payload =
        serde_json::from_slice(&body).map_err(|e| HookError::Malformed(format!("not a Lemon Squeezy order: {e}")))?;
    let order_id = id_text(&payload.data.id).ok_or_else(|| HookError::Malformed("data.id: missing".into()))?;
    match payload.meta.event_name.as_str() {
        "order_created" => {
            let a = payload.data.attributes;
            let variant = id_text(&a.first_order_item.variant_id)
                .ok_or_else(|| HookError::Malformed("first_order_item.variant_id: missing".into()))?;
            let order = PaidOrder {
                external_id: order_id,
                variant,
                email: a.user_email,
                name: a.user_name,
                amount: a.total,
                currency: a.currency,
            };
            let to = order.email.clone();
            let done = store_connections::fulfil(&state.store, &connection, order).await?;
            if done.new {
                mail_keys(&state, &to, &done.keys).await;
            }
            Ok(Json(json!({ "keys": done.keys.len(), "new": done.new })))
        }
        "order_refunded" => {
            let banned = store_connections::revoke(&state.store, &connection, &order_id, "refunded").await?;
            Ok(Json(json!({ "banned": banned })))
        }
        // Other events the seller subscribed to are acknowledged, so the store does not retry.
        _ => Ok(Json(json!({ "ignored": true }))),
    }
}

/// Mails the new keys to the buyer; a mail failure is logged, the keys stay (the seller can
/// resend them, and the store must not retry an order that is already fulfilled).
async fn mail_keys(state: &AppState, to: &str, keys: &[String]) {
    let Some(mailer) = state.services.mail.as_ref() else { return };
    if let Err(e) = mailer.send_license_keys(to, keys).await {
        tracing::warn!(error = %e.0, "mailing an order's keys failed");
    }
}
