//! Middleware shared by every route: request ids, access logs without secrets, request timeout,
//! a panic guard that answers 500 instead of dropping the connection, the request metrics and
//! running each request to its end even when its client goes away; and the body limits (size
//! and time) each protocol router applies with its own answer (`limit_body`).
//!
//! Every layer runs on every request, `/healthz` included, so each is kept to what it buys:
//! request ids count up from a random per-process prefix instead of drawing a UUID from the
//! kernel per request, and metrics and run-to-completion share one layer (BENCHMARKS.md has
//! what each cost).

use crate::{metrics::Metrics, state::AppState};
use axum::{
    Router,
    body::{Body, Bytes, HttpBody},
    extract::State,
    http::{HeaderName, HeaderValue, Request, StatusCode, header::CONTENT_LENGTH, request::Parts},
    middleware::{Next, from_fn_with_state},
    response::Response,
};
use std::{
    future::poll_fn,
    pin::Pin,
    sync::{
        Arc,
        atomic::{AtomicU64, Ordering},
    },
    task::{Context, Poll, ready},
    time::{Duration, Instant},
};
use tower_http::{
    LatencyUnit,
    catch_panic::CatchPanicLayer,
    request_id::{MakeRequestId, PropagateRequestIdLayer, RequestId, SetRequestIdLayer},
    timeout::TimeoutLayer,
    trace::{DefaultOnResponse, TraceLayer},
};
use tracing::{Instrument, Span};

const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// Wraps `router` in the shared layers (the last added runs first), counting its answers in
/// `metrics`.
pub fn apply(router: Router, metrics: Arc<Metrics>) -> Router {
    router
        .layer(from_fn_with_state(metrics, measure_to_completion))
        .layer(TimeoutLayer::with_status_code(StatusCode::REQUEST_TIMEOUT, Duration::from_secs(30)))
        .layer(CatchPanicLayer::new())
        .layer(PropagateRequestIdLayer::new(REQUEST_ID))
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(request_span)
                .on_request(())
                .on_response(DefaultOnResponse::new().level(tracing::Level::INFO).latency_unit(LatencyUnit::Micros)),
        )
        .layer(SetRequestIdLayer::new(REQUEST_ID, CountingRequestId))
}

/// Request ids unique in this process (a counter) and, by a random 64-bit prefix drawn once,
/// across the processes of a deployment: `0123456789abcdef-2a`.
#[derive(Clone, Copy)]
struct CountingRequestId;

impl MakeRequestId for CountingRequestId {
    fn make_request_id<B>(&mut self, _: &Request<B>) -> Option<RequestId> {
        static PREFIX: std::sync::OnceLock<u64> = std::sync::OnceLock::new();
        static NEXT: AtomicU64 = AtomicU64::new(0);
        let prefix = PREFIX.get_or_init(rand::random);
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        HeaderValue::from_str(&format!("{prefix:016x}-{n:x}")).ok().map(RequestId::new)
    }
}

/// Counts the answer and its latency by surface and status class (`metrics`), and runs the
/// request to its end (`FinishOnDrop`): one layer for both, as each layer costs a boxed future.
async fn measure_to_completion(State(metrics): State<Arc<Metrics>>, req: Request<Body>, next: Next) -> Response {
    let started = Instant::now();
    let surface = crate::metrics::surface(req.uri().path());
    let response = FinishOnDrop(Some(Box::pin(next.run(req).in_current_span()))).await;
    metrics.request(surface, response.status().as_u16(), started.elapsed().as_secs_f64());
    response
}

/// Runs every request to its end: when its client disconnects (or the request timeout fires) and
/// the request's future is dropped, the rest of the handler moves to a task of its own instead
/// of stopping between two of its steps. Two reasons: an action such as register (hash, then a
/// transaction) or login (several writes) must not stop half-way; and sqlx 0.9.0 leaves a pooled
/// PostgreSQL connection inside an open transaction when a future is dropped while its `BEGIN`
/// is in flight (launchbadge/sqlx#4393), after which that connection's statements are never
/// committed. A request that completes normally pays one allocation, not a task.
///
/// A future that, dropped before it is done, hands its remainder to a new task.
struct FinishOnDrop<F: Future<Output = Response> + Send + 'static>(Option<Pin<Box<F>>>);

impl<F: Future<Output = Response> + Send + 'static> Future for FinishOnDrop<F> {
    type Output = Response;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Response> {
        let inner = self.0.as_mut().expect("FinishOnDrop polled after it completed");
        let response = ready!(inner.as_mut().poll(cx));
        self.0 = None;
        Poll::Ready(response)
    }
}

impl<F: Future<Output = Response> + Send + 'static> Drop for FinishOnDrop<F> {
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
fn request_span(req: &Request<Body>) -> Span {
    let id = req.headers().get(&REQUEST_ID).and_then(|v| v.to_str().ok()).unwrap_or("");
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
