//! The HTTP surface: one module per protocol (Lemon Squeezy's License API among them), each with its own router, request/response types
//! and error rendering, plus the operational endpoints (health, readiness, public key).

pub mod admin;
pub mod client;
mod customer;
mod dashboard;
mod hooks;
mod known_json;
pub mod lemonsqueezy;
pub mod licenses;
pub mod middleware;
mod ops;
pub mod panel;
pub(crate) mod reached;
pub mod reseller;
pub mod seller;

use crate::state::AppState;
use axum::Router;

/// Every route of the server, in the frame every request goes through (`middleware::Frame`).
pub fn router(state: AppState) -> middleware::Frame {
    let limited = |router, refuse| middleware::limit_body(&state, router, refuse);
    let routes = Router::new()
        .merge(ops::router())
        .merge(admin::router(&state))
        .merge(limited(client::router(), client::context::refuse_body))
        .merge(limited(licenses::router(), licenses::refuse_body))
        .merge(limited(lemonsqueezy::router(), lemonsqueezy::refuse_body))
        .merge(limited(hooks::router(), hooks::refuse_body))
        .merge(limited(reseller::router(), reseller::refuse_body))
        .merge(limited(seller::router(), seller::refuse_body))
        .merge(limited(panel::router(&state), panel::refuse_body::<panel::PanelFace>))
        .merge(limited(dashboard::router(&state), panel::refuse_body::<dashboard::DashFace>))
        .merge(limited(customer::router(&state), panel::refuse_body::<customer::CustomerFace>))
        .with_state(state.clone());
    middleware::Frame::new(routes, state.metrics.clone())
}
