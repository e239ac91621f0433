//! Sellers: created and deleted by the operator; a seller token sees only itself.

use super::{ManageError, Operator, Scope, Tenant, change};
use crate::domain::ids::SellerId;
use crate::domain::{keymask, validate};
use crate::store::{Store, StoreError, sellers::Seller};

pub async fn create(store: &Store, operator: &Operator, name: &str, key_prefix: &str) -> Result<Seller, ManageError> {
    let name = validate::name("name", name, 100)?;
    keymask::validate_prefix(key_prefix).map_err(|e| ManageError::invalid("key_prefix", e.to_string()))?;
    change(store, async |store| {
        let seller = store.create_seller(&name, key_prefix).await.map_err(ManageError::from_store("seller", "name"))?;
        store.record_audit(Some(seller.id), operator.actor(), "seller.create", &seller.name, "").await?;
        Ok(seller)
    })
    .await
}

/// Every seller for the operator, or the one with `seller_id` (none when there is no such
/// seller: a filter, not a lookup); only its own for a seller token, whatever `seller_id` says.
pub async fn list(store: &Store, scope: &Scope, seller_id: Option<SellerId>) -> Result<Vec<Seller>, ManageError> {
    match (scope.seller_id, seller_id) {
        (None, None) => Ok(store.list_sellers().await?),
        (None, Some(id)) => match store.seller(id).await {
            Err(StoreError::NotFound) => Ok(Vec::new()),
            found => Ok(vec![found?]),
        },
        (Some(own), _) => Ok(vec![store.seller(own).await.map_err(ManageError::from_store("seller", "id"))?]),
    }
}

/// The tenant's own seller.
pub async fn get(store: &Store, tenant: &Tenant) -> Result<Seller, ManageError> {
    store.seller(tenant.seller_id()).await.map_err(ManageError::from_store("seller", "id"))
}

/// Resolves a CLI reference (id, name or ownerid) to a seller.
pub async fn resolve(store: &Store, reference: &str) -> Result<Seller, ManageError> {
    store.seller_by_ref(reference).await.map_err(ManageError::from_store("seller", "name"))
}

pub async fn delete(store: &Store, operator: &Operator, id: SellerId) -> Result<(), ManageError> {
    change(store, async |store| {
        store.delete_seller(id).await.map_err(ManageError::from_store("seller", "id"))?;
        Ok(store.record_audit(None, operator.actor(), "seller.delete", &id.to_string(), "").await?)
    })
    .await
}
