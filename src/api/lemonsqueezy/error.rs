//! The one error type of the Lemon Squeezy face, rendered as Lemon Squeezy does: a 4xx with the
//! call's boolean (`activated`/`valid`/`deactivated`) false and `error` in words.

use crate::api::middleware::Refused;
use crate::manage::ManageError;
use crate::store::StoreError;
use axum::{
    Json,
    http::{StatusCode, header},
    response::{IntoResponse, Response},
};
use serde_json::json;

/// Which call answers: names the boolean of its answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verb {
    Activate,
    Validate,
    Deactivate,
}

impl Verb {
    pub fn flag(self) -> &'static str {
        match self {
            Verb::Activate => "activated",
            Verb::Validate => "valid",
            Verb::Deactivate => "deactivated",
        }
    }
}

pub const KEY_NOT_FOUND: &str = "license_key not found.";

#[derive(Debug)]
pub enum LsError {
    /// A required field missing or malformed (422), in Laravel's words.
    Invalid(Verb, String),
    /// An unknown key (or one whose text two sellers share): 404.
    KeyNotFound(Verb),
    RateLimited {
        retry_after_secs: u64,
    },
    Store(StoreError),
    /// An operation failed in a way this API has no answer for (logged, answered 500).
    Fault(String),
}

impl From<StoreError> for LsError {
    fn from(e: StoreError) -> Self {
        LsError::Store(e)
    }
}

/// The activation operations fail only in the store (their refusals are outcomes, and a missing
/// key is mapped where the verb is known); anything else would be a fault of the server's.
impl From<ManageError> for LsError {
    fn from(e: ManageError) -> Self {
        match e {
            ManageError::Store(e) => LsError::Store(e),
            e => LsError::Fault(e.to_string()),
        }
    }
}

impl IntoResponse for LsError {
    fn into_response(self) -> Response {
        match self {
            LsError::Invalid(verb, message) => {
                (StatusCode::UNPROCESSABLE_ENTITY, Json(json!({ verb.flag(): false, "error": message })))
                    .into_response()
            }
            LsError::KeyNotFound(verb) => {
                (StatusCode::NOT_FOUND, Json(json!({ verb.flag(): false, "error": KEY_NOT_FOUND }))).into_response()
            }
            LsError::RateLimited { retry_after_secs } => (
                StatusCode::TOO_MANY_REQUESTS,
                [(header::RETRY_AFTER, retry_after_secs.to_string())],
                Json(json!({ "error": "Too Many Attempts." })),
            )
                .into_response(),
            LsError::Store(e) if e.is_unavailable() => (
                StatusCode::SERVICE_UNAVAILABLE,
                [(header::RETRY_AFTER, StoreError::RETRY_AFTER_SECS.to_string())],
                Json(json!({ "error": "Service Unavailable." })),
            )
                .into_response(),
            LsError::Store(e) => {
                tracing::error!(error = %e, "Lemon Squeezy API: database error");
                (StatusCode::INTERNAL_SERVER_ERROR, Json(json!({ "error": "Server Error" }))).into_response()
            }
            LsError::Fault(e) => {
                tracing::error!(error = %e, "Lemon Squeezy API: operation failure");
                (StatusCode::INTERNAL_SERVER_ERROR, Json(json!({ "error": "Server Error" }))).into_response()
            }
        }
    }
}

/// A body over `max_body_bytes` or too slow to arrive, in this face's shape.
pub fn refuse_body(_: &crate::state::AppState, _: &axum::http::request::Parts, why: Refused) -> Response {
    let (status, message) = match why {
        Refused::TooLarge => (StatusCode::PAYLOAD_TOO_LARGE, "The request body is too large."),
        Refused::TimedOut => (StatusCode::REQUEST_TIMEOUT, "The request body was not received in time."),
    };
    (status, Json(json!({ "error": message }))).into_response()
}
