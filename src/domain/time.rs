//! Time is stored as unix milliseconds (UTC) and formatted per protocol.

use time::{OffsetDateTime, PrimitiveDateTime, format_description::well_known::Rfc3339, macros::format_description};

/// Current time in unix milliseconds.
pub fn now_ms() -> i64 {
    (OffsetDateTime::now_utc().unix_timestamp_nanos() / 1_000_000) as i64
}

/// A moment as every table stores it: unix milliseconds, UTC. Store rows hold their times as
/// this type, so a time cannot be handed where a duration or a count is expected; it is stored,
/// bound and serialised as the number (`sqlx(transparent)`, `serde(transparent)`), so no wire
/// format changes. Each face formats it as its protocol wants (`iso_micros`, seconds, ...).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize, sqlx::Type,
)]
#[serde(transparent)]
#[sqlx(transparent)]
pub struct UnixMs(pub i64);

impl UnixMs {
    pub fn now() -> Self {
        Self(now_ms())
    }

    /// The milliseconds, as stored.
    pub const fn get(self) -> i64 {
        self.0
    }

    /// Whole seconds since the epoch (what the KeyAuth-style client API prints).
    pub const fn secs(self) -> i64 {
        self.0.div_euclid(1000)
    }
}

impl From<i64> for UnixMs {
    fn from(ms: i64) -> Self {
        Self(ms)
    }
}

impl From<UnixMs> for i64 {
    fn from(t: UnixMs) -> i64 {
        t.0
    }
}

impl std::fmt::Display for UnixMs {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

/// ISO 8601 UTC with microseconds, as the Licenses API prints it: `2025-04-22T20:08:39.000000Z`.
pub fn iso_micros(ms: i64) -> String {
    let fmt = format_description!("[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:6]Z");
    OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000)
        .ok()
        .and_then(|t| t.format(fmt).ok())
        .unwrap_or_else(|| "1970-01-01T00:00:00.000000Z".to_owned())
}

/// Parses `YYYY-MM-DD HH:MM:SS` (taken as UTC), RFC 3339 / ISO 8601, or `YYYY-MM-DD`, into unix ms.
pub fn parse_datetime(input: &str) -> Option<i64> {
    let s = input.trim();
    if let Ok(t) = OffsetDateTime::parse(s, &Rfc3339) {
        return Some(to_ms(t));
    }
    let spaced = format_description!("[year]-[month]-[day] [hour]:[minute]:[second]");
    let t_sep = format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]");
    for fmt in [spaced, t_sep] {
        if let Ok(t) = PrimitiveDateTime::parse(s, fmt) {
            return Some(to_ms(t.assume_utc()));
        }
    }
    let date = format_description!("[year]-[month]-[day]");
    time::Date::parse(s, date).ok().map(|d| to_ms(d.midnight().assume_utc()))
}

fn to_ms(t: OffsetDateTime) -> i64 {
    (t.unix_timestamp_nanos() / 1_000_000) as i64
}

/// Parses a human duration such as `30d`, `12h`, `90m`, `45s`, `2w`, `1y` or plain seconds.
pub fn parse_duration_secs(input: &str) -> Option<i64> {
    let s = input.trim();
    let (digits, unit) = match s.find(|c: char| !c.is_ascii_digit()) {
        Some(i) => s.split_at(i),
        None => (s, "s"),
    };
    let n: i64 = digits.parse().ok()?;
    let mult = match unit {
        "s" => 1,
        "m" => 60,
        "h" => 3_600,
        "d" => 86_400,
        "w" => 7 * 86_400,
        "y" => 365 * 86_400,
        _ => return None,
    };
    n.checked_mul(mult).filter(|v| *v > 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_microseconds() {
        assert_eq!(iso_micros(1_745_352_519_000), "2025-04-22T20:08:39.000000Z");
        assert_eq!(iso_micros(1_745_352_519_123), "2025-04-22T20:08:39.123000Z");
    }

    #[test]
    fn parses_seed_and_iso_forms() {
        assert_eq!(parse_datetime("2025-04-22 20:08:39"), Some(1_745_352_519_000));
        assert_eq!(parse_datetime("2025-04-22T20:08:39.000000Z"), Some(1_745_352_519_000));
        assert_eq!(parse_datetime("2025-04-22T22:08:39+02:00"), Some(1_745_352_519_000));
        assert_eq!(parse_datetime("2025-04-22"), Some(1_745_280_000_000));
        assert_eq!(parse_datetime("tomorrow"), None);
    }

    #[test]
    fn parses_durations() {
        assert_eq!(parse_duration_secs("30d"), Some(30 * 86_400));
        assert_eq!(parse_duration_secs("90"), Some(90));
        assert_eq!(parse_duration_secs("2w"), Some(14 * 86_400));
        assert_eq!(parse_duration_secs("0d"), None);
        assert_eq!(parse_duration_secs("5x"), None);
        assert_eq!(parse_duration_secs("99999999999999999999d"), None);
    }
}
