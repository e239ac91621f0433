//! Licenses API v2 (Sell.app-compatible): license keys and instances under `/api/v2`, Bearer
//! store tokens. Wire contract: shared/spec/licenses-api-v2.md.

use crate::state::AppState;
use axum::Router;

pub fn router() -> Router<AppState> {
    Router::new()
}
