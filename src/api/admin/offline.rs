//! `POST /admin/v1/licenses/{id}/offline`: checks a license out as a signed offline file
//! (`manage::offline`, docs/offline-licenses.md).

use super::common::{Answer, Scoped, data};
use super::openapi::{Conflict, Errors};
use super::views::Data;
use super::{Admin, Body, PathParam, QueryParams, routes::Routes};
use crate::domain::ids::LicenseId;
use crate::{
    manage::offline::{self, CheckoutRequest, Issuer, OfflineFile},
    state::AppState,
};
use axum::extract::State;

pub fn routes() -> Routes {
    Routes::new().post("/licenses/{id}/offline", checkout)
}

/// Check a license out as a signed offline license file.
#[utoipa::path(
    operation_id = "offline_checkout",
    post,
    path = "/licenses/{id}/offline",
    tag = "licenses",
    params(("id" = i64, Path), Scoped),
    request_body = CheckoutRequest,
    responses((status = 200, description = "OK", body = Data<OfflineFile>), Conflict, Errors)
)]
async fn checkout(
    State(s): State<AppState>,
    Admin(scope): Admin,
    QueryParams(q): QueryParams<Scoped>,
    PathParam(id): PathParam<LicenseId>,
    Body(req): Body<CheckoutRequest>,
) -> Answer<OfflineFile> {
    data(offline::checkout(&Issuer::of(&s), &scope.tenant(q.seller_id)?, id, req).await?)
}
