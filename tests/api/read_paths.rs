//! The hot read paths (client `check` and `var`, Licenses `validate`, reseller `licenseinfo`)
//! see what another process committed on its next request: on SQLite they read on the
//! calling thread with cached statements (`store::direct`), and nothing but the compiled
//! statements may outlive a request. Each switch is thrown through a second server process;
//! the in-process server must refuse at once, and a switch back must let the key through again.
//! (The other direction, checks in a second process racing a switch, is `revocation`'s.)

use crate::client_chat::SecondProcess;
use crate::engine_tests;
use crate::harness::{TestApp, split, without_signin_limits};
use crate::revocation::{World, reseller};
use licensd::domain::time::{iso_micros, now_ms};
use serde_json::{Value, json};

engine_tests!(config = without_signin_limits; a_switch_in_another_process_is_seen_by_the_next_read);

/// What each read path answers for the world's key: check, var, validate, licenseinfo.
async fn reads(t: &TestApp, w: &World<'_>) -> [bool; 4] {
    let check = w.c.call(Some(&w.session), "check", &[]).await.success();
    let var = w.c.call(Some(&w.session), "var", &[("varid", "motd")]).await;
    let var = var.success() && var.json["message"] == "hello";
    let body = json!({"license_key": w.key, "instance_id": w.instance_id});
    let res = t.http.post(t.url("/api/v2/licenses/validate")).bearer_auth(&w.store).json(&body).send().await.unwrap();
    let (status, answer) = split(res).await;
    let validate = status == 200 && answer["valid"] == true;
    let (_, info) = reseller(t, "licenseinfo", &w.reseller, &[("license", &w.key)]).await;
    let licenseinfo = info["ok"] == true && info["info"]["is_expired"] == false;
    [check, var, validate, licenseinfo]
}

/// Sends one admin or Licenses API change to the second process.
async fn on_second(t: &TestApp, port: u16, method: &str, path: &str, token: &str, body: Value) {
    let url = format!("http://127.0.0.1:{port}{path}");
    let req = match method {
        "POST" => t.http.post(url),
        _ => t.http.patch(url),
    };
    let (status, answer) = split(req.bearer_auth(token).json(&body).send().await.unwrap()).await;
    assert!((200..300).contains(&status), "{method} {path}: {status} {answer}");
}

async fn a_switch_in_another_process_is_seen_by_the_next_read(t: TestApp) {
    let second = SecondProcess::start(&t).await;
    let port = second.port;
    let w = World::new(&t, "direct").await;
    t.store().set_app_var(w.c.app.id, "motd", "hello", true).await.unwrap();
    // Warm the read connections and their cached statements first.
    for _ in 0..3 {
        assert_eq!(reads(&t, &w).await, [true; 4], "before any switch");
    }
    let lic = w.license_id;
    let (app, user) = (w.c.app.id, w.user_id);

    // The license switched off and on again through the second process's Licenses API.
    let key_path = format!("/api/v2/license-keys/{lic}");
    on_second(&t, port, "PATCH", &key_path, &w.store, json!({"active": false})).await;
    // (licenseinfo shows the expiry and the assignment, not the switch.)
    assert_eq!(reads(&t, &w).await, [false, false, false, true], "license switched off");
    on_second(&t, port, "PATCH", &key_path, &w.store, json!({"active": true})).await;
    assert_eq!(reads(&t, &w).await, [true; 4], "license switched on again");

    // The app paused and resumed through the second process's admin API.
    let app_path = format!("/admin/v1/apps/{app}");
    on_second(&t, port, "PATCH", &app_path, &w.admin, json!({"paused": true})).await;
    let paused = reads(&t, &w).await;
    assert!(!paused[0] && !paused[2], "app paused: check and validate refuse, got {paused:?}");
    on_second(&t, port, "PATCH", &app_path, &w.admin, json!({"paused": false})).await;
    assert_eq!(reads(&t, &w).await, [true; 4], "app resumed");

    // The user banned: the client API refuses, the key's other faces still serve it.
    let ban = format!("/admin/v1/apps/{app}/users/{user}/ban");
    on_second(&t, port, "POST", &ban, &w.admin, json!({"reason": "cheating"})).await;
    assert_eq!(reads(&t, &w).await, [false, false, true, true], "user banned");

    // The license expired, set so through the second process.
    let soon = iso_micros(now_ms() + 1_500);
    on_second(&t, port, "PATCH", &key_path, &w.store, json!({"expires_at": soon})).await;
    tokio::time::sleep(std::time::Duration::from_millis(1_700)).await;
    assert_eq!(reads(&t, &w).await, [false, false, false, false], "license expired");
}
