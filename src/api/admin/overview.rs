//! `/admin/v1/overview`: a seller's totals, events per day over 30 days and latest audit rows
//! (the same operation as the panel's first page).

use super::common::{Answer, Scoped, data};
use super::openapi::Errors;
use super::views::{Data, Overview};
use super::{Admin, QueryParams, routes::Routes};
use crate::{domain::time::now_ms, manage::overview, state::AppState};
use axum::extract::State;

pub fn routes() -> Routes {
    Routes::new().get("/overview", show)
}

/// Licenses by state, users, events per UTC day over the last 30 days, the latest audit rows.
#[utoipa::path(
    operation_id = "overview_show",
    get,
    path = "/overview",
    tag = "audit",
    params(Scoped),
    responses((status = 200, description = "OK", body = Data<Overview>), Errors)
)]
async fn show(State(s): State<AppState>, Admin(scope): Admin, QueryParams(q): QueryParams<Scoped>) -> Answer<Overview> {
    data(overview::overview(&s.store, &scope.tenant(q.seller_id)?, now_ms()).await?)
}
