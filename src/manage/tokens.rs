//! API tokens: operator tokens (CLI only), seller admin tokens, store tokens (Licenses API) and
//! seller API tokens (KeyAuth's seller key: one app of one seller).

use super::{ManageError, Scope, change};
use crate::domain::ids::{AppId, SellerId};
use crate::domain::validate;
use crate::store::{
    Store,
    tokens::{ApiToken, TokenKind},
};

/// Creates a token; returns it with its secret, shown once and stored only as a hash.
/// Operator tokens need the operator; a seller token may create tokens for its own seller. A
/// seller API token needs `app_id`, an app of that seller; no other kind takes one.
pub async fn create(
    store: &Store,
    scope: &Scope,
    kind: TokenKind,
    seller_id: Option<SellerId>,
    app_id: Option<AppId>,
    name: &str,
) -> Result<(ApiToken, String), ManageError> {
    let name = validate::bounded("name", name.trim(), 100)?;
    if kind != TokenKind::SellerApi && app_id.is_some() {
        return Err(ManageError::invalid("app_id", "only sellerapi tokens act for one app"));
    }
    change(store, async |store| {
        let (token, secret) = match kind {
            TokenKind::Operator => {
                scope.operator()?;
                store.create_token(kind, None, &name).await?
            }
            TokenKind::Seller | TokenKind::Store => {
                let id = scope.tenant(seller_id)?.seller_id();
                store.seller(id).await.map_err(ManageError::from_store("seller", "id"))?;
                store.create_token(kind, Some(id), &name).await?
            }
            TokenKind::SellerApi => {
                let id = scope.tenant(seller_id)?.seller_id();
                let app_id = app_id.ok_or_else(|| ManageError::invalid("app_id", "required for sellerapi tokens"))?;
                store.app(id, app_id).await.map_err(ManageError::from_store("app", "id"))?;
                store.create_app_token(id, app_id, &name).await?
            }
        };
        let seller_id = token.seller_id;
        store.record_audit(seller_id, &scope.actor, "token.create", &token.id.to_string(), kind.as_str()).await?;
        Ok((token, secret))
    })
    .await
}

/// Every token for the operator, or one seller's with `seller_id`; a seller token's own,
/// whatever `seller_id` says.
pub async fn list(store: &Store, scope: &Scope, seller_id: Option<SellerId>) -> Result<Vec<ApiToken>, ManageError> {
    Ok(store.list_tokens(scope.seller_id.or(seller_id)).await?)
}

pub async fn revoke(store: &Store, scope: &Scope, id: i64) -> Result<(), ManageError> {
    change(store, async |store| {
        store.revoke_token(id, scope.seller_id).await.map_err(ManageError::from_store("token", "id"))?;
        Ok(store.record_audit(scope.seller_id, &scope.actor, "token.revoke", &id.to_string(), "").await?)
    })
    .await
}
