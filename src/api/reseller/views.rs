//! Success bodies, field for field as in the seed, plus `duration` (see `Expiry`).

use crate::{domain::license, store::reseller_stock::StockLicense};
use serde::Serialize;

/// When a license ends, in unix milliseconds.
///
/// `expiration` is the license's expiry: fixed at creation, or set when a duration key is first
/// redeemed or activated. Before that a duration key has no end yet: `expiration` is null and
/// `duration` says how long it will run once started. Both null: a lifetime license.
#[derive(Debug, Serialize)]
pub struct Expiry {
    pub expiration: Option<i64>,
    pub duration: Option<i64>,
}

impl Expiry {
    fn of(l: &StockLicense) -> Self {
        match l.expires_at {
            Some(at) => Self { expiration: Some(at.get()), duration: None },
            None => Self { expiration: None, duration: l.duration_secs.map(|s| s.saturating_mul(1000)) },
        }
    }
}

#[derive(Debug, Serialize)]
pub struct Available {
    pub ok: bool,
    pub licenses: Vec<ListedLicense>,
}

#[derive(Debug, Serialize)]
pub struct ListedLicense {
    pub key: String,
    pub product: String,
    #[serde(flatten)]
    pub expiry: Expiry,
    pub created_at: i64,
}

impl From<StockLicense> for ListedLicense {
    fn from(l: StockLicense) -> Self {
        Self { expiry: Expiry::of(&l), created_at: l.created_at.get(), key: l.key, product: l.product }
    }
}

#[derive(Debug, Serialize)]
pub struct Info {
    pub ok: bool,
    pub info: LicenseInfo,
}

#[derive(Debug, Serialize)]
pub struct LicenseInfo {
    pub key: String,
    pub product: String,
    #[serde(flatten)]
    pub expiry: Expiry,
    pub is_expired: bool,
    pub is_assigned: bool,
    pub created_at: i64,
}

impl LicenseInfo {
    pub fn new(l: StockLicense, now_ms: i64) -> Self {
        Self {
            expiry: Expiry::of(&l),
            is_expired: license::is_expired(l.expires_at.map(i64::from), now_ms),
            is_assigned: l.discord_user_id.is_some(),
            created_at: l.created_at.get(),
            key: l.key,
            product: l.product,
        }
    }
}

#[derive(Debug, Serialize)]
pub struct Fetched {
    pub ok: bool,
    pub license: FetchedLicense,
}

#[derive(Debug, Serialize)]
pub struct FetchedLicense {
    pub key: String,
    #[serde(flatten)]
    pub expiry: Expiry,
}

impl From<StockLicense> for FetchedLicense {
    fn from(l: StockLicense) -> Self {
        Self { expiry: Expiry::of(&l), key: l.key }
    }
}

#[derive(Debug, Serialize)]
pub struct Message {
    pub ok: bool,
    pub message: &'static str,
}
