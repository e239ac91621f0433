//! Licenses API v2 under concurrency: the activation limit and the instance counter hold with
//! many simultaneous requests, on both engines and across two server processes.

use crate::engine_tests;
use crate::harness::{Engine, TestApp, split};
use crate::licenses::{KeySpec, activate, burst, key, limited, patch, shop};
use licensd::domain::ids::LicenseId;
use serde_json::{Value, json};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

engine_tests!(
    fifty_activations_against_limit_four,
    one_instance_deactivated_once,
    lowering_the_limit_during_activations
);

/// The number of instances the API lists for a key.
async fn listed_instances(app: &TestApp, token: &str, key_id: i64) -> i64 {
    let (status, body) = app.get_json(&format!("/api/v2/license-keys/{key_id}/instances"), token).await;
    assert_eq!(status, 200, "{body}");
    body["meta"]["total"].as_i64().unwrap()
}

fn activations(n: usize, key: &str) -> Vec<Value> {
    (0..n).map(|i| json!({"license_key": key, "instance_name": format!("device-{i}")})).collect()
}

async fn fifty_activations_against_limit_four(app: TestApp) {
    let s = shop(&app, "acme").await;
    let k = key(&app, &s, limited(4)).await;
    let answers = burst(&app, &s.token, "/api/v2/licenses/activate", None, activations(50, &k.key)).await;
    let ok = answers.iter().filter(|(status, _)| *status == 200).count();
    let full = answers
        .iter()
        .filter(|(status, body)| {
            *status == 422 && body["message"] == "This license key has reached its activation limit."
        })
        .count();
    assert_eq!((ok, full), (4, 46), "{answers:?}");
    assert_eq!(listed_instances(&app, &s.token, k.id).await, 4);
    assert_eq!(app.store().license(s.seller_id, LicenseId(k.id)).await.unwrap().activations, 4);
}

async fn one_instance_deactivated_once(app: TestApp) {
    let s = shop(&app, "acme").await;
    let k = key(&app, &s, limited(3)).await;
    let (_, first) = activate(&app, &s.token, &k.key, "keep").await;
    let (_, gone) = activate(&app, &s.token, &k.key, "remove").await;
    let body = json!({"license_key": k.key, "instance_id": gone["id"]});
    let answers = burst(&app, &s.token, "/api/v2/licenses/deactivate", None, vec![body; 20]).await;
    assert_eq!(answers.iter().filter(|(status, _)| *status == 200).count(), 1, "{answers:?}");
    assert!(answers.iter().all(|(status, _)| *status == 200 || *status == 422), "{answers:?}");
    let l = app.store().license(s.seller_id, LicenseId(k.id)).await.unwrap();
    assert_eq!(l.activations, 1, "the counter dropped once");
    assert_eq!(listed_instances(&app, &s.token, k.id).await, 1);
    let (status, _) = app
        .post_json("/api/v2/licenses/validate", &s.token, &json!({"license_key": k.key, "instance_id": first["id"]}))
        .await;
    assert_eq!(status, 200);
}

/// Activations racing a PATCH that lowers the limit: the counter always equals the instances and
/// never exceeds the final limit.
async fn lowering_the_limit_during_activations(app: TestApp) {
    let s = shop(&app, "acme").await;
    let k = key(&app, &s, KeySpec { limit: Some(30), ..KeySpec::default() }).await;
    let racing = burst(&app, &s.token, "/api/v2/licenses/activate", None, activations(40, &k.key));
    let lowering = async {
        tokio::time::sleep(Duration::from_millis(5)).await;
        patch(&app, &s.token, k.id, &json!({"limit": 3})).await
    };
    let (answers, (status, body)) = tokio::join!(racing, lowering);
    assert_eq!(status, 200, "{body}");
    assert!(answers.iter().all(|(status, _)| *status == 200 || *status == 422), "{answers:?}");
    let l = app.store().license(s.seller_id, LicenseId(k.id)).await.unwrap();
    let listed = listed_instances(&app, &s.token, k.id).await;
    assert_eq!(l.activations, listed);
    assert!(listed <= 3, "{listed}");
    assert_eq!(l.max_activations, Some(3));
}

struct Proc(Child);

impl Drop for Proc {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// Two `licensd` processes on one fresh PostgreSQL database, activations split between them:
/// exactly `limit` instances, whatever process served which request.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_processes_hold_the_activation_limit() {
    // The in-process app creates the database, its schema and the fixtures.
    let app = TestApp::spawn(Engine::Postgres).await;
    let s = shop(&app, "acme").await;
    let limit = 5;
    let k = key(&app, &s, limited(limit)).await;
    // The deployment's data directory: the same signing key as the in-process server.
    let data = app.data_dir.path().to_str().unwrap();
    let ports = [free_port(), free_port()];
    let _procs: Vec<Proc> = ports
        .iter()
        .map(|port| {
            let child = Command::new(env!("CARGO_BIN_EXE_licensd"))
                .args(["--database-url", &app.database_url, "--data-dir", data, "serve"])
                .args(["--listen", &format!("127.0.0.1:{port}")])
                .env_remove("RUST_LOG")
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .expect("spawn licensd");
            Proc(child)
        })
        .collect();
    let http = reqwest::Client::new();
    for port in ports {
        let ready = async {
            loop {
                if let Ok(r) = http.get(format!("http://127.0.0.1:{port}/readyz")).send().await
                    && r.status() == 200
                {
                    return;
                }
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
        };
        tokio::time::timeout(Duration::from_secs(20), ready).await.expect("licensd never became ready");
    }

    let mut tasks = tokio::task::JoinSet::new();
    for i in 0..60 {
        let url = format!("http://127.0.0.1:{}/api/v2/licenses/activate", ports[i % 2]);
        let req =
            http.post(url).bearer_auth(&s.token).json(&json!({"license_key": k.key, "instance_name": format!("d{i}")}));
        tasks.spawn(async move { split(req.send().await.unwrap()).await });
    }
    let answers = tasks.join_all().await;
    let ok = answers.iter().filter(|(status, _)| *status == 200).count();
    assert_eq!(ok as i64, limit, "{answers:?}");
    assert!(answers.iter().all(|(status, _)| *status == 200 || *status == 422), "{answers:?}");
    assert_eq!(listed_instances(&app, &s.token, k.id).await, limit);
    assert_eq!(app.store().license(s.seller_id, LicenseId(k.id)).await.unwrap().activations, limit);
}
