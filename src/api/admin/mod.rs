//! Admin API under `/admin/v1/`: the seller's tools over HTTP. Bearer tokens: an operator token
//! manages every seller (and names the seller with `?seller_id=` on per-seller routes), a seller
//! token only its own data. JSON in, JSON out, field-named 4xx, paginated lists. The OpenAPI
//! document at `/admin/v1/openapi.json` describes every route (a test holds it to the router).

mod apps;
mod audit;
mod auth;
mod client_content;
mod client_data;
mod common;
mod error;
pub(crate) use error::refuse_body;
mod extract;
mod licenses;
mod resellers;
mod routes;
mod sellers;
mod tokens;
mod users;
pub mod views;

pub use auth::Admin;
pub use error::AdminError;
pub use extract::{Body, PathParam, QueryParams};

use crate::manage::ManageError;
use crate::state::AppState;
use axum::{
    Router,
    http::{StatusCode, header},
    response::IntoResponse,
};
use routes::Routes;

/// The OpenAPI 3 document of this API, maintained by hand beside the handlers.
pub const OPENAPI: &str = include_str!("openapi.json");

fn routes() -> Routes {
    Routes::new()
        .get("/openapi.json", openapi)
        .merge(sellers::routes())
        .merge(tokens::routes())
        .merge(apps::routes())
        .merge(users::routes())
        .merge(licenses::routes())
        .merge(resellers::routes())
        .merge(audit::routes())
        .merge(client_data::routes())
        .merge(client_content::routes())
}

pub fn router() -> Router<AppState> {
    let routes = routes().router.fallback(unknown_route).method_not_allowed_fallback(wrong_method);
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
    routes().table.into_iter().map(|(m, p)| (m, format!("/admin/v1{p}"))).collect()
}

async fn openapi() -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "application/json")], OPENAPI)
}
