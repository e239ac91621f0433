//! The `licensd` binary as an operator runs it: start-up errors, and several processes on one
//! PostgreSQL database.

use crate::harness::{fresh_postgres_database, split};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

const BIN: &str = env!("CARGO_BIN_EXE_licensd");

pub(crate) fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

pub(crate) struct Proc(pub(crate) Child);

impl Drop for Proc {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

pub(crate) fn start(args: &[&str], envs: &[(&str, &str)]) -> Proc {
    let mut cmd = Command::new(BIN);
    cmd.args(args).stdout(Stdio::null()).stderr(Stdio::null()).env_remove("RUST_LOG");
    for (k, v) in envs {
        cmd.env(k, v);
    }
    Proc(cmd.spawn().expect("spawn licensd"))
}

pub(crate) async fn wait_ready(http: &reqwest::Client, port: u16) {
    for _ in 0..200 {
        if let Ok(r) = http.get(format!("http://127.0.0.1:{port}/readyz")).send().await
            && r.status() == 200
        {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("server on port {port} never became ready");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_processes_share_one_postgres() {
    let url = fresh_postgres_database().await;
    let dir = tempfile::tempdir().unwrap();
    let seed = "11".repeat(32);
    let (p1, p2) = (free_port(), free_port());
    let env = [("LICENSD_SIGNING_KEY", seed.as_str())];
    let data = dir.path().to_str().unwrap();
    // Both start at once: migrations must not trip over each other.
    let _a =
        start(&["--database-url", &url, "--data-dir", data, "serve", "--listen", &format!("127.0.0.1:{p1}")], &env);
    let _b =
        start(&["--database-url", &url, "--data-dir", data, "serve", "--listen", &format!("127.0.0.1:{p2}")], &env);
    let http = reqwest::Client::new();
    wait_ready(&http, p1).await;
    wait_ready(&http, p2).await;

    // A token created through one process works on the other, and both sign with one key.
    let out = Command::new(BIN)
        .args(["--database-url", &url, "--data-dir", data, "--json", "token", "create", "--kind", "operator"])
        .env("LICENSD_SIGNING_KEY", &seed)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let token = serde_json::from_slice::<serde_json::Value>(&out.stdout).unwrap()["token"].as_str().unwrap().to_owned();
    let create = http
        .post(format!("http://127.0.0.1:{p1}/admin/v1/sellers"))
        .bearer_auth(&token)
        .json(&serde_json::json!({"name": "shared"}))
        .send()
        .await
        .unwrap();
    assert_eq!(create.status(), 201);
    let (status, body) =
        split(http.get(format!("http://127.0.0.1:{p2}/admin/v1/sellers")).bearer_auth(&token).send().await.unwrap())
            .await;
    assert_eq!(status, 200);
    assert_eq!(body["data"][0]["name"], "shared");
    let k1 = split(http.get(format!("http://127.0.0.1:{p1}/api/info")).send().await.unwrap()).await.1;
    let k2 = split(http.get(format!("http://127.0.0.1:{p2}/api/info")).send().await.unwrap()).await.1;
    assert_eq!(k1["public_key"], k2["public_key"]);
}

#[test]
fn bad_start_up_input_is_one_line_and_nonzero() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("typo.db");
    let cases: Vec<(Vec<String>, &str)> = vec![
        (
            vec!["--database-url".into(), format!("sqlite://{}", missing.display()), "seller".into(), "list".into()],
            "does not exist",
        ),
        (vec!["--database-url".into(), "mysql://x".into(), "seller".into(), "list".into()], "neither postgres"),
        (
            vec!["--database-url".into(), "postgres://nobody@127.0.0.1:1/x".into(), "seller".into(), "list".into()],
            "cannot connect",
        ),
        (
            vec!["--config".into(), dir.path().join("nope.toml").display().to_string(), "seller".into(), "list".into()],
            "does not exist",
        ),
        (
            vec!["--data-dir".into(), "/proc/licensd-nope".into(), "--create".into(), "seller".into(), "list".into()],
            "cannot create",
        ),
    ];
    for (args, expected) in cases {
        let out = Command::new(BIN).args(&args).current_dir(dir.path()).env_remove("RUST_LOG").output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "{args:?} succeeded");
        assert!(stderr.contains(expected), "{args:?}: {stderr}");
        assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
        assert_eq!(stderr.trim().lines().count(), 1, "{args:?}: {stderr}");
    }
    assert!(!missing.exists(), "a mistyped path must not create a database");

    // Malformed configuration file and unknown environment keys.
    std::fs::write(dir.path().join("licensd.toml"), "listen = [").unwrap();
    let out = Command::new(BIN).args(["seller", "list"]).current_dir(dir.path()).output().unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("configuration"));
    std::fs::remove_file(dir.path().join("licensd.toml")).unwrap();
    let out =
        Command::new(BIN).args(["seller", "list"]).current_dir(dir.path()).env("LICENSD_LISEN", "x").output().unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("lisen"));
}

#[test]
fn existing_database_is_never_replaced() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().to_str().unwrap();
    let run = |args: &[&str]| Command::new(BIN).args(["--data-dir", data]).args(args).output().unwrap();
    assert!(run(&["--create", "seller", "create", "keep-me"]).status.success());
    // Starting again with --create keeps the data.
    let out = run(&["--create", "--json", "seller", "list"]);
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).contains("keep-me"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_first_starts_on_one_sqlite_file_agree() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().to_str().unwrap();
    let ports: Vec<u16> = (0..3).map(|_| free_port()).collect();
    // Three processes create the same new database and signing key at the same moment.
    let procs: Vec<Proc> = ports
        .iter()
        .map(|p| start(&["--data-dir", data, "--create", "serve", "--listen", &format!("127.0.0.1:{p}")], &[]))
        .collect();
    let http = reqwest::Client::new();
    let mut keys = Vec::new();
    for p in &ports {
        wait_ready(&http, *p).await;
        keys.push(
            split(http.get(format!("http://127.0.0.1:{p}/api/info")).send().await.unwrap()).await.1["public_key"]
                .clone(),
        );
    }
    assert!(keys.iter().all(|k| k == &keys[0]), "processes disagree on the signing key: {keys:?}");
    drop(procs);
    let out = Command::new(BIN).args(["--data-dir", data, "--json", "seller", "list"]).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sigterm_shuts_down_gracefully() {
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let mut proc = start(
        &["--data-dir", dir.path().to_str().unwrap(), "--create", "serve", "--listen", &format!("127.0.0.1:{port}")],
        &[],
    );
    let http = reqwest::Client::new();
    wait_ready(&http, port).await;
    let pid = proc.0.id().to_string();
    assert!(Command::new("kill").args(["-TERM", &pid]).status().unwrap().success());
    let mut status = None;
    for _ in 0..100 {
        if let Some(s) = proc.0.try_wait().unwrap() {
            status = Some(s);
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let status = status.expect("licensd did not exit after SIGTERM");
    assert!(status.success(), "exit status after SIGTERM: {status}");
    assert!(http.get(format!("http://127.0.0.1:{port}/healthz")).send().await.is_err());
}
