//! Nothing leaks: the `licensd` binary, started as an operator starts it, keeps its data
//! directory, database and signing key owner-only whatever the umask, and its debug log names a
//! failing webhook's host but nothing of its path or query string (where sellers put keys).

use crate::processes::{Proc, free_port, wait_ready};
use licensd::store::{DatabaseTarget, OpenOptions, Store};
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::{Command, Stdio};

const BIN: &str = env!("CARGO_BIN_EXE_licensd");

/// `licensd --data-dir DIR --create serve` on `port` under umask 000 (so any mode the server
/// does not set itself shows up as world-readable), stderr into `log`.
fn serve(data_dir: &Path, port: u16, log: &Path, envs: &[(&str, &str)]) -> Proc {
    let mut cmd = Command::new("sh");
    cmd.args(["-c", "umask 000; exec \"$0\" \"$@\"", BIN, "--data-dir"])
        .arg(data_dir)
        .args(["--create", "serve", "--listen", &format!("127.0.0.1:{port}")])
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(log).unwrap())
        .env_remove("RUST_LOG");
    for (k, v) in envs {
        cmd.env(k, v);
    }
    Proc(cmd.spawn().expect("spawn licensd"))
}

fn mode(path: &Path) -> u32 {
    std::fs::metadata(path).unwrap_or_else(|e| panic!("{}: {e}", path.display())).permissions().mode() & 0o777
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_fresh_data_dir_is_owner_only() {
    let root = tempfile::tempdir().unwrap();
    let data = root.path().join("fresh").join("data");
    let port = free_port();
    let _server = serve(&data, port, &root.path().join("log"), &[]);
    wait_ready(&reqwest::Client::new(), port).await;
    assert_eq!(mode(&data), 0o700, "data directory");
    assert_eq!(mode(data.parent().unwrap()), 0o700, "a parent it created");
    for file in ["licensd.db", "licensd.db-wal", "licensd.db-shm", "signing.key"] {
        assert_eq!(mode(&data.join(file)), 0o600, "{file}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failing_webhook_logs_its_host_only() {
    let root = tempfile::tempdir().unwrap();
    let data = root.path().join("data");
    let log = root.path().join("log");
    let port = free_port();
    let server = serve(&data, port, &log, &[("RUST_LOG", "debug"), ("LICENSD_WEBHOOK_ALLOW_PRIVATE", "true")]);
    let http = reqwest::Client::new();
    wait_ready(&http, port).await;

    // A seller's webhook with keys in its path and query, to a port nobody listens on.
    let store = Store::open(&DatabaseTarget::Sqlite(data.join("licensd.db")), &OpenOptions::default()).await.unwrap();
    let seller = store.create_seller("acme", "").await.unwrap();
    let app = store.create_app(seller.id, "MyApp").await.unwrap();
    let url = format!("http://127.0.0.1:{}/hooks/PATHSECRET?token=QUERYSECRET", free_port());
    store.create_webhook(app.id, "hook", &url, "licensd", false).await.unwrap();
    let call = async |kind: &str, extra: &[(&str, &str)]| {
        let mut fields = vec![("type", kind), ("name", "MyApp"), ("ownerid", seller.ownerid.as_str())];
        fields.extend_from_slice(extra);
        let res = http.post(format!("http://127.0.0.1:{port}/api/1.3/")).form(&fields).send().await.unwrap();
        res.json::<serde_json::Value>().await.unwrap()
    };
    let init = call("init", &[]).await;
    let session = init["sessionid"].as_str().expect("a session").to_owned();
    let extra = [("sessionid", session.as_str()), ("webid", "hook"), ("params", "client=CLIENTSECRET")];
    let answer = call("webhook", &extra).await;
    assert_eq!(answer["message"], "Webhook request failed", "{answer}");
    drop(server);

    let text = std::fs::read_to_string(&log).unwrap();
    let line =
        text.lines().find(|l| l.contains("webhook request failed")).unwrap_or_else(|| panic!("no log line:\n{text}"));
    assert!(line.contains("127.0.0.1"), "the host is named: {line}");
    assert!(line.contains("onnection refused"), "and why it failed: {line}");
    for secret in ["PATHSECRET", "QUERYSECRET", "CLIENTSECRET"] {
        assert!(!text.contains(secret), "{secret} leaked into the log:\n{text}");
    }
}
