//! The second ceiling: a bare axum endpoint (`GET /healthz` answering "ok", no middleware),
//! served by this process on a port of its own under the same load as licensd's own `/healthz`.
//! Its ratio shows what licensd's stack costs on top of axum and hyper on the same machine.

use axum::{Router, routing::get};

/// Serves the bare endpoint until the process ends; returns its port.
pub async fn start() -> anyhow::Result<u16> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let port = listener.local_addr()?.port();
    let app = Router::new().route("/healthz", get(|| async { "ok" }));
    tokio::spawn(async move {
        if let Err(e) = axum::serve(listener, app).await {
            eprintln!("licensd-bench: the bare axum endpoint stopped: {e}");
        }
    });
    Ok(port)
}
