//! Prometheus metrics of one process (`GET /metrics`, behind `metrics_token`): requests, their
//! latency, rate-limit refusals and sign-in failures per surface; client API actions per
//! outcome; event webhook attempts per outcome; database connection waits and holds; and, read
//! from the database at scrape time, licenses by state and the webhook backlog. Labels take
//! only fixed values (surfaces, status classes, known action names), so no request can grow
//! the set of series. `docs/observability.md` lists every metric; a test holds it to that list.

use crate::store::{Store, timings::DbTimings};
use prometheus_client::encoding::{EncodeLabelSet, text::encode};
use prometheus_client::metrics::{counter::Counter, family::Family, gauge::Gauge, histogram::Histogram};
use prometheus_client::registry::Registry;
use std::time::{Duration, Instant};
use tokio::sync::Mutex;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RequestLabels {
    surface: &'static str,
    status: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct SurfaceLabel {
    surface: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ActionLabels {
    action: &'static str,
    outcome: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct OutcomeLabel {
    outcome: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct StateLabel {
    state: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct PoolStateLabels {
    pool: &'static str,
    state: &'static str,
}

/// Whole-table counts are recounted at most this often, however often Prometheus scrapes.
const LICENSE_COUNT_EVERY: Duration = Duration::from_secs(60);

pub struct Metrics {
    registry: Registry,
    /// The request series of each surface (index: `Surface`), made once: counting a request
    /// then looks nothing up (a `Family` lookup hashes the labels and takes a lock).
    by_surface: Vec<SurfaceSeries>,
    signin_failures: Family<SurfaceLabel, Counter>,
    client_actions: Family<ActionLabels, Counter>,
    deliveries: Family<OutcomeLabel, Counter>,
    licenses: Family<StateLabel, Gauge>,
    backlog: Family<StateLabel, Gauge>,
    connections: Family<PoolStateLabels, Gauge>,
    licenses_counted: Mutex<Option<Instant>>,
}

fn latency_histogram() -> Histogram {
    // 100 µs to about 3 s.
    Histogram::new(prometheus_client::metrics::histogram::exponential_buckets(0.0001, 2.0, 16))
}

impl Metrics {
    /// The metrics of a process whose store records its connection times into `db`.
    pub fn new(db: &DbTimings) -> Self {
        let mut registry = Registry::with_prefix("licensd");
        let requests = Family::<RequestLabels, Counter>::default();
        let latency = Family::<SurfaceLabel, Histogram>::new_with_constructor(latency_histogram as fn() -> Histogram);
        let rate_limited = Family::<SurfaceLabel, Counter>::default();
        let signin_failures = Family::<SurfaceLabel, Counter>::default();
        let (client_actions, deliveries) = (Family::default(), Family::<OutcomeLabel, Counter>::default());
        let (licenses, backlog, connections) = (Family::default(), Family::default(), Family::default());
        let r = &mut registry;
        r.register("http_requests", "HTTP requests answered, by surface and status class", requests.clone());
        r.register("http_request_duration_seconds", "Time to answer, by surface", latency.clone());
        r.register("rate_limited", "Requests refused by a rate limit (HTTP 429), by surface", rate_limited.clone());
        r.register("signin_failures", "Refused sign-ins and credentials, by surface", signin_failures.clone());
        r.register("client_actions", "Client API actions, by type and outcome", client_actions.clone());
        r.register("webhook_attempts", "Event webhook delivery attempts, by outcome", deliveries.clone());
        r.register("webhook_deliveries", "Event webhook deliveries waiting or given up, by state", backlog.clone());
        r.register(
            "licenses",
            "Licenses of every seller, by state (recounted at most once a minute)",
            licenses.clone(),
        );
        r.register("db_connections", "Database connections, by pool and state (open, idle)", connections.clone());
        r.register("db_acquire_duration_seconds", "Wait for a database connection, by pool", db.acquire.clone());
        r.register("db_hold_duration_seconds", "A store call's use of its connection, by pool", db.held.clone());
        // Series that exist from the start, at zero, so that `rate()` over them works before
        // the first event.
        let by_surface = SURFACES
            .iter()
            .map(|(_, s)| *s)
            .chain([OTHER])
            .map(|surface| SurfaceSeries::new(surface, &requests, &latency, &rate_limited, &signin_failures))
            .collect();
        for outcome in ["delivered", "retry", "failed"] {
            deliveries.get_or_create(&OutcomeLabel { outcome }).inc_by(0);
        }
        Self {
            registry,
            by_surface,
            signin_failures,
            client_actions,
            deliveries,
            licenses,
            backlog,
            connections,
            licenses_counted: Mutex::new(None),
        }
    }

    /// One answered request of `surface` (see [`surface`]) with `status`. A 429 is a
    /// rate-limit refusal; a 401 a refused credential.
    pub fn request(&self, surface: Surface, status: u16, seconds: f64) {
        let series = &self.by_surface[surface.0];
        series.by_class[usize::from(status.clamp(100, 599) / 100 - 1)].inc();
        series.latency.observe(seconds);
        if status == 429 {
            series.rate_limited.inc();
        } else if status == 401 {
            series.signin_failures.inc();
        }
    }

    /// One client API action (`action`: a known type name, or `unknown`). The client API
    /// answers a refused sign-in with HTTP 200, so its sign-in failures are counted here.
    pub fn client_action(&self, action: &'static str, success: bool) {
        let outcome = if success { "success" } else { "refused" };
        self.client_actions.get_or_create(&ActionLabels { action, outcome }).inc();
        if !success && matches!(action, "login" | "license") {
            self.signin_failures.get_or_create(&SurfaceLabel { surface: "client" }).inc();
        }
    }

    /// One event webhook attempt: `delivered`, `retry` or `failed`.
    pub fn delivery(&self, outcome: &'static str) {
        self.deliveries.get_or_create(&OutcomeLabel { outcome }).inc();
    }

    /// Reads the gauges that live in the database. A failed read leaves the last values (the
    /// scrape still answers; the request metrics show the outage).
    pub async fn refresh(&self, store: &Store, now_ms: i64) {
        for (pool, open, idle) in store.pool_use() {
            self.connections.get_or_create(&PoolStateLabels { pool, state: "open" }).set(i64::from(open));
            self.connections.get_or_create(&PoolStateLabels { pool, state: "idle" }).set(idle as i64);
        }
        if let Ok(rows) = store.delivery_counts_by_state().await {
            set_by_state(&self.backlog, &["pending", "failed"], rows);
        }
        let mut counted = self.licenses_counted.lock().await;
        if counted.is_some_and(|at| at.elapsed() < LICENSE_COUNT_EVERY) {
            return;
        }
        if let Ok(rows) = store.license_counts_by_state(now_ms).await {
            set_by_state(&self.licenses, &["banned", "disabled", "expired", "unused", "used"], rows);
            *counted = Some(Instant::now());
        }
    }

    /// The OpenMetrics text of every metric.
    pub fn render(&self) -> String {
        let mut out = String::new();
        // Writing into a String cannot fail.
        let _ = encode(&mut out, &self.registry);
        out
    }
}

/// Sets every known state's gauge, zero for those without rows.
fn set_by_state(family: &Family<StateLabel, Gauge>, states: &[&str], rows: Vec<(String, i64)>) {
    for state in states {
        let count = rows.iter().find(|(s, _)| s == state).map_or(0, |(_, n)| *n);
        family.get_or_create(&StateLabel { state: (*state).to_owned() }).set(count);
    }
}

/// The API surface of a request: an index into `SURFACES`, `OTHER` past its end.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Surface(usize);

impl Surface {
    /// Its metric label.
    pub fn name(self) -> &'static str {
        SURFACES.get(self.0).map_or(OTHER, |(_, name)| name)
    }
}

/// The API surface a request path belongs to: a metric label from a fixed set of values.
pub fn surface(path: &str) -> Surface {
    Surface(SURFACES.iter().position(|(prefix, _)| path.starts_with(prefix)).unwrap_or(SURFACES.len()))
}

/// The label of a path no surface claims.
const OTHER: &str = "other";

/// One surface's request series, taken from the families once.
struct SurfaceSeries {
    /// By status class: 1xx to 5xx.
    by_class: [Counter; 5],
    latency: Histogram,
    rate_limited: Counter,
    signin_failures: Counter,
}

impl SurfaceSeries {
    fn new(
        surface: &'static str,
        requests: &Family<RequestLabels, Counter>,
        latency: &Family<SurfaceLabel, Histogram>,
        rate_limited: &Family<SurfaceLabel, Counter>,
        signin_failures: &Family<SurfaceLabel, Counter>,
    ) -> Self {
        let label = SurfaceLabel { surface };
        // Every class shows from the start, at zero.
        let class = |status: &'static str| requests.get_or_create(&RequestLabels { surface, status }).clone();
        Self {
            by_class: [class("1xx"), class("2xx"), class("3xx"), class("4xx"), class("5xx")],
            latency: latency.get_or_create(&label).clone(),
            rate_limited: rate_limited.get_or_create(&label).clone(),
            signin_failures: signin_failures.get_or_create(&label).clone(),
        }
    }
}

/// Path prefixes and the surface they belong to; anything else is `other`.
const SURFACES: [(&str, &str); 9] = [
    ("/api/1.", "client"),
    ("/api/v2/", "licenses"),
    ("/api/seller", "seller"),
    ("/v1/licenses/", "lemonsqueezy"),
    ("/reseller/", "reseller"),
    ("/admin/", "admin"),
    ("/panel/", "panel"),
    ("/customer/", "customer"),
    ("/hooks/", "hooks"),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_come_out_by_surface_status_and_action() {
        let m = Metrics::new(&DbTimings::new());
        m.request(surface("/api/1.3/"), 200, 0.001);
        m.request(surface("/api/v2/licenses/validate"), 404, 0.002);
        m.request(surface("/api/v2/licenses/validate"), 429, 0.002);
        m.request(surface("/admin/v1/apps"), 401, 0.002);
        m.request(surface("/nonsense/path/12345"), 404, 0.002);
        m.request(surface("/v1/licenses/activate"), 400, 0.002);
        m.client_action("check", true);
        m.client_action("login", false);
        m.delivery("retry");
        let text = m.render();
        assert!(text.contains(r#"licensd_http_requests_total{surface="client",status="2xx"} 1"#), "{text}");
        assert!(text.contains(r#"licensd_http_requests_total{surface="licenses",status="4xx"} 2"#));
        assert!(text.contains(r#"licensd_http_requests_total{surface="other",status="4xx"} 1"#));
        assert!(text.contains(r#"licensd_rate_limited_total{surface="licenses"} 1"#), "{text}");
        assert!(text.contains(r#"licensd_signin_failures_total{surface="admin"} 1"#), "{text}");
        assert!(text.contains(r#"licensd_signin_failures_total{surface="client"} 1"#), "{text}");
        assert!(text.contains(r#"licensd_http_requests_total{surface="lemonsqueezy",status="4xx"} 1"#));
        assert!(text.contains(r#"licensd_client_actions_total{action="check",outcome="success"} 1"#));
        assert!(text.contains(r#"licensd_webhook_attempts_total{outcome="retry"} 1"#));
        assert!(text.contains("licensd_http_request_duration_seconds_bucket"));
    }

    #[test]
    fn every_surface_has_its_own_label() {
        assert_eq!(surface("/api/seller/?type=add").name(), "seller");
        assert_eq!(surface("/v1/licenses/validate").name(), "lemonsqueezy");
        assert_eq!(surface("/panel/licenses").name(), "panel");
        assert_eq!(surface("/api/1.3/").name(), "client");
        assert_eq!(surface("/").name(), "other");
    }
}
