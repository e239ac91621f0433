//! Customers: the buyers of a seller's keys, made by key generation, import and orders.

use super::{Listed, ManageError, PageRequest, Scope};
use crate::domain::ids::SellerId;
use crate::store::{Store, customers::Customer};

/// A seller's customers, newest first (the default customer among them).
pub async fn list(
    store: &Store,
    scope: &Scope,
    seller_id: Option<SellerId>,
    page: PageRequest,
) -> Result<Listed<Customer>, ManageError> {
    let seller_id = scope.seller(seller_id)?;
    let (page, meta) = page.page()?;
    let (rows, total) = store.list_customers(seller_id, page).await?;
    Ok(Listed::new(rows, meta, total))
}
