//! Admin API under `/admin/v1/`: the seller's tools over HTTP. Bearer tokens: an operator token
//! manages every seller, a seller token only its own data. JSON in, JSON out, field-named 4xx.

mod auth;
mod client_content;
mod client_data;
mod error;
mod extract;
mod sellers;
mod tokens;

pub use auth::Admin;
pub use error::AdminError;
pub use extract::{Body, PathParam, QueryParams};

use crate::state::AppState;
use axum::Router;

pub fn router() -> Router<AppState> {
    Router::new()
        .nest("/admin/v1", Router::new().merge(sellers::router()).merge(tokens::router()).merge(client_data::router()))
}
