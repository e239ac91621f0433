//! Stores' order webhooks: `POST /hooks/lemonsqueezy/{ownerid}`. The seller's connection holds
//! the signing secret; a verified `order_created` makes the order's key (once per store order
//! id) and mails it to the buyer when SMTP is configured, `order_refunded` bans the order's
//! keys. Anything unsigned, badly signed or malformed is refused with a 4xx before anything
//! changes. Set-up: docs/stores.md.

mod lemonsqueezy;

use crate::api::middleware::Refused;
use crate::manage::ManageError;
use crate::state::AppState;
use axum::{
    Json, Router,
    http::{StatusCode, header},
    response::{IntoResponse, Response},
    routing::post,
};
use serde_json::json;

pub fn router() -> Router<AppState> {
    Router::new().route("/hooks/lemonsqueezy/{seller_ref}", post(lemonsqueezy::receive))
}

/// The one error of the webhook face: `{"error": ...}` with a status the store understands
/// (a 4xx is not retried as a server fault would be).
#[derive(Debug)]
pub enum HookError {
    /// No such seller or connection (404: the same for both, so the URL reveals nothing).
    Unknown,
    /// Missing or wrong signature (401).
    Signature,
    /// Not the payload the store documents (400).
    Malformed(String),
    /// Well formed, but not sellable here (422: e.g. a variant with no mapping).
    Unprocessable(String),
    Manage(ManageError),
}

impl From<ManageError> for HookError {
    fn from(e: ManageError) -> Self {
        match e {
            ManageError::Invalid(f) => HookError::Unprocessable(format!("{}: {}", f.field, f.message)),
            ManageError::NotFound(what) => HookError::Unprocessable(format!("{what} not found")),
            other => HookError::Manage(other),
        }
    }
}

impl IntoResponse for HookError {
    fn into_response(self) -> Response {
        let (status, message) = match self {
            HookError::Unknown => (StatusCode::NOT_FOUND, "unknown webhook".to_owned()),
            HookError::Signature => (StatusCode::UNAUTHORIZED, "missing or invalid signature".to_owned()),
            HookError::Malformed(m) => (StatusCode::BAD_REQUEST, m),
            HookError::Unprocessable(m) => (StatusCode::UNPROCESSABLE_ENTITY, m),
            HookError::Manage(ManageError::Store(e)) if e.is_unavailable() => {
                let retry = [(header::RETRY_AFTER, crate::store::StoreError::RETRY_AFTER_SECS.to_string())];
                return (StatusCode::SERVICE_UNAVAILABLE, retry, Json(json!({ "error": "service unavailable" })))
                    .into_response();
            }
            HookError::Manage(e) => {
                tracing::error!(error = %e, "store webhook failed");
                (StatusCode::INTERNAL_SERVER_ERROR, "server error".to_owned())
            }
        };
        (status, Json(json!({ "error": message }))).into_response()
    }
}

pub fn refuse_body(_: &AppState, _: &axum::http::request::Parts, why: Refused) -> Response {
    let message = match why {
        Refused::TooLarge => "body too large",
        Refused::TimedOut => "body not received in time",
    };
    let status = match why {
        Refused::TooLarge => StatusCode::PAYLOAD_TOO_LARGE,
        Refused::TimedOut => StatusCode::REQUEST_TIMEOUT,
    };
    (status, Json(json!({ "error": message }))).into_response()
}
