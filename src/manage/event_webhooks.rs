//! Event webhook endpoints of a seller: where events are POSTed (URL, the event types it
//! takes, a signing secret shown once, on/off), their delivery log, and redelivery.

use super::{Listed, ManageError, PageRequest, Tenant, change};
use crate::domain::{deliveries, netaddr::http_url, secret, time::now_ms, validate};
use crate::store::{
    Store,
    event_webhooks::{Delivery, Endpoint, EndpointChanges},
};
use serde::{Deserialize, Serialize};

/// An endpoint as created: with its signing secret, shown this once.
#[derive(Debug, Clone)]
pub struct CreatedEndpoint {
    pub endpoint: Endpoint,
    pub secret: String,
}

/// A new endpoint, or (every field optional) a change of one.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EndpointInput {
    pub url: Option<String>,
    /// Event types: `*`, `license.*`, `user.banned`, ...
    pub events: Option<Vec<String>>,
    /// `json` (default: the signed event) or `discord` (the URL is a Discord webhook: the event
    /// as an embed).
    pub format: Option<String>,
    pub enabled: Option<bool>,
}

fn checked_url(url: &str) -> Result<String, ManageError> {
    let url = validate::name("url", url.trim(), 2000)?;
    if http_url(&url).is_none() {
        return Err(ManageError::invalid("url", "must be an absolute http or https URL with a host"));
    }
    Ok(url)
}

fn checked_format(format: &str) -> Result<String, ManageError> {
    let format =
        deliveries::Format::parse(format).ok_or_else(|| ManageError::invalid("format", "must be json or discord"))?;
    Ok(format.as_str().to_owned())
}

fn checked_events(events: &[String]) -> Result<String, ManageError> {
    Ok(deliveries::parse_patterns(events).map_err(|m| ManageError::invalid("events", m))?.join(" "))
}

pub async fn create(store: &Store, tenant: &Tenant, input: EndpointInput) -> Result<CreatedEndpoint, ManageError> {
    let seller_id = tenant.seller_id();
    let settings = EndpointChanges {
        url: Some(checked_url(input.url.as_deref().unwrap_or(""))?),
        events: Some(checked_events(input.events.as_deref().unwrap_or(&["*".to_owned()]))?),
        format: Some(checked_format(input.format.as_deref().unwrap_or("json"))?),
        enabled: input.enabled,
    };
    let secret = format!("whsec_{}", secret::random_string(b"0123456789abcdefghijklmnopqrstuvwxyz", 40));
    change(store, async |store| {
        store.seller(seller_id).await.map_err(ManageError::from_store("seller", "id"))?;
        let endpoint = store.create_endpoint(seller_id, &settings, &secret, now_ms()).await?;
        // The URL may carry the seller's own secrets: it stays out of the audit trail.
        let target = format!("webhook_endpoint:{}", endpoint.id);
        tenant.audit(store, "webhook_endpoint.create", target, &endpoint.events).await?;
        Ok(CreatedEndpoint { endpoint, secret })
    })
    .await
}

pub async fn list(store: &Store, tenant: &Tenant, page: PageRequest) -> Result<Listed<Endpoint>, ManageError> {
    let seller_id = tenant.seller_id();
    page.slice(store.list_endpoints(seller_id).await?)
}

pub async fn get(store: &Store, tenant: &Tenant, id: i64) -> Result<Endpoint, ManageError> {
    let seller_id = tenant.seller_id();
    store.endpoint(seller_id, id).await.map_err(ManageError::from_store("webhook endpoint", "id"))
}

pub async fn update(store: &Store, tenant: &Tenant, id: i64, input: EndpointInput) -> Result<Endpoint, ManageError> {
    let seller_id = tenant.seller_id();
    let changes = EndpointChanges {
        url: input.url.as_deref().map(checked_url).transpose()?,
        events: input.events.as_deref().map(checked_events).transpose()?,
        format: input.format.as_deref().map(checked_format).transpose()?,
        enabled: input.enabled,
    };
    change(store, async |store| {
        let endpoint = store
            .update_endpoint(seller_id, id, &changes, now_ms())
            .await
            .map_err(ManageError::from_store("webhook endpoint", "id"))?;
        tenant.audit(store, "webhook_endpoint.update", format!("webhook_endpoint:{id}"), &endpoint.events).await?;
        Ok(endpoint)
    })
    .await
}

pub async fn delete(store: &Store, tenant: &Tenant, id: i64) -> Result<(), ManageError> {
    let seller_id = tenant.seller_id();
    change(store, async |store| {
        store.delete_endpoint(seller_id, id).await.map_err(ManageError::from_store("webhook endpoint", "id"))?;
        tenant.audit(store, "webhook_endpoint.delete", format!("webhook_endpoint:{id}"), "").await
    })
    .await
}

/// The delivery log of an endpoint, newest first; `state`: pending, delivered or failed.
pub async fn deliveries(
    store: &Store,
    tenant: &Tenant,
    id: i64,
    state: Option<&str>,
    page: PageRequest,
) -> Result<Listed<Delivery>, ManageError> {
    if let Some(s) = state
        && !matches!(s, "pending" | "delivered" | "failed")
    {
        return Err(ManageError::invalid("state", "must be pending, delivered or failed"));
    }
    let endpoint = get(store, tenant, id).await?;
    let (page, meta) = page.page()?;
    let (rows, total) = store.list_deliveries(endpoint.id, state, page).await?;
    Ok(Listed::new(rows, meta, total))
}

#[derive(Debug, Clone, Copy, Serialize)]
pub struct Redelivered {
    pub redelivered: u64,
}

/// Sends one delivery (`Some(id)`) or every failed one of the endpoint again, now.
pub async fn redeliver(
    store: &Store,
    tenant: &Tenant,
    id: i64,
    delivery_id: Option<i64>,
) -> Result<Redelivered, ManageError> {
    let seller_id = tenant.seller_id();
    change(store, async |store| {
        let endpoint =
            store.endpoint(seller_id, id).await.map_err(ManageError::from_store("webhook endpoint", "id"))?;
        let n = store.redeliver(endpoint.id, delivery_id, now_ms()).await?;
        if delivery_id.is_some() && n == 0 {
            return Err(ManageError::NotFound("delivery"));
        }
        let detail = delivery_id.map_or_else(|| format!("failed={n}"), |d| format!("delivery={d}"));
        tenant.audit(store, "webhook_endpoint.redeliver", format!("webhook_endpoint:{id}"), &detail).await?;
        Ok(Redelivered { redelivered: n })
    })
    .await
}
