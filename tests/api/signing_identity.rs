//! One deployment, one key: the database records the public key it is served with, a process
//! with another key (or without its key file) refuses to start, and only `licensd key rotate` /
//! `adopt` change it.

use crate::harness::fresh_postgres_database;
use std::process::{Command, Output};

const BIN: &str = env!("CARGO_BIN_EXE_licensd");

fn licensd(data: &str, args: &[&str], envs: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new(BIN);
    cmd.args(["--data-dir", data]).args(args).env_remove("RUST_LOG");
    for (k, v) in envs {
        cmd.env(k, v);
    }
    cmd.output().unwrap()
}

fn stdout(out: &Output) -> String {
    assert!(out.status.success(), "licensd failed: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).trim().to_owned()
}

fn refused(out: &Output, says: &str) {
    assert!(!out.status.success(), "licensd started: {}", String::from_utf8_lossy(&out.stdout));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains(says), "expected {says:?} in: {err}");
}

#[test]
fn a_missing_key_file_beside_a_serving_database_stops_the_start() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().to_str().unwrap();
    stdout(&licensd(data, &["--create", "seller", "create", "acme"], &[]));
    let key = dir.path().join("signing.key");
    let pubkey = stdout(&licensd(data, &["pubkey"], &[]));
    std::fs::rename(&key, dir.path().join("kept")).unwrap();
    refused(&licensd(data, &["--create", "pubkey"], &[]), "is missing");
    assert!(!key.exists(), "no new key was made");
    std::fs::rename(dir.path().join("kept"), &key).unwrap();
    assert_eq!(stdout(&licensd(data, &["pubkey"], &[])), pubkey);
}

#[test]
fn a_database_from_before_the_record_keeps_its_key() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().to_str().unwrap();
    stdout(&licensd(data, &["--create", "seller", "create", "acme"], &[]));
    let pubkey = stdout(&licensd(data, &["pubkey"], &[]));
    // As a database written before the key was recorded: data, but no record.
    let db = dir.path().join("licensd.db");
    let forget = Command::new("python3")
        .args([
            "-c",
            "import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.execute('DELETE FROM deployment'); c.commit()",
        ])
        .arg(&db)
        .status()
        .unwrap();
    assert!(forget.success());
    std::fs::remove_file(dir.path().join("signing.key")).unwrap();
    refused(&licensd(data, &["pubkey"], &[]), "is missing");
    // With its key back, the first start records it.
    let restored = licensd(data, &["pubkey"], &[("LICENSD_SIGNING_KEY", &"22".repeat(32))]);
    assert_ne!(stdout(&restored), pubkey);
    refused(&licensd(data, &["pubkey"], &[("LICENSD_SIGNING_KEY", &"33".repeat(32))]), "is not the key");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_second_process_with_another_key_refuses_to_start() {
    let url = fresh_postgres_database().await;
    let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let first = ["--database-url", url.as_str(), "--create", "pubkey"];
    let pubkey = stdout(&licensd(a.path().to_str().unwrap(), &first, &[]));
    // Another machine's data directory, without the deployment's key file: no key is made.
    let other = licensd(b.path().to_str().unwrap(), &["--database-url", &url, "--create", "pubkey"], &[]);
    refused(&other, "is missing");
    assert!(!b.path().join("signing.key").exists());
    let wrong = [("LICENSD_SIGNING_KEY", "55".repeat(32))];
    let wrong: Vec<(&str, &str)> = wrong.iter().map(|(k, v)| (*k, v.as_str())).collect();
    refused(
        &licensd(b.path().to_str().unwrap(), &["--database-url", &url, "pubkey"], &wrong),
        "is not the key this database is served with",
    );
    let seed = std::fs::read_to_string(a.path().join("signing.key")).unwrap();
    let same =
        licensd(b.path().to_str().unwrap(), &["--database-url", &url, "pubkey"], &[("LICENSD_SIGNING_KEY", &seed)]);
    assert_eq!(stdout(&same), pubkey);
}

#[test]
fn rotation_and_adoption_change_the_key_on_purpose() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().to_str().unwrap();
    stdout(&licensd(data, &["--create", "seller", "create", "acme"], &[]));
    let before = stdout(&licensd(data, &["pubkey"], &[]));
    let rotated: serde_json::Value =
        serde_json::from_str(&stdout(&licensd(data, &["--json", "key", "rotate"], &[]))).unwrap();
    assert_eq!(rotated["old_public_key"], before.as_str());
    let after = stdout(&licensd(data, &["pubkey"], &[]));
    assert_ne!(after, before);
    assert_eq!(rotated["public_key"], after.as_str());
    let kept: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter(|n| n.starts_with("signing.key.") && n.ends_with(".old"))
        .collect();
    assert_eq!(kept.len(), 1, "the old key is kept: {kept:?}");
    // A key from configuration is refused until adopted.
    let env = [("LICENSD_SIGNING_KEY", "44".repeat(32))];
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    refused(&licensd(data, &["pubkey"], &env), "is not the key");
    refused(&licensd(data, &["key", "rotate"], &env), "comes from configuration");
    let adopted = stdout(&licensd(data, &["key", "adopt"], &env));
    assert!(adopted.contains(&after), "{adopted}");
    let served = stdout(&licensd(data, &["pubkey"], &env));
    assert_ne!(served, after);
    refused(&licensd(data, &["pubkey"], &[]), "is not the key");
}

#[test]
fn check_config_reports_without_changing_anything() {
    let dir = tempfile::tempdir().unwrap();
    let data_path = dir.path().join("d");
    let data = data_path.to_str().unwrap();
    let missing = licensd(data, &["check-config"], &[]);
    assert!(!missing.status.success());
    assert!(String::from_utf8_lossy(&missing.stdout).contains("does not exist"));
    let fresh = stdout(&licensd(data, &["--create", "check-config"], &[]));
    assert!(fresh.contains("will be created"), "{fresh}");
    assert!(!data_path.exists(), "check-config created {data}");

    stdout(&licensd(data, &["--create", "seller", "create", "acme"], &[]));
    let pubkey = stdout(&licensd(data, &["pubkey"], &[]));
    let ready: serde_json::Value =
        serde_json::from_str(&stdout(&licensd(data, &["--json", "check-config"], &[]))).unwrap();
    assert_eq!(ready["ok"], true, "{ready}");
    assert!(ready["notes"].to_string().contains(&pubkey), "{ready}");
    let other = licensd(data, &["check-config"], &[("LICENSD_SIGNING_KEY", &"66".repeat(32))]);
    assert!(!other.status.success());
    assert!(String::from_utf8_lossy(&other.stdout).contains("is not the key the database records"));
    refused(&licensd(data, &["check-config"], &[("LICENSD_LISEN", "x")]), "lisen");
}
