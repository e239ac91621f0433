//! The HTTP server: wiring of state, routes and middleware; start-up and graceful shutdown.
//! `connections`: the accept loop and the limits of each connection.

mod connections;

use crate::{
    api,
    config::{Config, RateLimitStore},
    ratelimit::RateLimiter,
    signing::Signer,
    state::AppState,
    store::{DatabaseTarget, Engine, OpenOptions, Store},
};
use anyhow::Context;
use std::{net::SocketAddr, sync::Arc, time::Duration};
use tokio::net::TcpListener;

/// Opens the database (applying migrations) and the signing key as configured.
pub async fn build_state(config: Config) -> anyhow::Result<AppState> {
    let target = DatabaseTarget::parse(config.database_url.as_deref(), &config.data_dir)?;
    let options = OpenOptions { create: config.create, max_connections: config.max_connections };
    let store = Store::open(&target, &options).await?;
    let signer = match &config.signing_key {
        Some(seed) => Signer::from_hex(seed),
        None => Signer::load_or_create(&config.signing_key_path(), config.create || config.data_dir.is_dir()),
    }
    .map_err(anyhow::Error::msg)?;
    let limiter = match config.rate_limit_store.unwrap_or(match store.engine() {
        Engine::Sqlite => RateLimitStore::Memory,
        Engine::Postgres => RateLimitStore::Database,
    }) {
        RateLimitStore::Memory => RateLimiter::memory(),
        RateLimitStore::Database => RateLimiter::database(store.clone()),
    };
    tracing::info!(database = %target.describe(), public_key = signer.public_hex(), "storage ready");
    Ok(AppState { store, signer: Arc::new(signer), limiter: Arc::new(limiter), config: Arc::new(config) })
}

/// A server bound to its socket, ready to be run.
pub struct Server {
    listener: TcpListener,
    state: AppState,
}

impl Server {
    pub async fn bind(state: AppState) -> anyhow::Result<Self> {
        let addr = state.config.listen;
        let listener = TcpListener::bind(addr).await.with_context(|| format!("cannot listen on {addr}"))?;
        Ok(Self { listener, state })
    }

    pub fn local_addr(&self) -> std::io::Result<SocketAddr> {
        self.listener.local_addr()
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
        let limits = connections::Limits::from_config(&state.config);
        connections::serve(self.listener, api::router(state.clone()), limits, shutdown).await;
        janitor.abort();
        state.store.close().await;
        Ok(())
    }
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
    }
}

/// Resolves on SIGINT or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
    tracing::info!("shutting down: finishing in-flight requests");
}
