//! Resellers of a seller: their accounts, API keys (shown once, stored hashed), and their stock
//! of licenses, which the Reseller API hands out to Discord users.

use super::{Listed, ManageError, PageRequest, Tenant, change, emit, licenses};
use crate::domain::ids::{AppId, LicenseId, PlanId, ResellerId, SellerId};
use crate::domain::{
    events::{Event, EventKind, Subject},
    keymask, validate,
};
use crate::store::{
    Store,
    licenses::{License, LicenseFilter},
    reseller_stock::PlanStock,
    resellers::{Reseller, ResellerKey},
};
use serde::{Deserialize, Serialize};

pub const DEFAULT_RATE_LIMIT_PER_MIN: i64 = 100;

/// A new reseller, or with every field optional, a change to one.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ResellerInput {
    pub name: Option<String>,
    pub key_prefix: Option<String>,
    pub rate_limit_per_min: Option<i64>,
}

fn checked(name: &str, key_prefix: &str, rate: i64) -> Result<(String, i64), ManageError> {
    let name = validate::name("name", name, 100)?;
    keymask::validate_prefix(key_prefix).map_err(|e| ManageError::invalid("key_prefix", e.to_string()))?;
    Ok((name, validate::in_range("rate_limit_per_min", rate, 1, 100_000)?))
}

pub async fn create(store: &Store, tenant: &Tenant, input: ResellerInput) -> Result<Reseller, ManageError> {
    let seller_id = tenant.seller_id();
    let prefix = input.key_prefix.unwrap_or_default();
    let (name, rate) = checked(
        input.name.as_deref().unwrap_or(""),
        &prefix,
        input.rate_limit_per_min.unwrap_or(DEFAULT_RATE_LIMIT_PER_MIN),
    )?;
    change(store, async |store| {
        store.seller(seller_id).await.map_err(ManageError::from_store("seller", "id"))?;
        let r = store
            .create_reseller(seller_id, &name, &prefix, rate)
            .await
            .map_err(ManageError::from_store("reseller", "name"))?;
        tenant.audit(store, "reseller.create", format!("reseller:{}", r.id), &r.name).await?;
        Ok(r)
    })
    .await
}

pub async fn list(store: &Store, tenant: &Tenant, page: PageRequest) -> Result<Listed<Reseller>, ManageError> {
    let seller_id = tenant.seller_id();
    page.slice(store.list_resellers(seller_id).await?)
}

pub async fn get(store: &Store, tenant: &Tenant, id: ResellerId) -> Result<Reseller, ManageError> {
    let seller_id = tenant.seller_id();
    store.reseller(seller_id, id).await.map_err(ManageError::from_store("reseller", "id"))
}

/// Resolves a CLI reference (id or name) to a reseller of the seller.
pub async fn resolve(store: &Store, seller_id: SellerId, reference: &str) -> Result<Reseller, ManageError> {
    store.reseller_by_ref(seller_id, reference).await.map_err(ManageError::from_store("reseller", "name"))
}

pub async fn update(
    store: &Store,
    tenant: &Tenant,
    id: ResellerId,
    input: ResellerInput,
) -> Result<Reseller, ManageError> {
    let seller_id = tenant.seller_id();
    change(store, async |store| {
        let r = store.reseller_for_update(seller_id, id).await.map_err(ManageError::from_store("reseller", "id"))?;
        let prefix = input.key_prefix.unwrap_or(r.key_prefix);
        let (name, rate) = checked(
            input.name.as_deref().unwrap_or(&r.name),
            &prefix,
            input.rate_limit_per_min.unwrap_or(r.rate_limit_per_min),
        )?;
        let r = store
            .update_reseller(r.seller_id, id, &name, &prefix, rate)
            .await
            .map_err(ManageError::from_store("reseller", "name"))?;
        tenant.audit(store, "reseller.update", format!("reseller:{id}"), "").await?;
        Ok(r)
    })
    .await
}

/// Deletes the reseller and its keys; its stock goes back to the seller.
pub async fn delete(store: &Store, tenant: &Tenant, id: ResellerId) -> Result<(), ManageError> {
    let seller_id = tenant.seller_id();
    change(store, async |store| {
        store.delete_reseller(seller_id, id).await.map_err(ManageError::from_store("reseller", "id"))?;
        tenant.audit(store, "reseller.delete", format!("reseller:{id}"), "").await
    })
    .await
}

/// Issues an API key; returns its record and the secret, shown this once.
pub async fn create_key(
    store: &Store,
    tenant: &Tenant,
    id: ResellerId,
    label: &str,
) -> Result<(ResellerKey, String), ManageError> {
    let label = validate::bounded("label", label.trim(), 100)?;
    change(store, async |store| {
        let r = get(store, tenant, id).await?;
        let (key, secret) = store.create_reseller_key(r.id, &label).await?;
        tenant.audit(store, "reseller.key.create", format!("reseller_key:{}", key.id), &label).await?;
        Ok((key, secret))
    })
    .await
}

pub async fn list_keys(
    store: &Store,
    tenant: &Tenant,
    id: ResellerId,
    page: PageRequest,
) -> Result<Listed<ResellerKey>, ManageError> {
    let r = get(store, tenant, id).await?;
    page.slice(store.list_reseller_keys(r.id).await?)
}

pub async fn revoke_key(store: &Store, tenant: &Tenant, id: ResellerId, key_id: i64) -> Result<(), ManageError> {
    change(store, async |store| {
        let r = get(store, tenant, id).await?;
        store.revoke_reseller_key(r.id, key_id).await.map_err(ManageError::from_store("reseller key", "id"))?;
        tenant.audit(store, "reseller.key.revoke", format!("reseller_key:{key_id}"), "").await
    })
    .await
}

#[derive(Debug, Clone, Serialize)]
pub struct Moved {
    pub moved: u64,
}

/// Moves licenses of the seller into the reseller's stock. Licenses already assigned to a
/// Discord user, and ids the seller does not own, are left alone (not counted).
pub async fn add_stock(
    store: &Store,
    tenant: &Tenant,
    id: ResellerId,
    license_ids: &[LicenseId],
) -> Result<Moved, ManageError> {
    if license_ids.is_empty() || license_ids.len() as i64 > licenses::MAX_BATCH {
        return Err(ManageError::invalid("license_ids", format!("give 1 to {} license ids", licenses::MAX_BATCH)));
    }
    change(store, async |store| {
        let r = get(store, tenant, id).await?;
        let moved = store.move_licenses_to_reseller(r.seller_id, license_ids, Some(r.id)).await?;
        let detail = format!("moved={moved}");
        tenant.audit(store, "reseller.stock.add", format!("reseller:{id}"), &detail).await?;
        if moved > 0 {
            emit(store, &[stock_added(&r, moved)]).await?;
        }
        Ok(Moved { moved })
    })
    .await
}

/// `reseller.stock_added`: `moved` licenses more in the reseller's stock.
fn stock_added(r: &Reseller, moved: u64) -> Event {
    let payload = serde_json::json!({ "reseller_id": r.id, "moved": moved });
    Event::new(EventKind::ResellerStockAdded, r.seller_id, None, Subject::Reseller(r.id), payload)
}

/// New keys for a reseller's stock, a batch per duration: `(duration_secs, count)`.
pub struct StockOrder<'a> {
    /// The reseller's id or name.
    pub reseller: &'a str,
    pub app_id: AppId,
    pub plan_id: PlanId,
    pub batches: &'a [(i64, i64)],
}

/// Generates keys straight into a reseller's stock, every batch in one transaction, and
/// returns how many. This is the seller API's `balance`: KeyAuth credits a reseller with a
/// number of keys per duration to make later; licensd makes them now, so the stock is the
/// balance (docs/seller-api.md).
pub async fn stock_new_keys(store: &Store, tenant: &Tenant, order: StockOrder<'_>) -> Result<u64, ManageError> {
    if order.batches.iter().any(|(_, n)| !(0..=licenses::MAX_BATCH).contains(n)) {
        return Err(ManageError::invalid("count", format!("must be from 0 to {}", licenses::MAX_BATCH)));
    }
    // Each count is bounded above, so the sum cannot overflow.
    let total: i64 = order.batches.iter().map(|(_, n)| n).sum();
    if total > licenses::MAX_BATCH {
        return Err(ManageError::invalid("count", format!("at most {} keys at once", licenses::MAX_BATCH)));
    }
    change(store, async |store| {
        let r = resolve(store, tenant.seller_id(), order.reseller).await?;
        let mut made = 0;
        for &(duration_secs, count) in order.batches.iter().filter(|(_, n)| *n > 0) {
            let spec = licenses::GenerateSpec {
                duration_secs: Some(duration_secs),
                reseller_id: Some(r.id),
                ..licenses::GenerateSpec::new(order.app_id, order.plan_id, count)
            };
            made += licenses::generate_in(store, tenant, spec, &|_| {}).await?.count as u64;
        }
        if made > 0 {
            emit(store, &[stock_added(&r, made)]).await?;
        }
        Ok(made)
    })
    .await
}

/// The reseller's stock with each license's assignment (`discord_user_id`, `assigned_at`).
pub async fn list_stock(
    store: &Store,
    tenant: &Tenant,
    id: ResellerId,
    page: PageRequest,
) -> Result<Listed<License>, ManageError> {
    let r = get(store, tenant, id).await?;
    let (page, meta) = page.page()?;
    let filter = LicenseFilter { reseller_id: Some(r.id), ..LicenseFilter::default() };
    let (rows, total) = store.list_licenses(r.seller_id, &filter, page).await?;
    Ok(Listed::new(rows, meta, total))
}

/// The reseller's stock counted per plan: sellable now, assigned, in all.
pub async fn stock_by_plan(store: &Store, tenant: &Tenant, id: ResellerId) -> Result<Vec<PlanStock>, ManageError> {
    let r = get(store, tenant, id).await?;
    Ok(store.stock_by_plan(r.id, crate::domain::time::now_ms()).await?)
}
