//! The audit trail: every change made through the admin API or the CLI, newest first.

use super::{Listed, ManageError, PageRequest, Scope, Tenant};
use crate::domain::ids::SellerId;
use crate::store::{Store, audit::AuditEvent};

/// A seller's events; the operator sees every event unless it names a seller.
pub async fn list(
    store: &Store,
    scope: &Scope,
    seller_id: Option<SellerId>,
    page: PageRequest,
) -> Result<Listed<AuditEvent>, ManageError> {
    let seller_id = match (scope.is_operator(), seller_id) {
        (true, None) => None,
        _ => Some(scope.tenant(seller_id)?.seller_id()),
    };
    rows(store, seller_id, page).await
}

/// The tenant's events.
pub async fn list_of(store: &Store, tenant: &Tenant, page: PageRequest) -> Result<Listed<AuditEvent>, ManageError> {
    rows(store, Some(tenant.seller_id()), page).await
}

async fn rows(
    store: &Store,
    seller_id: Option<SellerId>,
    page: PageRequest,
) -> Result<Listed<AuditEvent>, ManageError> {
    let (page, meta) = page.page()?;
    let total = store.count_audit(seller_id).await?;
    let rows = store.list_audit(seller_id, page).await?;
    Ok(Listed::new(rows, meta, total))
}
