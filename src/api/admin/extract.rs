//! Extractors whose rejections render in the admin API's error envelope.

use super::AdminError;
use axum::extract::{FromRequest, FromRequestParts};

/// JSON body; a malformed one answers 400/422 with the admin error shape.
#[derive(FromRequest)]
#[from_request(via(axum::Json), rejection(AdminError))]
pub struct Body<T>(pub T);

/// Path parameters; `/sellers/abc` answers 400 with the admin error shape.
#[derive(FromRequestParts)]
#[from_request(via(axum::extract::Path), rejection(AdminError))]
pub struct PathParam<T>(pub T);

/// Query string parameters.
#[derive(FromRequestParts)]
#[from_request(via(axum::extract::Query), rejection(AdminError))]
pub struct QueryParams<T>(pub T);
