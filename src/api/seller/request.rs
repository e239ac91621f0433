//! One request as the types read it: its fields, the caller, the time, and the answer format.

use super::{auth::Caller, error::SellerError};
use crate::{api::client::form::Fields, state::AppState};

/// How successful answers are written: KeyAuth's JSON object, or its bare text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Json,
    Text,
}

impl Format {
    /// `format=text` (any case) asks for text; anything else, or nothing, for JSON.
    pub fn of(fields: &Fields) -> Self {
        match fields.get("format") {
            Some(f) if f.eq_ignore_ascii_case("text") => Self::Text,
            _ => Self::Json,
        }
    }
}

/// What a type handler gets.
pub struct Cx {
    pub state: AppState,
    pub fields: Fields,
    pub caller: Caller,
    /// Unix ms, taken once per request.
    pub now: i64,
}

/// Seconds in KeyAuth's unit of expiry: a day.
const DAY_SECS: f64 = 86_400.0;

impl Cx {
    /// An optional field; empty counts as absent.
    pub fn field(&self, name: &str) -> Option<&str> {
        self.fields.get(name)
    }

    /// A required field: absent, the answer names it.
    pub fn require(&self, name: &'static str) -> Result<&str, SellerError> {
        self.field(name).ok_or(SellerError::Missing(name))
    }

    /// A number of days (KeyAuth takes fractions, e.g. `0.5`) as whole seconds, at least one;
    /// `None` when the field is absent or not such a number.
    pub fn days_secs(&self, name: &str) -> Option<i64> {
        let days: f64 = self.field(name)?.trim().parse().ok()?;
        let secs = (days * DAY_SECS).round();
        // At most a century: no i64 overflow downstream, and the operations refuse longer terms.
        (days.is_finite() && (1.0..=100.0 * 365.0 * DAY_SECS).contains(&secs)).then_some(secs as i64)
    }

    /// A whole number, `None` when absent or not one.
    pub fn int(&self, name: &str) -> Option<i64> {
        self.field(name)?.trim().parse().ok()
    }

    /// A KeyAuth switch: `1`/`true` on, `0`/`false` off, else `None`.
    pub fn switch(&self, name: &str) -> Option<bool> {
        match self.field(name)?.trim().to_ascii_lowercase().as_str() {
            "1" | "true" => Some(true),
            "0" | "false" => Some(false),
            _ => None,
        }
    }
}
