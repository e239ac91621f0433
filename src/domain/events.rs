//! Events: the typed record of one state change, as the outbox (`events` table) stores it and
//! webhooks and charts read it. A name is `<aggregate>.<what happened>`; the payload is JSON.

use crate::domain::ids::{AppId, LicenseId, ResellerId, SellerId, UserId};
use serde_json::Value;
use std::fmt;

/// Every kind of event licensd records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EventKind {
    LicenseCreated,
    LicenseRedeemed,
    LicenseActivated,
    LicenseDeactivated,
    LicenseBanned,
    LicenseUnbanned,
    LicenseUpdated,
    LicenseDeleted,
    UserRegistered,
    /// A client signed a user in (delivered only to endpoints that name it).
    UserSignedIn,
    UserBanned,
    UserUnbanned,
    UserHwidReset,
    UserExtended,
    UserDeleted,
    ResellerStockAdded,
    ResellerLicenseAssigned,
    AppCreated,
    AppUpdated,
    AppDeleted,
    /// A client program's `log` line (delivered only to endpoints that name it).
    ClientLog,
}

impl EventKind {
    pub const ALL: [EventKind; 21] = [
        Self::LicenseCreated,
        Self::LicenseRedeemed,
        Self::LicenseActivated,
        Self::LicenseDeactivated,
        Self::LicenseBanned,
        Self::LicenseUnbanned,
        Self::LicenseUpdated,
        Self::LicenseDeleted,
        Self::UserRegistered,
        Self::UserSignedIn,
        Self::UserBanned,
        Self::UserUnbanned,
        Self::UserHwidReset,
        Self::UserExtended,
        Self::UserDeleted,
        Self::ResellerStockAdded,
        Self::ResellerLicenseAssigned,
        Self::AppCreated,
        Self::AppUpdated,
        Self::AppDeleted,
        Self::ClientLog,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::LicenseCreated => "license.created",
            Self::LicenseRedeemed => "license.redeemed",
            Self::LicenseActivated => "license.activated",
            Self::LicenseDeactivated => "license.deactivated",
            Self::LicenseBanned => "license.banned",
            Self::LicenseUnbanned => "license.unbanned",
            Self::LicenseUpdated => "license.updated",
            Self::LicenseDeleted => "license.deleted",
            Self::UserRegistered => "user.registered",
            Self::UserSignedIn => "user.signed_in",
            Self::UserBanned => "user.banned",
            Self::UserUnbanned => "user.unbanned",
            Self::UserHwidReset => "user.hwid_reset",
            Self::UserExtended => "user.extended",
            Self::UserDeleted => "user.deleted",
            Self::ResellerStockAdded => "reseller.stock_added",
            Self::ResellerLicenseAssigned => "reseller.license_assigned",
            Self::AppCreated => "app.created",
            Self::AppUpdated => "app.updated",
            Self::AppDeleted => "app.deleted",
            Self::ClientLog => "client.log",
        }
    }

    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == name)
    }
}

impl fmt::Display for EventKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What an event is about; one subject's events are delivered in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Subject {
    License(LicenseId),
    User(UserId),
    Reseller(ResellerId),
    App(AppId),
}

impl fmt::Display for Subject {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::License(id) => write!(f, "license:{id}"),
            Self::User(id) => write!(f, "user:{id}"),
            Self::Reseller(id) => write!(f, "reseller:{id}"),
            Self::App(id) => write!(f, "app:{id}"),
        }
    }
}

/// One state change of a seller's data, ready to be stored with the change.
#[derive(Debug, Clone, PartialEq)]
pub struct Event {
    pub kind: EventKind,
    pub seller_id: SellerId,
    pub app_id: Option<AppId>,
    pub subject: Subject,
    /// The event's `data`: ids and the facts a receiver needs, never a secret.
    pub payload: Value,
}

impl Event {
    pub fn new(kind: EventKind, seller_id: SellerId, app_id: Option<AppId>, subject: Subject, payload: Value) -> Self {
        Self { kind, seller_id, app_id, subject, payload }
    }

    /// An event about a license of an app: `license_id` and `app_id`, then `fields` (an object).
    pub fn license(kind: EventKind, seller_id: SellerId, app_id: AppId, license_id: LicenseId, fields: Value) -> Self {
        let payload = with_fields(serde_json::json!({ "license_id": license_id, "app_id": app_id }), fields);
        Self::new(kind, seller_id, Some(app_id), Subject::License(license_id), payload)
    }

    /// An event about an end user of an app: `user_id` and `app_id`, then `fields` (an object).
    pub fn user(kind: EventKind, seller_id: SellerId, app_id: AppId, user_id: UserId, fields: Value) -> Self {
        let payload = with_fields(serde_json::json!({ "user_id": user_id, "app_id": app_id }), fields);
        Self::new(kind, seller_id, Some(app_id), Subject::User(user_id), payload)
    }
}

/// `base` with the members of `fields` added (`fields` that is not an object adds nothing).
fn with_fields(mut base: Value, fields: Value) -> Value {
    if let (Some(base), Value::Object(fields)) = (base.as_object_mut(), fields) {
        base.extend(fields);
    }
    base
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_has_a_unique_name_that_parses_back() {
        let mut seen = std::collections::HashSet::new();
        for k in EventKind::ALL {
            assert!(seen.insert(k.as_str()), "{k} twice");
            assert_eq!(EventKind::parse(k.as_str()), Some(k));
            let (aggregate, what) = k.as_str().split_once('.').unwrap();
            assert!(!aggregate.is_empty() && !what.is_empty());
        }
        assert_eq!(EventKind::parse("license.nope"), None);
    }

    #[test]
    fn payloads_lead_with_the_ids_and_keep_every_field() {
        let e = Event::license(
            EventKind::LicenseBanned,
            SellerId(1),
            AppId(2),
            LicenseId(3),
            serde_json::json!({ "reason": "x" }),
        );
        assert_eq!(e.payload, serde_json::json!({ "license_id": 3, "app_id": 2, "reason": "x" }));
        assert_eq!((e.subject, e.app_id), (Subject::License(LicenseId(3)), Some(AppId(2))));
        let e = Event::user(EventKind::UserDeleted, SellerId(1), AppId(2), UserId(4), Value::Null);
        assert_eq!(e.payload, serde_json::json!({ "user_id": 4, "app_id": 2 }));
    }

    #[test]
    fn subjects_name_their_aggregate() {
        assert_eq!(Subject::License(LicenseId(12)).to_string(), "license:12");
        assert_eq!(Subject::User(UserId(7)).to_string(), "user:7");
    }
}
