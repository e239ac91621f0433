//! The Rust SDK (`licensd-client`) against the real server: every client API action through the
//! async client, the blocking client from a blocking thread, the Licenses API client, and the
//! answers the SDK must refuse (a forged signature, a stale timestamp, another server's key, a
//! truncated body, missing signature headers, a signed non-JSON body), each with its own error.
//! The bad answers come from stand-ins that relay the real server's answers and alter them (an
//! axum one, and one on a raw socket for the truncated body).

use crate::client_support::{ClientFixture, assert_refused};
use crate::engine_tests;
use crate::harness::TestApp;
use crate::licenses::{KeySpec, key, limited, shop};
use axum::{
    Router,
    body::{Body, Bytes},
    extract::{Path, State},
    http::{HeaderMap, StatusCode},
    response::Response,
    routing::{any, post},
};
use licensd::{domain::totp, signing::Signer};
use licensd_client::offline::{OfflineError, OfflineVerifier};
use licensd_client::{Error, TwoFactorSetup, asynch};
use std::{
    net::SocketAddr,
    sync::Arc,
    time::{Duration, SystemTime, UNIX_EPOCH},
};
use tokio::{
    io::{AsyncReadExt, AsyncWriteExt},
    net::TcpListener,
};

engine_tests!(config = sdk_config; every_action_through_the_async_sdk, the_blocking_sdk_signs_in_and_checks);
engine_tests!(
    untrustworthy_answers_are_refused_each_with_its_error,
    the_licenses_client_activates_validates_deactivates
);

fn sdk_config(config: &mut licensd::config::Config) {
    // The webhook target of these tests is on loopback.
    config.webhook_allow_private = true;
}

fn api_url(t: &TestApp) -> String {
    t.url("/api/1.3/")
}

/// Serves `router` on a fresh loopback port.
async fn serve(router: Router) -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    addr
}

fn now() -> u64 {
    (licensd::domain::time::now_ms() / 1000) as u64
}

async fn every_action_through_the_async_sdk(t: TestApp) {
    let c = ClientFixture::new(&t).await;
    let plan = c.plan("gold", 1, Some(86_400)).await;
    for k in ["REG-KEY", "UPG-KEY", "LIC-KEY"] {
        c.license(&plan, k, Some(86_400)).await;
    }
    let store = t.store();
    store.set_app_var(c.app.id, "motd", "hello", false).await.unwrap();
    store
        .put_file(c.app.id, "bin", "tool.exe", &[0, 1, 254, 255], false, licensd::domain::time::now_ms())
        .await
        .unwrap();
    store.create_chat_channel(c.app.id, "general", 0).await.unwrap();
    let hook = serve(Router::new().route("/hook", post(|| async { "pong" }))).await;
    store.create_webhook(c.app.id, "ping", &format!("http://{hook}/hook"), "licensd-test/1", true).await.unwrap();

    let mut app = c.sdk().with_hwid("machine-1");
    let init = app.init().await.unwrap();
    assert_eq!(init.pubkey.as_deref(), Some(t.state.signer.public_hex()));
    assert_eq!(init.app.version, c.app.version);
    assert_eq!(init.app.num_users, None, "init answers N/A for the counts");
    assert!(app.session_id().is_some());

    let user = app.register("alice", "pw-1", "REG-KEY", Some("alice@example.com")).await.unwrap();
    assert_eq!(user.username, "alice");
    assert_eq!(user.subscriptions[0].subscription, "gold");
    assert_eq!(user.subscriptions[0].key.as_deref(), Some("REG-KEY"));
    assert_eq!(user.hwid.as_deref(), Some("machine-1"));
    let before = user.subscriptions[0].expiry;
    app.upgrade("alice", "UPG-KEY").await.unwrap();
    assert_refused(app.upgrade("alice", "UPG-KEY").await, "License key has already been used");
    app.check().await.unwrap();
    assert_eq!(app.var("motd").await.unwrap(), "hello");
    app.setvar("color", "blue").await.unwrap();
    assert_eq!(app.getvar("color").await.unwrap(), "blue");
    assert_refused(app.getvar("nothing").await, "Variable not found for user");
    app.log("started", Some("pcuser")).await.unwrap();
    assert_eq!(app.file("bin").await.unwrap(), vec![0, 1, 254, 255]);
    assert_eq!(app.webhook("ping", Some("a=1"), Some("{}"), Some("application/json")).await.unwrap(), "pong");
    assert!(!app.checkblacklist().await.unwrap());
    assert_eq!(app.fetch_online().await.unwrap(), vec!["alice".to_owned()]);
    let stats = app.fetch_stats().await.unwrap();
    assert_eq!((stats.num_users, stats.num_online_users, stats.num_keys), (Some(1), Some(1), Some(3)));
    app.chatsend("hi all", "general").await.unwrap();
    let messages = app.chatget("general").await.unwrap();
    assert_eq!((messages[0].author.as_str(), messages[0].message.as_str()), ("alice", "hi all"));

    // An offline file of the last key redeemed, bound to this HWID, verified offline.
    let file = app.offline(None).await.unwrap();
    let verifier = OfflineVerifier::new(t.state.signer.public_hex(), &c.seller.ownerid, &c.app.name).unwrap();
    let lic = verifier.verify(&file.file, Some("machine-1"), SystemTime::now()).unwrap();
    assert_eq!(lic.key, "UPG-KEY");
    assert_eq!(UNIX_EPOCH + Duration::from_secs(file.refresh_by as u64), lic.refresh_by);
    assert_eq!(file.expires_at.map(|s| UNIX_EPOCH + Duration::from_secs(s as u64)), lic.expires_at);
    assert_eq!(verifier.verify(&file.file, Some("machine-2"), SystemTime::now()), Err(OfflineError::WrongMachine));
    let first = app.offline(Some("REG-KEY")).await.unwrap();
    assert_eq!(verifier.verify(&first.file, Some("machine-1"), SystemTime::now()).unwrap().key, "REG-KEY");
    assert_refused(app.offline(Some("NOT-MINE")).await, "Invalid license key");

    let TwoFactorSetup::Secret { secret_code, qr_code } = app.enable_2fa(None).await.unwrap() else {
        panic!("2faenable without a code answers the secret")
    };
    assert!(qr_code.starts_with("otpauth://"), "{qr_code}");
    let code = totp::code_at(&secret_code, now()).unwrap();
    assert_eq!(app.enable_2fa(Some(&code)).await.unwrap(), TwoFactorSetup::Activated);
    // Each code is accepted once: the next step's code turns it off again.
    app.disable_2fa(&totp::code_at(&secret_code, now() + 30).unwrap()).await.unwrap();
    assert_refused(app.disable_2fa("000000").await, "2fa is not enabled on this account");
    assert!(
        matches!(app.forgot("alice", "alice@example.com").await, Err(Error::Refused { message, .. }) if message.starts_with("Password reset by email is not configured")),
        "no [smtp] here: the server says so"
    );

    // changeUsername ends the session; the new name signs in on a new one.
    app.change_username("alice2").await.unwrap();
    assert_eq!(app.session_id(), None);
    assert!(matches!(app.check().await, Err(Error::NoSession)));
    app.init().await.unwrap();
    assert_refused(app.login("alice2", "wrong", None).await, "Password does not match.");
    let user = app.login("alice2", "pw-1", None).await.unwrap();
    assert!(user.subscriptions[0].expiry > before, "upgrade extended the subscription");
    app.logout().await.unwrap();
    assert_eq!(app.session_id(), None);
    app.init().await.unwrap();
    assert_eq!(app.login_email("ALICE@example.com", "pw-1", None).await.unwrap().username, "alice2");
    app.logout().await.unwrap();

    // A key-only user bans itself: its HWID and address are blacklisted from then on.
    app.init().await.unwrap();
    assert_eq!(app.license("LIC-KEY", None).await.unwrap().username, "LIC-KEY");
    app.ban(Some("cheating")).await.unwrap();
    assert_eq!(app.session_id(), None);
    app.init().await.unwrap();
    assert!(app.checkblacklist().await.unwrap());
    assert_refused(app.check().await, "Session is not validated");

    // The init refusals with their own variants.
    let mut old = asynch::LibreAuth::new(&c.app.name, &c.seller.ownerid, "0.0-old", &api_url(&t))
        .with_public_key(t.state.signer.public_hex())
        .unwrap();
    assert!(matches!(old.init().await, Err(Error::OutdatedVersion { .. })));
    let mut unknown = asynch::LibreAuth::new("NoSuchApp", &c.seller.ownerid, "1.0", &api_url(&t))
        .with_public_key(t.state.signer.public_hex())
        .unwrap();
    assert!(matches!(unknown.init().await, Err(Error::UnknownApp)));
}

async fn the_blocking_sdk_signs_in_and_checks(t: TestApp) {
    let c = ClientFixture::new(&t).await;
    let plan = c.plan("gold", 1, Some(86_400)).await;
    c.license(&plan, "BLOCK-KEY", Some(86_400)).await;
    let (name, ownerid, version, url) =
        (c.app.name.clone(), c.seller.ownerid.clone(), c.app.version.clone(), api_url(&t));
    let public = t.state.signer.public_hex().to_owned();
    // reqwest's blocking client must not run on a runtime thread.
    tokio::task::spawn_blocking(move || {
        // Without a pinned key nothing is sent; trust on first use learns the server's.
        let mut unpinned = licensd_client::LibreAuth::new(&name, &ownerid, &version, &url);
        assert!(matches!(unpinned.init(), Err(Error::NoPublicKey)));
        let mut tofu = licensd_client::LibreAuth::new(&name, &ownerid, &version, &url).trust_on_first_use();
        tofu.init().unwrap();
        assert_eq!(tofu.public_key().as_deref(), Some(public.as_str()));

        let mut app = licensd_client::LibreAuth::new(&name, &ownerid, &version, &url).with_public_key(&public).unwrap();
        app.init().unwrap();
        assert!(matches!(app.check(), Err(Error::Refused { message, .. }) if message == "Session is not validated"));
        let user = app.license("BLOCK-KEY", None).unwrap();
        assert_eq!(user.subscriptions.len(), 1);
        app.check().unwrap();
        assert_eq!(app.fetch_stats().unwrap().num_keys, Some(1));
        app.logout().unwrap();
    })
    .await
    .unwrap();
}

/// How the stand-in alters the real answer.
#[derive(Clone)]
struct Relay {
    upstream: String,
    signer: Arc<Signer>,
}

async fn relay(State(r): State<Relay>, Path(mode): Path<String>, headers: HeaderMap, body: Bytes) -> Response {
    let mut req = reqwest::Client::new().post(&r.upstream).body(body);
    if let Some(ct) = headers.get("content-type") {
        req = req.header("content-type", ct.as_bytes());
    }
    let res = req.send().await.unwrap();
    let ts = res.headers()["x-signature-timestamp"].to_str().unwrap().to_owned();
    let sig = res.headers()["x-signature-ed25519"].to_str().unwrap().to_owned();
    let body = res.bytes().await.unwrap().to_vec();
    let (ts, sig, body): (Option<String>, Option<String>, Body) = match mode.as_str() {
        "honest" => (Some(ts), Some(sig), body.into()),
        // One byte of the body changed, the real signature kept.
        "forged" => {
            let text = String::from_utf8(body).unwrap().replacen("Initialized", "Initialised", 1);
            (Some(ts), Some(sig), text.into())
        }
        // A genuine signature, two minutes old (as a replayed answer would carry).
        "stale" => {
            let old = (now() - 120).to_string();
            (Some(old.clone()), Some(r.signer.sign(&old, &body)), body.into())
        }
        "unsigned" => (Some(ts), None, body.into()),
        // Signed by the real key but not the protocol's JSON.
        "garbled" => {
            let cut = body[..body.len() / 2].to_vec();
            (Some(ts.clone()), Some(r.signer.sign(&ts, &cut)), cut.into())
        }
        _ => return Response::builder().status(StatusCode::NOT_FOUND).body(Body::empty()).unwrap(),
    };
    let mut out = Response::builder().header("content-type", "application/json; charset=utf-8");
    if let Some(ts) = ts {
        out = out.header("x-signature-timestamp", ts);
    }
    if let Some(sig) = sig {
        out = out.header("x-signature-ed25519", sig);
    }
    out.body(body).unwrap()
}

/// A stand-in on a raw socket: relays one request, answers the real head (its `Content-Length`
/// included) and half the body, then closes the connection.
async fn truncating_stand_in(upstream: String) -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let (mut sock, _) = listener.accept().await.unwrap();
        let request = read_request_body(&mut sock).await;
        let res = reqwest::Client::new()
            .post(&upstream)
            .header("content-type", "application/x-www-form-urlencoded")
            .body(request)
            .send()
            .await
            .unwrap();
        let header = |name: &str| res.headers()[name].to_str().unwrap().to_owned();
        let (ts, sig) = (header("x-signature-timestamp"), header("x-signature-ed25519"));
        let body = res.bytes().await.unwrap();
        let head = format!(
            "HTTP/1.1 200 OK\r\ncontent-type: application/json; charset=utf-8\r\ncontent-length: {}\r\n\
             x-signature-timestamp: {ts}\r\nx-signature-ed25519: {sig}\r\nconnection: close\r\n\r\n",
            body.len()
        );
        sock.write_all(head.as_bytes()).await.unwrap();
        sock.write_all(&body[..body.len() / 2]).await.unwrap();
        sock.shutdown().await.unwrap();
    });
    addr
}

/// The body of one HTTP/1.1 request with a `Content-Length`.
async fn read_request_body(sock: &mut tokio::net::TcpStream) -> Vec<u8> {
    let mut buf = Vec::new();
    loop {
        let mut chunk = [0u8; 4096];
        let n = sock.read(&mut chunk).await.unwrap();
        assert_ne!(n, 0, "the client closed before its request was complete");
        buf.extend_from_slice(&chunk[..n]);
        let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") else { continue };
        let head = String::from_utf8_lossy(&buf[..end]).to_ascii_lowercase();
        let len: usize =
            head.lines().find_map(|l| l.strip_prefix("content-length:")).map_or(0, |v| v.trim().parse().unwrap());
        if buf.len() >= end + 4 + len {
            return buf[end + 4..end + 4 + len].to_vec();
        }
    }
}

async fn untrustworthy_answers_are_refused_each_with_its_error(t: TestApp) {
    let c = ClientFixture::new(&t).await;
    let relay_state = Relay { upstream: api_url(&t), signer: t.state.signer.clone() };
    let stand_in = serve(Router::new().route("/{mode}/", any(relay)).with_state(relay_state)).await;
    let through = |mode: &str| {
        asynch::LibreAuth::new(&c.app.name, &c.seller.ownerid, &c.app.version, &format!("http://{stand_in}/{mode}/"))
            .with_public_key(t.state.signer.public_hex())
            .unwrap()
    };
    // The stand-in itself relays faithfully.
    through("honest").init().await.unwrap();

    let forged = through("forged").init().await;
    assert!(matches!(forged, Err(Error::BadSignature)), "{forged:?}");
    let stale = through("stale").init().await;
    assert!(matches!(stale, Err(Error::StaleTimestamp { .. })), "{stale:?}");
    let unsigned = through("unsigned").init().await;
    assert!(matches!(unsigned, Err(Error::MissingSignature(_))), "{unsigned:?}");
    let garbled = through("garbled").init().await;
    assert!(matches!(garbled, Err(Error::Malformed(_))), "{garbled:?}");
    let cut = truncating_stand_in(api_url(&t)).await;
    let mut truncated_client =
        asynch::LibreAuth::new(&c.app.name, &c.seller.ownerid, &c.app.version, &format!("http://{cut}/"))
            .with_public_key(t.state.signer.public_hex())
            .unwrap();
    let truncated = truncated_client.init().await;
    assert!(matches!(truncated, Err(Error::Truncated(_))), "{truncated:?}");
    // A generous skew accepts the two-minute-old answer: the check is the timestamp's, not the signature's.
    through("stale").with_max_skew(Duration::from_secs(600)).init().await.unwrap();

    // The real server, but the client pinned to another key: init's answer names the key it
    // verifies under, so this is told apart from a forgery; later answers only fail to verify.
    let other = Signer::from_seed([9; 32]);
    let mut wrong = asynch::LibreAuth::new(&c.app.name, &c.seller.ownerid, &c.app.version, &api_url(&t))
        .with_public_key(other.public_hex())
        .unwrap();
    match wrong.init().await {
        Err(Error::WrongPublicKey { pinned, served }) => {
            assert_eq!(pinned, other.public_hex());
            assert_eq!(served, t.state.signer.public_hex());
        }
        r => panic!("expected WrongPublicKey, got {r:?}"),
    }
    let mut session_of_other_key = c.sdk();
    session_of_other_key.init().await.unwrap();
    let mut misled = session_of_other_key.with_public_key(other.public_hex()).unwrap();
    assert!(matches!(misled.check().await, Err(Error::BadSignature)));
    assert!(matches!(
        asynch::LibreAuth::new("a", "b", "c", "d").with_public_key("not hex"),
        Err(Error::InvalidPublicKey(_))
    ));
}

async fn the_licenses_client_activates_validates_deactivates(t: TestApp) {
    let s = shop(&t, "acme").await;
    let k = key(&t, &s, KeySpec { ..limited(1) }).await;
    let base = t.url("/api");
    let licenses = asynch::LicensesClient::new(&base, &s.token).with_store(&s.ownerid);
    let instance = licenses.activate(&k.key, "machine-1").await.unwrap();
    assert_eq!((instance.name.as_str(), instance.license_key_id), ("machine-1", k.id));
    let v = licenses.validate(&k.key, Some(&instance.id)).await.unwrap();
    assert!(v.valid);
    assert_eq!(v.license_key.instances_count, Some(1));
    assert_eq!(v.instance.as_ref().map(|i| i.id.as_str()), Some(instance.id.as_str()));
    match licenses.activate(&k.key, "machine-2").await {
        Err(Error::Licenses { status: 422, message }) => {
            assert_eq!(message, "This license key has reached its activation limit.")
        }
        r => panic!("expected the limit refusal, got {r:?}"),
    }
    let file = licenses.offline(&k.key, &instance.id).await.unwrap();
    assert_eq!(file.public_key, t.state.signer.public_hex());
    let verifier = OfflineVerifier::new(t.state.signer.public_hex(), &s.ownerid, "app").unwrap();
    let lic = verifier.verify(&file.file, Some(&instance.id), SystemTime::now()).unwrap();
    assert_eq!(lic.key, k.key);
    assert_eq!(verifier.verify(&file.file, Some("machine-2"), SystemTime::now()), Err(OfflineError::WrongMachine));
    assert!(matches!(licenses.offline(&k.key, "no-such-instance").await, Err(Error::Licenses { .. })));
    licenses.deactivate(&k.key, &instance.id).await.unwrap();
    assert!(matches!(
        asynch::LicensesClient::new(&base, "wrong-token").validate(&k.key, None).await,
        Err(Error::Licenses { status: 401, .. })
    ));

    // The blocking client, from a blocking thread.
    let (key, token) = (k.key.clone(), s.token.clone());
    tokio::task::spawn_blocking(move || {
        let licenses = licensd_client::licenses::LicensesClient::new(&base, &token);
        let instance = licenses.activate(&key, "machine-3").unwrap();
        assert_eq!(licenses.validate(&key, None).unwrap().instance, None);
        licenses.deactivate(&key, &instance.id).unwrap();
        assert!(matches!(licenses.deactivate(&key, &instance.id), Err(Error::Licenses { status: 422, .. })));
    })
    .await
    .unwrap();
}
