//! API tokens: operator tokens (CLI only), seller admin tokens and store tokens (Licenses API).

use super::{ManageError, Scope, change};
use crate::domain::validate;
use crate::store::{
    Store,
    tokens::{ApiToken, TokenKind},
};

/// Creates a token; returns it with its secret, shown once and stored only as a hash.
/// Operator tokens need the operator; a seller token may create tokens for its own seller.
pub async fn create(
    store: &Store,
    scope: &Scope,
    kind: TokenKind,
    seller_id: Option<i64>,
    name: &str,
) -> Result<(ApiToken, String), ManageError> {
    let name = validate::bounded("name", name.trim(), 100)?;
    change(store, async |store| {
        let seller_id = match kind {
            TokenKind::Operator => {
                scope.require_operator()?;
                None
            }
            TokenKind::Seller | TokenKind::Store => {
                let id = scope.seller(seller_id)?;
                store.seller(id).await.map_err(ManageError::from_store("seller", "id"))?;
                Some(id)
            }
        };
        let (token, secret) = store.create_token(kind, seller_id, &name).await?;
        store.record_audit(seller_id, &scope.actor, "token.create", &token.id.to_string(), kind.as_str()).await?;
        Ok((token, secret))
    })
    .await
}

/// Every token for the operator, or one seller's with `seller_id`; a seller token's own,
/// whatever `seller_id` says.
pub async fn list(store: &Store, scope: &Scope, seller_id: Option<i64>) -> Result<Vec<ApiToken>, ManageError> {
    Ok(store.list_tokens(scope.seller_id.or(seller_id)).await?)
}

pub async fn revoke(store: &Store, scope: &Scope, id: i64) -> Result<(), ManageError> {
    change(store, async |store| {
        store.revoke_token(id, scope.seller_id).await.map_err(ManageError::from_store("token", "id"))?;
        Ok(store.record_audit(scope.seller_id, &scope.actor, "token.revoke", &id.to_string(), "").await?)
    })
    .await
}
