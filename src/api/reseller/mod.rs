//! Reseller API: `/reseller/*`, a reseller's stock, fetch and Discord assignment, per-key rate
//! limits. Wire contract: shared/spec/reseller-api.md; user documentation: docs/reseller-api.md.
//!
//! Every endpoint answers GET and POST alike and takes its parameters from the query string, a
//! JSON body or a form body (`params`). Errors render as `{"ok":false,"message":...}` (`error`).

mod auth;
mod error;
pub(crate) use error::refuse_body;
mod handlers;
pub mod params;
mod views;

pub use error::ResellerError;
use params::Params;

use crate::state::AppState;
use axum::{
    Router,
    handler::Handler,
    routing::{MethodRouter, any, get},
};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/reseller/myavailable", get_or_post(handlers::my_available))
        .route("/reseller/licenseinfo", get_or_post(handlers::license_info))
        .route("/reseller/fetchlicense", get_or_post(handlers::fetch_license))
        .route("/reseller/assignlicense", get_or_post(handlers::assign_license))
        .route("/reseller", any(unknown_endpoint))
        .route("/reseller/", any(unknown_endpoint))
        .route("/reseller/{*rest}", any(unknown_endpoint))
}

/// GET and POST run the same handler; other methods get 405 in the API's own shape.
fn get_or_post<H, T>(handler: H) -> MethodRouter<AppState>
where
    H: Handler<T, AppState> + Clone,
    T: 'static,
{
    get(handler.clone()).post(handler).fallback(method_not_allowed)
}

async fn unknown_endpoint() -> ResellerError {
    ResellerError::UnknownEndpoint
}

async fn method_not_allowed() -> ResellerError {
    ResellerError::MethodNotAllowed
}
