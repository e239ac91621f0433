//! One id type per entity, so that a license id cannot be passed where an app id is expected.
//!
//! Each is the row's `i64` primary key: stored and bound as that integer (`sqlx(transparent)`),
//! printed and parsed as that number, and serialised as it (`serde(transparent)`), so no wire
//! format changes. The faces' wire types keep plain integers; ids are typed from the store up.

use std::fmt;
use std::num::ParseIntError;
use std::str::FromStr;

macro_rules! ids {
    ($($(#[$doc:meta])* $name:ident),* $(,)?) => {$(
        $(#[$doc])*
        #[derive(
            Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord,
            serde::Serialize, serde::Deserialize, sqlx::Type,
        )]
        #[serde(transparent)]
        #[sqlx(transparent)]
        pub struct $name(pub i64);

        impl $name {
            /// The number as it is stored and shown.
            pub const fn get(self) -> i64 {
                self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }

        impl FromStr for $name {
            type Err = ParseIntError;

            fn from_str(s: &str) -> Result<Self, Self::Err> {
                s.parse().map(Self)
            }
        }

        impl From<i64> for $name {
            fn from(id: i64) -> Self {
                Self(id)
            }
        }

        impl From<$name> for i64 {
            fn from(id: $name) -> i64 {
                id.0
            }
        }
    )*};
}

ids! {
    /// A seller: the tenant that owns apps, plans, licenses and resellers.
    SellerId,
    /// An app (client API "application", Licenses API "product").
    AppId,
    /// A plan (client API "subscription", Licenses API "variant").
    PlanId,
    /// A license key.
    LicenseId,
    /// An end user of an app (client API account).
    UserId,
    /// A reseller of a seller.
    ResellerId,
    /// A buyer of a seller.
    CustomerId,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_id_prints_parses_and_serialises_as_its_number() {
        let id: AppId = "42".parse().unwrap();
        assert_eq!(id, AppId(42));
        assert_eq!(id.to_string(), "42");
        assert_eq!(serde_json::to_string(&id).unwrap(), "42");
        assert_eq!(serde_json::from_str::<AppId>("42").unwrap(), id);
        assert!("x".parse::<AppId>().is_err());
    }
}
