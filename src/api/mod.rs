//! The HTTP surface: one module per protocol, each with its own router, request/response types
//! and error rendering, plus the operational endpoints (health, readiness, public key).

pub mod admin;
pub mod client;
pub mod licenses;
mod middleware;
mod ops;
pub mod reseller;

use crate::state::AppState;
use axum::Router;

/// Every route of the server with its middleware.
pub fn router(state: AppState) -> Router {
    let max_body = state.config.max_body_bytes;
    let routes = Router::new()
        .merge(ops::router())
        .merge(admin::router())
        .merge(client::router())
        .merge(licenses::router())
        .merge(reseller::router())
        .with_state(state);
    middleware::apply(routes, max_body)
}
