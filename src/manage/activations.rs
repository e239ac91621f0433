//! A key's activations on machines or installs (instances), as the apps of a store's buyers ask
//! for them through the Licenses API v2 and Lemon Squeezy's License API. Both faces run these
//! same operations, so a key has one activation limit whichever API its copies call; each is one
//! transaction with its `license.activated` / `license.deactivated` event. The seller is the one
//! the caller's credential named (a store token), or the one seller holding the key's text.

use super::ManageError;
use crate::domain::ids::SellerId;
use crate::store::{
    Store,
    customers::KeyWithContext,
    idempotency::Answer,
    instances::{Activation, Refusal, Validation},
};

/// The seller whose key `key` is, when exactly one seller has a key with that text (keys are
/// unique per seller only); for callers without a credential (Lemon Squeezy's License API).
pub async fn sole_seller_of_key(store: &Store, key: &str) -> Result<Option<SellerId>, ManageError> {
    Ok(store.sole_seller_of_key(key).await?)
}

/// Activates `key` for `name`: a new instance within the key's limit, or the refusal.
pub async fn activate(store: &Store, seller: SellerId, key: &str, name: &str) -> Result<Activation, ManageError> {
    Ok(store.activate(seller, key, name).await?)
}

/// `activate`, once per `idempotency_key`: a repeat gets the answer `render` made the first time.
pub async fn activate_once(
    store: &Store,
    seller: SellerId,
    key: &str,
    name: &str,
    idempotency_key: Option<&str>,
    render: impl FnOnce(&Activation) -> Answer + Send,
) -> Result<Answer, ManageError> {
    Ok(store.activate_instance(seller, key, name, idempotency_key, render).await?)
}

/// Whether `key` may run now (and, when given, that `instance_id` is one of its activations).
pub async fn validate(
    store: &Store,
    seller: SellerId,
    key: &str,
    instance_id: Option<&str>,
) -> Result<Validation, ManageError> {
    Ok(store.validate_instance(seller, key, instance_id).await?)
}

/// Removes activation `instance_id` of `key`, freeing its slot.
pub async fn deactivate(
    store: &Store,
    seller: SellerId,
    key: &str,
    instance_id: &str,
) -> Result<Result<(), Refusal>, ManageError> {
    Ok(store.deactivate(seller, key, instance_id).await?)
}

/// `deactivate`, once per `idempotency_key`.
pub async fn deactivate_once(
    store: &Store,
    seller: SellerId,
    key: &str,
    instance_id: &str,
    idempotency_key: Option<&str>,
    render: impl FnOnce(Result<&str, Refusal>) -> Answer + Send,
) -> Result<Answer, ManageError> {
    Ok(store.deactivate_instance(seller, key, instance_id, idempotency_key, render).await?)
}

/// The key as it stands, with the names of its app, plan, buyer and order (Lemon Squeezy's `meta`).
pub async fn key_with_context(store: &Store, seller: SellerId, key: &str) -> Result<KeyWithContext, ManageError> {
    store.key_with_context(seller, key).await.map_err(ManageError::from_store("license", "key"))
}
