//! Event webhooks, the rules without IO: which events an endpoint takes (`license.*`), how a
//! delivery is signed (Stripe-style `t=<unix secs>,v1=<hex HMAC-SHA256 of "<t>.<body>">`, so a
//! receiver can reject replays), and when a failed delivery is tried again.

use super::events::EventKind;
use hmac::{Hmac, Mac};
use sha2::Sha256;

/// The header that carries the signature.
pub const SIGNATURE_HEADER: &str = "licensd-signature";
/// How long a delivery is retried, counted from its event: then it is marked failed.
pub const RETRY_WINDOW_MS: i64 = 3 * 86_400_000;
/// The longest wait between two attempts.
pub const MAX_RETRY_DELAY_MS: i64 = 6 * 3_600_000;
/// Most event patterns one endpoint may list.
pub const MAX_PATTERNS: usize = 50;

/// The checked list of event patterns: `*`, `<aggregate>.*` or an exact event name.
pub fn parse_patterns(patterns: &[String]) -> Result<Vec<String>, String> {
    if patterns.is_empty() || patterns.len() > MAX_PATTERNS {
        return Err(format!("give 1 to {MAX_PATTERNS} event types (\"*\", \"license.*\", \"license.banned\", ...)"));
    }
    let mut out: Vec<String> = Vec::with_capacity(patterns.len());
    for p in patterns {
        let p = p.trim();
        let known = p == "*"
            || EventKind::parse(p).is_some()
            || p.strip_suffix(".*")
                .is_some_and(|agg| EventKind::ALL.iter().any(|k| k.as_str().starts_with(&format!("{agg}."))));
        if !known {
            return Err(format!("{p:?} is not an event type or a pattern of known ones"));
        }
        if !out.iter().any(|o| o == p) {
            out.push(p.to_owned());
        }
    }
    Ok(out)
}

/// Events that `*` leaves out: high-volume streams an endpoint takes only when it names them
/// (`client.log` or `client.*`, `user.signed_in` or `user.*`), so that a catch-all endpoint is
/// not flooded at the rate of the seller's clients.
const OPT_IN: [&str; 2] = ["client.log", "user.signed_in"];

/// Whether an event named `kind` is one the patterns ask for.
pub fn matches(patterns: &[String], kind: &str) -> bool {
    patterns.iter().any(|p| {
        (p == "*" && !OPT_IN.contains(&kind))
            || p == kind
            || p.strip_suffix('*').is_some_and(|prefix| prefix.ends_with('.') && kind.starts_with(prefix))
    })
}

/// The signature header's value for `body` sent at `timestamp_secs`.
pub fn signature(secret: &str, timestamp_secs: i64, body: &str) -> String {
    format!("t={timestamp_secs},v1={}", hex::encode(mac(secret, timestamp_secs, body)))
}

/// What a receiver does: the header parses, its time is within `tolerance_secs` of `now_secs`,
/// and its `v1` is the body's HMAC (compared in constant time).
pub fn verify(secret: &str, header: &str, body: &str, now_secs: i64, tolerance_secs: i64) -> bool {
    let mut timestamp = None;
    let mut given = Vec::new();
    for part in header.split(',') {
        match part.split_once('=') {
            Some(("t", t)) => timestamp = t.parse::<i64>().ok(),
            Some(("v1", v)) => given.extend(hex::decode(v).ok()),
            _ => {}
        }
    }
    let Some(t) = timestamp.filter(|t| (now_secs - t).abs() <= tolerance_secs) else { return false };
    let expected = mac(secret, t, body);
    given.iter().any(|g| subtle::ConstantTimeEq::ct_eq(g.as_slice(), expected.as_slice()).into())
}

fn mac(secret: &str, timestamp_secs: i64, body: &str) -> Vec<u8> {
    let mut m = <Hmac<Sha256>>::new_from_slice(secret.as_bytes()).expect("HMAC takes any key length");
    m.update(format!("{timestamp_secs}.{body}").as_bytes());
    m.finalize().into_bytes().to_vec()
}

/// Longest wait a receiver's `Retry-After` can impose on one delivery.
pub const MAX_RETRY_AFTER_MS: i64 = 3_600_000;

/// The wait a rate-limited receiver asks for, in milliseconds: `Retry-After` in seconds (an
/// integer per HTTP, a fraction from Discord) or Discord's `X-RateLimit-Reset-After`, the
/// longer of the two, at most `MAX_RETRY_AFTER_MS`. HTTP dates are not read (no webhook
/// receiver we know sends one); the backoff applies then.
pub fn retry_after_ms(retry_after: Option<&str>, reset_after: Option<&str>) -> Option<i64> {
    let secs = |v: Option<&str>| v.and_then(|v| v.trim().parse::<f64>().ok()).filter(|s| s.is_finite() && *s >= 0.0);
    let longest = match (secs(retry_after), secs(reset_after)) {
        (Some(a), Some(b)) => a.max(b),
        (a, b) => a.or(b)?,
    };
    Some(((longest * 1000.0).ceil() as i64).min(MAX_RETRY_AFTER_MS))
}

/// When attempt number `attempts` (1 for the first) having failed, the next one is due: the
/// wait doubles from `base_ms`, at most `MAX_RETRY_DELAY_MS`, spread by `jitter` (0.0..1.0
/// adds 0-20%). `None` when that would fall after the retry window of an event made at
/// `event_at`: the delivery is failed then.
pub fn next_attempt_at(attempts: u32, base_ms: i64, jitter: f64, now: i64, event_at: i64) -> Option<i64> {
    let doubled = base_ms.saturating_mul(1_i64 << attempts.saturating_sub(1).min(30));
    let delay = doubled.min(MAX_RETRY_DELAY_MS);
    let delay = delay + (delay as f64 * 0.2 * jitter.clamp(0.0, 1.0)) as i64;
    let at = now.saturating_add(delay);
    (at <= event_at.saturating_add(RETRY_WINDOW_MS)).then_some(at)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn patterns_name_known_events_only() {
        assert_eq!(parse_patterns(&strings(&["license.*", "user.banned", "license.*"])).unwrap().len(), 2);
        assert!(parse_patterns(&strings(&["*"])).is_ok());
        assert!(parse_patterns(&strings(&["licence.*"])).is_err());
        assert!(parse_patterns(&strings(&["license.nope"])).is_err());
        assert!(parse_patterns(&[]).is_err());
    }

    #[test]
    fn client_logs_only_when_named() {
        assert!(!matches(&strings(&["*"]), "client.log"));
        assert!(!matches(&strings(&["*"]), "user.signed_in"));
        assert!(matches(&strings(&["user.*"]), "user.signed_in"));
        assert!(matches(&strings(&["client.*"]), "client.log"));
        assert!(matches(&strings(&["client.log"]), "client.log"));
        assert!(matches(&strings(&["*"]), "license.created"));
        assert!(parse_patterns(&strings(&["client.*"])).is_ok());
    }

    #[test]
    fn a_receiver_sets_its_own_wait() {
        assert_eq!(retry_after_ms(Some("2"), None), Some(2000));
        assert_eq!(retry_after_ms(Some("0.25"), Some("1.5")), Some(1500));
        assert_eq!(retry_after_ms(None, Some("0.001")), Some(1));
        assert_eq!(retry_after_ms(Some("999999"), None), Some(MAX_RETRY_AFTER_MS));
        assert_eq!(retry_after_ms(Some("Wed, 21 Oct 2015 07:28:00 GMT"), None), None);
        assert_eq!(retry_after_ms(Some("-3"), Some("NaN")), None);
        assert_eq!(retry_after_ms(None, None), None);
    }

    #[test]
    fn matching_by_name_aggregate_or_all() {
        let p = strings(&["license.*", "user.banned"]);
        assert!(matches(&p, "license.created") && matches(&p, "user.banned"));
        assert!(!matches(&p, "user.registered") && !matches(&p, "licenses.created"));
        assert!(matches(&strings(&["*"]), "app.deleted"));
    }

    #[test]
    fn a_signature_verifies_only_for_its_body_secret_and_time() {
        let header = signature("whsec", 1_700_000_000, "{\"a\":1}");
        assert!(header.starts_with("t=1700000000,v1="));
        assert!(verify("whsec", &header, "{\"a\":1}", 1_700_000_100, 300));
        assert!(!verify("whsec", &header, "{\"a\":2}", 1_700_000_100, 300), "another body");
        assert!(!verify("other", &header, "{\"a\":1}", 1_700_000_100, 300), "another secret");
        assert!(!verify("whsec", &header, "{\"a\":1}", 1_700_001_000, 300), "a replay after the tolerance");
        assert!(!verify("whsec", "v1=00", "{\"a\":1}", 1_700_000_000, 300), "no timestamp");
    }

    #[test]
    fn retries_back_off_and_stop_after_the_window() {
        let base = 30_000;
        assert_eq!(next_attempt_at(1, base, 0.0, 0, 0), Some(30_000));
        assert_eq!(next_attempt_at(3, base, 0.0, 0, 0), Some(120_000));
        assert_eq!(next_attempt_at(3, base, 1.0, 0, 0), Some(144_000));
        assert_eq!(next_attempt_at(40, base, 0.0, 0, 0), Some(MAX_RETRY_DELAY_MS));
        assert_eq!(next_attempt_at(1, base, 0.0, RETRY_WINDOW_MS, 0), None);
    }
}

/// What an endpoint receives: the signed event as JSON, or (a Discord webhook URL) the event
/// rendered as a Discord embed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Json,
    Discord,
}

impl Format {
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "json" => Some(Self::Json),
            "discord" => Some(Self::Discord),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Json => "json",
            Self::Discord => "discord",
        }
    }
}

/// Discord's limits on one embed (title, description, a field's name and value, fields).
const DISCORD_TITLE: usize = 256;
const DISCORD_VALUE: usize = 1024;
const DISCORD_FIELDS: usize = 25;

/// An event as a Discord webhook message: one embed titled by the event, its facts as fields
/// (a Discord user as a mention), within Discord's size limits.
pub fn discord_message(kind: &str, created_at_iso: &str, data: &serde_json::Value) -> serde_json::Value {
    let (title, color) = discord_title(kind);
    let mut fields = Vec::new();
    if let Some(map) = data.as_object() {
        for (name, value) in map.iter().take(DISCORD_FIELDS) {
            let shown = match (name.as_str(), value) {
                (_, serde_json::Value::Null) => continue,
                ("discord_user_id", serde_json::Value::String(id)) => format!("<@{id}>"),
                ("key", serde_json::Value::String(key)) => format!("`{key}`"),
                (_, serde_json::Value::String(s)) => s.clone(),
                (_, other) => other.to_string(),
            };
            fields.push(serde_json::json!({ "name": name, "value": clip(&shown, DISCORD_VALUE), "inline": true }));
        }
    }
    serde_json::json!({
        "embeds": [{
            "title": clip(title, DISCORD_TITLE),
            "color": color,
            "fields": fields,
            "timestamp": created_at_iso,
            "footer": { "text": kind },
        }],
        "allowed_mentions": { "parse": [] },
    })
}

fn discord_title(kind: &str) -> (&'static str, u32) {
    const GREEN: u32 = 0x2e_cc71;
    const RED: u32 = 0xe7_4c3c;
    const BLUE: u32 = 0x34_98db;
    const GREY: u32 = 0x95_a5a6;
    match kind {
        "license.created" => ("License created", BLUE),
        "license.redeemed" => ("Key redeemed", GREEN),
        "license.activated" => ("License activated", GREEN),
        "license.deactivated" => ("License deactivated", GREY),
        "license.banned" => ("License banned", RED),
        "license.unbanned" => ("License unbanned", GREEN),
        "license.updated" => ("License updated", BLUE),
        "license.deleted" => ("License deleted", GREY),
        "user.registered" => ("User registered", GREEN),
        "user.banned" => ("User banned", RED),
        "user.unbanned" => ("User unbanned", GREEN),
        "user.hwid_reset" => ("HWID reset", BLUE),
        "user.extended" => ("Subscription extended", GREEN),
        "user.deleted" => ("User deleted", GREY),
        "reseller.license_assigned" => ("Reseller assignment", GREEN),
        "reseller.stock_added" => ("Reseller stock added", BLUE),
        "client.log" => ("Client log", GREY),
        "user.signed_in" => ("User signed in", BLUE),
        _ => ("licensd event", GREY),
    }
}

/// At most `max` characters, with an ellipsis when cut.
fn clip(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        return s.to_owned();
    }
    let mut out: String = s.chars().take(max - 1).collect();
    out.push('…');
    out
}

#[cfg(test)]
mod discord_tests {
    use super::*;

    #[test]
    fn an_event_becomes_one_embed_within_discords_limits() {
        let data = serde_json::json!({
            "license_id": 7, "key": "K-1", "discord_user_id": "1234", "reason": "x".repeat(5000), "plan_id": null,
        });
        let m = discord_message("reseller.license_assigned", "2026-12-01T00:00:00Z", &data);
        let embed = &m["embeds"][0];
        assert_eq!(embed["title"], "Reseller assignment");
        let fields = embed["fields"].as_array().unwrap();
        let value = |n: &str| fields.iter().find(|f| f["name"] == n).map(|f| f["value"].as_str().unwrap().to_owned());
        assert_eq!(value("discord_user_id").as_deref(), Some("<@1234>"));
        assert_eq!(value("key").as_deref(), Some("`K-1`"));
        assert_eq!(value("reason").unwrap().chars().count(), DISCORD_VALUE);
        assert_eq!(value("plan_id"), None, "null facts are left out");
        assert_eq!(m["allowed_mentions"]["parse"], serde_json::json!([]), "a mention shows, it never pings");
        assert_eq!(Format::parse("discord"), Some(Format::Discord));
        assert_eq!(Format::parse("xml"), None);
    }
}
