//! Client API 1.3 `chatget` and `chatsend`: channels, message shape, blank and long messages,
//! mutes, and the per-channel delay under concurrent sends.

use crate::client_support::ClientFixture;
use crate::engine_tests;
use crate::harness::TestApp;
use futures_util::future::join_all;

engine_tests!(
    chat_send_and_get,
    chat_refuses_blank_long_and_muted,
    chat_delay_lets_one_of_ten_concurrent_sends_through,
    chat_delay_holds_across_two_processes,
);

const SENT: &str = "Successfully sent chat message";
const DELAY: &str = "Chat slower, you've hit the delay limit";

async fn chat_send_and_get(t: TestApp) {
    let c = ClientFixture::new(&t).await;
    t.store().create_chat_channel(c.app.id, "general", 0).await.unwrap();
    let other = ClientFixture::named(&t, "other", "OtherApp").await;
    t.store().create_chat_channel(other.app.id, "theirs", 0).await.unwrap();

    let s = c.init().await;
    c.call(Some(&s), "chatget", &[("channel", "general")]).await.assert_fail("Session is not validated");
    c.call(Some(&s), "chatsend", &[("channel", "general"), ("message", "hi")])
        .await
        .assert_fail("Session is not validated");

    let (v, _) = c.user_session("alice").await;
    let a = c.call(Some(&v), "chatget", &[("channel", "general")]).await;
    a.assert_ok("Successfully retrieved chat messages");
    assert_eq!(a.json["messages"], serde_json::json!([]));
    let before = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() as i64;
    c.call(Some(&v), "chatsend", &[("channel", "general"), ("message", "hello \u{1f600}")]).await.assert_ok(SENT);
    c.call(Some(&v), "chatsend", &[("channel", "general"), ("message", "' OR 1=1; --")]).await.assert_ok(SENT);
    let (w, _) = c.user_session("bob").await;
    c.call(Some(&w), "chatsend", &[("channel", "general"), ("message", "yo")]).await.assert_ok(SENT);

    let a = c.call(Some(&w), "chatget", &[("channel", "general")]).await;
    a.assert_ok("Successfully retrieved chat messages");
    let msgs = a.json["messages"].as_array().unwrap();
    let texts: Vec<_> = msgs.iter().map(|m| (m["author"].as_str().unwrap(), m["message"].as_str().unwrap())).collect();
    assert_eq!(texts, [("alice", "hello \u{1f600}"), ("alice", "' OR 1=1; --"), ("bob", "yo")]);
    let ts = msgs[0]["timestamp"].as_i64().expect("integer timestamp");
    assert!((before - 1..=before + 5).contains(&ts), "{ts} vs {before}");

    for (kind, extra) in [("chatget", vec![]), ("chatsend", vec![("message", "x")])] {
        for channel in ["nope", "theirs"] {
            let mut fields = vec![("channel", channel)];
            fields.extend(extra.iter().copied());
            c.call(Some(&v), kind, &fields).await.assert_fail("Chat channel not found");
        }
    }
    drop(other);
}

async fn chat_refuses_blank_long_and_muted(t: TestApp) {
    let c = ClientFixture::new(&t).await;
    t.store().create_chat_channel(c.app.id, "general", 0).await.unwrap();
    let (v, _) = c.user_session("alice").await;
    let send = |msg: String| {
        let v = v.clone();
        let c = &c;
        async move { c.call(Some(&v), "chatsend", &[("channel", "general"), ("message", &msg)]).await }
    };
    send(String::new()).await.assert_fail("Message can't be blank");
    send("   \t ".into()).await.assert_fail("Message can't be blank");
    send("\u{e9}".repeat(2000)).await.assert_ok(SENT);
    send("a".repeat(2001)).await.assert_fail("Message too long, 2000 characters at most");

    let now = licensd::domain::time::now_ms();
    t.store().mute_chat_user(c.app.id, "alice", now + 60_000).await.unwrap();
    send("muted?".into()).await.assert_fail("You're muted from chat");
    // Reading is still allowed while muted; an expired mute no longer counts.
    c.call(Some(&v), "chatget", &[("channel", "general")]).await.assert_ok("Successfully retrieved chat messages");
    t.store().mute_chat_user(c.app.id, "alice", now - 1).await.unwrap();
    send("back".into()).await.assert_ok(SENT);
}

async fn chat_delay_lets_one_of_ten_concurrent_sends_through(t: TestApp) {
    let c = ClientFixture::new(&t).await;
    t.store().create_chat_channel(c.app.id, "slow", 60).await.unwrap();
    t.store().create_chat_channel(c.app.id, "other", 60).await.unwrap();
    let (v, _) = c.user_session("alice").await;
    let sends = (0..10).map(|i| {
        let msg = format!("m{i}");
        let v = &v;
        let c = &c;
        async move { c.call(Some(v), "chatsend", &[("channel", "slow"), ("message", &msg)]).await }
    });
    let answers = join_all(sends).await;
    let ok = answers.iter().filter(|a| a.success()).count();
    assert_eq!(ok, 1, "exactly one send passes the delay");
    for a in answers.iter().filter(|a| !a.success()) {
        a.assert_fail(DELAY);
    }
    let (w, _) = c.user_session("bob").await;
    let a = c.call(Some(&w), "chatget", &[("channel", "slow")]).await;
    assert_eq!(a.json["messages"].as_array().unwrap().len(), 1);
    // The delay is per user and per channel.
    c.call(Some(&w), "chatsend", &[("channel", "slow"), ("message", "bob")]).await.assert_ok(SENT);
    c.call(Some(&v), "chatsend", &[("channel", "other"), ("message", "elsewhere")]).await.assert_ok(SENT);
    c.call(Some(&v), "chatsend", &[("channel", "slow"), ("message", "again")]).await.assert_fail(DELAY);
}

/// A second `licensd serve` on the test's database and data directory (same signing key, same
/// sign-in limits).
pub(crate) struct SecondProcess {
    child: std::process::Child,
    pub(crate) port: u16,
}

impl SecondProcess {
    pub(crate) async fn start(t: &TestApp) -> Self {
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let child = std::process::Command::new(env!("CARGO_BIN_EXE_licensd"))
            .arg("--data-dir")
            .arg(t.data_dir.path())
            .args(["--database-url", &t.database_url, "serve", "--listen", &format!("127.0.0.1:{port}")])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .env_remove("RUST_LOG")
            // The same brute-force limits as the in-process server.
            .env("LICENSD_LOGIN_FAILURES_PER_IP_PER_MIN", t.state.config.login_failures_per_ip_per_min.to_string())
            .env("LICENSD_LOGIN_FAILURES_PER_APP_PER_MIN", t.state.config.login_failures_per_app_per_min.to_string())
            // And the same event webhook settings (tests deliver to a receiver on loopback).
            .env("LICENSD_WEBHOOK_ALLOW_PRIVATE", t.state.config.webhook_allow_private.to_string())
            .env("LICENSD_WEBHOOK_RETRY_BASE_MS", t.state.config.webhook_retry_base_ms.to_string())
            .env("LICENSD_LICENSES_RATE_LIMIT_PER_MIN", t.state.config.licenses_rate_limit_per_min.to_string())
            .spawn()
            .unwrap();
        // Owned from here on, so the child is killed and reaped even if it never gets ready.
        let this = Self { child, port };
        for _ in 0..200 {
            if let Ok(r) = t.http.get(format!("http://127.0.0.1:{port}/readyz")).send().await
                && r.status() == 200
            {
                return this;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        panic!("second process never became ready");
    }
}

impl Drop for SecondProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

async fn chat_delay_holds_across_two_processes(t: TestApp) {
    let c = ClientFixture::new(&t).await;
    t.store().create_chat_channel(c.app.id, "slow", 60).await.unwrap();
    let (v, _) = c.user_session("alice").await;
    let second = SecondProcess::start(&t).await;
    let fields = |i: usize| {
        let msg = format!("p{i}");
        let fields = [
            ("type", "chatsend"),
            ("name", c.app.name.as_str()),
            ("ownerid", c.seller.ownerid.as_str()),
            ("sessionid", v.as_str()),
            ("channel", "slow"),
            ("message", msg.as_str()),
        ];
        form_urlencoded::Serializer::new(String::new()).extend_pairs(fields).finish()
    };
    let here = (0..6).map(|i| {
        let c = &c;
        let v = &v;
        async move { c.call(Some(v), "chatsend", &[("channel", "slow"), ("message", &format!("h{i}"))]).await.success() }
    });
    let there = (0..6).map(|i| {
        let req = t.http.post(format!("http://127.0.0.1:{}/api/1.3/", second.port)).body(fields(i));
        async move {
            let v: serde_json::Value = req.send().await.unwrap().json().await.unwrap();
            assert!(v["success"] == true || v["message"] == DELAY, "{v}");
            v["success"] == true
        }
    });
    let (a, b) = tokio::join!(join_all(here), join_all(there));
    let passed = a.into_iter().chain(b).filter(|ok| *ok).count();
    assert_eq!(passed, 1, "one send in total passes the delay, whichever process serves it");
}
