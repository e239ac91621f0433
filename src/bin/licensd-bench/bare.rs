//! The second ceiling and its ladder: a bare axum endpoint (`GET /healthz` answering "ok"),
//! served by this process on ports of its own under the same load as licensd's own `/healthz`:
//! alone through `axum::serve`, in licensd's middleware (`api::middleware::Frame`), through
//! licensd's accept loop (`server::connections`, hyper's HTTP/1 server with its timeouts), and
//! with both; and licensd's whole router (`api::router`, every route and its state) through its
//! accept loop, in this process. Each row's ratio to the bare one is what that part of licensd
//! costs on the same machine; the last rung against licensd's own `/healthz` shows what is left
//! to the server process itself.

use axum::{Router, routing::get};
use licensd::{api::middleware, config::Config, metrics::Metrics, server::connections, store::timings::DbTimings};
use std::{path::Path, sync::Arc};

/// One rung of the ladder.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rung {
    /// The endpoint alone, through `axum::serve`.
    Axum,
    /// With licensd's middleware, through `axum::serve`.
    Middleware,
    /// Alone, through licensd's accept loop.
    AcceptLoop,
    /// With licensd's middleware, through its accept loop.
    Both,
    /// licensd's whole router on the benchmark's database, through its accept loop.
    Router,
}

const RUNGS: [Rung; 5] = [Rung::Axum, Rung::Middleware, Rung::AcceptLoop, Rung::Both, Rung::Router];

/// The port of each rung.
pub struct Ladder {
    ports: [u16; 5],
}

impl Ladder {
    pub fn port(&self, rung: Rung) -> u16 {
        self.ports[RUNGS.iter().position(|r| *r == rung).unwrap_or(0)]
    }
}

/// Serves every rung until the process ends; the whole router opens `database_url` with the
/// signing key in `work`, as the server does.
pub async fn start(database_url: &str, work: &Path) -> anyhow::Result<Ladder> {
    let mut ports = [0; 5];
    for (port, rung) in ports.iter_mut().zip(RUNGS) {
        let bare = Router::new().route("/healthz", get(|| async { "ok" }));
        let framed = || middleware::Frame::new(bare.clone(), Arc::new(Metrics::new(&DbTimings::new())));
        *port = match rung {
            Rung::Axum | Rung::AcceptLoop => serve(rung, bare).await?,
            Rung::Middleware | Rung::Both => serve(rung, framed()).await?,
            Rung::Router => {
                let config = Config {
                    data_dir: work.to_path_buf(),
                    database_url: Some(database_url.into()),
                    ..Config::default()
                };
                serve(rung, licensd::api::router(licensd::server::build_state(config).await?)).await?
            }
        };
    }
    Ok(Ladder { ports })
}

async fn serve<A: connections::App + Sync>(rung: Rung, app: A) -> anyhow::Result<u16> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let port = listener.local_addr()?.port();
    match rung {
        Rung::Axum | Rung::Middleware => {
            tokio::spawn(async move {
                if let Err(e) = axum::serve(listener, axum::ServiceExt::into_make_service(app)).await {
                    eprintln!("licensd-bench: the bare endpoint ({rung:?}) stopped: {e}");
                }
            });
        }
        Rung::AcceptLoop | Rung::Both | Rung::Router => {
            let limits = connections::Limits::from_config(&Config::default());
            tokio::spawn(connections::serve(listener, app, None, limits, std::future::pending()));
        }
    }
    Ok(port)
}
