//! Client API 1.3 (KeyAuth-compatible): `POST`/`GET /api/1.3/`, form fields, `type` picks the
//! action, Ed25519-signed ASCII JSON responses. `/api/1.4/` speaks the same protocol and its
//! `init` also returns the app's changelog (LibreAuth). Wire contract:
//! shared/spec/client-api-1.3.md; how to add an action: docs/client-api-internals.md.
//!
//! - `form`: lenient field parsing; `context`: pre-dispatch checks and `Ctx`;
//!   `actions`: one `match` on `type`; `envelope`: JSON + signatures; `messages`: texts and codes;
//!   `signin_limits`: brute-force limits on the actions that check a client's secret.

mod abuse_limits;
pub mod actions;
pub mod context;
pub mod envelope;
pub mod form;
/// The answer texts (the catalogue is the domain's: the seller API and the panel reword them too).
pub use crate::domain::client_messages as messages;
mod signin_limits;

use crate::state::AppState;
use axum::{
    Router,
    extract::{Request, State},
    response::Response,
    routing::{MethodRouter, get},
};

/// Protocol revision named by the path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ApiVersion {
    V1_3,
    V1_4,
}

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/1.3/", endpoint(ApiVersion::V1_3))
        .route("/api/1.3", endpoint(ApiVersion::V1_3))
        .route("/api/1.4/", endpoint(ApiVersion::V1_4))
        .route("/api/1.4", endpoint(ApiVersion::V1_4))
}

/// GET and POST of one protocol revision.
fn endpoint(version: ApiVersion) -> MethodRouter<AppState> {
    let handler = move |State(state): State<AppState>, req: Request| serve(state, version, req);
    get(handler).post(handler)
}

async fn serve(state: AppState, version: ApiVersion, req: Request) -> Response {
    context::serve(state, version, req).await
}
