//! Reseller API: `/reseller/*`, a reseller's stock, fetch and Discord assignment, per-key rate
//! limits. Wire contract: shared/spec/reseller-api.md.

use crate::state::AppState;
use axum::Router;

pub fn router() -> Router<AppState> {
    Router::new()
}
