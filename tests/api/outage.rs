//! A database outage: while PostgreSQL cannot be reached, every face answers 503 with
//! `Retry-After` in its own shape, within about the acquire timeout (not after ten seconds, and
//! never as a 401 or a 500), and recovers by itself when the database is back. The outage is a
//! TCP relay between licensd and the test's PostgreSQL that the test cuts and restores: pooled
//! connections die and new ones are refused, as when the server stops.

use crate::client_support::ClientFixture;
use crate::harness::{Engine, TestApp, split};
use licensd::store::tokens::TokenKind;
use serde_json::json;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};
use tokio::net::{TcpListener, TcpStream};

/// Forwards connections to `upstream` while `up`; cutting also ends the connections it carries.
struct Relay {
    addr: std::net::SocketAddr,
    up: Arc<AtomicBool>,
    live: Arc<tokio::sync::Mutex<tokio::task::JoinSet<()>>>,
}

impl Relay {
    async fn start(upstream: String) -> Relay {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let up = Arc::new(AtomicBool::new(true));
        let live = Arc::new(tokio::sync::Mutex::new(tokio::task::JoinSet::new()));
        let (up2, live2) = (up.clone(), live.clone());
        tokio::spawn(async move {
            while let Ok((mut client, _)) = listener.accept().await {
                if !up2.load(Ordering::SeqCst) {
                    continue; // dropped: the connection is refused with an immediate close
                }
                let upstream = upstream.clone();
                live2.lock().await.spawn(async move {
                    if let Ok(mut server) = TcpStream::connect(&upstream).await {
                        let _ = tokio::io::copy_bidirectional(&mut client, &mut server).await;
                    }
                });
            }
        });
        Relay { addr, up, live }
    }

    async fn cut(&self) {
        self.up.store(false, Ordering::SeqCst);
        self.live.lock().await.abort_all();
    }

    fn restore(&self) {
        self.up.store(true, Ordering::SeqCst);
    }
}

/// A client API request outside the fixture, which treats every 5xx as a failed test.
async fn raw(t: &TestApp, form: String) -> (u16, reqwest::header::HeaderMap, serde_json::Value) {
    let res = t.http.post(t.url("/api/1.3/")).body(form).send().await.unwrap();
    let (status, headers) = (res.status().as_u16(), res.headers().clone());
    (status, headers, serde_json::from_slice(&res.bytes().await.unwrap()).unwrap_or_default())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn every_face_answers_503_while_postgres_is_away_and_recovers() {
    // The database is made through the harness, then reached through the relay.
    let direct = crate::harness::fresh_postgres_database().await;
    let (server, db) = direct.rsplit_once('/').unwrap();
    let host_port = server.rsplit_once('@').unwrap().1.to_owned();
    let relay = Relay::start(host_port.clone()).await;
    let via_relay = format!("{}/{db}", server.replace(&host_port, &relay.addr.to_string()));
    let t = TestApp::spawn_on(Engine::Postgres, via_relay, |_| {}).await;
    let c = ClientFixture::new(&t).await;
    let admin = t.store().create_token(TokenKind::Seller, Some(c.seller.id), "admin").await.unwrap().1;
    let shop = t.store().create_token(TokenKind::Store, Some(c.seller.id), "shop").await.unwrap().1;
    let reseller = t.store().create_reseller(c.seller.id, "bob", "", 100).await.unwrap();
    let bot = t.store().create_reseller_key(reseller.id, "bot").await.unwrap().1;
    let session = c.init().await;

    let faces = |expect: u16| {
        let (t, c, admin, shop, bot, session) = (&t, &c, &admin, &shop, &bot, &session);
        async move {
            let client = raw(t, c.form(Some(session), "check", &[])).await;
            let started = Instant::now();
            let init = raw(t, c.form(None, "init", &[])).await;
            let waited = started.elapsed();
            let validate = t.http.post(t.url("/api/v2/licenses/validate")).bearer_auth(shop);
            let validate = validate.json(&json!({"license_key": "NOPE"})).send().await.unwrap();
            let licenseinfo =
                t.http.get(t.url("/reseller/licenseinfo")).query(&[("api_token", bot.as_str()), ("license", "NOPE")]);
            let licenseinfo = licenseinfo.send().await.unwrap();
            let apps = t.http.get(t.url("/admin/v1/apps")).bearer_auth(admin).send().await.unwrap();
            for (face, res) in [("licenses", &validate), ("reseller", &licenseinfo), ("admin", &apps)] {
                if expect == 503 {
                    assert_eq!(res.status(), 503, "{face}");
                    assert!(res.headers().contains_key("retry-after"), "{face}: no Retry-After");
                } else {
                    assert!(res.status() != 503 && res.status() != 500, "{face}: {}", res.status());
                }
            }
            if expect == 503 {
                for (name, (status, headers, body)) in [("check", &client), ("init", &init)] {
                    assert_eq!(*status, 503, "client {name}: {body}");
                    assert_eq!(body["success"], false, "the client API's own envelope");
                    assert!(headers.contains_key("retry-after"), "client {name}: no Retry-After");
                }
                assert!(waited < Duration::from_secs(4), "init waited {waited:?} for the database");
            } else {
                assert_eq!(init.2["success"], true, "{}", init.2);
            }
            let (status, body) = split(apps).await;
            (status, body)
        }
    };
    faces(200).await;
    relay.cut().await;
    faces(503).await;
    relay.restore();
    // Recovery needs no restart: the next requests find the database again.
    let deadline = Instant::now() + Duration::from_secs(10);
    while raw(&t, c.form(None, "init", &[])).await.0 != 200 {
        assert!(Instant::now() < deadline, "licensd did not recover");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let (status, body) = faces(200).await;
    assert_eq!(status, 200, "{body}");
}
