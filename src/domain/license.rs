//! License status as every protocol sees it, derived from the stored columns in one place.

/// ACTIVE / INACTIVE / EXPIRED, the Licenses API's words; the client and reseller APIs use the same rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LicenseStatus {
    Active,
    Inactive,
    Expired,
}

impl LicenseStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Active => "ACTIVE",
            Self::Inactive => "INACTIVE",
            Self::Expired => "EXPIRED",
        }
    }
}

/// A license is inactive when switched off or banned, expired when its expiry has passed.
/// Inactive wins: a banned key that also expired is reported as inactive.
pub fn status(active: bool, banned: bool, expires_at: Option<i64>, now_ms: i64) -> LicenseStatus {
    if !active || banned {
        LicenseStatus::Inactive
    } else if is_expired(expires_at, now_ms) {
        LicenseStatus::Expired
    } else {
        LicenseStatus::Active
    }
}

pub fn is_expired(expires_at: Option<i64>, now_ms: i64) -> bool {
    expires_at.is_some_and(|t| t <= now_ms)
}

/// When a license starts counting (first redemption or activation) its expiry becomes
/// now + duration, unless a fixed expiry was set at creation. `None`: never expires.
pub fn expiry_on_start(fixed: Option<i64>, duration_secs: Option<i64>, now_ms: i64) -> Option<i64> {
    fixed.or_else(|| duration_secs.map(|d| now_ms.saturating_add(d.saturating_mul(1000))))
}

/// Redeeming a key onto a subscription: extend an unexpired one by the duration, else start now.
/// A lifetime key (no duration) makes the subscription lifetime.
pub fn extend_subscription(current: Option<Option<i64>>, duration_secs: Option<i64>, now_ms: i64) -> Option<i64> {
    let d = duration_secs?;
    let add = d.saturating_mul(1000);
    match current {
        Some(None) => None,
        Some(Some(end)) if end > now_ms => Some(end.saturating_add(add)),
        _ => Some(now_ms.saturating_add(add)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_precedence() {
        assert_eq!(status(true, false, None, 10), LicenseStatus::Active);
        assert_eq!(status(true, false, Some(10), 10), LicenseStatus::Expired);
        assert_eq!(status(true, false, Some(11), 10), LicenseStatus::Active);
        assert_eq!(status(false, false, Some(5), 10), LicenseStatus::Inactive);
        assert_eq!(status(true, true, None, 10), LicenseStatus::Inactive);
    }

    #[test]
    fn start_uses_fixed_expiry_first() {
        assert_eq!(expiry_on_start(Some(99), Some(10), 0), Some(99));
        assert_eq!(expiry_on_start(None, Some(10), 1_000), Some(11_000));
        assert_eq!(expiry_on_start(None, None, 1_000), None);
    }

    #[test]
    fn subscriptions_extend_only_while_running() {
        assert_eq!(extend_subscription(None, Some(60), 1_000), Some(61_000));
        assert_eq!(extend_subscription(Some(Some(5_000)), Some(60), 1_000), Some(65_000));
        assert_eq!(extend_subscription(Some(Some(500)), Some(60), 1_000), Some(61_000));
        assert_eq!(extend_subscription(Some(None), Some(60), 1_000), None);
        assert_eq!(extend_subscription(Some(Some(5_000)), None, 1_000), None);
    }
}
