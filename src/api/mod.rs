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
    let limited = |router, too_large| middleware::limit_body(&state, router, too_large);
    let routes = Router::new()
        .merge(ops::router())
        .merge(limited(admin::router(), admin::too_large))
        .merge(limited(client::router(), client::context::too_large))
        .merge(limited(licenses::router(), licenses::too_large))
        .merge(limited(reseller::router(), reseller::too_large))
        .with_state(state);
    middleware::apply(routes)
}
