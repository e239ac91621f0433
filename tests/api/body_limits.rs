//! Bodies over `max_body_bytes` are refused by each protocol in its own error shape, whether
//! the size is declared (`Content-Length`) or only seen while reading a chunked body.

use crate::engine_tests;
use crate::harness::TestApp;
use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const LIMIT: usize = 1000;

engine_tests!(oversized_bodies_answer_in_each_protocols_shape);

async fn oversized_bodies_answer_in_each_protocols_shape(t: TestApp) {
    let engine = t.engine;
    drop(t);
    let t = TestApp::spawn_with(engine, |c| c.max_body_bytes = LIMIT).await;
    let big = "a=".to_owned() + &"x".repeat(LIMIT * 2);
    let paths = [
        "/api/1.3/",
        "/api/v2/licenses/activate",
        "/v1/licenses/activate",
        "/reseller/myavailable",
        "/admin/v1/sellers",
    ];
    for path in paths {
        for chunked in [false, true] {
            let (status, body) = send(&t, path, &big, chunked).await;
            let v: Value = serde_json::from_str(&body).unwrap_or_else(|e| panic!("{path}: not JSON ({e}): {body}"));
            match path {
                "/api/1.3/" => {
                    assert_eq!(status, 200, "{body}");
                    assert_eq!(v["success"], false);
                    assert!(v["message"].as_str().unwrap().contains("too large"), "{body}");
                }
                "/api/v2/licenses/activate" => {
                    assert_eq!(status, 413);
                    assert!(v["message"].is_string(), "{body}");
                }
                "/v1/licenses/activate" => {
                    assert_eq!(status, 413);
                    assert_eq!(v, serde_json::json!({"error": "The request body is too large."}), "{body}");
                }
                "/reseller/myavailable" => {
                    assert_eq!(status, 413);
                    assert_eq!(v["ok"], false);
                    assert!(v["message"].is_string(), "{body}");
                }
                _ => {
                    assert_eq!(status, 413);
                    assert_eq!(v["error"]["code"], "payload_too_large", "{body}");
                }
            }
        }
    }
    // The web faces answer with a page that leads back to their own start page.
    for (path, home) in [("/panel/signin", "/panel/"), ("/reseller/dashboard/signin", "/reseller/dashboard/")] {
        for chunked in [false, true] {
            let (status, body) = send(&t, path, &big, chunked).await;
            assert_eq!(status, 413, "{path}: {body}");
            assert!(body.contains("The form is too large.") && body.contains(&format!("href=\"{home}\"")), "{body}");
        }
    }
    // Under the limit the protocols still read the body (the client API answers its own way).
    let (status, body) = send(&t, "/api/1.3/", "type=init", false).await;
    assert_eq!(status, 200);
    assert!(body.contains("ownerid"), "{body}");
}

/// One raw HTTP/1.1 POST: with `Content-Length`, or chunked (no declared size); returns the
/// status and the body text.
async fn send(t: &TestApp, path: &str, body: &str, chunked: bool) -> (u16, String) {
    let mut s = tokio::net::TcpStream::connect(t.addr).await.unwrap();
    let framing =
        if chunked { "Transfer-Encoding: chunked".to_owned() } else { format!("Content-Length: {}", body.len()) };
    let head = format!(
        "POST {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\
         Content-Type: application/x-www-form-urlencoded\r\n{framing}\r\n\r\n"
    );
    s.write_all(head.as_bytes()).await.unwrap();
    let payload = if chunked { format!("{:x}\r\n{body}\r\n0\r\n\r\n", body.len()) } else { body.to_owned() };
    // The server may answer and close before reading it all.
    let _ = s.write_all(payload.as_bytes()).await;
    let mut raw = Vec::new();
    let _ = s.read_to_end(&mut raw).await;
    let text = String::from_utf8_lossy(&raw).into_owned();
    let (headers, rest) = text.split_once("\r\n\r\n").unwrap_or_else(|| panic!("{path}: no answer: {text}"));
    let status = headers.split(' ').nth(1).unwrap().parse().unwrap();
    let body = if headers.to_ascii_lowercase().contains("transfer-encoding: chunked") {
        dechunk(rest)
    } else {
        rest.to_owned()
    };
    (status, body)
}

fn dechunk(mut rest: &str) -> String {
    let mut out = String::new();
    while let Some((size, tail)) = rest.split_once("\r\n") {
        let n = usize::from_str_radix(size.trim(), 16).unwrap_or(0);
        if n == 0 {
            break;
        }
        out.push_str(&tail[..n]);
        rest = &tail[n + 2..];
    }
    out
}
