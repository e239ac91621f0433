//! The HTTP server: wiring of state, routes and middleware; start-up and graceful shutdown.
//! `connections`: the accept loop and the limits of each connection; `redirect`: the plain-HTTP
//! face beside HTTPS; `deliveries`: the event webhook worker.

pub mod connections;
mod deliveries;
mod redirect;

use crate::store::browser_sessions::SessionTable;
use crate::{
    api,
    config::{Config, RateLimitStore},
    identity,
    ratelimit::RateLimiter,
    services::Services,
    state::AppState,
    store::{DatabaseTarget, Engine, OpenOptions, Store},
    tls::Tls,
};
use anyhow::Context;
use std::{net::SocketAddr, sync::Arc, time::Duration};
use tokio::net::TcpListener;

/// Opens the database as configured, applying migrations.
pub async fn open_store(config: &Config) -> anyhow::Result<Store> {
    let target = DatabaseTarget::parse(config.database_url.as_deref(), &config.data_dir)?;
    let options = OpenOptions {
        create: config.create,
        max_connections: config.max_connections,
        acquire_timeout: std::time::Duration::from_millis(config.database_timeout_ms.max(1)),
    };
    let store = Store::open(&target, &options).await?;
    tracing::info!(database = %target.describe(), "database open");
    Ok(store)
}

/// Opens the database (applying migrations) and the signing key as configured.
pub async fn build_state(config: Config) -> anyhow::Result<AppState> {
    let store = open_store(&config).await?;
    let signer = identity::signer(&config, &store).await?;
    let limiter = match config.rate_limit_store.unwrap_or(match store.engine() {
        Engine::Sqlite => RateLimitStore::Memory,
        Engine::Postgres => RateLimitStore::Database,
    }) {
        RateLimitStore::Memory => RateLimiter::memory(),
        RateLimitStore::Database => RateLimiter::database(store.clone()),
    };
    tracing::info!(public_key = signer.public_hex(), "signing key ready");
    let services = Services::from_config(&config).map_err(anyhow::Error::msg)?;
    let metrics = Arc::new(crate::metrics::Metrics::new(store.timings()));
    Ok(AppState {
        store,
        signer: Arc::new(signer),
        limiter: Arc::new(limiter),
        services: Arc::new(services),
        metrics,
        config: Arc::new(config),
    })
}

/// A server bound to its sockets, ready to be run.
pub struct Server {
    listener: TcpListener,
    tls: Option<Tls>,
    /// The plain-HTTP redirect listener beside HTTPS, when configured.
    redirect: Option<TcpListener>,
    state: AppState,
}

impl Server {
    pub async fn bind(state: AppState) -> anyhow::Result<Self> {
        let tls = crate::tls::setup(&state.config)?;
        let listener = listen(state.config.listen).await?;
        let redirect = match state.config.http_redirect_listen {
            Some(addr) => Some(listen(addr).await?),
            None => None,
        };
        Ok(Self { listener, tls, redirect, state })
    }

    pub fn local_addr(&self) -> std::io::Result<SocketAddr> {
        self.listener.local_addr()
    }

    /// `https` or `http`, as the main listener speaks.
    pub fn scheme(&self) -> &'static str {
        if self.tls.is_some() { "https" } else { "http" }
    }

    /// The redirect listener's address, when there is one.
    pub fn redirect_addr(&self) -> Option<SocketAddr> {
        self.redirect.as_ref().and_then(|l| l.local_addr().ok())
    }

    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// Serves until `shutdown` resolves, then finishes in-flight requests and closes the pools.
    pub async fn run_until(
        self,
        shutdown: impl std::future::Future<Output = ()> + Send + 'static,
    ) -> anyhow::Result<()> {
        let state = self.state.clone();
        let janitor = tokio::spawn(housekeeping(state.clone()));
        let wal_keeper = tokio::spawn(state.store.clone().keep_wal_small());
        let deliverer = tokio::spawn(deliveries::run(state.clone()));
        let limits = connections::Limits::from_config(&state.config);
        // One shutdown signal for every listener.
        let (stop, stopped) = tokio::sync::watch::channel(false);
        tokio::spawn(async move {
            shutdown.await;
            let _ = stop.send(true);
        });
        let until_stopped = move || {
            let mut stopped = stopped.clone();
            async move {
                let _ = stopped.wait_for(|s| *s).await;
            }
        };
        let redirect = match (self.redirect, &self.tls) {
            (Some(listener), Some(tls)) => {
                let router = redirect::router(self.listener.local_addr()?.port(), tls.http01.clone());
                Some(tokio::spawn(connections::serve(listener, router, None, limits, until_stopped())))
            }
            _ => None,
        };
        let hsts = self.tls.as_ref().and_then(|_| hsts(state.config.hsts_max_age_secs));
        let router = api::router(state.clone()).with_hsts(hsts);
        let acceptor = self.tls.as_ref().map(|t| t.acceptor.clone());
        connections::serve(self.listener, router, acceptor, limits, until_stopped()).await;
        if let Some(redirect) = redirect {
            let _ = redirect.await;
        }
        drop(self.tls);
        janitor.abort();
        wal_keeper.abort();
        deliverer.abort();
        state.store.close().await;
        Ok(())
    }
}

async fn listen(addr: SocketAddr) -> anyhow::Result<TcpListener> {
    TcpListener::bind(addr).await.with_context(|| format!("cannot listen on {addr}"))
}

/// The `Strict-Transport-Security` value for `max_age` seconds; `None` for 0 (no header).
fn hsts(max_age: u64) -> Option<axum::http::HeaderValue> {
    (max_age > 0).then(|| axum::http::HeaderValue::from_str(&format!("max-age={max_age}")).ok()).flatten()
}

/// Periodic clean-up of expired rows that no request path deletes by itself.
async fn housekeeping(state: AppState) {
    let mut tick = tokio::time::interval(Duration::from_secs(60));
    loop {
        tick.tick().await;
        let now = crate::domain::time::now_ms();
        if let Err(e) = state.limiter.prune(now - 2 * 60_000).await {
            tracing::warn!(error = %e, "pruning rate-limit windows failed");
        }
        if let Err(e) = state.store.prune_idempotency_keys(now - crate::store::idempotency::IDEMPOTENCY_TTL_MS).await {
            tracing::warn!(error = %e, "pruning idempotency keys failed");
        }
        if let Err(e) = state.store.prune_sessions(now).await {
            tracing::warn!(error = %e, "pruning expired client sessions failed");
        }
        if let Err(e) = state.store.prune_panel_invitations(now).await {
            tracing::warn!(error = %e, "pruning spent panel invitations failed");
        }
        let idle_since = now - state.config.panel_session_idle_secs.saturating_mul(1000);
        for table in [SessionTable::Panel, SessionTable::Reseller, SessionTable::Customer] {
            if let Err(e) = state.store.prune_browser_sessions(table, now, idle_since).await {
                tracing::warn!(error = %e, ?table, "pruning expired browser sessions failed");
            }
        }
    }
}

/// Resolves on SIGINT or SIGTERM. The handlers are installed when this is called, not when the
/// future is first polled: a SIGTERM that arrives before the accept loop first polls it (say,
/// right after the first answers) must mean "drain", not the default "die at once".
pub fn shutdown_signal() -> impl Future<Output = ()> + Send + 'static {
    use tokio::signal::unix::{SignalKind, signal};
    let int = signal(SignalKind::interrupt()).ok();
    let term = signal(SignalKind::terminate()).ok();
    async move {
        let wait = |s: Option<tokio::signal::unix::Signal>| async move {
            match s {
                Some(mut s) => {
                    s.recv().await;
                }
                None => std::future::pending::<()>().await,
            }
        };
        tokio::select! { _ = wait(int) => {}, _ = wait(term) => {} }
        tracing::info!("shutting down: finishing in-flight requests");
    }
}
