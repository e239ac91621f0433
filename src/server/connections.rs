//! The accept loop (hyper's HTTP/1 server instead of `axum::serve`, which exposes none of these
//! limits; HTTP/1 only, as before):
//! at most `max_concurrent_connections` connections at once, each with hyper's header-read
//! timeout and an idle timeout between requests; on shutdown no new connections, and every
//! open one finishes its in-flight requests before `serve` returns. Handlers read the peer as
//! `ConnectInfo<SocketAddr>`, as under `into_make_service_with_connect_info`.
//!
//! With TLS, each connection's handshake runs in its own task (holding its permit) within
//! `tls_handshake_timeout_secs`, so slow handshakes cannot stall accepting or pin connections.
//! A TLS-ALPN-01 validation connection (ALPN `acme-tls/1`) ends after its handshake, which is
//! all the CA checks.

use crate::config::Config;
use axum::{body::Body, extract::ConnectInfo, http::Request, response::Response};
use hyper::{body::Incoming, server::conn::http1};
use hyper_util::{
    rt::{TokioIo, TokioTimer},
    service::TowerToHyperService,
};
use std::convert::Infallible;
use std::{
    net::SocketAddr,
    sync::{
        Arc,
        atomic::{AtomicU64, AtomicUsize, Ordering},
    },
    time::{Duration, Instant},
};
use tokio::{
    net::{TcpListener, TcpStream},
    sync::{Semaphore, watch},
};
use tokio_rustls::TlsAcceptor;
use tower::Service;
use tower::ServiceExt;

/// The connection limits, from the configuration.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub header_read_timeout: Duration,
    pub idle_timeout: Duration,
    pub max_connections: usize,
    pub handshake_timeout: Duration,
    /// How long shutdown waits for open connections to finish their requests.
    pub drain_timeout: Duration,
}

impl Limits {
    pub fn from_config(config: &Config) -> Self {
        Self {
            header_read_timeout: Duration::from_secs(config.header_read_timeout_secs),
            idle_timeout: Duration::from_secs(config.idle_timeout_secs),
            max_connections: config.max_concurrent_connections.clamp(1, u32::MAX as usize),
            handshake_timeout: Duration::from_secs(config.tls_handshake_timeout_secs.max(1)),
            drain_timeout: Duration::from_secs(config.shutdown_timeout_secs),
        }
    }
}

/// What the accept loop serves: licensd's `Frame`, an axum `Router` (the HTTP-to-HTTPS
/// redirect), or any service of the same shape.
pub trait App:
    Service<Request<Body>, Response = Response, Error = Infallible, Future: Send> + Clone + Send + 'static
{
}

impl<S> App for S where
    S: Service<Request<Body>, Response = Response, Error = Infallible, Future: Send> + Clone + Send + 'static
{
}

/// Serves `router` on `listener` (over TLS when `tls` is set) until `shutdown` resolves, then
/// waits up to `drain_timeout` for the open connections to finish their requests.
pub async fn serve<A: App>(
    listener: TcpListener,
    router: A,
    tls: Option<TlsAcceptor>,
    limits: Limits,
    shutdown: impl Future<Output = ()> + Send + 'static,
) {
    // A connection holds one permit for its whole life; when none is left, accepting waits, and
    // the kernel's listen backlog holds new connections until one closes.
    let permits = Arc::new(Semaphore::new(limits.max_connections));
    let (stop, stopped) = watch::channel(());
    let mut builder = http1::Builder::new();
    builder.timer(TokioTimer::new()).header_read_timeout(limits.header_read_timeout);
    tokio::pin!(shutdown);
    loop {
        let accepted = tokio::select! {
            accepted = accept(&listener, &permits) => accepted,
            () = &mut shutdown => break,
        };
        let Some((stream, peer, permit)) = accepted else { continue };
        let connection =
            Connection { builder: builder.clone(), router: router.clone(), limits, stopped: stopped.clone() };
        let tls = tls.clone();
        tokio::spawn(async move {
            match tls {
                None => connection.run(TokioIo::new(stream), peer).await,
                Some(tls) => {
                    if let Some(stream) = handshake(&tls, stream, peer, limits.handshake_timeout).await {
                        connection.run(TokioIo::new(stream), peer).await;
                    }
                }
            }
            drop(permit);
        });
    }
    drop(listener);
    let _ = stop.send(());
    // Every permit back means every connection task has ended.
    let all = permits.acquire_many(limits.max_connections as u32);
    if tokio::time::timeout(limits.drain_timeout, all).await.is_err() {
        tracing::warn!(
            open = limits.max_connections - permits.available_permits(),
            "shutdown_timeout_secs passed with requests still in flight; closing their connections"
        );
    }
}

/// The TLS handshake of one connection within `limit`; `None` when it failed, took too long, or
/// was a TLS-ALPN-01 validation (whose handshake was the whole point).
async fn handshake(
    tls: &TlsAcceptor,
    stream: TcpStream,
    peer: SocketAddr,
    limit: Duration,
) -> Option<tokio_rustls::server::TlsStream<TcpStream>> {
    match tokio::time::timeout(limit, tls.accept(stream)).await {
        Ok(Ok(stream)) if stream.get_ref().1.alpn_protocol() == Some(crate::tls::ACME_TLS_ALPN) => {
            tracing::info!(%peer, "answered an ACME TLS-ALPN-01 validation");
            None
        }
        Ok(Ok(stream)) => Some(stream),
        Ok(Err(e)) => {
            tracing::debug!(error = %e, %peer, "TLS handshake failed");
            None
        }
        Err(_) => {
            tracing::debug!(%peer, "TLS handshake timed out");
            None
        }
    }
}

/// The next connection and its permit; `None` after an accept error (logged; a full file table
/// is retried after a pause instead of spinning).
async fn accept(
    listener: &TcpListener,
    permits: &Arc<Semaphore>,
) -> Option<(TcpStream, SocketAddr, tokio::sync::OwnedSemaphorePermit)> {
    let permit = permits.clone().acquire_owned().await.ok()?;
    match listener.accept().await {
        Ok((stream, peer)) => Some((stream, peer, permit)),
        Err(e) => {
            tracing::warn!(error = %e, "accepting a connection failed");
            tokio::time::sleep(Duration::from_millis(100)).await;
            None
        }
    }
}

struct Connection<A> {
    builder: http1::Builder,
    router: A,
    limits: Limits,
    stopped: watch::Receiver<()>,
}

impl<A: App> Connection<A> {
    /// Serves one connection to its end: closed by the client, by a timeout, or by shutdown
    /// (after its in-flight requests).
    async fn run<S>(mut self, io: TokioIo<S>, peer: SocketAddr)
    where
        S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send + 'static,
    {
        let activity = Arc::new(Activity::new());
        let seen = activity.clone();
        let router = self.router.clone();
        let service = tower::service_fn(move |req: Request<Incoming>| {
            let mut req = req.map(Body::new);
            req.extensions_mut().insert(ConnectInfo(peer));
            let in_flight = seen.begin();
            let answer = router.clone().oneshot(req);
            async move {
                let response = answer.await;
                drop(in_flight);
                response
            }
        });
        let conn = self.builder.serve_connection(io, TowerToHyperService::new(service));
        tokio::pin!(conn);
        let idle = self.limits.idle_timeout;
        let ended = tokio::select! {
            ended = conn.as_mut() => Some(ended),
            () = activity.idle_for(idle) => None,
            _ = self.stopped.changed() => None,
        };
        // Idle or shutting down: hyper closes at once when no request is in flight, else after it.
        let ended = match ended {
            Some(ended) => ended,
            None => {
                conn.as_mut().graceful_shutdown();
                conn.await
            }
        };
        if let Err(e) = ended {
            tracing::debug!(error = %e, %peer, "connection ended with an error");
        }
    }
}

/// Requests in flight on one connection and when the last one ended.
struct Activity {
    start: Instant,
    in_flight: AtomicUsize,
    last_end_ms: AtomicU64,
}

/// Marks one request in flight until dropped.
struct InFlight(Arc<Activity>);

impl Drop for InFlight {
    fn drop(&mut self) {
        self.0.last_end_ms.store(self.0.start.elapsed().as_millis() as u64, Ordering::Relaxed);
        self.0.in_flight.fetch_sub(1, Ordering::Relaxed);
    }
}

impl Activity {
    fn new() -> Self {
        Self { start: Instant::now(), in_flight: AtomicUsize::new(0), last_end_ms: AtomicU64::new(0) }
    }

    fn begin(self: &Arc<Self>) -> InFlight {
        self.in_flight.fetch_add(1, Ordering::Relaxed);
        InFlight(self.clone())
    }

    /// Resolves once no request has been in flight for `limit` (since the connection opened or
    /// its last answer), checked a few times per `limit`.
    async fn idle_for(&self, limit: Duration) {
        let tick = (limit / 4).max(Duration::from_millis(50));
        loop {
            tokio::time::sleep(tick).await;
            let since_last =
                self.start.elapsed().saturating_sub(Duration::from_millis(self.last_end_ms.load(Ordering::Relaxed)));
            if self.in_flight.load(Ordering::Relaxed) == 0 && since_last >= limit {
                return;
            }
        }
    }
}
