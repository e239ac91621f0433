//! Client API 1.3 (KeyAuth-compatible): `POST /api/1.3/`, form fields, `type` picks the action,
//! Ed25519-signed JSON responses. Wire contract: shared/spec/client-api-1.3.md.

use crate::state::AppState;
use axum::Router;

pub fn router() -> Router<AppState> {
    Router::new()
}
