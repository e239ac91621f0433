//! Lemon Squeezy's order webhooks: the body is a JSON:API order (`data.id`, `data.attributes`
//! with `user_email`, `user_name`, `total`, `currency`, `first_order_item.variant_id`) and
//! `meta.event_name`; `X-Signature` signs the raw body.

use super::{HookError, StoreHook, id_text};
use crate::domain::store_hooks::hmac_hex_matches;
use crate::manage::store_connections::PaidOrder;
use crate::state::AppState;
use crate::store::store_connections::Connection;
use axum::Json;
use serde::Deserialize;
use serde_json::Value;

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

pub struct LemonSqueezy;

impl StoreHook for LemonSqueezy {
    const STORE: &'static str = "lemonsqueezy";
    const HEADER: &'static str = "x-signature";

    fn verify(secret: &str, signature: &str, body: &[u8]) -> bool {
        hmac_hex_matches(secret, body, signature)
    }

    async fn handle(state: &AppState, connection: &Connection, body: &[u8]) -> Result<Json<Value>, HookError> {
        let payload: Payload = serde_json::from_slice(body)
            .map_err(|e| HookError::Malformed(format!("not a Lemon Squeezy order: {e}")))?;
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
                super::paid(state, connection, order).await
            }
            "order_refunded" => super::reversed(state, connection, &order_id, "refunded").await,
            _ => Ok(super::ignored()),
        }
    }
}
