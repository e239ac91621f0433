//! Connection edges: clients that trickle a request head or a body byte by byte (slow loris) are
//! closed after the configured timeouts, an idle keep-alive connection after the idle timeout,
//! and other clients are served meanwhile. SQLite only: this is about the socket, not the
//! database, and the engine does not change what the accept loop does.

use crate::client_support::ClientFixture;
use crate::harness::{Engine, TestApp};
use licensd::config::Config;
use std::time::{Duration, Instant};
use tokio::{
    io::{AsyncReadExt, AsyncWriteExt},
    net::TcpStream,
};

const HEAD_TRICKLERS: usize = 24;
const BODY_TRICKLERS: usize = 8;
/// Far over any configured timeout below: only a connection that is never closed reaches it.
const HANG: Duration = Duration::from_secs(8);

fn small_timeouts(config: &mut Config) {
    config.header_read_timeout_secs = 1;
    config.idle_timeout_secs = 1;
    config.body_read_timeout_secs = 1;
    config.max_concurrent_connections = 64;
}

/// Sends `start`, then one byte of `drip` every 100 ms, until the server closes the connection;
/// what the server answered meanwhile, and when it closed.
async fn trickle(t: &TestApp, start: &'static str, drip: u8) -> (String, Duration) {
    let begun = Instant::now();
    let mut stream = TcpStream::connect(t.addr).await.unwrap();
    stream.write_all(start.as_bytes()).await.unwrap();
    let mut answer = Vec::new();
    let mut buf = [0u8; 4096];
    while begun.elapsed() < HANG {
        if stream.write_all(&[drip]).await.is_err() {
            break;
        }
        match tokio::time::timeout(Duration::from_millis(100), stream.read(&mut buf)).await {
            Ok(Ok(0) | Err(_)) => break,
            Ok(Ok(n)) => answer.extend_from_slice(&buf[..n]),
            Err(_) => {}
        }
    }
    (String::from_utf8_lossy(&answer).into_owned(), begun.elapsed())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn trickling_clients_are_closed_and_others_served() {
    let t = TestApp::spawn_with(Engine::Sqlite, small_timeouts).await;
    let c = ClientFixture::new(&t).await;
    let t = &t;
    let heads = (0..HEAD_TRICKLERS).map(|_| trickle(t, "POST /api/1.3/ HTTP/1.1\r\nHost: x\r\n", b'X'));
    let body_start = "POST /api/v2/licenses/validate HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n\
                      Content-Length: 100000\r\n\r\n{\"license_key\":\"";
    let bodies = (0..BODY_TRICKLERS).map(|_| trickle(t, body_start, b'K'));
    let others = async {
        let begun = Instant::now();
        let mut served = 0;
        while begun.elapsed() < Duration::from_millis(2500) {
            let health = t.http.get(t.url("/healthz")).timeout(Duration::from_secs(2)).send().await.unwrap();
            assert_eq!(health.status(), 200);
            c.init().await;
            served += 1;
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        served
    };
    let (heads, bodies, served) =
        tokio::join!(futures_util::future::join_all(heads), futures_util::future::join_all(bodies), others);
    assert!(served >= 5, "only {served} rounds of other requests were served");
    for (answer, took) in heads {
        assert!(took < HANG, "a connection trickling its head was not closed");
        assert!(answer.is_empty(), "{answer}");
    }
    for (answer, took) in bodies {
        assert!(took < HANG, "a connection trickling its body was not closed");
        assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
        assert!(answer.contains("The request body was not received in time."), "{answer}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn idle_keep_alive_connections_are_closed() {
    let t = TestApp::spawn_with(Engine::Sqlite, |c| {
        small_timeouts(c);
        c.header_read_timeout_secs = 30;
    })
    .await;
    let mut stream = TcpStream::connect(t.addr).await.unwrap();
    stream.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n").await.unwrap();
    let mut buf = [0u8; 4096];
    let n = stream.read(&mut buf).await.unwrap();
    assert!(buf[..n].starts_with(b"HTTP/1.1 200"), "{}", String::from_utf8_lossy(&buf[..n]));
    let begun = Instant::now();
    let read = tokio::time::timeout(HANG, stream.read(&mut buf)).await.expect("idle connection left open");
    assert_eq!(read.unwrap(), 0);
    assert!(begun.elapsed() < Duration::from_secs(5), "closed by the header timeout, not the idle one");
}

/// Shutdown with a request in flight (its body half sent) and an idle connection: the idle one is
/// closed at once, the request is answered once its body is complete, then the server stops and
/// takes no new connection. (A guard for the hand-written accept loop: `axum::serve` did this.)
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shutdown_finishes_in_flight_requests() {
    let t = TestApp::spawn(Engine::Sqlite).await;
    let addr = t.addr;
    let mut idle = TcpStream::connect(addr).await.unwrap();
    let mut busy = TcpStream::connect(addr).await.unwrap();
    let body = br#"{"license_key":"K"}"#;
    let head = format!("POST /api/v2/licenses/validate HTTP/1.1\r\nHost: x\r\nContent-Length: {}\r\n\r\n", body.len());
    busy.write_all(head.as_bytes()).await.unwrap();
    busy.write_all(&body[..5]).await.unwrap();
    tokio::time::sleep(Duration::from_millis(200)).await;
    let stopping = tokio::spawn(t.stop());
    let mut buf = [0u8; 4096];
    let closed = tokio::time::timeout(Duration::from_secs(5), idle.read(&mut buf)).await;
    assert_eq!(closed.expect("idle connection left open").unwrap(), 0);
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(!stopping.is_finished(), "the server stopped with a request in flight");
    busy.write_all(&body[5..]).await.unwrap();
    let mut answer = Vec::new();
    tokio::time::timeout(Duration::from_secs(5), busy.read_to_end(&mut answer)).await.unwrap().unwrap();
    let answer = String::from_utf8_lossy(&answer);
    assert!(answer.starts_with("HTTP/1.1 401"), "{answer}");
    tokio::time::timeout(Duration::from_secs(5), stopping).await.expect("server did not stop").unwrap();
    assert!(TcpStream::connect(addr).await.is_err(), "a stopped server accepted a connection");
}
