//! The wire models: license key and instance as the spec types them (integer `active`, boolean
//! `is_expired`, nullable `limit`/`expires_at`, ISO 8601 timestamps with microseconds), the
//! paginated envelope, and the body of a refused activation.

use super::extract::Paging;
use crate::domain::{
    license,
    time::{UnixMs, iso_micros},
};
use crate::store::{instances::Instance, instances::Refusal, licenses::License};
use serde::Serialize;
use serde_json::{Value, json};

#[derive(Debug, Serialize)]
pub struct KeyView {
    pub id: i64,
    pub key: String,
    pub limit: Option<i64>,
    pub active: i64,
    pub status: &'static str,
    pub expires_at: Option<String>,
    pub is_expired: bool,
    pub store_id: i64,
    pub order_id: Option<i64>,
    pub invoice_id: Option<i64>,
    pub product_id: i64,
    pub variant_id: i64,
    pub customer_id: Option<i64>,
    pub subscription_id: Option<i64>,
    pub created_at: String,
    pub updated_at: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub instances_count: Option<i64>,
}

/// The last instant ISO 8601 with four-digit years can show; later expiries (absurd durations
/// saturate towards i64::MAX) print as this instead of failing to format.
const LAST_PRINTABLE_MS: i64 = 253_402_300_799_999;

fn expiry(t: UnixMs) -> String {
    iso_micros(t.get().min(LAST_PRINTABLE_MS))
}

pub fn status(l: &License, now: i64) -> &'static str {
    license::status(l.active, l.banned_reason.is_some(), l.expires_at.map(i64::from), now).as_str()
}

impl KeyView {
    /// The key as listed and fetched (no instance count, as the seed shows).
    pub fn new(l: &License, now: i64) -> Self {
        Self {
            id: l.id.get(),
            key: l.key.clone(),
            limit: l.max_activations,
            active: i64::from(l.active),
            status: status(l, now),
            expires_at: l.expires_at.map(expiry),
            is_expired: license::is_expired(l.expires_at.map(i64::from), now),
            store_id: l.seller_id.get(),
            order_id: l.order_id,
            invoice_id: None,
            product_id: l.app_id.get(),
            variant_id: l.plan_id.get(),
            customer_id: l.customer_id.map(i64::from),
            subscription_id: None,
            created_at: iso_micros(l.created_at.get()),
            updated_at: iso_micros(l.updated_at.get()),
            instances_count: None,
        }
    }

    /// The key with its live instance count (validate and update answers).
    pub fn counted(l: &License, now: i64) -> Self {
        Self { instances_count: Some(l.activations), ..Self::new(l, now) }
    }
}

#[derive(Debug, Serialize)]
pub struct InstanceView {
    pub id: String,
    pub license_key_id: i64,
    pub name: String,
    pub store_id: i64,
    pub created_at: String,
    pub updated_at: String,
}

impl From<&Instance> for InstanceView {
    fn from(i: &Instance) -> Self {
        Self {
            id: i.id.clone(),
            license_key_id: i.license_id.get(),
            name: i.name.clone(),
            store_id: i.seller_id.get(),
            created_at: iso_micros(i.created_at.get()),
            updated_at: iso_micros(i.updated_at.get()),
        }
    }
}

/// `value`'s members at the top level and again under `data`: the seed's clients read the
/// former, the official SDK the latter.
pub fn top_level_and_data(value: Value) -> Value {
    let mut out = value.clone();
    if let Value::Object(map) = &mut out {
        map.insert("data".into(), value);
    }
    out
}

/// Laravel's paginator envelope: `data`, `links`, `meta`. `path` is the request path; links
/// are relative to the server (licensd does not know the public scheme and host).
pub fn page<T: Serialize>(items: Vec<T>, total: i64, paging: Paging, path: &str) -> Value {
    let last_page = ((total + paging.per_page - 1) / paging.per_page).max(1);
    let from = (paging.page - 1) * paging.per_page + 1;
    let count = items.len() as i64;
    let link = |p: i64| format!("{path}?limit={}&page={p}", paging.per_page);
    json!({
        "data": items,
        "links": {
            "first": link(1),
            "last": link(last_page),
            "prev": (paging.page > 1).then(|| link((paging.page - 1).min(last_page))),
            "next": (paging.page < last_page).then(|| link(paging.page + 1)),
        },
        "meta": {
            "current_page": paging.page,
            "from": (count > 0).then_some(from),
            "last_page": last_page,
            "path": path,
            "per_page": paging.per_page,
            "to": (count > 0).then_some(from + count - 1),
            "total": total,
        },
    })
}

/// The words of each refusal.
pub fn refusal_message(r: Refusal) -> &'static str {
    match r {
        Refusal::KeyNotFound => super::error::KEY_NOT_FOUND,
        Refusal::Inactive => "This license key is not active.",
        Refusal::Expired => "This license key has expired.",
        Refusal::LimitReached => "This license key has reached its activation limit.",
        Refusal::InstanceNotFound => super::error::INSTANCE_NOT_FOUND,
    }
}

/// A refused activation: the message and, when the key exists, its id, status and expiry.
pub fn activation_refusal(r: Refusal, key: Option<&License>, now: i64) -> Value {
    let mut body = json!({ "message": refusal_message(r) });
    if let Some(l) = key {
        body["license_key"] = json!({
            "id": l.id,
            "status": status(l, now),
            "expired_at": l.expires_at.map(expiry),
        });
    }
    body
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_listing_has_one_page() {
        let p = page::<Value>(vec![], 0, Paging { per_page: 15, page: 1 }, "/x");
        assert_eq!(p["meta"]["last_page"], 1);
        assert_eq!((p["meta"]["from"].clone(), p["meta"]["to"].clone()), (Value::Null, Value::Null));
        assert_eq!((p["links"]["prev"].clone(), p["links"]["next"].clone()), (Value::Null, Value::Null));
    }

    #[test]
    fn last_partial_page() {
        let p = page(vec![1, 2], 32, Paging { per_page: 10, page: 4 }, "/x");
        assert_eq!(p["meta"]["last_page"], 4);
        assert_eq!((p["meta"]["from"].as_i64(), p["meta"]["to"].as_i64()), (Some(31), Some(32)));
        assert_eq!(p["links"]["prev"], "/x?limit=10&page=3");
        assert_eq!(p["links"]["next"], Value::Null);
    }

    #[test]
    fn far_expiries_print_as_year_9999() {
        assert_eq!(expiry(UnixMs(i64::MAX)), "9999-12-31T23:59:59.999000Z");
        assert_eq!(expiry(UnixMs(1_745_352_519_000)), "2025-04-22T20:08:39.000000Z");
    }
}
