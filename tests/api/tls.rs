//! HTTPS from certificate files: a real handshake against a CA made here, the client API's
//! `init` over it with its Ed25519 signature checked, HSTS, the redirect listener, and the
//! handshake deadline that keeps a silent connection from holding its slot.

use crate::client_support::{ClientFixture, SIG_HEADER, TS_HEADER};
use crate::harness::{Engine, TestApp};
use crate::processes::free_port;
use ed25519_dalek::{Signature, Verifier};
use rcgen::{BasicConstraints, CertificateParams, IsCa, KeyPair};
use std::{path::Path, time::Duration};
use tokio::io::AsyncReadExt;

/// A CA and a leaf certificate for `names` signed by it, written as PEM files into `dir`:
/// (CA certificate PEM, leaf chain file, leaf key file).
pub(crate) fn ca_and_leaf(dir: &Path, names: &[&str]) -> (String, std::path::PathBuf, std::path::PathBuf) {
    let ca_key = KeyPair::generate().unwrap();
    let mut ca = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    let ca = ca.self_signed(&ca_key).unwrap();
    let leaf_key = KeyPair::generate().unwrap();
    let leaf = CertificateParams::new(names.iter().map(|n| n.to_string()).collect::<Vec<_>>())
        .unwrap()
        .signed_by(&leaf_key, &ca, &ca_key)
        .unwrap();
    let (cert, key) = (dir.join("cert.pem"), dir.join("key.pem"));
    std::fs::write(&cert, leaf.pem()).unwrap();
    std::fs::write(&key, leaf_key.serialize_pem()).unwrap();
    (ca.pem(), cert, key)
}

/// An HTTPS client that trusts only `ca_pem` and reaches `name` at `addr`.
pub(crate) fn https_client(ca_pem: &str, name: &str, addr: std::net::SocketAddr) -> reqwest::Client {
    reqwest::Client::builder()
        .tls_built_in_root_certs(false)
        .add_root_certificate(reqwest::Certificate::from_pem(ca_pem.as_bytes()).unwrap())
        .resolve(name, addr)
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(30))
        .build()
        .unwrap()
}

#[tokio::test]
async fn https_from_certificate_files_serves_signed_client_answers() {
    let certs = tempfile::tempdir().unwrap();
    let (ca, cert, key) = ca_and_leaf(certs.path(), &["licensd.test"]);
    let redirect_port = free_port();
    let t = TestApp::spawn_with(Engine::Sqlite, |c| {
        c.tls_cert = Some(cert.clone());
        c.tls_key = Some(key.clone());
        c.http_redirect_listen = Some(format!("127.0.0.1:{redirect_port}").parse().unwrap());
        c.tls_handshake_timeout_secs = 1;
    })
    .await;
    let https = https_client(&ca, "licensd.test", t.addr);
    let base = format!("https://licensd.test:{}", t.addr.port());

    let ready = https.get(format!("{base}/readyz")).send().await.unwrap();
    assert_eq!(ready.status(), 200);
    assert_eq!(ready.headers()["strict-transport-security"], "max-age=31536000");

    // The client API's init over HTTPS, its signature checked against the server's key.
    let c = ClientFixture::new(&t).await;
    let answer = https
        .post(format!("{base}/api/1.3/"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(c.form(None, "init", &[]))
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 200);
    let ts = answer.headers()[TS_HEADER].to_str().unwrap().to_owned();
    let sig: [u8; 64] = hex::decode(answer.headers()[SIG_HEADER].to_str().unwrap()).unwrap().try_into().unwrap();
    let body = answer.bytes().await.unwrap();
    let signed = [ts.as_bytes(), &body].concat();
    t.state.signer.verifying_key().verify(&signed, &Signature::from_bytes(&sig)).expect("a valid signature");
    let json: serde_json::Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(json["success"], true, "{json}");

    // A client that does not trust the CA gets no answer at all.
    let untrusting = reqwest::Client::builder().resolve("licensd.test", t.addr).build().unwrap();
    assert!(untrusting.get(format!("{base}/readyz")).send().await.unwrap_err().is_connect());

    // Plain HTTP on the redirect port: 308 to the same path on HTTPS, no HSTS (it means nothing there).
    let plain = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let moved = plain
        .post(format!("http://127.0.0.1:{redirect_port}/api/1.3/?type=init"))
        .header("host", format!("licensd.test:{redirect_port}"))
        .send()
        .await
        .unwrap();
    assert_eq!(moved.status(), 308);
    assert_eq!(moved.headers()["location"], format!("{base}/api/1.3/?type=init").as_str());
    assert!(moved.headers().get("strict-transport-security").is_none());

    // A connection that never starts its handshake is closed after tls_handshake_timeout_secs.
    let mut silent = tokio::net::TcpStream::connect(t.addr).await.unwrap();
    let mut buf = [0u8; 16];
    let read = tokio::time::timeout(Duration::from_secs(20), silent.read(&mut buf)).await;
    assert!(matches!(read, Ok(Ok(0)) | Ok(Err(_))), "the silent connection stayed open: {read:?}");
    drop(c);
    t.stop().await;
}

/// `check-config` reads the TLS files as `serve` would: a key that is not the certificate's, or
/// half of the pair, is reported; `serve` refuses such a set-up before creating anything.
#[test]
fn check_config_reports_tls_files_that_do_not_fit() {
    let dir = tempfile::tempdir().unwrap();
    let (_, cert, _) = ca_and_leaf(dir.path(), &["licensd.test"]);
    let other = tempfile::tempdir().unwrap();
    let (_, _, foreign_key) = ca_and_leaf(other.path(), &["licensd.test"]);
    let data = dir.path().join("data");
    let check = |envs: &[(&str, &std::path::Path)]| {
        let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_licensd"));
        cmd.arg("--data-dir").arg(&data).args(["--create", "--json", "check-config"]).env_remove("RUST_LOG");
        for (k, v) in envs {
            cmd.env(k, v);
        }
        let out = cmd.output().unwrap();
        let verdict: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        (out.status.success(), verdict["problems"].to_string())
    };
    let (ok, problems) = check(&[("LICENSD_TLS_CERT", &cert), ("LICENSD_TLS_KEY", &foreign_key)]);
    assert!(!ok && problems.contains("do not form a usable certificate"), "{problems}");
    let (ok, problems) = check(&[("LICENSD_TLS_CERT", &cert)]);
    assert!(!ok && problems.contains("tls_cert and tls_key go together"), "{problems}");
    let (ok, problems) = check(&[("LICENSD_TLS_CERT", &cert), ("LICENSD_TLS_KEY", &dir.path().join("key.pem"))]);
    assert!(ok, "{problems}");
    // `serve` refuses the same way, before it creates a database or a key.
    let serve = std::process::Command::new(env!("CARGO_BIN_EXE_licensd"))
        .arg("--data-dir")
        .arg(&data)
        .args(["--create", "serve", "--listen", "127.0.0.1:0", "--tls-cert"])
        .arg(&cert)
        .env_remove("RUST_LOG")
        .output()
        .unwrap();
    assert!(!serve.status.success());
    assert!(String::from_utf8_lossy(&serve.stderr).contains("tls_cert and tls_key go together"));
    assert!(!data.exists(), "serve created {} before refusing", data.display());
}
