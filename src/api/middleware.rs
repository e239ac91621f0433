//! Middleware shared by every route: request ids, access logs without secrets, request timeout,
//! a panic guard that answers 500 instead of dropping the connection, the request metrics and
//! running each request to its end even when its client goes away; and the body limits (size
//! and time) each protocol router applies with its own answer (`limit_body`).
//!
//! The shared part runs on every request, `/healthz` included, so it is one hand-written service
//! around the whole router (`Frame`) rather than a stack of layers: a layer stack put on a
//! `Router` wraps every route, and each request then clones and boxes the stack layer by layer.
//! Request ids count up from a random per-process prefix, written into a fixed buffer; the
//! metrics series are made once per surface. BENCHMARKS.md has what each of these cost.

use crate::{
    metrics::{self, Metrics},
    state::AppState,
};
use axum::{
    Router,
    body::{Body, Bytes, HttpBody},
    extract::State,
    http::{
        HeaderName, HeaderValue, Request, StatusCode,
        header::{CONTENT_LENGTH, CONTENT_TYPE, STRICT_TRANSPORT_SECURITY},
        request::Parts,
    },
    middleware::{Next, from_fn_with_state},
    response::{IntoResponse, Response},
};
use futures_util::FutureExt;
use std::{
    any::Any,
    convert::Infallible,
    future::poll_fn,
    panic::AssertUnwindSafe,
    pin::Pin,
    sync::{
        Arc,
        atomic::{AtomicU64, Ordering},
    },
    task::{Context, Poll, ready},
    time::{Duration, Instant},
};
use tower::{Service, ServiceExt};
use tracing::{Instrument, Span};

const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");
/// The target of the access log lines, so that a filter can silence them (`licensd::access=warn`)
/// and keep the request span that every other line of a request carries.
const ACCESS_LOG: &str = "licensd::access";
/// How long a request may take before it is answered 408 (its handler runs on to its end).
const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

/// The router with the shared frame of every request around it: the service the accept loop
/// serves. `hsts` is the `Strict-Transport-Security` value added to answers without one (TLS).
#[derive(Clone)]
pub struct Frame {
    router: Router,
    metrics: Arc<Metrics>,
    hsts: Option<HeaderValue>,
    /// `REQUEST_TIMEOUT` (a unit test shortens it).
    timeout: Duration,
}

impl Frame {
    pub fn new(router: Router, metrics: Arc<Metrics>) -> Self {
        Self { router, metrics, hsts: None, timeout: REQUEST_TIMEOUT }
    }

    pub fn with_hsts(self, hsts: Option<HeaderValue>) -> Self {
        Self { hsts, ..self }
    }
}

impl<B> Service<Request<B>> for Frame
where
    B: HttpBody<Data = Bytes> + Send + 'static,
    B::Error: Into<axum::BoxError>,
{
    type Response = Response;
    type Error = Infallible;
    type Future = FinishOnDrop<Result<Response, Infallible>>;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, req: Request<B>) -> Self::Future {
        FinishOnDrop(Some(Box::pin(frame(self.clone(), req.map(Body::new)))))
    }
}

/// One request: its id (the client's `x-request-id`, or a new one), its span, the handler
/// guarded against panics and bounded by the timeout, then the id and HSTS on the answer, the
/// metrics and the access log line, with one clock reading for both.
async fn frame(frame: Frame, mut req: Request<Body>) -> Result<Response, Infallible> {
    let started = Instant::now();
    let id = match req.headers().get(&REQUEST_ID) {
        Some(id) => id.clone(),
        None => {
            let id = new_request_id();
            req.headers_mut().insert(REQUEST_ID, id.clone());
            id
        }
    };
    let surface = metrics::surface(req.uri().path());
    let span = request_span(&req, &id);
    let handler = AssertUnwindSafe(frame.router.oneshot(req)).catch_unwind().map(|done| match done {
        Ok(Ok(response)) => response,
        Ok(Err(never)) => match never {},
        Err(panic) => panicked(panic),
    });
    let mut handler = Box::pin(handler.instrument(span.clone()));
    let mut response = match tokio::time::timeout(frame.timeout, &mut handler).await {
        Ok(response) => response,
        Err(_) => {
            // Answered now; the handler runs on to its end (see `FinishOnDrop`).
            tokio::spawn(handler);
            StatusCode::REQUEST_TIMEOUT.into_response()
        }
    };
    let headers = response.headers_mut();
    headers.entry(REQUEST_ID).or_insert(id);
    if let Some(hsts) = &frame.hsts {
        headers.entry(STRICT_TRANSPORT_SECURITY).or_insert_with(|| hsts.clone());
    }
    let (status, elapsed) = (response.status(), started.elapsed());
    frame.metrics.request(surface, status.as_u16(), elapsed.as_secs_f64());
    let latency_us = elapsed.as_micros() as u64;
    if status.is_server_error() {
        tracing::error!(target: ACCESS_LOG, parent: &span, latency_us, status = status.as_u16(), "response failed");
    } else {
        tracing::info!(target: ACCESS_LOG, parent: &span, latency_us, status = status.as_u16(), "finished processing request");
    }
    Ok(response)
}

/// The answer to a handler that panicked: 500, and the panic's message in the log.
fn panicked(panic: Box<dyn Any + Send>) -> Response {
    let message = panic.downcast_ref::<String>().map(String::as_str).or_else(|| panic.downcast_ref::<&str>().copied());
    tracing::error!(message = message.unwrap_or("(not a string)"), "handler panicked");
    (StatusCode::INTERNAL_SERVER_ERROR, [(CONTENT_TYPE, "text/plain; charset=utf-8")], "Service panicked")
        .into_response()
}

/// Request ids unique in this process (a counter) and, by a random 64-bit prefix drawn once,
/// across the processes of a deployment: `0123456789abcdef-2a`.
fn new_request_id() -> HeaderValue {
    static PREFIX: std::sync::OnceLock<u64> = std::sync::OnceLock::new();
    static NEXT: AtomicU64 = AtomicU64::new(0);
    let prefix = *PREFIX.get_or_init(rand::random);
    request_id(prefix, NEXT.fetch_add(1, Ordering::Relaxed))
}

/// `prefix` as 16 hex digits, a dash, and `n` in hex without leading zeros.
fn request_id(prefix: u64, n: u64) -> HeaderValue {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut buf = [0u8; 33];
    for (i, byte) in buf[..16].iter_mut().enumerate() {
        *byte = HEX[(prefix >> (60 - 4 * i) & 0xf) as usize];
    }
    buf[16] = b'-';
    let digits = (16 - n.leading_zeros() as usize / 4).max(1);
    for i in 0..digits {
        buf[17 + i] = HEX[(n >> (4 * (digits - 1 - i)) & 0xf) as usize];
    }
    HeaderValue::from_bytes(&buf[..17 + digits]).expect("hex digits and a dash are a header value")
}

/// Runs every request to its end: when its client disconnects and the request's future is
/// dropped, the rest of it moves to a task of its own instead of stopping between two of its
/// steps. Two reasons: an action such as register (hash, then a transaction) or login
/// (several writes) must not stop half-way; and sqlx 0.9.0 leaves a pooled PostgreSQL
/// connection inside an open transaction when a future is dropped while its `BEGIN` is in
/// flight (launchbadge/sqlx#4393), after which that connection's statements are never
/// committed. A request that completes normally pays one allocation, not a task.
///
/// A future that, dropped before it is done, hands its remainder to a new task.
pub struct FinishOnDrop<T: Send + 'static>(Option<Pin<Box<dyn Future<Output = T> + Send>>>);

impl<T: Send + 'static> Future for FinishOnDrop<T> {
    type Output = T;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<T> {
        let inner = self.0.as_mut().expect("FinishOnDrop polled after it completed");
        // A future that panicked must not be handed on by `drop`: polled again, it would only
        // panic once more. (Handler panics are caught inside `frame`; this is for the rest.)
        let polled = std::panic::catch_unwind(AssertUnwindSafe(|| inner.as_mut().poll(cx)));
        let out = match polled {
            Ok(polled) => ready!(polled),
            Err(panic) => {
                self.0 = None;
                std::panic::resume_unwind(panic)
            }
        };
        self.0 = None;
        Poll::Ready(out)
    }
}

impl<T: Send + 'static> Drop for FinishOnDrop<T> {
    fn drop(&mut self) {
        // Without a runtime (the process is shutting down) there is nothing left to finish on.
        if let Some(rest) = self.0.take()
            && let Ok(runtime) = tokio::runtime::Handle::try_current()
        {
            runtime.spawn(rest);
        }
    }
}

/// The span of one request: id, method and path. The query string is left out on purpose:
/// the client and reseller APIs accept secrets (api_token, pass, key) there.
fn request_span(req: &Request<Body>, id: &HeaderValue) -> Span {
    let id = id.to_str().unwrap_or("");
    tracing::info_span!("request", id = %id, method = %req.method(), path = %req.uri().path())
}

/// Why a body was refused before its handler saw it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refused {
    /// Longer than `max_body_bytes`.
    TooLarge,
    /// Not received within `body_read_timeout_secs` (a client trickling its body).
    TimedOut,
}

/// A protocol's answer to a refused body, in its own error shape.
pub type RefuseBody = fn(&AppState, &Parts, Refused) -> Response;

/// Limits `router`'s request bodies to `config.max_body_bytes` and `body_read_timeout_secs`,
/// answering `refuse` both for a `Content-Length` over the limit (before reading) and for a
/// longer chunked body (buffered up to the limit: every handler reads whole bodies anyway).
pub fn limit_body(state: &AppState, router: Router<AppState>, refuse: RefuseBody) -> Router<AppState> {
    limit_body_to(state.config.max_body_bytes, state, router, refuse)
}

/// [`limit_body`] with a limit of its own (`max` bytes), for the routes that take uploads.
pub fn limit_body_to(max: usize, state: &AppState, router: Router<AppState>, refuse: RefuseBody) -> Router<AppState> {
    router.layer(from_fn_with_state((state.clone(), refuse, max), enforce_limit))
}

/// Bytes past `max_body_bytes` that are read and dropped (never kept) before refusing a body.
/// Closing a socket with unread data makes the kernel reset the connection, and a client still
/// sending would get the reset instead of the answer; a body declared longer than this is
/// refused unread. Reading is bounded in time too, by `body_read_timeout_secs`.
const DRAIN_BYTES: usize = 8 * 1024 * 1024;

/// The body is read here, inside `run_to_completion`: when the request timeout fires, the rest
/// of the request (this read included) goes on in a task of its own, so the read needs a
/// deadline of its own, or a client trickling a body would keep that task and its connection
/// forever.
async fn enforce_limit(
    State((state, refuse, max)): State<(AppState, RefuseBody, usize)>,
    req: Request<Body>,
    next: Next,
) -> Response {
    let (parts, body) = req.into_parts();
    let declared = parts.headers.get(CONTENT_LENGTH).and_then(|v| v.to_str().ok()?.parse::<u64>().ok());
    if declared.is_some_and(|n| n > max.saturating_add(DRAIN_BYTES) as u64) {
        return refuse(&state, &parts, Refused::TooLarge);
    }
    let deadline = Duration::from_secs(state.config.body_read_timeout_secs);
    match tokio::time::timeout(deadline, read_bounded(body, max)).await {
        Ok(Some(bytes)) => next.run(Request::from_parts(parts, Body::from(bytes))).await,
        Ok(None) => refuse(&state, &parts, Refused::TooLarge),
        Err(_) => refuse(&state, &parts, Refused::TimedOut),
    }
}

/// The whole body if it has at most `max` bytes; else `None`, after reading on (and dropping)
/// up to `DRAIN_BYTES` more so that the refusal reaches the client.
async fn read_bounded(mut body: Body, max: usize) -> Option<Bytes> {
    let mut kept = Vec::new();
    let mut seen = 0usize;
    while let Some(frame) = poll_fn(|cx| Pin::new(&mut body).poll_frame(cx)).await {
        let Ok(chunk) = frame.ok()?.into_data() else { continue };
        seen = seen.saturating_add(chunk.len());
        if seen <= max {
            kept.extend_from_slice(&chunk);
        } else if seen > max.saturating_add(DRAIN_BYTES) {
            return None;
        }
    }
    (seen <= max).then(|| Bytes::from(kept))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::timings::DbTimings;
    use axum::routing::get;

    fn framed(router: Router) -> Frame {
        Frame::new(router, Arc::new(Metrics::new(&DbTimings::new())))
    }

    async fn call(frame: Frame, req: Request<Body>) -> Response {
        frame.oneshot(req).await.unwrap_or_else(|never| match never {})
    }

    #[test]
    fn request_ids_are_the_prefix_a_dash_and_the_count() {
        assert_eq!(request_id(0x0123_4567_89ab_cdef, 0), "0123456789abcdef-0");
        assert_eq!(request_id(0x2a, 0x2a), "000000000000002a-2a");
        assert_eq!(request_id(u64::MAX, u64::MAX), "ffffffffffffffff-ffffffffffffffff");
        assert_eq!(request_id(7, 0xf), "0000000000000007-f");
        assert_eq!(request_id(7, 0x10), "0000000000000007-10");
    }

    #[tokio::test]
    async fn answers_carry_the_clients_request_id_or_a_new_one() {
        let frame = framed(Router::new().route("/", get(|| async { "ok" })));
        let kept = Request::builder().uri("/").header("x-request-id", "mine").body(Body::empty()).unwrap();
        assert_eq!(call(frame.clone(), kept).await.headers()["x-request-id"], "mine");
        let made = call(frame, Request::builder().uri("/").body(Body::empty()).unwrap()).await;
        let id = made.headers()["x-request-id"].to_str().unwrap().to_owned();
        let (prefix, count) = id.split_once('-').unwrap();
        assert_eq!(prefix.len(), 16, "{id}");
        assert!(prefix.chars().chain(count.chars()).all(|c| c.is_ascii_hexdigit()) && !count.is_empty(), "{id}");
    }

    #[tokio::test]
    async fn a_panicking_handler_is_answered_500_and_counted() {
        async fn boom() -> &'static str {
            panic!("handler broke")
        }
        let frame = framed(Router::new().route("/boom", get(boom)));
        let broken = call(frame.clone(), Request::builder().uri("/boom").body(Body::empty()).unwrap()).await;
        assert_eq!(broken.status(), StatusCode::INTERNAL_SERVER_ERROR);
        assert!(broken.headers().contains_key("x-request-id"));
        let text = frame.metrics.render();
        assert!(text.contains(r#"licensd_http_requests_total{surface="other",status="5xx"} 1"#), "{text}");
    }

    /// Past the timeout the client gets 408 (counted), and the handler still runs to its end.
    #[tokio::test]
    async fn a_slow_handler_is_answered_408_and_runs_on() {
        const TIMEOUT: Duration = Duration::from_millis(100);
        let finished = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let done = finished.clone();
        let slow = move || async move {
            tokio::time::sleep(TIMEOUT * 3).await;
            done.store(true, Ordering::SeqCst);
            "late"
        };
        let frame = Frame { timeout: TIMEOUT, ..framed(Router::new().route("/slow", get(slow))) };
        let answer = call(frame.clone(), Request::builder().uri("/slow").body(Body::empty()).unwrap()).await;
        assert_eq!(answer.status(), StatusCode::REQUEST_TIMEOUT);
        assert!(!finished.load(Ordering::SeqCst));
        tokio::time::sleep(TIMEOUT * 5).await;
        assert!(finished.load(Ordering::SeqCst), "the handler ran on after the 408");
        let text = frame.metrics.render();
        assert!(text.contains(r#"licensd_http_requests_total{surface="other",status="4xx"} 1"#), "{text}");
    }

    #[tokio::test]
    async fn hsts_is_added_where_the_answer_has_none() {
        let preset = || async { ([(STRICT_TRANSPORT_SECURITY, "max-age=1")], "ok") };
        let router = Router::new().route("/", get(|| async { "ok" })).route("/preset", get(preset));
        let frame = framed(router).with_hsts(Some(HeaderValue::from_static("max-age=60")));
        let plain = call(frame.clone(), Request::builder().uri("/").body(Body::empty()).unwrap()).await;
        assert_eq!(plain.headers()[STRICT_TRANSPORT_SECURITY], "max-age=60");
        let own = call(frame, Request::builder().uri("/preset").body(Body::empty()).unwrap()).await;
        assert_eq!(own.headers()[STRICT_TRANSPORT_SECURITY], "max-age=1");
    }
}
