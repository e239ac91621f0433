//! Who an operation acts for, decided once. A face turns its authenticated caller into a
//! `Scope`; an operation on a seller's objects takes a `Tenant`, and one that only the operator
//! may run takes an `Operator`. Outside `manage` only `Scope::tenant` and `Scope::operator` make
//! them (inside, `Tenant::system` names the seller of a caller that `manage` itself
//! authenticated: a session's account, a reseller key, a store webhook's connection), so an
//! operation holding one has been checked and does not check again, and its audit rows always
//! name the seller it was checked for (in the style of lldap's access-controlled handler).

use super::{ManageError, Scope};
use crate::domain::ids::{AppId, SellerId};
use crate::domain::validate::FieldError;
use crate::store::{Store, apps::App};

/// A seller the caller may act for, and who the caller is (for the audit trail).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tenant {
    seller_id: SellerId,
    actor: String,
}

/// The operator on the box (the CLI, an operator token).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Operator {
    actor: String,
}

impl Scope {
    /// The seller an operation acts on: a seller's scope always acts on its own seller, and a
    /// different one answers like a missing one; the operator must say which.
    pub fn tenant(&self, requested: Option<SellerId>) -> Result<Tenant, ManageError> {
        let seller_id = match (self.seller_id, requested) {
            (Some(own), None) => own,
            (Some(own), Some(r)) if r == own => own,
            (Some(_), Some(_)) => return Err(ManageError::NotFound("seller")),
            (None, Some(r)) => r,
            (None, None) => {
                return Err(ManageError::Invalid(FieldError::new("seller_id", "required for operator tokens")));
            }
        };
        Ok(Tenant { seller_id, actor: self.actor.clone() })
    }

    /// The operator, or `Forbidden` for a seller's scope.
    pub fn operator(&self) -> Result<Operator, ManageError> {
        if self.is_operator() { Ok(Operator { actor: self.actor.clone() }) } else { Err(ManageError::Forbidden) }
    }
}

impl Tenant {
    /// A system actor working for one seller, such as a store's order webhook (`store:stripe`)
    /// whose signature named the seller.
    pub(super) fn system(seller_id: SellerId, actor: impl Into<String>) -> Self {
        Self { seller_id, actor: actor.into() }
    }

    pub fn seller_id(&self) -> SellerId {
        self.seller_id
    }

    pub fn actor(&self) -> &str {
        &self.actor
    }

    /// The scope this tenant acts in, for the few operations that take a scope because the
    /// operator may run them too (tokens, the audit list).
    pub fn scope(&self) -> Scope {
        Scope { seller_id: Some(self.seller_id), actor: self.actor.clone() }
    }

    /// The tenant's app `id`; another seller's answers like a missing one.
    pub async fn app(&self, store: &Store, id: AppId) -> Result<App, ManageError> {
        store.app(self.seller_id, id).await.map_err(ManageError::from_store("app", "id"))
    }

    /// Records an audit row of this seller for a change the caller made (inside the change's
    /// transaction).
    pub async fn audit(
        &self,
        store: &Store,
        action: &str,
        target: impl std::fmt::Display,
        detail: &str,
    ) -> Result<(), ManageError> {
        Ok(store.record_audit(Some(self.seller_id), &self.actor, action, &target.to_string(), detail).await?)
    }
}

impl Operator {
    pub fn actor(&self) -> &str {
        &self.actor
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_seller_scope_never_reaches_another_seller() {
        let s = Scope { seller_id: Some(SellerId(3)), actor: "t".into() };
        assert_eq!(s.tenant(None).unwrap().seller_id(), SellerId(3));
        assert_eq!(s.tenant(Some(SellerId(3))).unwrap().seller_id(), SellerId(3));
        assert!(matches!(s.tenant(Some(SellerId(4))), Err(ManageError::NotFound(_))));
        assert!(matches!(s.operator(), Err(ManageError::Forbidden)));
    }

    #[test]
    fn the_operator_names_the_seller() {
        let op = Scope::cli();
        let t = op.tenant(Some(SellerId(4))).unwrap();
        assert_eq!((t.seller_id(), t.actor()), (SellerId(4), "cli"));
        assert!(matches!(op.tenant(None), Err(ManageError::Invalid(_))));
        assert_eq!(op.operator().unwrap().actor(), "cli");
    }
}
