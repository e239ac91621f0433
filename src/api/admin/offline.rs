//! `POST /admin/v1/licenses/{id}/offline`: checks a license out as a signed offline file
//! (`manage::offline`, docs/offline-licenses.md).

use super::common::{JsonResult, Scoped, data};
use super::{Admin, Body, PathParam, QueryParams, routes::Routes};
use crate::{
    manage::offline::{self, CheckoutRequest, Issuer},
    state::AppState,
};
use axum::extract::State;

pub fn routes() -> Routes {
    Routes::new().post("/licenses/{id}/offline", checkout)
}

async fn checkout(
    State(s): State<AppState>,
    Admin(scope): Admin,
    QueryParams(q): QueryParams<Scoped>,
    PathParam(id): PathParam<i64>,
    Body(req): Body<CheckoutRequest>,
) -> JsonResult {
    data(offline::checkout(&Issuer::of(&s), &scope, q.seller_id, id, req).await?)
}
