//! Stripe's webhook events (`{"id": "evt_...", "type": ..., "data": {"object": ...}}`), signed
//! by `Stripe-Signature`. The order is the Checkout Session's PaymentIntent (`pi_...`), the id
//! that its charges and disputes name too, so a refund or chargeback finds the order's keys.
//! Stripe's events carry no line items (they need an API call with a secret key licensd does
//! not hold), so the product is the session's `metadata.licensd_variant` or its Payment Link.

use super::{HookError, StoreHook, id_text};
use crate::domain::store_hooks::stripe_signature_ok;
use crate::domain::time::now_ms;
use crate::manage::store_connections::PaidOrder;
use crate::state::AppState;
use crate::store::store_connections::Connection;
use axum::Json;
use serde::Deserialize;
use serde_json::Value;
use std::collections::HashMap;

/// The metadata key a seller sets on the Checkout Sessions it creates to name the variant sold
/// (a Payment Link's own metadata does not reach its sessions; its id does).
const VARIANT_KEY: &str = "licensd_variant";

#[derive(Deserialize)]
struct Event {
    #[serde(rename = "type")]
    kind: String,
    data: Data,
}

#[derive(Deserialize)]
struct Data {
    object: Value,
}

#[derive(Deserialize)]
struct Session {
    id: String,
    payment_status: String,
    payment_intent: Option<String>,
    customer_details: Option<Customer>,
    customer_email: Option<String>,
    amount_total: Option<i64>,
    currency: Option<String>,
    #[serde(default)]
    metadata: HashMap<String, Value>,
    payment_link: Option<String>,
}

#[derive(Deserialize)]
struct Customer {
    email: Option<String>,
    name: Option<String>,
}

/// A Charge (`charge.refunded`) or a Dispute (`charge.dispute.created`): both name the
/// PaymentIntent; `refunded` is true once the whole charge is refunded.
#[derive(Deserialize)]
struct Reversal {
    id: String,
    payment_intent: Option<String>,
    charge: Option<Value>,
    #[serde(default)]
    refunded: bool,
}

fn object<T: serde::de::DeserializeOwned>(event: Event) -> Result<T, HookError> {
    let kind = event.kind;
    serde_json::from_value(event.data.object)
        .map_err(|e| HookError::Malformed(format!("data.object is not what {kind} sends: {e}")))
}

pub struct Stripe;

impl StoreHook for Stripe {
    const STORE: &'static str = "stripe";
    const HEADER: &'static str = "stripe-signature";

    fn verify(secret: &str, signature: &str, body: &[u8]) -> bool {
        stripe_signature_ok(secret, signature, body, now_ms() / 1000)
    }

    async fn handle(state: &AppState, connection: &Connection, body: &[u8]) -> Result<Json<Value>, HookError> {
        let event: Event =
            serde_json::from_slice(body).map_err(|e| HookError::Malformed(format!("not a Stripe event: {e}")))?;
        match event.kind.as_str() {
            // A delayed payment method completes the session unpaid and succeeds later.
            "checkout.session.completed" | "checkout.session.async_payment_succeeded" => {
                let session: Session = object(event)?;
                if session.payment_status != "paid" {
                    return Ok(super::ignored());
                }
                super::paid(state, connection, paid_order(session)?).await
            }
            "charge.refunded" => {
                let charge: Reversal = object(event)?;
                if !charge.refunded {
                    // A partial refund leaves the purchase standing.
                    return Ok(super::ignored());
                }
                super::reversed(state, connection, &charge.payment_intent.unwrap_or(charge.id), "refunded").await
            }
            "charge.dispute.created" => {
                let dispute: Reversal = object(event)?;
                let order = dispute.payment_intent.or_else(|| dispute.charge.as_ref().and_then(id_text));
                let order = order.ok_or_else(|| HookError::Malformed("data.object.payment_intent: missing".into()))?;
                super::reversed(state, connection, &order, "chargeback").await
            }
            _ => Ok(super::ignored()),
        }
    }
}

fn paid_order(s: Session) -> Result<PaidOrder, HookError> {
    let variant = s.metadata.get(VARIANT_KEY).and_then(id_text).or(s.payment_link).ok_or_else(|| {
        HookError::Unprocessable(format!("no product: set metadata.{VARIANT_KEY} or sell through a Payment Link"))
    })?;
    let (details_email, name) = match s.customer_details {
        Some(c) => (c.email, c.name),
        None => (None, None),
    };
    let email = details_email
        .or(s.customer_email)
        .ok_or_else(|| HookError::Unprocessable("customer_details.email: missing".into()))?;
    Ok(PaidOrder {
        // A session without a PaymentIntent (subscription mode) is its own order.
        external_id: s.payment_intent.unwrap_or(s.id),
        variant,
        email,
        name: name.unwrap_or_default(),
        amount: s.amount_total.unwrap_or(0),
        currency: s.currency.unwrap_or_default().to_uppercase(),
    })
}
