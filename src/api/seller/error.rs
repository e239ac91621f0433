//! Every way a seller API request fails, with KeyAuth's text where KeyAuth has one, and a 4xx
//! status for the caller's mistakes. Only the server's own faults answer 500 (logged, not
//! shown), or 503 with `Retry-After` while the database cannot store anything.

use super::reply::Reply;
use crate::{domain::client_messages::Msg, manage::ManageError, store::StoreError};
use axum::http::StatusCode;

#[derive(Debug)]
pub enum SellerError {
    NoSellerKey,
    NoType,
    /// Unknown, revoked, or not a seller API token.
    InvalidSellerKey,
    UnknownType,
    /// A required field is absent.
    Missing(&'static str),
    /// The type's own refusal, in KeyAuth's words.
    Refused(StatusCode, String),
    RateLimited {
        retry_after_secs: i64,
    },
    FieldTooLong,
    BodyTooLarge,
    BodyTimedOut,
    Store(StoreError),
}

/// KeyAuth's texts of the checks before any type runs.
pub const NO_SELLER_KEY: &str = "No seller key specified";
pub const NO_TYPE: &str = "Type not specified";
pub const INVALID_SELLER_KEY: &str = "No application with specified seller key found";
pub const UNKNOWN_TYPE: &str = "Type doesn't exist";
pub const RATE_LIMITED: &str = "Rate limit exceeded. Try again later.";

impl SellerError {
    pub fn not_found(message: impl Into<String>) -> Self {
        Self::Refused(StatusCode::NOT_FOUND, message.into())
    }

    pub fn invalid(message: impl Into<String>) -> Self {
        Self::Refused(StatusCode::BAD_REQUEST, message.into())
    }

    /// Maps an operation's refusal to this type's failure text (`NotFound`, `Conflict`,
    /// `Forbidden`); invalid input keeps the operation's own explanation, and the server's
    /// faults stay faults.
    pub fn or(message: &'static str) -> impl Fn(ManageError) -> SellerError {
        move |e| match e {
            ManageError::NotFound(_) => Self::Refused(StatusCode::NOT_FOUND, message.into()),
            ManageError::Conflict { .. } => Self::Refused(StatusCode::CONFLICT, message.into()),
            ManageError::Forbidden => Self::Refused(StatusCode::FORBIDDEN, message.into()),
            other => other.into(),
        }
    }

    pub fn into_reply(self) -> Reply {
        match self {
            Self::NoSellerKey => Reply::fail(StatusCode::UNAUTHORIZED, NO_SELLER_KEY),
            Self::NoType => Reply::fail(StatusCode::BAD_REQUEST, NO_TYPE),
            Self::InvalidSellerKey => Reply::fail(StatusCode::UNAUTHORIZED, INVALID_SELLER_KEY),
            Self::UnknownType => Reply::fail(StatusCode::BAD_REQUEST, UNKNOWN_TYPE),
            // The client API's wording, which KeyAuth's servers also use.
            Self::Missing(field) => {
                Reply::fail(StatusCode::BAD_REQUEST, format!("{}: {field}", Msg::MissingField.default_text()))
            }
            Self::Refused(status, message) => Reply::fail(status, message),
            Self::RateLimited { retry_after_secs } => {
                Reply::fail(StatusCode::TOO_MANY_REQUESTS, RATE_LIMITED).retry_after(retry_after_secs)
            }
            Self::FieldTooLong => Reply::fail(StatusCode::BAD_REQUEST, Msg::BadRequest.default_text()),
            Self::BodyTooLarge => Reply::fail(StatusCode::PAYLOAD_TOO_LARGE, Msg::BadRequest.default_text()),
            Self::BodyTimedOut => Reply::fail(StatusCode::REQUEST_TIMEOUT, "Request body not received in time"),
            Self::Store(e) if e.is_unavailable() => {
                tracing::error!(error = %e, "seller API: database unavailable, answering 503");
                Reply::fail(StatusCode::SERVICE_UNAVAILABLE, Msg::ServerError.default_text())
                    .retry_after(StoreError::RETRY_AFTER_SECS as i64)
            }
            Self::Store(e) => {
                tracing::error!(error = %e, "seller API: database error");
                Reply::fail(StatusCode::INTERNAL_SERVER_ERROR, Msg::ServerError.default_text())
            }
        }
    }
}

impl From<StoreError> for SellerError {
    fn from(e: StoreError) -> Self {
        Self::Store(e)
    }
}

impl From<ManageError> for SellerError {
    fn from(e: ManageError) -> Self {
        match e {
            ManageError::Store(e) => Self::Store(e),
            ManageError::Invalid(e) => Self::invalid(e.to_string()),
            ManageError::NotFound(what) => Self::not_found(format!("{} not found", capitalised(what))),
            ManageError::Conflict { message, .. } => Self::Refused(StatusCode::CONFLICT, message),
            ManageError::Forbidden => Self::Refused(StatusCode::FORBIDDEN, e.to_string()),
        }
    }
}

fn capitalised(s: &str) -> String {
    let mut chars = s.chars();
    chars.next().map(|c| c.to_uppercase().chain(chars).collect()).unwrap_or_default()
}
