//! `/admin/v1/audit`: the audit trail, newest first.

use super::common::{Listing, ScopedPage, listed};
use super::openapi::Errors;
use super::views::{AuditEvent, Page};
use super::{Admin, QueryParams, routes::Routes};
use crate::{manage::audit, state::AppState};
use axum::extract::State;

pub fn routes() -> Routes {
    Routes::new().get("/audit", list)
}

/// Audit events, newest first (operator: all unless seller_id is given).
#[utoipa::path(
    operation_id = "audit_list",
    get,
    path = "/audit",
    tag = "audit",
    params(ScopedPage),
    responses((status = 200, description = "OK", body = Page<AuditEvent>), Errors)
)]
async fn list(
    State(s): State<AppState>,
    Admin(scope): Admin,
    QueryParams(q): QueryParams<ScopedPage>,
) -> Listing<AuditEvent> {
    listed(audit::list(&s.store, &scope, q.seller_id, q.page()).await?)
}
