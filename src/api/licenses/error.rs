//! The Licenses API's error shapes, Laravel's (Sell.app runs on Laravel): `{"message"}` with
//! 401/403/404/429, and `{"message", "errors": {field: [..]}}` with 422 for invalid input.
//! Refused activations and validations are 422 `{"message"}` too (see `views::refusal`). A
//! database that cannot store anything (full disk) answers Laravel's 503 with `Retry-After`.

use crate::{
    api::middleware::Refused,
    manage::ManageError,
    store::{StoreError, idempotency::Answer},
};
use axum::{
    Json,
    http::{HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
};
use serde_json::{Map, Value, json};

pub const KEY_NOT_FOUND: &str = "License key not found";
pub const INSTANCE_NOT_FOUND: &str = "License key instance not found";

#[derive(Debug)]
pub enum LicensesError {
    /// Missing, malformed, revoked or non-store token.
    Unauthenticated,
    /// `X-STORE` names a store other than the token's.
    WrongStore,
    /// Unknown id, or another store's (indistinguishable on purpose).
    NotFound(&'static str),
    /// Invalid input: each field with its messages, in the order found.
    Invalid(Vec<(String, String)>),
    /// A refused operation on a valid request (e.g. `License key not found` on validate).
    Refused(String),
    RateLimited {
        retry_after_secs: u64,
    },
    Store(StoreError),
}

impl From<StoreError> for LicensesError {
    fn from(e: StoreError) -> Self {
        Self::Store(e)
    }
}

/// An operation's refusal in the API's shape: bad input and conflicts name their field (422).
/// A missing row the handler did not map to this API's own words (`missing`) is the server's
/// fault, as a store `NotFound` is.
impl From<ManageError> for LicensesError {
    fn from(e: ManageError) -> Self {
        match e {
            ManageError::Store(e) => Self::Store(e),
            ManageError::NotFound(_) => Self::Store(StoreError::NotFound),
            ManageError::Invalid(f) => Self::field(f.field, f.message),
            ManageError::Conflict { field, message } => Self::field(field, message),
            ManageError::Forbidden => Self::Unauthenticated,
        }
    }
}

impl LicensesError {
    /// One invalid field.
    pub fn field(field: &str, message: impl Into<String>) -> Self {
        Self::Invalid(vec![(field.to_owned(), message.into())])
    }

    /// Maps the store's `NotFound` to a 404 with `message`; other store errors stay 500s.
    pub fn not_found(message: &'static str) -> impl Fn(StoreError) -> Self {
        move |e| match e {
            StoreError::NotFound => Self::NotFound(message),
            e => Self::Store(e),
        }
    }

    /// Maps an operation's `NotFound` to a 404 with `message`.
    pub fn missing(message: &'static str) -> impl Fn(ManageError) -> Self {
        move |e| match e {
            ManageError::NotFound(_) => Self::NotFound(message),
            e => e.into(),
        }
    }
}

/// Laravel's summary line: the first message, plus how many more there are.
fn summary(errors: &[(String, String)]) -> String {
    let first = errors.first().map(|(_, m)| m.as_str()).unwrap_or("The given data was invalid.");
    match errors.len() {
        0 | 1 => first.to_owned(),
        2 => format!("{first} (and 1 more error)"),
        n => format!("{first} (and {} more errors)", n - 1),
    }
}

/// A body over `max_body_bytes` or too slow to arrive (see `api::middleware::limit_body`), in
/// Laravel's words.
pub fn refuse_body(_: &crate::state::AppState, _: &axum::http::request::Parts, why: Refused) -> Response {
    let (status, message) = match why {
        Refused::TooLarge => (StatusCode::PAYLOAD_TOO_LARGE, "The request body is too large."),
        Refused::TimedOut => (StatusCode::REQUEST_TIMEOUT, "The request body was not received in time."),
    };
    (status, Json(json!({ "message": message }))).into_response()
}

impl IntoResponse for LicensesError {
    fn into_response(self) -> Response {
        let (status, body) = match self {
            Self::Unauthenticated => (StatusCode::UNAUTHORIZED, json!({"message": "Unauthenticated."})),
            Self::WrongStore => {
                (StatusCode::FORBIDDEN, json!({"message": "This token does not belong to the store named in X-STORE."}))
            }
            Self::NotFound(message) => (StatusCode::NOT_FOUND, json!({ "message": message })),
            Self::Invalid(errors) => {
                let mut by_field = Map::new();
                for (field, message) in &errors {
                    let list = by_field.entry(field.clone()).or_insert_with(|| Value::Array(Vec::new()));
                    if let Value::Array(list) = list {
                        list.push(Value::String(message.clone()));
                    }
                }
                (StatusCode::UNPROCESSABLE_ENTITY, json!({"message": summary(&errors), "errors": by_field}))
            }
            Self::Refused(message) => (StatusCode::UNPROCESSABLE_ENTITY, json!({ "message": message })),
            Self::RateLimited { retry_after_secs } => {
                let mut res =
                    (StatusCode::TOO_MANY_REQUESTS, Json(json!({"message": "Too Many Attempts."}))).into_response();
                res.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(retry_after_secs));
                return res;
            }
            Self::Store(e) if e.is_unavailable() => {
                tracing::error!(error = %e, "Licenses API: database unavailable, answering 503");
                let mut res =
                    (StatusCode::SERVICE_UNAVAILABLE, Json(json!({"message": "Service Unavailable"}))).into_response();
                res.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(StoreError::RETRY_AFTER_SECS));
                return res;
            }
            Self::Store(e) => {
                tracing::error!(error = %e, "Licenses API storage failure");
                (StatusCode::INTERNAL_SERVER_ERROR, json!({"message": "Server Error"}))
            }
        };
        (status, Json(body)).into_response()
    }
}

/// An answer rendered ahead of time (it may have been stored for an idempotent replay).
pub fn answer_response(answer: Answer) -> Response {
    let status = StatusCode::from_u16(answer.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    (status, [(header::CONTENT_TYPE, "application/json")], answer.body).into_response()
}

/// Renders `body` with `status` into an answer that can be stored.
pub fn answer(status: StatusCode, body: &Value) -> Answer {
    Answer { status: status.as_u16(), body: body.to_string() }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn summary_counts_the_rest() {
        let e = |n: usize| (0..n).map(|i| (format!("f{i}"), format!("m{i}"))).collect::<Vec<_>>();
        assert_eq!(summary(&e(1)), "m0");
        assert_eq!(summary(&e(2)), "m0 (and 1 more error)");
        assert_eq!(summary(&e(3)), "m0 (and 2 more errors)");
    }
}
