//! Certificates by ACME, end to end against Debian's `pebble` test CA: one server proves its
//! name by TLS-ALPN-01 on its HTTPS port, another by HTTP-01 on its redirect port; both then
//! serve a certificate that chains to pebble's root, and keep account and certificate in the
//! data directory. `pebble-challtestsrv` answers pebble's DNS look-ups with 127.0.0.1.
//!
//! Without pebble installed this test fails (CI installs it, .ci/run); set
//! `LICENSD_TEST_SKIP_PEBBLE=1` to skip it on purpose.

use crate::harness::Engine;
use crate::harness::TestApp;
use crate::processes::{Proc, free_port};
use crate::tls::{ca_and_leaf, https_client};
use licensd::config::AcmeChallenge;
use std::{
    path::PathBuf,
    process::{Command, Stdio},
    time::{Duration, Instant},
};

fn installed(name: &str) -> Option<PathBuf> {
    std::env::split_paths(&std::env::var_os("PATH")?).map(|dir| dir.join(name)).find(|p| p.is_file())
}

fn spawn(bin: &PathBuf, args: &[&str]) -> Proc {
    let mut cmd = Command::new(bin);
    cmd.args(args).stdout(Stdio::null()).stderr(Stdio::null());
    // Full speed: no artificial validation delays, no rejected nonces, fresh authorizations.
    cmd.env("PEBBLE_VA_NOSLEEP", "1").env("PEBBLE_WFE_NONCEREJECT", "0").env("PEBBLE_AUTHZREUSE", "0");
    Proc(cmd.spawn().unwrap_or_else(|e| panic!("cannot start {}: {e}", bin.display())))
}

/// GETs `url` until it answers 200 (the certificate may still be on its way), within `limit`.
async fn get_ok(client: &reqwest::Client, url: &str, limit: Duration) -> reqwest::Response {
    let start = Instant::now();
    loop {
        match client.get(url).send().await {
            Ok(r) if r.status() == 200 => return r,
            other if start.elapsed() > limit => panic!("{url} never answered 200: {other:?}"),
            _ => tokio::time::sleep(Duration::from_millis(100)).await,
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn acme_certificates_from_pebble_by_tls_alpn_and_http_challenges() {
    let (Some(pebble), Some(challtestsrv)) = (installed("pebble"), installed("pebble-challtestsrv")) else {
        if std::env::var("LICENSD_TEST_SKIP_PEBBLE").as_deref() == Ok("1") {
            eprintln!("skipped: pebble is not installed and LICENSD_TEST_SKIP_PEBBLE=1");
            return;
        }
        panic!(
            "pebble and pebble-challtestsrv are not installed (Debian: apt-get install pebble; .ci/run \
             installs it); set LICENSD_TEST_SKIP_PEBBLE=1 to skip this test on purpose"
        );
    };
    let dir = tempfile::tempdir().unwrap();
    let (ca, cert, key) = ca_and_leaf(dir.path(), &["127.0.0.1"]);
    let ca_file = dir.path().join("ca.pem");
    std::fs::write(&ca_file, &ca).unwrap();
    let (acme, management, dns, http01, tls_alpn01) = (free_port(), free_port(), free_port(), free_port(), free_port());
    let config = serde_json::json!({ "pebble": {
        "listenAddress": format!("127.0.0.1:{acme}"),
        "managementListenAddress": format!("127.0.0.1:{management}"),
        "certificate": cert, "privateKey": key,
        "httpPort": http01, "tlsPort": tls_alpn01,
        "ocspResponderURL": "", "externalAccountBindingRequired": false,
    }});
    let config_file = dir.path().join("pebble.json");
    std::fs::write(&config_file, config.to_string()).unwrap();
    let dns_addr = format!("127.0.0.1:{dns}");
    let challtestsrv_management = format!("127.0.0.1:{}", free_port());
    let _dns = spawn(
        &challtestsrv,
        &[
            "-dns01",
            &dns_addr,
            "-defaultIPv4",
            "127.0.0.1",
            "-defaultIPv6",
            "",
            "-http01",
            "",
            "-https01",
            "",
            "-tlsalpn01",
            "",
            "-management",
            &challtestsrv_management,
        ],
    );
    let _pebble = spawn(&pebble, &["-config", config_file.to_str().unwrap(), "-dnsserver", &dns_addr]);
    let to_pebble = https_client(&ca, "127.0.0.1", format!("127.0.0.1:{acme}").parse().unwrap());
    get_ok(&to_pebble, &format!("https://127.0.0.1:{acme}/dir"), Duration::from_secs(20)).await;

    let directory = format!("https://127.0.0.1:{acme}/dir");
    let acme_config = |name: &str, challenge: AcmeChallenge| {
        let (name, directory, ca_file) = (name.to_owned(), directory.clone(), ca_file.clone());
        move |c: &mut licensd::config::Config| {
            c.acme_domains = vec![name];
            c.acme_email = Some("ops@licensd.test".into());
            c.acme_directory = directory;
            c.acme_ca_file = Some(ca_file);
            c.acme_challenge = challenge;
        }
    };
    // The CA validates TLS-ALPN-01 on its `tlsPort`: the HTTPS listener must be there.
    let alpn = TestApp::spawn_with(Engine::Sqlite, |c| {
        acme_config("alpn.licensd.test", AcmeChallenge::TlsAlpn01)(c);
        c.listen = format!("127.0.0.1:{tls_alpn01}").parse().unwrap();
    })
    .await;
    // HTTP-01 on its `httpPort`: the redirect listener answers the challenge there.
    let http = TestApp::spawn_with(Engine::Sqlite, |c| {
        acme_config("http.licensd.test", AcmeChallenge::Http01)(c);
        c.http_redirect_listen = Some(format!("127.0.0.1:{http01}").parse().unwrap());
    })
    .await;

    // Pebble makes a new root every run; it hands it out on its management port.
    let management_client = https_client(&ca, "127.0.0.1", format!("127.0.0.1:{management}").parse().unwrap());
    let root = get_ok(&management_client, &format!("https://127.0.0.1:{management}/roots/0"), Duration::from_secs(5))
        .await
        .text()
        .await
        .unwrap();
    for (t, name) in [(&alpn, "alpn.licensd.test"), (&http, "http.licensd.test")] {
        let client = https_client(&root, name, t.addr);
        let ready = get_ok(&client, &format!("https://{name}:{}/readyz", t.addr.port()), Duration::from_secs(30)).await;
        assert_eq!(ready.headers()["strict-transport-security"], "max-age=31536000");
        // Stored right after it is deployed, for restarts and other processes on the data directory.
        let start = Instant::now();
        let stored = |prefix: &str| {
            std::fs::read_dir(t.data_dir.path().join("acme"))
                .unwrap()
                .any(|e| e.unwrap().file_name().to_string_lossy().starts_with(prefix))
        };
        while !(stored("cached_cert_") && stored("cached_account_")) {
            assert!(start.elapsed() < Duration::from_secs(10), "{name}: account or certificate not stored");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
    alpn.stop().await;
    http.stop().await;
}
