//! What a reseller does with its API key (the Reseller API): look at its sellable stock, look one
//! of its licenses up, pick one, and assign it to a Discord user. Every operation starts from a
//! `KeyHolder`, which only `authenticate` makes from a live key; it reaches that reseller's stock
//! and nothing else. An assignment is audited as `reseller:<id>` in the transaction of its
//! conditional write and its `reseller.license_assigned` event.

use super::{ManageError, Tenant, change, reseller_dashboard::reseller_tenant_of};
use crate::domain::{discord, time::now_ms};
use crate::store::{
    Page, Store, StoreError,
    reseller_stock::{AssignOutcome, StockLicense},
    resellers::ResellerAuth,
};

/// A reseller that presented a live API key.
#[derive(Debug, Clone)]
pub struct KeyHolder {
    auth: ResellerAuth,
    tenant: Tenant,
}

impl KeyHolder {
    /// The presented key's id (its rate-limit bucket).
    pub fn key_id(&self) -> i64 {
        self.auth.key_id
    }

    /// Requests per minute the reseller's keys may make.
    pub fn rate_limit_per_min(&self) -> i64 {
        self.auth.rate_limit_per_min
    }
}

/// The reseller whose live key `presented` is; `None` for an unknown or revoked key.
pub async fn authenticate(store: &Store, presented: &str) -> Result<Option<KeyHolder>, ManageError> {
    match store.authenticate_reseller_key(presented).await {
        Ok(auth) => {
            let tenant = reseller_tenant_of(auth.seller_id, auth.reseller_id);
            Ok(Some(KeyHolder { auth, tenant }))
        }
        Err(StoreError::NotFound) => Ok(None),
        Err(e) => Err(e.into()),
    }
}

/// Stamps the key's `last_used_at` (the face does it at most once a minute).
pub async fn touch(store: &Store, holder: &KeyHolder, now: i64) -> Result<(), ManageError> {
    Ok(store.touch_reseller_key(holder.auth.key_id, now).await?)
}

/// The sellable licenses of the stock, oldest first.
pub async fn available(store: &Store, holder: &KeyHolder, page: Page) -> Result<Vec<StockLicense>, ManageError> {
    Ok(store.available_stock(holder.auth.reseller_id, now_ms(), page).await?)
}

/// One license of the stock, whatever its state; `NotFound` outside the stock.
pub async fn license(store: &Store, holder: &KeyHolder, key: &str) -> Result<StockLicense, ManageError> {
    let (seller, reseller) = (holder.auth.seller_id, holder.auth.reseller_id);
    store.stock_license(seller, reseller, key).await.map_err(ManageError::from_store("license", "key"))
}

/// A random sellable license of the stock, not reserved: `assign` settles any race.
pub async fn pick(store: &Store, holder: &KeyHolder) -> Result<Option<StockLicense>, ManageError> {
    Ok(store.random_available_stock(holder.auth.reseller_id, now_ms()).await?)
}

/// Gives license `key` of the stock to Discord user `discord_user_id`, once: of any number of
/// racing assignments of one license exactly one is `Assigned`.
pub async fn assign(
    store: &Store,
    holder: &KeyHolder,
    key: &str,
    discord_user_id: &str,
) -> Result<AssignOutcome, ManageError> {
    if !discord::is_snowflake(discord_user_id) {
        return Err(ManageError::invalid("discord_user_id", "must be a Discord user id (17 to 20 digits)"));
    }
    let (seller, reseller) = (holder.auth.seller_id, holder.auth.reseller_id);
    change(store, async |store| {
        let outcome = store
            .assign_stock_license(seller, reseller, key, discord_user_id, now_ms())
            .await
            .map_err(ManageError::from_store("license", "key"))?;
        if let AssignOutcome::Assigned(id) = outcome {
            holder.tenant.audit(store, "reseller.assign", format!("license:{id}"), discord_user_id).await?;
        }
        Ok(outcome)
    })
    .await
}
