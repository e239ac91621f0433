//! The Reseller API's error envelope: `{"ok":false,"message":...}` with a fitting status. Only
//! the server's own faults answer 500 (logged, not shown), or 503 with `Retry-After` while the
//! database cannot store anything (full disk).

use crate::{api::middleware::Refused, manage::ManageError, store::StoreError};
use axum::{
    Json,
    http::{HeaderValue, StatusCode, header::RETRY_AFTER},
    response::{IntoResponse, Response},
};
use serde_json::json;

/// The seed's exact words for a refused request.
pub const RATE_LIMITED: &str = "Rate limit exceeded. Try again later.";

#[derive(Debug)]
pub enum ResellerError {
    /// Missing or malformed input; the message says which.
    BadRequest(String),
    BodyTooLarge,
    BodyTimedOut,
    MissingToken,
    InvalidToken,
    /// Over the key's budget; the current window ends in this many seconds.
    RateLimited {
        retry_after_secs: i64,
    },
    /// Unknown license, or one outside the caller's stock: the same answer for both.
    LicenseNotFound,
    /// `fetchlicense` on a stock with nothing left to sell.
    NoneAvailable,
    AlreadyAssigned,
    /// In the stock and unassigned, but banned, switched off or expired.
    NotAssignable(&'static str),
    UnknownEndpoint,
    MethodNotAllowed,
    Store(StoreError),
    /// An operation failed in a way this API has no answer for (logged, answered 500).
    Fault(String),
}

impl From<StoreError> for ResellerError {
    fn from(e: StoreError) -> Self {
        Self::Store(e)
    }
}

/// An operation's refusal in the API's words: bad input names its field (`discord_user_id must
/// be ...`, the seed's shape); the store's errors keep their statuses.
impl From<ManageError> for ResellerError {
    fn from(e: ManageError) -> Self {
        match e {
            ManageError::Invalid(f) => Self::BadRequest(format!("{} {}", f.field, f.message)),
            ManageError::NotFound(_) => Self::LicenseNotFound,
            ManageError::Store(e) => Self::Store(e),
            // No Reseller API operation conflicts or needs the operator: a fault if one did.
            e @ (ManageError::Conflict { .. } | ManageError::Forbidden) => Self::Fault(e.to_string()),
        }
    }
}

impl ResellerError {
    fn status_and_message(&self) -> (StatusCode, &str) {
        match self {
            Self::BadRequest(m) => (StatusCode::BAD_REQUEST, m),
            Self::BodyTooLarge => (StatusCode::PAYLOAD_TOO_LARGE, "Request body too large"),
            Self::BodyTimedOut => (StatusCode::REQUEST_TIMEOUT, "Request body not received in time"),
            Self::MissingToken => (StatusCode::UNAUTHORIZED, "Missing api_token"),
            Self::InvalidToken => (StatusCode::UNAUTHORIZED, "Invalid API token"),
            Self::RateLimited { .. } => (StatusCode::TOO_MANY_REQUESTS, RATE_LIMITED),
            Self::LicenseNotFound => (StatusCode::NOT_FOUND, "License not found"),
            Self::NoneAvailable => (StatusCode::NOT_FOUND, "No licenses available"),
            Self::AlreadyAssigned => (StatusCode::CONFLICT, "License already assigned"),
            Self::NotAssignable(m) => (StatusCode::CONFLICT, m),
            Self::UnknownEndpoint => (StatusCode::NOT_FOUND, "Unknown endpoint"),
            Self::MethodNotAllowed => (StatusCode::METHOD_NOT_ALLOWED, "Method not allowed: use GET or POST"),
            Self::Store(e) if e.is_unavailable() => {
                (StatusCode::SERVICE_UNAVAILABLE, "Service temporarily unavailable. Try again later.")
            }
            Self::Store(_) | Self::Fault(_) => (StatusCode::INTERNAL_SERVER_ERROR, "Internal server error"),
        }
    }
}

/// A body over `max_body_bytes` or too slow to arrive (see `api::middleware::limit_body`).
pub fn refuse_body(_: &crate::state::AppState, _: &axum::http::request::Parts, why: Refused) -> Response {
    match why {
        Refused::TooLarge => ResellerError::BodyTooLarge,
        Refused::TimedOut => ResellerError::BodyTimedOut,
    }
    .into_response()
}

impl IntoResponse for ResellerError {
    fn into_response(self) -> Response {
        match &self {
            Self::Store(e) => tracing::error!(error = %e, "reseller API storage failure"),
            Self::Fault(e) => tracing::error!(error = %e, "reseller API operation failure"),
            _ => {}
        }
        let (status, message) = self.status_and_message();
        let mut res = (status, Json(json!({ "ok": false, "message": message }))).into_response();
        match self {
            Self::RateLimited { retry_after_secs } => {
                res.headers_mut().insert(RETRY_AFTER, HeaderValue::from(retry_after_secs));
            }
            Self::Store(e) if e.is_unavailable() => {
                res.headers_mut().insert(RETRY_AFTER, HeaderValue::from(StoreError::RETRY_AFTER_SECS));
            }
            _ => {}
        }
        res
    }
}
