//! Client API 1.3 `webhook`: the server calls the seller's URL (query params, body, content
//! type, user agent), relays the body, and guards the request: private addresses refused
//! unless allowed, 1 MiB response cap (declared or streamed), 10 s timeout, same-host redirects.
//! Through the SDK, but for one raw answer read whole (the seller's URL must not be in it).

use crate::client_support::{ClientFixture, assert_ok, assert_refused};
use crate::engine_tests;
use crate::harness::TestApp;
use axum::{
    Router,
    body::Bytes,
    extract::RawQuery,
    http::{HeaderMap, Method, StatusCode, header},
    response::{IntoResponse, Redirect},
    routing::{any, get},
};
use std::{
    net::SocketAddr,
    sync::{
        Arc,
        atomic::{AtomicUsize, Ordering},
    },
    time::{Duration, Instant},
};
use tokio::{io::AsyncWriteExt, net::TcpListener};

engine_tests!(
    webhook_relays_the_remote_answer,
    webhook_guards_size_redirects_and_time,
    webhook_refuses_private_targets_by_default,
);

const FAILED: &str = "Webhook request failed";

/// A local HTTP target counting the requests it receives.
struct Target {
    addr: SocketAddr,
    hits: Arc<AtomicUsize>,
}

impl Target {
    async fn start() -> Self {
        let hits = Arc::new(AtomicUsize::new(0));
        let counter = hits.clone();
        let app = Router::new()
            .route("/echo", any(echo))
            .route("/big", get(|| async { "x".repeat(1024 * 1024 + 1) }))
            .route("/exact", get(|| async { "y".repeat(1024 * 1024) }))
            .route("/slow", get(|| async { tokio::time::sleep(Duration::from_secs(30)).await }))
            .route("/same-host", get(|| async { Redirect::temporary("/echo?from=redirect") }))
            .route("/teapot", get(|| async { (StatusCode::IM_A_TEAPOT, "short and stout") }))
            .layer(axum::middleware::from_fn(move |req, next: axum::middleware::Next| {
                counter.fetch_add(1, Ordering::SeqCst);
                async move { next.run(req).await }
            }));
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        Self { addr, hits }
    }

    fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }
}

async fn echo(method: Method, RawQuery(q): RawQuery, headers: HeaderMap, body: Bytes) -> impl IntoResponse {
    let h = |name: header::HeaderName| headers.get(name).and_then(|v| v.to_str().ok()).unwrap_or("-").to_owned();
    format!(
        "{method} q={} ct={} ua={} body={}",
        q.unwrap_or_default(),
        h(header::CONTENT_TYPE),
        h(header::USER_AGENT),
        String::from_utf8_lossy(&body)
    )
}

/// A raw HTTP/1.1 server answering with an endless chunked body (no Content-Length).
async fn endless_chunked() -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((mut sock, _)) = listener.accept().await {
            tokio::spawn(async move {
                let mut buf = [0u8; 4096];
                let _ = tokio::io::AsyncReadExt::read(&mut sock, &mut buf).await;
                let _ = sock.write_all(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n").await;
                let chunk = format!("{:x}\r\n{}\r\n", 64 * 1024, "z".repeat(64 * 1024));
                while sock.write_all(chunk.as_bytes()).await.is_ok() {}
            });
        }
    });
    addr
}

/// The same engine with `webhook_allow_private = true`, so loopback targets are reachable.
async fn allowing_private(t: TestApp) -> TestApp {
    let engine = t.engine;
    drop(t);
    TestApp::spawn_with(engine, |c| c.webhook_allow_private = true).await
}

async fn add_hook(t: &TestApp, c: &ClientFixture<'_>, webid: &str, url: &str, authed: bool) {
    t.store().create_webhook(c.app.id, webid, url, "licensd-test/1", authed).await.unwrap();
}

const SUCCESSFUL: &str = "Webhook request successful";

async fn webhook_relays_the_remote_answer(t: TestApp) {
    let t = allowing_private(t).await;
    let target = Target::start().await;
    let c = ClientFixture::new(&t).await;
    add_hook(&t, &c, "open", &target.url("/echo?key=secret"), false).await;
    add_hook(&t, &c, "members", &target.url("/echo"), true).await;
    add_hook(&t, &c, "teapot", &target.url("/teapot"), false).await;
    let mut app = c.sdk_init().await;

    let body = assert_ok(app.webhook("open", Some("&user=bob&n=1"), None, None).await, &app, SUCCESSFUL);
    assert_eq!(body, "GET q=key=secret&user=bob&n=1 ct=- ua=licensd-test/1 body=");
    // The seller's URL never reaches the client: nowhere in the raw answer.
    let s = app.session_id().unwrap().to_owned();
    let a = c.call(Some(&s), "webhook", &[("webid", "open"), ("params", "&user=bob&n=1")]).await;
    a.assert_ok(SUCCESSFUL);
    assert!(!a.text.contains(&target.addr.to_string()));

    let body = app.webhook("open", None, Some("{\"a\":\"\u{e9}\"}"), Some("application/json")).await;
    assert_eq!(
        assert_ok(body, &app, SUCCESSFUL),
        "POST q=key=secret ct=application/json ua=licensd-test/1 body={\"a\":\"\u{e9}\"}"
    );

    // The remote status does not matter: its body is the answer.
    assert_eq!(app.webhook("teapot", None, None, None).await.unwrap(), "short and stout");

    assert_refused(app.webhook("members", None, None, None).await, "Session is not validated");
    assert_refused(app.webhook("nope", None, None, None).await, "Webhook Not Found.");
    let (v, _) = c.user_session("alice").await;
    let mut alice = c.sdk().with_session(&v);
    assert_ok(alice.webhook("members", None, None, None).await, &alice, SUCCESSFUL);
    // A content type that is not a header value fails cleanly.
    assert_refused(alice.webhook("open", None, Some("x"), Some("a\nb")).await, FAILED);
}

async fn webhook_guards_size_redirects_and_time(t: TestApp) {
    let t = allowing_private(t).await;
    let target = Target::start().await;
    let chunked = endless_chunked().await;
    let c = ClientFixture::new(&t).await;
    add_hook(&t, &c, "big", &target.url("/big"), false).await;
    add_hook(&t, &c, "exact", &target.url("/exact"), false).await;
    add_hook(&t, &c, "stream", &format!("http://{chunked}/"), false).await;
    add_hook(&t, &c, "same", &target.url("/same-host"), false).await;
    let other_host = format!("http://localhost:{}/echo", target.addr.port());
    add_hook(&t, &c, "slow", &target.url("/slow"), false).await;
    let mut app = c.sdk_init().await;

    assert_refused(app.webhook("big", None, None, None).await, FAILED);
    assert_refused(app.webhook("stream", None, None, None).await, FAILED);
    let body = assert_ok(app.webhook("exact", None, None, None).await, &app, SUCCESSFUL);
    assert_eq!(body.len(), 1024 * 1024);

    let body = app.webhook("same", None, None, None).await.unwrap();
    assert_eq!(body, "GET q=from=redirect ct=- ua=licensd-test/1 body=");
    // A redirect to another host is refused (here: localhost instead of 127.0.0.1).
    let bouncer = Router::new().route("/go", get(move || async move { Redirect::temporary(&other_host) }));
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let bouncer_addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, bouncer).await.unwrap() });
    add_hook(&t, &c, "elsewhere", &format!("http://{bouncer_addr}/go"), false).await;
    let before = target.hits.load(Ordering::SeqCst);
    assert_refused(app.webhook("elsewhere", None, None, None).await, FAILED);
    assert_eq!(target.hits.load(Ordering::SeqCst), before, "the other host was never called");

    let started = Instant::now();
    assert_refused(app.webhook("slow", None, None, None).await, FAILED);
    let took = started.elapsed();
    assert!(took >= Duration::from_secs(9) && took < Duration::from_secs(20), "timeout after {took:?}");
}

async fn webhook_refuses_private_targets_by_default(t: TestApp) {
    assert!(!t.state.config.webhook_allow_private);
    let target = Target::start().await;
    let c = ClientFixture::new(&t).await;
    let port = target.addr.port();
    let urls = [
        format!("http://127.0.0.1:{port}/echo"),
        format!("http://localhost:{port}/echo"),
        format!("http://[::1]:{port}/echo"),
        format!("http://127.1:{port}/echo"),
        format!("http://[::ffff:127.0.0.1]:{port}/echo"),
        format!("http://0.0.0.0:{port}/echo"),
        "http://169.254.169.254/latest/meta-data/".to_owned(),
        "http://10.0.0.1/".to_owned(),
    ];
    for (i, url) in urls.iter().enumerate() {
        add_hook(&t, &c, &format!("h{i}"), url, false).await;
    }
    let mut app = c.sdk_init().await;
    for (i, url) in urls.iter().enumerate() {
        let started = Instant::now();
        assert_refused(app.webhook(&format!("h{i}"), None, None, None).await, FAILED);
        // Refused before connecting, not by timing out.
        assert!(started.elapsed() < Duration::from_secs(5), "{url}");
    }
    assert_eq!(target.hits.load(Ordering::SeqCst), 0, "no request reached the private target");
}
