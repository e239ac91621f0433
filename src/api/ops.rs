//! Operational endpoints: liveness, readiness, and the public key that clients pin.

use crate::state::AppState;
use axum::{Json, Router, extract::State, http::StatusCode, response::IntoResponse, routing::get};
use serde_json::json;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .route("/api/info", get(info))
        .route("/health", get(health))
}

/// The process is up.
async fn healthz() -> &'static str {
    "ok"
}

/// The database answers; load balancers stop sending traffic while it does not.
async fn readyz(State(state): State<AppState>) -> impl IntoResponse {
    if state.store.ping().await {
        (StatusCode::OK, "ready")
    } else {
        (StatusCode::SERVICE_UNAVAILABLE, "database unreachable")
    }
}

/// Server identity for clients and operators: version and the Ed25519 public key to pin.
async fn info(State(state): State<AppState>) -> Json<serde_json::Value> {
    Json(json!({
        "name": "licensd",
        "version": env!("CARGO_PKG_VERSION"),
        "public_key": state.signer.public_hex(),
        "signature_scheme": "ed25519(timestamp || body), headers x-signature-timestamp, x-signature-ed25519",
    }))
}

/// LibreAuth's health document: database and signing status, public key as `sign_public`.
async fn health(State(state): State<AppState>) -> impl IntoResponse {
    let db = state.store.ping().await;
    let status = if db { StatusCode::OK } else { StatusCode::SERVICE_UNAVAILABLE };
    (
        status,
        Json(json!({
            "status": if db { "ok" } else { "degraded" },
            "database": if db { "ok" } else { "unreachable" },
            "signing": "ok",
            "sign_public": state.signer.public_hex(),
        })),
    )
}
