//! Client API 1.3 `chatget` and `chatsend`: channels, message shape, blank and long messages,
//! mutes, and the per-channel delay under concurrent sends. Through the SDK.

use crate::client_support::{ClientFixture, assert_ok, assert_refused};
use crate::engine_tests;
use crate::harness::TestApp;
use futures_util::future::join_all;
use licensd_client::Error;

engine_tests!(
    chat_send_and_get,
    chat_refuses_blank_long_and_muted,
    chat_delay_lets_one_of_ten_concurrent_sends_through,
    chat_delay_holds_across_two_processes,
);

const SENT: &str = "Successfully sent chat message";
const DELAY: &str = "Chat slower, you've hit the delay limit";

const GOT: &str = "Successfully retrieved chat messages";

/// Whether a send passed the delay (a send is either that or refused by it).
#[track_caller]
fn passed(r: Result<(), Error>) -> bool {
    match r {
        Ok(()) => true,
        Err(Error::Refused { message, .. }) if message == DELAY => false,
        other => panic!("expected a send or the delay, got {other:?}"),
    }
}

async fn chat_send_and_get(t: TestApp) {
    let c = ClientFixture::new(&t).await;
    t.store().create_chat_channel(c.app.id, "general", 0).await.unwrap();
    let other = ClientFixture::named(&t, "other", "OtherApp").await;
    t.store().create_chat_channel(other.app.id, "theirs", 0).await.unwrap();

    let mut app = c.sdk_init().await;
    assert_refused(app.chatget("general").await, "Session is not validated");
    assert_refused(app.chatsend("hi", "general").await, "Session is not validated");

    let (v, _) = c.user_session("alice").await;
    let mut alice = c.sdk().with_session(&v);
    let none = assert_ok(alice.chatget("general").await, &alice, GOT);
    assert!(none.is_empty(), "{none:?}");
    let before = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() as i64;
    assert_ok(alice.chatsend("hello \u{1f600}", "general").await, &alice, SENT);
    assert_ok(alice.chatsend("' OR 1=1; --", "general").await, &alice, SENT);
    let (w, _) = c.user_session("bob").await;
    let mut bob = c.sdk().with_session(&w);
    assert_ok(bob.chatsend("yo", "general").await, &bob, SENT);

    let msgs = assert_ok(bob.chatget("general").await, &bob, GOT);
    let texts: Vec<_> = msgs.iter().map(|m| (m.author.as_str(), m.message.as_str())).collect();
    assert_eq!(texts, [("alice", "hello \u{1f600}"), ("alice", "' OR 1=1; --"), ("bob", "yo")]);
    // An integer on the wire (the SDK reads no other).
    let ts = msgs[0].timestamp;
    assert!((before - 1..=before + 5).contains(&ts), "{ts} vs {before}");

    for channel in ["nope", "theirs"] {
        assert_refused(alice.chatget(channel).await, "Chat channel not found");
        assert_refused(alice.chatsend("x", channel).await, "Chat channel not found");
    }
    drop(other);
}

async fn chat_refuses_blank_long_and_muted(t: TestApp) {
    let c = ClientFixture::new(&t).await;
    t.store().create_chat_channel(c.app.id, "general", 0).await.unwrap();
    let (v, _) = c.user_session("alice").await;
    let mut app = c.sdk().with_session(&v);
    assert_refused(app.chatsend("", "general").await, "Message can't be blank");
    assert_refused(app.chatsend("   \t ", "general").await, "Message can't be blank");
    assert_ok(app.chatsend(&"\u{e9}".repeat(2000), "general").await, &app, SENT);
    assert_refused(app.chatsend(&"a".repeat(2001), "general").await, "Message too long, 2000 characters at most");

    let now = licensd::domain::time::now_ms();
    t.store().mute_chat_user(c.app.id, "alice", now + 60_000).await.unwrap();
    assert_refused(app.chatsend("muted?", "general").await, "You're muted from chat");
    // Reading is still allowed while muted; an expired mute no longer counts.
    assert_ok(app.chatget("general").await, &app, GOT);
    t.store().mute_chat_user(c.app.id, "alice", now - 1).await.unwrap();
    assert_ok(app.chatsend("back", "general").await, &app, SENT);
}

async fn chat_delay_lets_one_of_ten_concurrent_sends_through(t: TestApp) {
    let c = ClientFixture::new(&t).await;
    t.store().create_chat_channel(c.app.id, "slow", 60).await.unwrap();
    t.store().create_chat_channel(c.app.id, "other", 60).await.unwrap();
    let (v, _) = c.user_session("alice").await;
    let mut alice = c.sdk().with_session(&v);
    let mut senders = vec![alice.clone(); 10];
    let msgs: Vec<String> = (0..10).map(|i| format!("m{i}")).collect();
    let answers = join_all(senders.iter_mut().zip(&msgs).map(|(app, m)| app.chatsend(m, "slow"))).await;
    let ok = answers.into_iter().map(passed).filter(|ok| *ok).count();
    assert_eq!(ok, 1, "exactly one send passes the delay");
    let (w, _) = c.user_session("bob").await;
    let mut bob = c.sdk().with_session(&w);
    assert_eq!(bob.chatget("slow").await.unwrap().len(), 1);
    // The delay is per user and per channel.
    assert_ok(bob.chatsend("bob", "slow").await, &bob, SENT);
    assert_ok(alice.chatsend("elsewhere", "other").await, &alice, SENT);
    assert_refused(alice.chatsend("again", "slow").await, DELAY);
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
    let mut here = vec![c.sdk().with_session(&v); 6];
    let mut there = vec![c.sdk_at(&format!("http://127.0.0.1:{}/api/1.3/", second.port)).with_session(&v); 6];
    let msgs: Vec<String> = (0..6).map(|i| format!("m{i}")).collect();
    let (a, b) = tokio::join!(
        join_all(here.iter_mut().zip(&msgs).map(|(app, m)| app.chatsend(m, "slow"))),
        join_all(there.iter_mut().zip(&msgs).map(|(app, m)| app.chatsend(m, "slow"))),
    );
    let passed = a.into_iter().chain(b).map(passed).filter(|ok| *ok).count();
    assert_eq!(passed, 1, "one send in total passes the delay, whichever process serves it");
}
