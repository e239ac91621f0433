//! Prometheus metrics of one process (`GET /metrics`, behind `metrics_token`): requests and
//! their latency per surface, client API actions per outcome, event webhook attempts per
//! outcome. Labels take only fixed values (surfaces, status classes, known action names), so
//! no request can grow the set of series.

use prometheus_client::encoding::{EncodeLabelSet, text::encode};
use prometheus_client::metrics::{counter::Counter, family::Family, histogram::Histogram};
use prometheus_client::registry::Registry;

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

pub struct Metrics {
    registry: Registry,
    requests: Family<RequestLabels, Counter>,
    latency: Family<SurfaceLabel, Histogram>,
    client_actions: Family<ActionLabels, Counter>,
    deliveries: Family<OutcomeLabel, Counter>,
}

fn latency_histogram() -> Histogram {
    // 100 µs to about 3 s.
    Histogram::new(prometheus_client::metrics::histogram::exponential_buckets(0.0001, 2.0, 16))
}

impl Metrics {
    pub fn new() -> Self {
        let mut registry = Registry::with_prefix("licensd");
        let requests = Family::<RequestLabels, Counter>::default();
        let latency = Family::<SurfaceLabel, Histogram>::new_with_constructor(latency_histogram as fn() -> Histogram);
        let client_actions = Family::<ActionLabels, Counter>::default();
        let deliveries = Family::<OutcomeLabel, Counter>::default();
        registry.register("http_requests", "HTTP requests answered, by surface and status class", requests.clone());
        registry.register("http_request_duration_seconds", "Time to answer, by surface", latency.clone());
        registry.register("client_actions", "Client API actions, by type and outcome", client_actions.clone());
        registry.register("webhook_attempts", "Event webhook delivery attempts, by outcome", deliveries.clone());
        Self { registry, requests, latency, client_actions, deliveries }
    }

    /// One answered request: `path` names the surface, `status` its class.
    pub fn request(&self, path: &str, status: u16, seconds: f64) {
        let surface = surface(path);
        self.requests.get_or_create(&RequestLabels { surface, status: status_class(status) }).inc();
        self.latency.get_or_create(&SurfaceLabel { surface }).observe(seconds);
    }

    /// One client API action (`action`: a known type name, or `unknown`).
    pub fn client_action(&self, action: &'static str, success: bool) {
        let outcome = if success { "success" } else { "refused" };
        self.client_actions.get_or_create(&ActionLabels { action, outcome }).inc();
    }

    /// One event webhook attempt: `delivered`, `retry` or `failed`.
    pub fn delivery(&self, outcome: &'static str) {
        self.deliveries.get_or_create(&OutcomeLabel { outcome }).inc();
    }

    /// The OpenMetrics text of every metric.
    pub fn render(&self) -> String {
        let mut out = String::new();
        // Writing into a String cannot fail.
        let _ = encode(&mut out, &self.registry);
        out
    }
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}

/// The surface a path belongs to (a fixed set of label values).
fn surface(path: &str) -> &'static str {
    if path.starts_with("/api/1.") {
        "client"
    } else if path.starts_with("/api/seller") {
        "seller"
    } else if path.starts_with("/api/v2/") {
        "licenses"
    } else if path.starts_with("/reseller/") {
        "reseller"
    } else if path.starts_with("/admin/") {
        "admin"
    } else {
        "other"
    }
}

fn status_class(status: u16) -> &'static str {
    match status {
        100..=199 => "1xx",
        200..=299 => "2xx",
        300..=399 => "3xx",
        400..=499 => "4xx",
        _ => "5xx",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_come_out_by_surface_status_and_action() {
        let m = Metrics::new();
        m.request("/api/1.3/", 200, 0.001);
        m.request("/api/v2/licenses/validate", 404, 0.002);
        m.request("/nonsense/path/12345", 404, 0.002);
        m.client_action("check", true);
        m.delivery("retry");
        let text = m.render();
        assert!(text.contains(r#"licensd_http_requests_total{surface="client",status="2xx"} 1"#), "{text}");
        assert!(text.contains(r#"licensd_http_requests_total{surface="licenses",status="4xx"} 1"#));
        assert!(text.contains(r#"licensd_http_requests_total{surface="other",status="4xx"} 1"#));
        assert!(text.contains(r#"licensd_client_actions_total{action="check",outcome="success"} 1"#));
        assert!(text.contains(r#"licensd_webhook_attempts_total{outcome="retry"} 1"#));
        assert!(text.contains("licensd_http_request_duration_seconds_bucket"));
    }
}
