//! Licenses API v2 (Sell.app-compatible): license keys and instances under `/api/v2`, Bearer
//! store tokens. Wire contract: shared/spec/licenses-api-v2.md; docs/licenses-api.md tells
//! what a migrating Sell.app user needs to know.

mod activation;
mod error;
pub use error::LicensesError;
pub(crate) use error::refuse_body;
mod extract;
pub mod fields;
mod keys;
mod offline;
mod views;

use crate::state::AppState;
use axum::{
    Json, Router,
    http::StatusCode,
    response::{IntoResponse, Response},
    routing::{get, post},
};
use serde_json::json;

pub fn router() -> Router<AppState> {
    let routes = Router::new()
        .route("/licenses/activate", post(activation::activate))
        .route("/licenses/validate", post(activation::validate))
        .route("/licenses/deactivate", post(activation::deactivate))
        .route("/licenses/offline", post(offline::checkout))
        .route("/license-keys", get(keys::list))
        .route("/license-keys/{id}", get(keys::get).patch(keys::update))
        .route("/license-keys/{id}/instances", get(keys::instances))
        .route("/license-keys/{id}/instances/{instance}", get(keys::instance))
        .route("/license-key-instances", get(keys::store_instances))
        .fallback(unknown_route)
        .method_not_allowed_fallback(wrong_method);
    Router::new().nest("/api/v2", routes)
}

/// A path under `/api/v2` that names no route: `{"message"}` like every other answer here.
async fn unknown_route() -> LicensesError {
    LicensesError::NotFound("Not Found.")
}

async fn wrong_method() -> Response {
    (StatusCode::METHOD_NOT_ALLOWED, Json(json!({"message": "The method is not supported for this route."})))
        .into_response()
}
