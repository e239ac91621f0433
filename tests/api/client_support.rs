//! Shared helpers of the client API tests: a seller with an app, requests over real HTTP, and
//! checks that every answer carries the envelope (success, integer code, message, UUIDv4 nonce,
//! ownerid echo, ASCII-only JSON, headers). Every answer's Ed25519 signature and HMAC header
//! are verified by an independent implementation (PyNaCl and Python's hmac, `tests/py/verify_sig.py`)
//! in one batch when the fixture is dropped, so no test can forget it. Tests that are not about
//! the raw wire use the SDK instead (`sdk()`, `assert_ok`, `assert_refused`, `said`): it checks
//! each answer's signature and envelope itself.

#![allow(dead_code)] // shared by the client test modules; not every test uses every helper

use crate::harness::TestApp;
use licensd::domain::ids::{AppId, SellerId, UserId};
use licensd::store::{apps::App, plans::Plan, sellers::Seller};
use licensd_client::{Error, asynch::LibreAuth};
use serde_json::{Value, json};
use std::{io::Write, process::Command, sync::Mutex};

pub const TS_HEADER: &str = "x-signature-timestamp";
pub const SIG_HEADER: &str = "x-signature-ed25519";

/// One answer of the client API.
#[derive(Debug)]
pub struct Answer {
    pub status: u16,
    pub headers: reqwest::header::HeaderMap,
    pub text: String,
    /// `Value::Null` for the plain `KeyAuth_Invalid` body.
    pub json: Value,
}

impl Answer {
    pub fn message(&self) -> &str {
        self.json["message"].as_str().unwrap_or("")
    }

    pub fn success(&self) -> bool {
        self.json["success"].as_bool().unwrap_or(false)
    }

    /// Asserts a failure answer with `message`.
    #[track_caller]
    pub fn assert_fail(&self, message: &str) {
        assert!(!self.success(), "expected failure {message:?}, got {}", self.text);
        assert_eq!(self.message(), message, "{}", self.text);
    }

    /// Asserts a success answer with `message`.
    #[track_caller]
    pub fn assert_ok(&self, message: &str) {
        assert!(self.success(), "expected success {message:?}, got {}", self.text);
        assert_eq!(self.message(), message, "{}", self.text);
    }
}

pub struct ClientFixture<'a> {
    pub t: &'a TestApp,
    pub seller: Seller,
    pub app: App,
    /// Path requests go to: `/api/1.3/` unless a test changes it.
    pub path: String,
    seen: Mutex<Vec<Value>>,
}

impl<'a> ClientFixture<'a> {
    /// A seller `acme` with an app `MyApp` on default settings.
    pub async fn new(t: &'a TestApp) -> Self {
        Self::named(t, "acme", "MyApp").await
    }

    pub async fn named(t: &'a TestApp, seller: &str, app: &str) -> Self {
        let seller = t.store().create_seller(seller, "").await.unwrap();
        let app = t.store().create_app(seller.id, app).await.unwrap();
        Self { t, seller, app, path: "/api/1.3/".into(), seen: Mutex::new(Vec::new()) }
    }

    /// A fixture over a seller and app that already exist (made through other faces).
    pub async fn existing(t: &'a TestApp, seller_id: SellerId, app_id: AppId) -> Self {
        let seller = t.store().seller(seller_id).await.unwrap();
        let app = t.store().app(seller_id, app_id).await.unwrap();
        Self { t, seller, app, path: "/api/1.3/".into(), seen: Mutex::new(Vec::new()) }
    }

    /// Another app of the same seller.
    pub async fn another_app(&self, name: &str) -> ClientFixture<'a> {
        let app = self.t.store().create_app(self.seller.id, name).await.unwrap();
        Self { t: self.t, seller: self.seller.clone(), app, path: self.path.clone(), seen: Mutex::new(Vec::new()) }
    }

    /// Changes the app's settings.
    pub async fn update(&mut self, change: impl FnOnce(&mut App)) {
        let mut app = self.app.clone();
        change(&mut app);
        self.app = self.t.store().save_app_settings(&app).await.unwrap();
    }

    pub async fn plan(&self, name: &str, level: i64, duration_secs: Option<i64>) -> Plan {
        self.t.store().create_plan(self.app.id, name, level, duration_secs).await.unwrap()
    }

    /// Inserts `key` as a license of `plan` lasting `duration_secs` (direct SQL: the store's
    /// bulk insert is not what these tests are about).
    pub async fn license(&self, plan: &Plan, key: &str, duration_secs: Option<i64>) {
        let mut conn = self.db().await;
        let now = licensd::domain::time::now_ms();
        sqlx::query(
            "INSERT INTO licenses (seller_id, app_id, plan_id, key, duration_secs, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $6)",
        )
        .bind(self.seller.id)
        .bind(self.app.id)
        .bind(plan.id)
        .bind(key)
        .bind(duration_secs)
        .bind(now)
        .execute(&mut conn)
        .await
        .unwrap();
    }

    /// A direct connection to the test database.
    pub async fn db(&self) -> sqlx::AnyConnection {
        sqlx::any::install_default_drivers();
        <sqlx::AnyConnection as sqlx::Connection>::connect(&self.t.database_url).await.unwrap()
    }

    /// `type` with the app's name and ownerid, the session when given, and `extra` fields.
    pub async fn call(&self, session: Option<&str>, kind: &str, extra: &[(&str, &str)]) -> Answer {
        self.post_body(self.form(session, kind, extra).into_bytes()).await
    }

    /// Like `call`, from the client address `ip` (an `X-Forwarded-For` that the server believes
    /// when the test trusts 127.0.0.1 as its proxy).
    pub async fn call_from(&self, ip: &str, session: Option<&str>, kind: &str, extra: &[(&str, &str)]) -> Answer {
        let req = self
            .t
            .http
            .post(self.t.url(&self.path))
            .header("content-type", "application/x-www-form-urlencoded")
            .header("x-forwarded-for", ip)
            .body(self.form(session, kind, extra));
        self.send(req, &self.seller.ownerid).await
    }

    /// The URL-encoded body `call` sends, for tests that send it another way (another server,
    /// extra headers, a client that gives up).
    pub fn form(&self, session: Option<&str>, kind: &str, extra: &[(&str, &str)]) -> String {
        let mut fields =
            vec![("type", kind), ("name", self.app.name.as_str()), ("ownerid", self.seller.ownerid.as_str())];
        if let Some(s) = session {
            fields.push(("sessionid", s));
        }
        fields.extend_from_slice(extra);
        form_urlencoded::Serializer::new(String::new()).extend_pairs(fields).finish()
    }

    /// An async SDK client of the app at `path`, pinned to the server's public key.
    pub fn sdk(&self) -> LibreAuth {
        self.sdk_at(&self.t.url(&self.path))
    }

    /// An SDK client of the app talking to `url` (another process on the same keys).
    pub fn sdk_at(&self, url: &str) -> LibreAuth {
        LibreAuth::new(&self.app.name, &self.seller.ownerid, &self.app.version, url)
            .with_public_key(self.t.state.signer.public_hex())
            .unwrap()
    }

    /// An SDK client with a new session (`init` done).
    pub async fn sdk_init(&self) -> LibreAuth {
        let mut app = self.sdk();
        app.init().await.unwrap();
        app
    }

    /// A new session of the app.
    pub async fn init(&self) -> String {
        let a = self.call(None, "init", &[]).await;
        a.assert_ok("Initialized");
        a.json["sessionid"].as_str().unwrap().to_owned()
    }

    /// A session validated for a new user `username` created directly in the database (no
    /// client action involved) with a lifetime subscription granted without a key (a signed-in
    /// user needs a running one), and the user's id.
    pub async fn user_session(&self, username: &str) -> (String, UserId) {
        let s = self.init().await;
        let mut conn = self.db().await;
        let now = licensd::domain::time::now_ms();
        let (id,): (UserId,) =
            sqlx::query_as("INSERT INTO users (app_id, username, created_at) VALUES ($1, $2, $3) RETURNING id")
                .bind(self.app.id)
                .bind(username)
                .bind(now)
                .fetch_one(&mut conn)
                .await
                .unwrap();
        sqlx::query(
            "INSERT INTO plans (app_id, name, level, created_at) VALUES ($1, 'fixture lifetime', 9999, $2) \
             ON CONFLICT DO NOTHING",
        )
        .bind(self.app.id)
        .bind(now)
        .execute(&mut conn)
        .await
        .unwrap();
        sqlx::query(
            "INSERT INTO subscriptions (user_id, plan_id, created_at) \
             SELECT CAST($1 AS BIGINT), id, CAST($2 AS BIGINT) FROM plans WHERE app_id = $3 AND level = 9999",
        )
        .bind(id)
        .bind(now)
        .bind(self.app.id)
        .execute(&mut conn)
        .await
        .unwrap();
        self.t.store().validate_session(self.app.id, &s, id).await.unwrap();
        (s, id)
    }

    /// A session validated by a `license` login with `key` (which must be redeemable).
    pub async fn key_session(&self, key: &str) -> String {
        let s = self.init().await;
        self.call(Some(&s), "license", &[("key", key)]).await.assert_ok("Logged in!");
        s
    }

    /// Exactly these fields, URL-encoded, as a POST body.
    pub async fn post_form(&self, fields: &[(&str, &str)]) -> Answer {
        let body: String = form_urlencoded::Serializer::new(String::new()).extend_pairs(fields).finish();
        self.post_body(body.into_bytes()).await
    }

    /// Raw body bytes, sent as a form.
    pub async fn post_body(&self, body: Vec<u8>) -> Answer {
        let req = self
            .t
            .http
            .post(self.t.url(&self.path))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body.clone());
        let ownerid = ownerid_of(&body);
        self.record(req.send().await.unwrap(), &ownerid).await
    }

    /// The fields as a GET query string.
    pub async fn get_query(&self, fields: &[(&str, &str)]) -> Answer {
        let q: String = form_urlencoded::Serializer::new(String::new()).extend_pairs(fields).finish();
        let res = self.t.http.get(self.t.url(&format!("{}?{q}", self.path))).send().await.unwrap();
        self.record(res, &ownerid_of(q.as_bytes())).await
    }

    /// Sends a prepared request (custom headers) and checks its answer like the others.
    pub async fn send(&self, req: reqwest::RequestBuilder, ownerid: &str) -> Answer {
        self.record(req.send().await.unwrap(), ownerid).await
    }

    async fn record(&self, res: reqwest::Response, ownerid: &str) -> Answer {
        let status = res.status().as_u16();
        let headers = res.headers().clone();
        let body = res.bytes().await.unwrap().to_vec();
        assert_ne!(status / 100, 5, "server error: {}", String::from_utf8_lossy(&body));
        let header = |name: &str| headers.get(name).map(|v| v.to_str().unwrap().to_owned());
        assert_eq!(header("content-type").as_deref(), Some("application/json; charset=utf-8"));
        let ts = header(TS_HEADER).expect("timestamp header");
        let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() as i64;
        let ts_num: i64 = ts.parse().expect("decimal unix seconds");
        assert!((now - ts_num).abs() <= 5, "stale timestamp {ts}");
        let sig = header(SIG_HEADER).expect("signature header");
        assert_eq!(sig.len(), 128);
        assert_eq!(sig, sig.to_lowercase());
        assert!(body.is_ascii(), "non-ASCII body");
        let text = String::from_utf8(body.clone()).unwrap();
        let mut item =
            json!({"pubkey": self.t.state.signer.public_hex(), "ts": ts, "body": hex::encode(&body), "sig": sig});
        let json = if text == "KeyAuth_Invalid" {
            assert!(header("signature").is_none(), "no HMAC for an unknown app");
            Value::Null
        } else {
            let v: Value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("not JSON ({e}): {text}"));
            assert_envelope(&v, ownerid);
            if ownerid == self.seller.ownerid {
                // The app is known whenever the request named it (and got past the basic checks).
                if let Some(hmac) = header("signature") {
                    item["secret"] = json!(self.app_secret());
                    item["hmac"] = json!(hmac);
                }
            }
            v
        };
        self.seen.lock().unwrap().push(item);
        Answer { status, headers, text, json }
    }

    fn app_secret(&self) -> String {
        self.app.secret.clone()
    }
}

/// Asserts that an SDK call succeeded with an answer saying `message`; returns its result.
#[track_caller]
pub fn assert_ok<T: std::fmt::Debug>(r: Result<T, Error>, app: &LibreAuth, message: &str) -> T {
    let value = match r {
        Ok(value) => value,
        Err(e) => panic!("expected success {message:?}, got {e:?}"),
    };
    assert_eq!(app.last_message(), Some(message), "{value:?}");
    value
}

/// Asserts that an SDK call was refused by the server with `message` (and a failure code).
#[track_caller]
pub fn assert_refused<T: std::fmt::Debug>(r: Result<T, Error>, message: &str) {
    match r {
        Err(Error::Refused { code, message: m }) => {
            assert_eq!(m, message);
            assert_ne!(code, 68);
        }
        other => panic!("expected the refusal {message:?}, got {other:?}"),
    }
}

/// An SDK call's outcome as the message of its answer: for helpers that make the client they
/// call with, so the test can check the answer with `assert_eq!` or `assert_refused`.
pub fn said<T>(r: Result<T, Error>, app: &LibreAuth) -> Result<String, Error> {
    r.map(|_| app.last_message().expect("a successful call has a message").to_owned())
}

fn ownerid_of(body: &[u8]) -> String {
    form_urlencoded::parse(body).find(|(k, _)| k == "ownerid").map(|(_, v)| v.into_owned()).unwrap_or_default()
}

/// The members every JSON answer has.
#[track_caller]
pub fn assert_envelope(v: &Value, ownerid: &str) {
    let success = v["success"].as_bool().unwrap_or_else(|| panic!("success not a bool: {v}"));
    let code = v["code"].as_i64().unwrap_or_else(|| panic!("code not an integer: {v}"));
    assert!(v["code"].is_i64() || v["code"].is_u64());
    assert_eq!(success, code == 68, "code 68 iff success: {v}");
    assert!(v["message"].is_string(), "{v}");
    let nonce = uuid::Uuid::parse_str(v["nonce"].as_str().unwrap()).unwrap();
    assert_eq!(nonce.get_version_num(), 4);
    assert_eq!(v["ownerid"], ownerid, "{v}");
}

impl Drop for ClientFixture<'_> {
    fn drop(&mut self) {
        if std::thread::panicking() {
            return;
        }
        let items = std::mem::take(&mut *self.seen.lock().unwrap());
        if !items.is_empty() {
            verify_with_python(&items);
        }
    }
}

/// Runs tests/py/verify_sig.py over the collected answers; panics (never skips) on any problem.
pub fn verify_with_python(items: &[Value]) {
    if let Err(e) = python_verdict(items) {
        panic!("signature verification failed: {e}");
    }
}

/// What tests/py/verify_sig.py makes of `items`: `Ok` when it accepts them all, `Err(reason)`
/// when it refuses one. Panics (never skips) when Python or PyNaCl is missing or the script breaks.
pub fn python_verdict(items: &[Value]) -> Result<(), String> {
    let python = std::env::var("TEST_PYTHON").unwrap_or_else(|_| "python3".into());
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/py/verify_sig.py");
    let mut child = Command::new(&python)
        .arg(script)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot run {python} (set TEST_PYTHON to a Python with PyNaCl): {e}"));
    let input = serde_json::to_vec(items).unwrap();
    child.stdin.take().unwrap().write_all(&input).unwrap();
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    if out.status.success() {
        assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), items.len().to_string());
        return Ok(());
    }
    // A refusal names the response; anything else (no PyNaCl, a traceback) is a broken test.
    assert!(out.status.code() == Some(1) && stderr.starts_with("response "), "verifier failed: {stderr}");
    Err(stderr)
}
