//! `/admin/v1/audit`: the audit trail, newest first.

use super::common::{JsonResult, ScopedPage, listed};
use super::{Admin, QueryParams, routes::Routes};
use crate::{manage::audit, state::AppState};
use axum::extract::State;

pub fn routes() -> Routes {
    Routes::new().get("/audit", list)
}

async fn list(State(s): State<AppState>, Admin(scope): Admin, QueryParams(q): QueryParams<ScopedPage>) -> JsonResult {
    listed(audit::list(&s.store, &scope, q.seller_id, q.page()).await?)
}
