//! SIGTERM to a real `licensd serve` under load: it stops accepting at once, every request it
//! had accepted gets its whole answer, a request still running after `shutdown_timeout_secs` is
//! cut, and the process exits 0 (not after the 30 s request timeout).

use crate::processes::{free_port, start, wait_ready};
use std::time::{Duration, Instant};
use tokio::{
    io::{AsyncReadExt, AsyncWriteExt},
    net::TcpStream,
};

const BODY: &str = "type=init&name=NoSuchApp&ownerid=0123456789&ver=1.0";

/// Opens a client API request whose body is half sent.
async fn half_sent(port: u16) -> TcpStream {
    let mut s = TcpStream::connect(("127.0.0.1", port)).await.unwrap();
    let head = format!(
        "POST /api/1.3/ HTTP/1.1\r\nHost: licensd\r\nConnection: close\r\n\
         Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\r\n",
        BODY.len()
    );
    s.write_all(head.as_bytes()).await.unwrap();
    s.write_all(&BODY.as_bytes()[..10]).await.unwrap();
    s
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_drains_accepted_requests_and_exits_zero() {
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let data = dir.path().join("data");
    let mut server = start(
        &["--data-dir", data.to_str().unwrap(), "--create", "serve", "--listen", &format!("127.0.0.1:{port}")],
        &[("LICENSD_SHUTDOWN_TIMEOUT_SECS", "3"), ("LICENSD_BODY_READ_TIMEOUT_SECS", "120")],
    );
    wait_ready(&reqwest::Client::new(), port).await;

    // Sixteen requests in flight (their bodies half sent) and one that will never finish.
    let mut in_flight = Vec::new();
    for _ in 0..16 {
        in_flight.push(half_sent(port).await);
    }
    let mut stuck = half_sent(port).await;
    tokio::time::sleep(Duration::from_millis(300)).await;

    let signalled = Instant::now();
    let pid = server.0.id().to_string();
    assert!(std::process::Command::new("kill").args(["-TERM", &pid]).status().unwrap().success());
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(TcpStream::connect(("127.0.0.1", port)).await.is_err(), "a new connection was accepted after SIGTERM");

    // The accepted requests finish and get their whole answers.
    let answers = in_flight.into_iter().map(|mut s| {
        tokio::spawn(async move {
            s.write_all(&BODY.as_bytes()[10..]).await?;
            let mut answer = Vec::new();
            s.read_to_end(&mut answer).await?;
            Ok::<_, std::io::Error>(String::from_utf8_lossy(&answer).into_owned())
        })
    });
    for answer in answers {
        let answer = answer.await.unwrap().expect("an accepted request lost its connection");
        let (head, body) = answer.split_once("\r\n\r\n").expect("a whole answer");
        assert!(head.starts_with("HTTP/1.1 200"), "{head}");
        let length: usize = head
            .lines()
            .find_map(|l| l.to_ascii_lowercase().strip_prefix("content-length: ").map(|v| v.parse().unwrap()))
            .expect("content-length");
        assert_eq!(body.len(), length, "a truncated answer");
    }

    // The stuck request is cut at the bound, and the process ends well.
    let mut rest = Vec::new();
    let _ = tokio::time::timeout(Duration::from_secs(20), stuck.read_to_end(&mut rest)).await;
    let status = loop {
        if let Some(status) = server.0.try_wait().unwrap() {
            break status;
        }
        assert!(signalled.elapsed() < Duration::from_secs(20), "licensd did not exit after SIGTERM");
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert!(status.success(), "exit status {status:?}");
    // Not held until the stuck request's 30 s request timeout: `shutdown_timeout_secs` = 3 bounds it.
    assert!(signalled.elapsed() < Duration::from_secs(15), "the drain took {:?}", signalled.elapsed());
}
