//! Operational endpoints: liveness, readiness, the public key that clients pin, and the
//! Prometheus metrics (behind `metrics_token`).

use crate::state::AppState;
use axum::{
    Json, Router,
    extract::State,
    http::{HeaderMap, StatusCode, header},
    response::IntoResponse,
    routing::get,
};
use serde_json::json;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .route("/api/info", get(info))
        .route("/health", get(health))
        .route("/metrics", get(metrics))
}

/// This process's metrics (OpenMetrics text), for a bearer of `metrics_token`; without one
/// configured the endpoint does not exist.
async fn metrics(State(state): State<AppState>, headers: HeaderMap) -> impl IntoResponse {
    let Some(token) = state.config.metrics_token.as_deref().filter(|t| !t.is_empty()) else {
        return (StatusCode::NOT_FOUND, [(header::CONTENT_TYPE, "text/plain")], String::from("not found"));
    };
    let given =
        headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok()).and_then(|v| v.strip_prefix("Bearer "));
    let allowed = given.is_some_and(|g| bool::from(subtle::ConstantTimeEq::ct_eq(g.as_bytes(), token.as_bytes())));
    if !allowed {
        return (StatusCode::UNAUTHORIZED, [(header::CONTENT_TYPE, "text/plain")], String::from("unauthorized"));
    }
    state.metrics.refresh(&state.store, crate::domain::time::now_ms()).await;
    let content_type = "application/openmetrics-text; version=1.0.0; charset=utf-8";
    (StatusCode::OK, [(header::CONTENT_TYPE, content_type)], state.metrics.render())
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
