//! Lemon Squeezy's objects: `license_key`, `instance` and `meta`, built from licensd's license,
//! instance and the key's product, variant, customer and order.

use crate::domain::{license, time::iso_micros};
use crate::store::{customers::KeyContext, instances::Instance, licenses::License};
use serde_json::{Value, json};

/// `inactive` (no activations), `active`, `expired` or `disabled` (switched off or banned).
pub fn status(l: &License, now: i64) -> &'static str {
    if !l.active || l.banned_reason.is_some() {
        "disabled"
    } else if license::is_expired(l.expires_at.map(i64::from), now) {
        "expired"
    } else if l.activations > 0 {
        "active"
    } else {
        "inactive"
    }
}

/// The last instant ISO 8601 with four-digit years shows (far expiries saturate to it).
const LAST_PRINTABLE_MS: i64 = 253_402_300_799_999;

pub fn license_key(l: &License, now: i64) -> Value {
    json!({
        "id": l.id,
        "status": status(l, now),
        "key": l.key,
        "activation_limit": l.max_activations,
        "activation_usage": l.activations,
        "created_at": iso_micros(l.created_at.get()),
        "expires_at": l.expires_at.map(|ms| iso_micros(ms.get().min(LAST_PRINTABLE_MS))),
        "test_mode": false,
    })
}

pub fn instance(i: &Instance) -> Value {
    json!({ "id": i.id, "name": i.name, "created_at": iso_micros(i.created_at.get()) })
}

/// Store, order, product, variant and customer. licensd orders have one item, so
/// `order_item_id` is the order's id; a key sold in no order has null for both.
pub fn meta(l: &License, c: &KeyContext) -> Value {
    json!({
        "store_id": l.seller_id,
        "order_id": l.order_id,
        "order_item_id": l.order_id,
        "product_id": l.app_id,
        "product_name": c.app_name,
        "variant_id": l.plan_id,
        "variant_name": c.plan_name,
        "customer_id": l.customer_id,
        "customer_name": c.customer_name.clone().unwrap_or_default(),
        "customer_email": c.customer_email.clone().unwrap_or_default(),
    })
}
