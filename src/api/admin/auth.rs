//! The admin API's authentication: `Authorization: Bearer <operator or seller token>`.

use super::AdminError;
use crate::{
    manage::{ManageError, Scope},
    state::AppState,
    store::{StoreError, tokens::TokenKind},
};
use axum::{extract::FromRequestParts, http::request::Parts};

/// An authenticated admin caller, as the scope its token grants.
pub struct Admin(pub Scope);

impl FromRequestParts<AppState> for Admin {
    type Rejection = AdminError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let presented = bearer(parts).ok_or(AdminError::Unauthorized)?;
        // Only an unknown token is a 401: a database that cannot answer is the server's problem.
        let owner = state.store.authenticate_token(presented).await.map_err(|e| match e {
            StoreError::NotFound => AdminError::Unauthorized,
            e => AdminError::from(ManageError::Store(e)),
        })?;
        // Store tokens belong to the Licenses API and seller API tokens to `/api/seller/`: they
        // cannot administer anything.
        if !matches!(owner.kind, TokenKind::Operator | TokenKind::Seller) {
            return Err(AdminError::Unauthorized);
        }
        Ok(Admin(Scope::from_token(owner.token_id, owner.kind, owner.seller_id)))
    }
}

/// The token of an `Authorization: Bearer ...` header, if well-formed.
pub fn bearer(parts: &Parts) -> Option<&str> {
    let value = parts.headers.get(axum::http::header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| token.trim()).filter(|t| !t.is_empty())
}
