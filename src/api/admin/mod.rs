//! Admin API under `/admin/v1/`: the seller's tools over HTTP. Bearer tokens: an operator token
//! manages every seller (and names the seller with `?seller_id=` on per-seller routes), a seller
//! token only its own data. JSON in, JSON out, field-named 4xx, paginated lists. The OpenAPI
//! document at `/admin/v1/openapi.json` is derived from the handlers and wire types (`openapi`).

mod apps;
mod audit;
mod auth;
mod client_content;
mod client_data;
mod client_tokens;
mod common;
mod customers;
mod error;
mod event_webhooks;
pub(crate) use error::refuse_body;
mod extract;
mod imports;
mod licenses;
mod offline;
mod openapi;
mod overview;
mod resellers;
mod routes;
mod sellers;
mod store_connections;
mod tokens;
mod users;
pub mod views;

pub use auth::Admin;
pub use error::AdminError;
pub use extract::{Body, PathParam, QueryParams};

use crate::api::middleware;
use crate::manage::ManageError;
use crate::state::AppState;
use axum::{Json, Router, extract::DefaultBodyLimit, http::StatusCode};
use routes::Routes;

fn routes() -> Routes {
    Routes::new()
        .get("/openapi.json", serve_openapi)
        .merge(sellers::routes())
        .merge(tokens::routes())
        .merge(apps::routes())
        .merge(users::routes())
        .merge(licenses::routes())
        .merge(customers::routes())
        .merge(offline::routes())
        .merge(resellers::routes())
        .merge(audit::routes())
        .merge(overview::routes())
        .merge(client_data::routes())
        .merge(client_tokens::routes())
        .merge(client_content::routes())
        .merge(event_webhooks::routes())
        .merge(store_connections::routes())
        .merge(imports::routes())
}

/// The admin routes, bodies limited to `max_body_bytes` except the uploads of the import
/// routes (`max_import_bytes`).
pub fn router(state: &AppState) -> Router<AppState> {
    // axum's own 2 MB default for `Bytes` is off there: `limit_body_to` bounds those bodies.
    let uploads = imports::uploads().router.layer(DefaultBodyLimit::disable());
    let uploads = middleware::limit_body_to(state.config.max_import_bytes, state, uploads, refuse_body);
    let routes = middleware::limit_body(state, routes().router, refuse_body)
        .merge(uploads)
        .fallback(unknown_route)
        .method_not_allowed_fallback(wrong_method);
    Router::new().nest("/admin/v1", routes)
}

/// A path under `/admin/v1` that names no route: the admin envelope, not axum's empty 404.
async fn unknown_route() -> AdminError {
    ManageError::NotFound("route").into()
}

async fn wrong_method() -> AdminError {
    AdminError::Rejected(StatusCode::METHOD_NOT_ALLOWED, "method not allowed on this route".to_owned())
}

/// Every `(method, path)` the admin router serves, paths with the `/admin/v1` prefix.
pub fn route_table() -> Vec<(&'static str, String)> {
    routes().merge(imports::uploads()).table.into_iter().map(|(m, p)| (m, format!("/admin/v1{p}"))).collect()
}

/// This document. Built once: it does not change while the server runs.
#[utoipa::path(
    operation_id = "serve_openapi",
    get,
    path = "/openapi.json",
    tag = "meta",
    security(()),
    responses((status = 200, description = "the OpenAPI document", body = Object))
)]
async fn serve_openapi() -> Json<&'static utoipa::openapi::OpenApi> {
    static DOC: std::sync::OnceLock<utoipa::openapi::OpenApi> = std::sync::OnceLock::new();
    Json(DOC.get_or_init(openapi::document))
}
