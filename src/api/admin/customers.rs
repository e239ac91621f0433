//! `/admin/v1/customers`: the seller's buyers (keys name them with `customer_id`).

use super::common::{Listing, ScopedPage, listed};
use super::openapi::Errors;
use super::views::{Customer, Page};
use super::{Admin, QueryParams, routes::Routes};
use crate::{manage::customers, state::AppState};
use axum::extract::State;

pub fn routes() -> Routes {
    Routes::new().get("/customers", list)
}

/// Customers, newest first; the one with an empty email is the seller's default customer.
#[utoipa::path(
    operation_id = "customers_list",
    get,
    path = "/customers",
    tag = "customers",
    params(ScopedPage),
    responses((status = 200, description = "OK", body = Page<Customer>), Errors)
)]
async fn list(
    State(s): State<AppState>,
    Admin(scope): Admin,
    QueryParams(q): QueryParams<ScopedPage>,
) -> Listing<Customer> {
    listed(customers::list(&s.store, &scope.tenant(q.seller_id)?, q.page()).await?)
}
