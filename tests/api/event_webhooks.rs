//! Event webhooks end to end: a real receiver on a real socket gets each event the endpoint asks
//! for, signed (checked here with an independent HMAC-SHA256), in order per license; a receiver
//! that fails gets the event again until it answers 2xx; two server processes on one database
//! deliver each event once.

use crate::adminkit::{app_with_plan, call, generate};
use crate::client_chat::SecondProcess;
use crate::engine_tests;
use crate::harness::TestApp;
use axum::response::{AppendHeaders, IntoResponse};
use axum::{Router, body::Bytes, extract::State, http::HeaderMap, http::StatusCode, routing::post};
use hmac::{Hmac, Mac};
use licensd::config::Config;
use licensd::store::tokens::TokenKind;
use serde_json::{Value, json};
use sha2::Sha256;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

engine_tests!(
    config = deliver_to_loopback;
    events_reach_the_endpoint_signed_and_in_order,
    a_failing_receiver_gets_the_event_again_until_it_answers,
    two_processes_deliver_each_event_once,
    a_discord_endpoint_gets_embeds,
    client_logs_go_to_the_endpoints_that_name_them_and_a_rate_limit_is_waited_out,
    events_past_their_retention_are_deleted_with_their_deliveries,
);

fn deliver_to_loopback(config: &mut Config) {
    config.webhook_allow_private = true;
    config.webhook_retry_base_ms = 200;
}

/// What the receiver got: the signature header and the body of each POST, and when.
#[derive(Default)]
struct Inbox {
    received: Vec<(String, String)>,
    at: Vec<Instant>,
    /// The status each POST got.
    answered: Vec<u16>,
    /// Answers to give, first to last; then 200. A 429 comes with Discord's rate-limit
    /// headers asking for a wait of `RATE_LIMIT_WAIT`.
    script: Vec<u16>,
}

struct Receiver {
    url: String,
    inbox: Arc<Mutex<Inbox>>,
}

impl Receiver {
    async fn start(script: Vec<u16>) -> Self {
        let inbox = Arc::new(Mutex::new(Inbox { script, ..Inbox::default() }));
        let app = Router::new().route("/hook", post(receive)).with_state(inbox.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/hook", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await });
        Self { url, inbox }
    }

    /// Waits (up to 20 s) until `n` POSTs came in; returns them.
    async fn wait_for(&self, n: usize) -> Vec<(String, String)> {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let got = self.inbox.lock().unwrap().received.clone();
            if got.len() >= n || Instant::now() > deadline {
                return got;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
}

/// What a rate-limited receiver asks for (far longer than the tests' retry base of 200 ms).
const RATE_LIMIT_WAIT: Duration = Duration::from_millis(1500);

/// How far the receiver's monotonic clock and the server's schedule may disagree: the server
/// schedules in whole milliseconds of the wall clock, which a VM's time sync can slew by a few.
/// Far below the gap between honouring the wait (1.5 s) and ignoring it (the 200 ms base).
const CLOCK_SLACK: Duration = Duration::from_millis(50);

async fn receive(State(inbox): State<Arc<Mutex<Inbox>>>, headers: HeaderMap, body: Bytes) -> impl IntoResponse {
    let mut inbox = inbox.lock().unwrap();
    let signature = headers.get("licensd-signature").and_then(|v| v.to_str().ok()).unwrap_or("").to_owned();
    inbox.received.push((signature, String::from_utf8_lossy(&body).into_owned()));
    inbox.at.push(Instant::now());
    let status = if inbox.script.is_empty() { 200 } else { inbox.script.remove(0) };
    inbox.answered.push(status);
    let wait = format!("{:.3}", RATE_LIMIT_WAIT.as_secs_f64());
    let limited = [("retry-after", String::from("1")), ("x-ratelimit-reset-after", wait)];
    let headers = if status == 429 { limited.to_vec() } else { Vec::new() };
    let headers: Vec<(String, String)> = headers.into_iter().map(|(k, v)| (k.to_owned(), v)).collect();
    (StatusCode::from_u16(status).unwrap(), AppendHeaders(headers))
}

/// The receiver's check, written from the documented scheme: `t=<secs>,v1=<hex HMAC-SHA256 of
/// "<t>.<body>">`, within five minutes of now.
fn signed_by(secret: &str, header: &str, body: &str) -> bool {
    let parts: Vec<(&str, &str)> = header.split(',').filter_map(|p| p.split_once('=')).collect();
    let t: i64 = parts.iter().find(|(k, _)| *k == "t").and_then(|(_, v)| v.parse().ok()).unwrap_or(0);
    let now = licensd::domain::time::now_ms() / 1000;
    let mut mac = <Hmac<Sha256>>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(format!("{t}.{body}").as_bytes());
    let expected = hex::encode(mac.finalize().into_bytes());
    (now - t).abs() < 300 && parts.iter().any(|(k, v)| *k == "v1" && *v == expected)
}

/// What the receiver's check that docs/webhooks.md shows in Python (its ```python block, run
/// as written) makes of each `(signature header, body)`.
fn python_verdicts(secret: &str, received: &[(String, String)]) -> Vec<bool> {
    let doc = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/webhooks.md")).unwrap();
    let snippet = doc.split("```python\n").nth(1).and_then(|rest| rest.split("```").next()).expect("a python block");
    let driver = "import json, sys\nfor d in json.load(sys.stdin):\n    \
                  print(verify(d['secret'], d['header'], d['body'].encode()))\n";
    let input: Vec<Value> = received.iter().map(|(h, b)| json!({ "secret": secret, "header": h, "body": b })).collect();
    let python = std::env::var("TEST_PYTHON").unwrap_or_else(|_| "python3".into());
    let mut child = std::process::Command::new(&python)
        .args(["-c", &format!("{snippet}\n{driver}")])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot run {python}: {e}"));
    std::io::Write::write_all(&mut child.stdin.take().unwrap(), &serde_json::to_vec(&input).unwrap()).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "the documented Python check broke");
    String::from_utf8_lossy(&out.stdout).lines().map(|l| l == "True").collect()
}

/// Creates an endpoint for the receiver; returns its id and signing secret.
async fn endpoint(t: &TestApp, token: &str, url: &str, events: Value) -> (i64, String) {
    let (status, created) =
        call(t, "POST", "/admin/v1/webhooks", token, Some(json!({ "url": url, "events": events }))).await;
    assert_eq!(status, 201, "{created}");
    let secret = created["data"]["secret"].as_str().unwrap().to_owned();
    assert!(secret.starts_with("whsec_"), "{created}");
    let (_, shown) = call(t, "GET", &format!("/admin/v1/webhooks/{}", created["data"]["id"]), token, None).await;
    assert!(shown["data"].get("secret").is_none(), "the secret is shown once: {shown}");
    (created["data"]["id"].as_i64().unwrap(), secret)
}

fn bodies(received: &[(String, String)]) -> Vec<Value> {
    received.iter().map(|(_, b)| serde_json::from_str(b).unwrap()).collect()
}

async fn events_reach_the_endpoint_signed_and_in_order(t: TestApp) {
    let s = t.seller("acme").await;
    let (app_id, plan_id) = app_with_plan(&t, &s.admin_token, "Shop", None).await;
    let receiver = Receiver::start(Vec::new()).await;
    let (id, secret) = endpoint(&t, &s.admin_token, &receiver.url, json!(["license.*"])).await;

    let keys = generate(&t, &s.admin_token, json!({ "app_id": app_id, "plan_id": plan_id, "count": 3 })).await;
    let (_, listed) = call(&t, "GET", "/admin/v1/licenses", &s.admin_token, None).await;
    let first = listed["data"].as_array().unwrap().iter().find(|l| l["key"] == keys[0].as_str()).unwrap()["id"].clone();
    let ban = format!("/admin/v1/licenses/{first}/ban");
    assert_eq!(call(&t, "POST", &ban, &s.admin_token, Some(json!({ "reason": "chargeback" }))).await.0, 200);
    // Not a license event: the endpoint does not take it.
    assert_eq!(call(&t, "POST", "/admin/v1/apps", &s.admin_token, Some(json!({ "name": "Other" }))).await.0, 201);

    let received = receiver.wait_for(4).await;
    assert_eq!(received.len(), 4, "{received:?}");
    for (signature, body) in &received {
        assert!(signed_by(&secret, signature, body), "bad signature {signature} on {body}");
        assert!(!signed_by("whsec_other", signature, body));
    }
    assert_eq!(python_verdicts(&secret, &received), vec![true; received.len()], "the documented Python check");
    let (signature, body) = &received[0];
    let tampered =
        [(signature.clone(), body.replacen('1', "2", 1)), (signature.replacen("v1=", "v1=0", 1), body.clone())];
    assert_eq!(python_verdicts(&secret, &tampered), vec![false, false]);
    let events = bodies(&received);
    let kinds: Vec<&str> = events.iter().map(|e| e["type"].as_str().unwrap()).collect();
    assert_eq!(kinds.iter().filter(|k| **k == "license.created").count(), 3, "{kinds:?}");
    let banned = kinds.iter().position(|k| *k == "license.banned").expect("the ban arrives");
    let created_first = events.iter().position(|e| e["type"] == "license.created" && e["data"]["license_id"] == first);
    assert!(created_first.unwrap() < banned, "one license's events arrive in order: {kinds:?}");
    assert_eq!(events[banned]["data"]["reason"], "chargeback");
    assert!(events.iter().all(|e| e["id"].is_i64() && e["created_at"].as_str().is_some_and(|c| c.ends_with('Z'))));

    // The delivery log says the same.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let (status, log) =
        call(&t, "GET", &format!("/admin/v1/webhooks/{id}/deliveries?state=delivered"), &s.admin_token, None).await;
    assert_eq!(status, 200, "{log}");
    assert_eq!(log["meta"]["total"], 4, "{log}");
    assert!(log["data"].as_array().unwrap().iter().all(|d| d["last_status"] == 200 && d["attempts"] == 1));
    let (status, _) =
        call(&t, "GET", &format!("/admin/v1/webhooks/{id}/deliveries?state=nope"), &s.admin_token, None).await;
    assert_eq!(status, 422);
}

async fn a_failing_receiver_gets_the_event_again_until_it_answers(t: TestApp) {
    let s = t.seller("acme").await;
    let (app_id, plan_id) = app_with_plan(&t, &s.admin_token, "Shop", None).await;
    let receiver = Receiver::start(vec![500, 503]).await;
    let (id, secret) = endpoint(&t, &s.admin_token, &receiver.url, json!(["license.created"])).await;
    generate(&t, &s.admin_token, json!({ "app_id": app_id, "plan_id": plan_id, "count": 1 })).await;

    let received = receiver.wait_for(3).await;
    assert_eq!(received.len(), 3, "two failures, then the delivery: {received:?}");
    let events = bodies(&received);
    assert!(events.iter().all(|e| e["id"] == events[0]["id"]), "the same event each time");
    assert!(received.iter().all(|(sig, body)| signed_by(&secret, sig, body)));
    tokio::time::sleep(Duration::from_millis(300)).await;
    let (_, log) = call(&t, "GET", &format!("/admin/v1/webhooks/{id}/deliveries"), &s.admin_token, None).await;
    let delivery = &log["data"][0];
    assert_eq!(
        (&delivery["state"], &delivery["attempts"], &delivery["last_status"]),
        (&json!("delivered"), &json!(3), &json!(200))
    );

    // A redelivery sends it once more.
    let redeliver = format!("/admin/v1/webhooks/{id}/deliveries/{}/redeliver", delivery["id"]);
    let (status, answer) = call(&t, "POST", &redeliver, &s.admin_token, None).await;
    assert_eq!((status, &answer["data"]["redelivered"]), (200, &json!(1)), "{answer}");
    assert_eq!(receiver.wait_for(4).await.len(), 4);
}

async fn two_processes_deliver_each_event_once(t: TestApp) {
    let s = t.seller("acme").await;
    let (app_id, plan_id) = app_with_plan(&t, &s.admin_token, "Shop", None).await;
    let receiver = Receiver::start(Vec::new()).await;
    let _second = SecondProcess::start(&t).await;
    endpoint(&t, &s.admin_token, &receiver.url, json!(["*"])).await;
    for _ in 0..4 {
        generate(&t, &s.admin_token, json!({ "app_id": app_id, "plan_id": plan_id, "count": 10 })).await;
    }
    let received = receiver.wait_for(40).await;
    // Give a second copy, were there one, the time to arrive.
    tokio::time::sleep(Duration::from_secs(2)).await;
    let received_after = receiver.inbox.lock().unwrap().received.clone();
    assert_eq!(received.len(), 40);
    let mut ids: Vec<i64> = bodies(&received_after).iter().map(|e| e["id"].as_i64().unwrap()).collect();
    let all = ids.len();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!((all, ids.len()), (40, 40), "each event once");
}

/// An endpoint in the `discord` format (a Discord webhook URL) gets each event as one embed.
async fn a_discord_endpoint_gets_embeds(t: TestApp) {
    let s = t.seller("acme").await;
    let (app_id, plan_id) = app_with_plan(&t, &s.admin_token, "Shop", None).await;
    let receiver = Receiver::start(Vec::new()).await;
    let body = json!({ "url": receiver.url, "events": ["license.banned"], "format": "discord" });
    let (status, created) = call(&t, "POST", "/admin/v1/webhooks", &s.admin_token, Some(body)).await;
    assert_eq!((status, &created["data"]["format"]), (201, &json!("discord")), "{created}");
    let bad = json!({ "url": receiver.url, "format": "slack" });
    assert_eq!(call(&t, "POST", "/admin/v1/webhooks", &s.admin_token, Some(bad)).await.0, 422);

    let keys = generate(&t, &s.admin_token, json!({ "app_id": app_id, "plan_id": plan_id, "count": 1 })).await;
    let license = t.store().license_by_key(s.seller.id, &keys[0]).await.unwrap();
    let ban = format!("/admin/v1/licenses/{}/ban", license.id);
    assert_eq!(call(&t, "POST", &ban, &s.admin_token, Some(json!({ "reason": "chargeback" }))).await.0, 200);

    let received = receiver.wait_for(1).await;
    let message = &bodies(&received)[0];
    let embed = &message["embeds"][0];
    assert_eq!(embed["title"], "License banned", "{message}");
    let field =
        |n: &str| embed["fields"].as_array().unwrap().iter().find(|f| f["name"] == n).map(|f| f["value"].clone());
    assert_eq!(field("key"), Some(json!(format!("`{}`", keys[0]))));
    assert_eq!(field("reason"), Some(json!("chargeback")));
    assert_eq!(message["allowed_mentions"]["parse"], json!([]));
}

/// A client program's `log` lines reach an endpoint that names `client.log` (a Discord channel,
/// as KeyAuth sellers use it) and not a catch-all one; a receiver that answers 429 with
/// Discord's rate-limit headers is not tried again before the wait it asked for.
async fn client_logs_go_to_the_endpoints_that_name_them_and_a_rate_limit_is_waited_out(t: TestApp) {
    let c = crate::client_support::ClientFixture::named(&t, "logger", "MyApp").await;
    let token = t.store().create_token(TokenKind::Seller, Some(c.seller.id), "admin").await.unwrap().1;
    let discord = Receiver::start(vec![429]).await;
    let body = json!({ "url": discord.url, "events": ["client.log"], "format": "discord" });
    assert_eq!(call(&t, "POST", "/admin/v1/webhooks", &token, Some(body)).await.0, 201);
    let everything = Receiver::start(Vec::new()).await;
    endpoint(&t, &token, &everything.url, json!(["*"])).await;

    let session = c.init().await;
    c.call(Some(&session), "log", &[("message", "started v1.2"), ("pcuser", "DESKTOP\\me")])
        .await
        .assert_ok("Successfully logged the message");
    let (_, plan_id) = app_with_plan(&t, &token, "Other", None).await;
    assert!(plan_id > 0);

    let received = discord.wait_for(2).await;
    assert_eq!(received.len(), 2, "refused with 429 once, then delivered: {received:?}");
    let waited = {
        let inbox = discord.inbox.lock().unwrap();
        inbox.at[1] - inbox.at[0]
    };
    assert!(
        waited + CLOCK_SLACK >= RATE_LIMIT_WAIT,
        "tried again after {waited:?}, before the asked-for {RATE_LIMIT_WAIT:?}"
    );
    let embed = &bodies(&received)[1]["embeds"][0];
    assert_eq!(embed["title"], "Client log", "{embed}");
    let field =
        |n: &str| embed["fields"].as_array().unwrap().iter().find(|f| f["name"] == n).map(|f| f["value"].clone());
    assert_eq!(field("message"), Some(json!("started v1.2")));
    assert_eq!(field("pcuser"), Some(json!("DESKTOP\\me")));

    // The catch-all endpoint got the app it saw created, not the log line.
    let others = bodies(&everything.wait_for(1).await);
    tokio::time::sleep(Duration::from_millis(800)).await;
    let others_after = bodies(&everything.inbox.lock().unwrap().received);
    assert!(!others.is_empty() && others_after.iter().all(|e| e["type"] != "client.log"), "{others_after:?}");
}

/// The worker deletes events older than `event_retention_days`, a batch at a time; their
/// deliveries go with them, younger events stay.
async fn events_past_their_retention_are_deleted_with_their_deliveries(t: TestApp) {
    let s = t.seller("acme").await;
    let (app_id, plan_id) = app_with_plan(&t, &s.admin_token, "Shop", None).await;
    let receiver = Receiver::start(Vec::new()).await;
    let (id, _) = endpoint(&t, &s.admin_token, &receiver.url, json!(["license.created"])).await;
    generate(&t, &s.admin_token, json!({ "app_id": app_id, "plan_id": plan_id, "count": 3 })).await;
    assert_eq!(receiver.wait_for(3).await.len(), 3);
    generate(&t, &s.admin_token, json!({ "app_id": app_id, "plan_id": plan_id, "count": 2 })).await;
    assert_eq!(receiver.wait_for(5).await.len(), 5);

    // The first three are 100 days old.
    let old = licensd::domain::time::now_ms() - 100 * 86_400_000;
    sqlx::any::install_default_drivers();
    let mut db = <sqlx::AnyConnection as sqlx::Connection>::connect(&t.database_url).await.unwrap();
    let ids: Vec<(i64,)> = sqlx::query_as("SELECT id FROM events WHERE type = 'license.created' ORDER BY id LIMIT 3")
        .fetch_all(&mut db)
        .await
        .unwrap();
    for (event,) in &ids {
        sqlx::query("UPDATE events SET created_at = $1 WHERE id = $2")
            .bind(old)
            .bind(*event)
            .execute(&mut db)
            .await
            .unwrap();
    }
    let cutoff = licensd::domain::time::now_ms() - 90 * 86_400_000;
    assert_eq!(t.store().prune_events(cutoff, 2).await.unwrap(), 2);
    assert_eq!(t.store().prune_events(cutoff, 2).await.unwrap(), 1);
    assert_eq!(t.store().prune_events(cutoff, 2).await.unwrap(), 0);
    let (_, log) = call(&t, "GET", &format!("/admin/v1/webhooks/{id}/deliveries"), &s.admin_token, None).await;
    assert_eq!(log["data"].as_array().unwrap().len(), 2, "the young events' deliveries stay: {log}");
    let (left,): (i64,) =
        sqlx::query_as("SELECT COUNT(*) FROM events WHERE type = 'license.created'").fetch_one(&mut db).await.unwrap();
    assert_eq!(left, 2);
}

/// SIGKILL of the only server process while its receiver is failing, then a restart: every event
/// is delivered, each once (deliveries live in the database, not in the process).
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_sigkilled_server_delivers_every_event_after_its_restart() {
    use crate::processes::{free_port, start, wait_ready};
    use licensd::store::{DatabaseTarget, OpenOptions, Store};
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}", dir.path().join("licensd.db").display());
    let target = DatabaseTarget::parse(Some(&db), dir.path()).unwrap();
    let store = Store::open(&target, &OpenOptions { create: true, max_connections: 2, ..OpenOptions::default() })
        .await
        .unwrap();
    let seller = store.create_seller("acme", "").await.unwrap();
    let token = store.create_token(TokenKind::Seller, Some(seller.id), "admin").await.unwrap().1;
    store.close().await;

    // Failing for long enough that the first process dies with every event still owed.
    let receiver = Receiver::start(vec![503; 1000]).await;
    let serve = |port: u16| {
        let listen = format!("127.0.0.1:{port}");
        let args =
            ["--database-url", db.as_str(), "--data-dir", dir.path().to_str().unwrap(), "serve", "--listen", &listen];
        let seed = "44".repeat(32);
        let envs = [
            ("LICENSD_WEBHOOK_ALLOW_PRIVATE", "true"),
            ("LICENSD_WEBHOOK_RETRY_BASE_MS", "200"),
            ("LICENSD_SIGNING_KEY", seed.as_str()),
        ];
        start(&args, &envs)
    };
    let http = reqwest::Client::new();
    let admin = |port: u16, path: &str, body: Value| {
        http.post(format!("http://127.0.0.1:{port}{path}")).bearer_auth(&token).json(&body).send()
    };
    let port = free_port();
    let mut first = serve(port);
    wait_ready(&http, port).await;
    let hook = admin(port, "/admin/v1/webhooks", json!({ "url": receiver.url, "events": ["license.created"] }));
    assert_eq!(hook.await.unwrap().status(), 201);
    let app = admin(port, "/admin/v1/apps", json!({ "name": "Shop" })).await.unwrap().json::<Value>().await.unwrap();
    let app_id = app["data"]["id"].as_i64().unwrap();
    let plan = json!({ "name": "standard", "level": 1 });
    let plan =
        admin(port, &format!("/admin/v1/apps/{app_id}/plans"), plan).await.unwrap().json::<Value>().await.unwrap();
    let keys = json!({ "app_id": app_id, "plan_id": plan["data"]["id"], "count": 20 });
    assert_eq!(admin(port, "/admin/v1/licenses", keys).await.unwrap().status(), 201);
    assert!(receiver.wait_for(40).await.len() >= 40, "every event attempted, and retried");
    first.0.kill().unwrap();
    first.0.wait().unwrap();

    let failed_so_far = receiver.inbox.lock().unwrap().received.len();
    receiver.inbox.lock().unwrap().script.clear();
    let port = free_port();
    let _second = serve(port);
    wait_ready(&http, port).await;
    // An attempt cut off by the kill waits out its lease (60 s) before it is tried again.
    let deadline = Instant::now() + Duration::from_secs(90);
    let delivered = loop {
        let ids: Vec<i64> = {
            let inbox = receiver.inbox.lock().unwrap();
            let ok = inbox.received.iter().zip(&inbox.answered).filter(|(_, s)| **s == 200);
            ok.map(|((_, body), _)| serde_json::from_str::<Value>(body).unwrap()["id"].as_i64().unwrap()).collect()
        };
        if ids.len() >= 20 || Instant::now() > deadline {
            break ids;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    tokio::time::sleep(Duration::from_millis(800)).await;
    let mut unique = delivered.clone();
    unique.sort_unstable();
    unique.dedup();
    assert_eq!(
        (delivered.len(), unique.len()),
        (20, 20),
        "each of the 20 events delivered once after {failed_so_far} failures"
    );
    assert_eq!(receiver.inbox.lock().unwrap().answered.iter().filter(|s| **s == 200).count(), 20, "and no more");
}
