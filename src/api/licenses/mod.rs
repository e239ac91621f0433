//! Licenses API v2 (Sell.app-compatible): license keys and instances under `/api/v2`, Bearer
//! store tokens. Wire contract: shared/spec/licenses-api-v2.md; docs/licenses-api.md tells
//! what a migrating Sell.app user needs to know.

mod activation;
mod error;
pub use error::LicensesError;
pub(crate) use error::too_large;
mod extract;
pub mod fields;
mod keys;
mod views;

use crate::state::AppState;
use axum::{
    Router,
    routing::{get, post},
};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v2/licenses/activate", post(activation::activate))
        .route("/api/v2/licenses/validate", post(activation::validate))
        .route("/api/v2/licenses/deactivate", post(activation::deactivate))
        .route("/api/v2/license-keys", get(keys::list))
        .route("/api/v2/license-keys/{id}", get(keys::get).patch(keys::update))
        .route("/api/v2/license-keys/{id}/instances", get(keys::instances))
        .route("/api/v2/license-keys/{id}/instances/{instance}", get(keys::instance))
        .route("/api/v2/license-key-instances", get(keys::store_instances))
}
