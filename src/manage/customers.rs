//! Customers: the buyers of a seller's keys, made by key generation, import and orders.

use super::{Listed, ManageError, PageRequest, Tenant};
use crate::store::{Store, customers::Customer};

/// A seller's customers, newest first (the default customer among them).
pub async fn list(store: &Store, tenant: &Tenant, page: PageRequest) -> Result<Listed<Customer>, ManageError> {
    let seller_id = tenant.seller_id();
    let (page, meta) = page.page()?;
    let (rows, total) = store.list_customers(seller_id, page).await?;
    Ok(Listed::new(rows, meta, total))
}
