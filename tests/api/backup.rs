//! `licensd backup` and `restore` on SQLite: a backup taken while the server acknowledges writes
//! holds every write acknowledged before it began; restore never overwrites a database, refuses a
//! damaged copy, and the restored deployment serves with the same signing key.

use crate::harness::{Engine, TestApp};
use serde_json::{Value, json};
use std::process::{Command, Output};
use std::sync::{Arc, Mutex};
use std::time::Duration;

const BIN: &str = env!("CARGO_BIN_EXE_licensd");

fn licensd(data: &std::path::Path, args: &[&str]) -> Output {
    Command::new(BIN).arg("--data-dir").arg(data).args(args).env_remove("RUST_LOG").output().unwrap()
}

fn ok(out: Output) -> String {
    assert!(out.status.success(), "licensd failed: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_backup_under_write_load_restores_every_acknowledged_write() {
    let t = TestApp::spawn(Engine::Sqlite).await;
    let token = t.operator_token().await;
    let acked = Arc::new(Mutex::new(Vec::<String>::new()));
    let writers: Vec<_> = (0..4)
        .map(|w| {
            let (http, url, token, acked) = (t.http.clone(), t.url("/admin/v1/sellers"), token.clone(), acked.clone());
            tokio::spawn(async move {
                for i in 0..150 {
                    let name = format!("seller-{w}-{i}");
                    let res = http.post(&url).bearer_auth(&token).json(&json!({"name": name})).send().await.unwrap();
                    assert!(res.status().is_success(), "{}", res.text().await.unwrap());
                    acked.lock().unwrap().push(name);
                }
            })
        })
        .collect();
    tokio::time::sleep(Duration::from_millis(300)).await;
    let before: Vec<String> = acked.lock().unwrap().clone();
    let archive = t.data_dir.path().join("backup.tar");
    let data = t.data_dir.path().to_path_buf();
    let manifest: Value = {
        let archive = archive.clone();
        let out = tokio::task::spawn_blocking(move || {
            licensd(&data, &["--json", "backup", "--output", archive.to_str().unwrap()])
        });
        serde_json::from_str(&ok(out.await.unwrap())).unwrap()
    };
    for w in writers {
        w.await.unwrap();
    }
    assert!(before.len() >= 10, "the backup ran under load ({} writes before it)", before.len());
    assert_eq!(manifest["public_key"], t.state.signer.public_hex());
    assert_eq!(manifest["includes_key"], true);

    let restored = tempfile::tempdir().unwrap();
    let target = restored.path().join("data");
    ok(licensd(&target, &["restore", "--input", archive.to_str().unwrap()]));
    let listed: Value = serde_json::from_str(&ok(licensd(&target, &["--json", "seller", "list"]))).unwrap();
    let names: Vec<&str> = listed["data"].as_array().unwrap().iter().filter_map(|s| s["name"].as_str()).collect();
    let missing: Vec<&String> = before.iter().filter(|n| !names.contains(&n.as_str())).collect();
    assert!(missing.is_empty(), "acknowledged before the backup but not restored: {missing:?}");
    assert_eq!(ok(licensd(&target, &["pubkey"])).trim(), t.state.signer.public_hex());

    // A second restore onto the restored database is refused and changes nothing.
    let again = licensd(&target, &["restore", "--input", archive.to_str().unwrap()]);
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("never overwrites"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_damaged_backup_is_refused() {
    let t = TestApp::spawn(Engine::Sqlite).await;
    t.store().create_seller("acme", "").await.unwrap();
    let archive = t.data_dir.path().join("backup.tar");
    ok(licensd(t.data_dir.path(), &["backup", "--output", archive.to_str().unwrap()]));
    // Overwrite a stretch of the database's pages inside the archive (past the tar header and
    // the SQLite header, so the file still opens).
    let mut bytes = std::fs::read(&archive).unwrap();
    for b in &mut bytes[512 + 4096..512 + 3 * 4096] {
        *b = 0x5a;
    }
    let damaged = t.data_dir.path().join("damaged.tar");
    std::fs::write(&damaged, &bytes).unwrap();
    let target = tempfile::tempdir().unwrap();
    let out = licensd(&target.path().join("d"), &["restore", "--input", damaged.to_str().unwrap()]);
    assert!(!out.status.success(), "a damaged backup was restored");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("damaged") || err.contains("does not open"), "{err}");
    assert!(!target.path().join("d").join("licensd.db").exists());
}
