//! The admin API's error envelope: `{"error": {"code", "message", "field"?}}` with a 4xx status
//! for anything the caller can fix, 500 only for the server's own faults (logged, not shown), 503
//! with `Retry-After` while the database cannot store anything (full disk).

use crate::store::StoreError;
use crate::{api::middleware::Refused, manage::ManageError};
use axum::{
    Json,
    extract::rejection::{JsonRejection, PathRejection, QueryRejection},
    http::{HeaderValue, StatusCode, header::RETRY_AFTER},
    response::{IntoResponse, Response},
};
use serde::Serialize;
use utoipa::ToSchema;

/// `{"error": {...}}`: every admin API error answer.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorDetail {
    /// unauthorized, forbidden, not_found, invalid, conflict, invalid_request, payload_too_large,
    /// unavailable or internal.
    pub code: &'static str,
    pub message: String,
    /// The input field at fault, on `invalid` and `conflict`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<&'static str>,
}

#[derive(Debug)]
pub enum AdminError {
    Unauthorized,
    Manage(ManageError),
    /// A body, path or query axum could not parse: its status (400 or 422) and reason.
    Rejected(StatusCode, String),
}

impl From<ManageError> for AdminError {
    fn from(e: ManageError) -> Self {
        Self::Manage(e)
    }
}

impl From<JsonRejection> for AdminError {
    fn from(e: JsonRejection) -> Self {
        Self::Rejected(e.status(), e.body_text())
    }
}

impl From<PathRejection> for AdminError {
    fn from(e: PathRejection) -> Self {
        Self::Rejected(e.status(), e.body_text())
    }
}

impl From<QueryRejection> for AdminError {
    fn from(e: QueryRejection) -> Self {
        Self::Rejected(e.status(), e.body_text())
    }
}

/// A body over `max_body_bytes` or too slow to arrive (see `api::middleware::limit_body`).
pub fn refuse_body(_: &crate::state::AppState, _: &axum::http::request::Parts, why: Refused) -> Response {
    match why {
        Refused::TooLarge => AdminError::Rejected(StatusCode::PAYLOAD_TOO_LARGE, String::new()),
        Refused::TimedOut => {
            AdminError::Rejected(StatusCode::REQUEST_TIMEOUT, "request body not received in time".into())
        }
    }
    .into_response()
}

impl IntoResponse for AdminError {
    fn into_response(self) -> Response {
        let (status, code, message, field) = match self {
            Self::Unauthorized => {
                (StatusCode::UNAUTHORIZED, "unauthorized", "missing or invalid bearer token".to_owned(), None)
            }
            Self::Rejected(StatusCode::PAYLOAD_TOO_LARGE, _) => {
                (StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large", "request body too large".to_owned(), None)
            }
            Self::Rejected(status, m) => (status, "invalid_request", m, None),
            Self::Manage(e) => match e {
                ManageError::NotFound(_) => (StatusCode::NOT_FOUND, "not_found", e.to_string(), None),
                ManageError::Invalid(f) => {
                    (StatusCode::UNPROCESSABLE_ENTITY, "invalid", f.message.clone(), Some(f.field))
                }
                ManageError::Conflict { field, ref message } => {
                    (StatusCode::CONFLICT, "conflict", message.clone(), Some(field))
                }
                ManageError::Forbidden => (StatusCode::FORBIDDEN, "forbidden", e.to_string(), None),
                ManageError::Store(ref err) if err.is_unavailable() => {
                    tracing::error!(error = %err, "admin API: database unavailable, answering 503");
                    let message = "the database cannot store anything right now (disk full?); try again later";
                    (StatusCode::SERVICE_UNAVAILABLE, "unavailable", message.to_owned(), None)
                }
                ManageError::Store(ref err) => {
                    tracing::error!(error = %err, "admin API storage failure");
                    (StatusCode::INTERNAL_SERVER_ERROR, "internal", "internal error".to_owned(), None)
                }
            },
        };
        let mut res = (status, Json(ErrorBody { error: ErrorDetail { code, message, field } })).into_response();
        if status == StatusCode::SERVICE_UNAVAILABLE {
            res.headers_mut().insert(RETRY_AFTER, HeaderValue::from(StoreError::RETRY_AFTER_SECS));
        }
        res
    }
}
