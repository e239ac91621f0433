//! Extractors whose rejections render in the admin API's error envelope.

use super::AdminError;
use axum::{
    extract::{FromRequest, FromRequestParts, Path},
    http::{StatusCode, request::Parts},
};
use serde::de::DeserializeOwned;

/// JSON body; a malformed one answers 400/422 with the admin error shape.
#[derive(FromRequest)]
#[from_request(via(axum::Json), rejection(AdminError))]
pub struct Body<T>(pub T);

/// Path parameters; `/sellers/abc` answers 400 with the admin error shape, and so does a NUL
/// (`%00`) anywhere in the path: no stored name can hold one, and PostgreSQL fails any query
/// that binds it (a server error instead of "not found").
pub struct PathParam<T>(pub T);

impl<T: DeserializeOwned + Send, S: Send + Sync> FromRequestParts<S> for PathParam<T> {
    type Rejection = AdminError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, AdminError> {
        if parts.uri.path().as_bytes().windows(3).any(|w| w == b"%00") {
            return Err(AdminError::Rejected(StatusCode::BAD_REQUEST, "the path must not contain NUL".into()));
        }
        let Path(value) = Path::<T>::from_request_parts(parts, state).await?;
        Ok(Self(value))
    }
}

/// Query string parameters.
#[derive(FromRequestParts)]
#[from_request(via(axum::extract::Query), rejection(AdminError))]
pub struct QueryParams<T>(pub T);
