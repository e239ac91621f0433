//! Test harness: starts the real server on port 0 against a fresh database of either engine
//! and talks to it over HTTP. PostgreSQL comes from `TEST_POSTGRES_URL` (a server URL whose
//! user may create databases) or, when unset, from a throwaway cluster that the harness starts
//! itself from the machine's PostgreSQL binaries and shares between test processes.
#![allow(dead_code)] // shared by many test modules; not every test uses every helper

use licensd::{
    config::Config,
    server::{Server, build_state},
    state::AppState,
    store::{Store, sellers::Seller, tokens::TokenKind},
};
use serde_json::Value;
use std::{net::SocketAddr, path::PathBuf, process::Command, sync::OnceLock, time::Duration};
use tempfile::TempDir;
use tokio::sync::oneshot;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Engine {
    Sqlite,
    Postgres,
}

/// Runs one async test body once per engine: `engine_tests!(name, ...)` makes `name::sqlite`
/// and `name::postgres` from `async fn name(app: TestApp)`.
#[macro_export]
macro_rules! engine_tests {
    ($($name:ident),* $(,)?) => {
        engine_tests!(config = $crate::harness::default_config; $($name),*);
    };
    (config = $adjust:path; $($name:ident),* $(,)?) => {$(
        mod $name {
            #[allow(unused_imports)] // brings a config function named relative to the caller into scope
            use super::*;
            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn sqlite() {
                super::$name($crate::harness::TestApp::spawn_with($crate::harness::Engine::Sqlite, $adjust).await).await
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn postgres() {
                super::$name($crate::harness::TestApp::spawn_with($crate::harness::Engine::Postgres, $adjust).await).await
            }
        }
    )*};
}

/// The configuration every test runs with unless it names another (`engine_tests!(config = ...)`).
pub fn default_config(_: &mut Config) {}

/// For tests that fire many sign-ins from one address on purpose (races, hostile input): the
/// brute-force limits would refuse them, and are tested on their own in `client_signin_limits`.
pub fn without_signin_limits(config: &mut Config) {
    config.login_failures_per_ip_per_min = 0;
    config.login_failures_per_app_per_min = 0;
}

pub struct TestApp {
    pub engine: Engine,
    pub addr: SocketAddr,
    pub http: reqwest::Client,
    pub state: AppState,
    /// The database URL the server runs on (for a second process, or direct inspection).
    pub database_url: String,
    pub data_dir: TempDir,
    shutdown: Option<oneshot::Sender<()>>,
    server: Option<tokio::task::JoinHandle<()>>,
}

impl TestApp {
    pub async fn spawn(engine: Engine) -> Self {
        Self::spawn_with(engine, |_| {}).await
    }

    /// Like `spawn`, letting the test adjust the configuration first.
    pub async fn spawn_with(engine: Engine, adjust: impl FnOnce(&mut Config)) -> Self {
        let data_dir = tempfile::tempdir().expect("temp dir");
        let database_url = match engine {
            Engine::Sqlite => format!("sqlite://{}", data_dir.path().join("licensd.db").display()),
            Engine::Postgres => fresh_postgres_database().await,
        };
        Self::spawn_in(engine, data_dir, database_url, adjust).await
    }

    /// Like `spawn_with`, on a database of the caller's (e.g. reached through a relay).
    pub async fn spawn_on(engine: Engine, database_url: String, adjust: impl FnOnce(&mut Config)) -> Self {
        Self::spawn_in(engine, tempfile::tempdir().expect("temp dir"), database_url, adjust).await
    }

    async fn spawn_in(
        engine: Engine,
        data_dir: TempDir,
        database_url: String,
        adjust: impl FnOnce(&mut Config),
    ) -> Self {
        let mut config = Config {
            listen: "127.0.0.1:0".parse().unwrap(),
            data_dir: data_dir.path().to_path_buf(),
            database_url: Some(database_url.clone()),
            create: true,
            max_connections: 8,
            ..Config::default()
        };
        adjust(&mut config);
        let state = build_state(config).await.expect("server state");
        let server = Server::bind(state.clone()).await.expect("bind");
        let addr = server.local_addr().unwrap();
        let (tx, rx) = oneshot::channel::<()>();
        let handle = tokio::spawn(async move {
            server
                .run_until(async {
                    let _ = rx.await;
                })
                .await
                .expect("server run");
        });
        Self {
            engine,
            addr,
            http: reqwest::Client::builder().timeout(Duration::from_secs(60)).build().unwrap(),
            state,
            database_url,
            data_dir,
            shutdown: Some(tx),
            server: Some(handle),
        }
    }

    pub fn store(&self) -> &Store {
        &self.state.store
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{}", self.addr, path)
    }

    /// Stops the server gracefully and waits for it.
    pub async fn stop(mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(h) = self.server.take() {
            let _ = h.await;
        }
    }

    pub async fn operator_token(&self) -> String {
        self.store().create_token(TokenKind::Operator, None, "test").await.unwrap().1
    }

    /// A seller with an admin token and a store token.
    pub async fn seller(&self, name: &str) -> SellerFixture {
        let seller = self.store().create_seller(name, "").await.unwrap();
        let admin_token = self.store().create_token(TokenKind::Seller, Some(seller.id), "admin").await.unwrap().1;
        let store_token = self.store().create_token(TokenKind::Store, Some(seller.id), "store").await.unwrap().1;
        SellerFixture { seller, admin_token, store_token }
    }

    pub async fn get_json(&self, path: &str, token: &str) -> (u16, Value) {
        let res = self.http.get(self.url(path)).bearer_auth(token).send().await.unwrap();
        split(res).await
    }

    pub async fn post_json(&self, path: &str, token: &str, body: &Value) -> (u16, Value) {
        let res = self.http.post(self.url(path)).bearer_auth(token).json(body).send().await.unwrap();
        split(res).await
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if self.engine == Engine::Postgres {
            drop_postgres_database(&self.database_url);
        }
    }
}

/// Drops a database the harness made (`t_...`) from the test PostgreSQL server, ending the
/// connections still open on it. Each test makes one; left behind, one run of the suite leaves
/// about 3 GB of them. Runs on a thread of its own: `Drop` may run on the test's runtime.
fn drop_postgres_database(database_url: &str) {
    let Some(name) = database_url.rsplit_once('/').map(|(_, n)| n.to_owned()).filter(|n| n.starts_with("t_")) else {
        return;
    };
    let admin = format!("{}/postgres", postgres_server_url());
    let _ = std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().ok()?;
        runtime.block_on(async {
            let mut conn = <sqlx::AnyConnection as sqlx::Connection>::connect(&admin).await.ok()?;
            let sql = format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)");
            sqlx::query(sqlx::AssertSqlSafe(sql)).execute(&mut conn).await.ok()
        })
    })
    .join();
}

pub struct SellerFixture {
    pub seller: Seller,
    pub admin_token: String,
    pub store_token: String,
}

/// Status and JSON body (`Value::Null` when the body is not JSON).
pub async fn split(res: reqwest::Response) -> (u16, Value) {
    let status = res.status().as_u16();
    let text = res.text().await.unwrap_or_default();
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

/// A new, empty database on the test PostgreSQL server; returns its URL.
pub async fn fresh_postgres_database() -> String {
    let server = postgres_server_url();
    let name = format!("t_{}", uuid_simple());
    let admin = format!("{server}/postgres");
    sqlx::any::install_default_drivers();
    let mut conn = <sqlx::AnyConnection as sqlx::Connection>::connect(&admin)
        .await
        .unwrap_or_else(|e| panic!("cannot reach test PostgreSQL at {admin}: {e}"));
    sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
        .execute(&mut conn)
        .await
        .expect("create database");
    format!("{server}/{name}")
}

fn uuid_simple() -> String {
    licensd::domain::secret::random_string(b"abcdefghijklmnopqrstuvwxyz0123456789", 16)
}

/// `postgres://user@host:port` without a database name.
fn postgres_server_url() -> String {
    static URL: OnceLock<String> = OnceLock::new();
    URL.get_or_init(|| match std::env::var("TEST_POSTGRES_URL") {
        Ok(url) if !url.is_empty() => url.trim_end_matches('/').to_owned(),
        _ => start_throwaway_cluster(),
    })
    .clone()
}

/// Starts (or reuses) a PostgreSQL cluster in a temp directory. Test processes share it; a
/// file lock makes sure only one of them runs initdb/pg_ctl.
fn start_throwaway_cluster() -> String {
    let bindir = pg_bindir();
    let root = std::env::temp_dir().join("licensd-test-pg");
    std::fs::create_dir_all(&root).unwrap();
    let lock = std::fs::File::create(root.join("lock")).unwrap();
    lock.lock().unwrap();
    let port: u16 = std::env::var("TEST_POSTGRES_PORT").ok().and_then(|p| p.parse().ok()).unwrap_or(54_329);
    let data = root.join("data");
    let url = format!("postgres://postgres@127.0.0.1:{port}");
    let as_postgres = is_root();
    // Only the directory itself: postgres creates everything inside it, and a recursive chown
    // would walk every test database of the run in every test process.
    if as_postgres {
        let _ = Command::new("chown").args(["postgres:postgres"]).arg(&root).status();
    }
    let run = |program: PathBuf, args: &[&str]| {
        let mut cmd = if as_postgres {
            let mut c = Command::new("runuser");
            c.args(["-u", "postgres", "--"]).arg(program);
            c
        } else {
            Command::new(program)
        };
        cmd.args(args).output().expect("run PostgreSQL tool")
    };
    let ready = || run(bindir.join("pg_isready"), &["-h", "127.0.0.1", "-p", &port.to_string()]).status.success();
    if !ready() {
        if !data.join("PG_VERSION").exists() {
            let out = run(
                bindir.join("initdb"),
                &["-D", data.to_str().unwrap(), "-A", "trust", "-U", "postgres", "--no-sync"],
            );
            assert!(out.status.success(), "initdb failed: {}", String::from_utf8_lossy(&out.stderr));
        }
        let opts = format!(
            "-p {port} -k {} -c fsync=off -c max_connections=400 -c listen_addresses=127.0.0.1",
            root.display()
        );
        let log = root.join("server.log");
        let out = run(
            bindir.join("pg_ctl"),
            &["-D", data.to_str().unwrap(), "-l", log.to_str().unwrap(), "-o", &opts, "-w", "start"],
        );
        assert!(
            out.status.success(),
            "pg_ctl start failed: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }
    lock.unlock().unwrap();
    url
}

fn pg_bindir() -> PathBuf {
    let out = Command::new("pg_config").arg("--bindir").output();
    match out {
        Ok(o) if o.status.success() => PathBuf::from(String::from_utf8_lossy(&o.stdout).trim()),
        _ => PathBuf::from("/usr/lib/postgresql/15/bin"),
    }
}

fn is_root() -> bool {
    Command::new("id").arg("-u").output().map(|o| o.stdout.starts_with(b"0\n")).unwrap_or(false)
}
