//! Offline license files (docs/offline-licenses.md): checked out from the real server through
//! the admin API, the Licenses API and the CLI, verified offline by the SDK
//! (`licensd_client::offline`) and by the documented Python (PyNaCl) example
//! (tests/py/verify_offline.py) as an independent implementation; refused for licenses that
//! may not be used; key rotation.

use crate::adminkit::call;
use crate::client_support::ClientFixture;
use crate::engine_tests;
use crate::harness::TestApp;
use crate::licenses::{KeySpec, Shop, activate, key, patch, shop};
use licensd::domain::offline::decode;
use licensd::store::tokens::TokenKind;
use licensd_client::offline::{MachineKind, OfflineError, OfflineVerifier};
use serde_json::{Value, json};
use std::process::Command;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

engine_tests!(
    admin_checkout_verifies_offline,
    every_altered_field_is_refused,
    unusable_licenses_get_no_file,
    licenses_api_checkout_binds_the_instance,
    client_api_checkout_for_the_signed_in_user
);

const DAY_MS: i64 = 86_400_000;

fn now_ms() -> i64 {
    licensd::domain::time::now_ms()
}

fn at_ms(ms: i64) -> SystemTime {
    UNIX_EPOCH + Duration::from_millis(ms as u64)
}

/// A shop with a seller (admin) token and a key expiring in 30 days.
async fn fixture(app: &TestApp) -> (Shop, String, i64, String) {
    let s = shop(app, "acme").await;
    let admin = app.store().create_token(TokenKind::Seller, Some(s.seller_id), "admin").await.unwrap().1;
    let k = key(app, &s, KeySpec { expires_at: Some(now_ms() + 30 * DAY_MS), ..KeySpec::default() }).await;
    (s, admin, k.id, k.key)
}

async fn checkout(app: &TestApp, token: &str, id: i64, body: Value) -> (u16, Value) {
    call(app, "POST", &format!("/admin/v1/licenses/{id}/offline"), token, Some(body)).await
}

fn verifier(app: &TestApp, s: &Shop) -> OfflineVerifier {
    OfflineVerifier::new(app.state.signer.public_hex(), &s.ownerid, "app").unwrap()
}

async fn admin_checkout_verifies_offline(app: TestApp) {
    let (s, admin, id, key_text) = fixture(&app).await;
    let body = json!({"hwid": "HWID-A", "ttl_secs": 3600, "entitlements": ["export", "cloud"]});
    let (status, out) = checkout(&app, &admin, id, body).await;
    assert_eq!(status, 200, "{out}");
    let file = out["data"]["file"].as_str().unwrap().to_owned();
    assert!(file.starts_with("-----BEGIN LICENSD LICENSE FILE-----\n"), "{file}");
    assert_eq!(out["data"]["public_key"], app.state.signer.public_hex());
    let issued = out["data"]["issued_at"].as_i64().unwrap();
    assert_eq!(out["data"]["refresh_by"].as_i64().unwrap(), issued + 3_600_000);

    let v = verifier(&app, &s);
    let lic = v.verify(&file, Some("HWID-A"), SystemTime::now()).unwrap();
    assert_eq!((lic.key.as_str(), lic.license_id, lic.app.as_str()), (key_text.as_str(), id, "app"));
    assert_eq!((lic.plan.as_str(), lic.level), ("lifetime", 1));
    assert_eq!(lic.entitlements, ["cloud", "export"]);
    assert_eq!(lic.machine.as_ref().map(|m| (m.kind, m.id.as_str())), Some((MachineKind::Hwid, "HWID-A")));
    assert_eq!(v.verify(&file, Some("HWID-B"), SystemTime::now()), Err(OfflineError::WrongMachine));
    assert!(matches!(
        v.verify(&file, Some("HWID-A"), at_ms(issued + 2 * 3_600_000)),
        Err(OfflineError::RefreshDue { .. })
    ));
    assert!(matches!(v.verify(&file, Some("HWID-A"), at_ms(issued + 31 * DAY_MS)), Err(OfflineError::Expired { .. })));
    let stranger = OfflineVerifier::new(&"ab".repeat(32), &s.ownerid, "app");
    assert!(matches!(stranger, Err(OfflineError::InvalidPublicKey(_))), "not a curve point");
    let other_key = licensd::signing::Signer::from_seed([9; 32]);
    let wrong = OfflineVerifier::new(other_key.public_hex(), &s.ownerid, "app").unwrap();
    assert!(matches!(wrong.verify(&file, Some("HWID-A"), SystemTime::now()), Err(OfflineError::UnknownKey(_))));
    let other_app = OfflineVerifier::new(app.state.signer.public_hex(), &s.ownerid, "other").unwrap();
    assert!(matches!(other_app.verify(&file, Some("HWID-A"), SystemTime::now()), Err(OfflineError::WrongApp { .. })));

    // The independent implementation agrees, and refuses the wrong machine too.
    assert_eq!(python_verify(&app, &s, &file, "HWID-A"), "valid");
    assert!(python_verify(&app, &s, &file, "HWID-B").starts_with("refused: wrong machine"));

    let (_, audit) = call(&app, "GET", "/admin/v1/audit", &admin, None).await;
    let actions: Vec<&str> = audit["data"].as_array().unwrap().iter().filter_map(|e| e["action"].as_str()).collect();
    assert!(actions.contains(&"license.checkout"), "{audit}");
}

/// Each payload field changed, and the signature kept: every one is refused as a bad signature,
/// also when the change keeps the file otherwise well-formed.
async fn every_altered_field_is_refused(app: TestApp) {
    let (s, admin, id, _) = fixture(&app).await;
    let (status, out) = checkout(&app, &admin, id, json!({"hwid": "HWID-A", "entitlements": ["x"]})).await;
    assert_eq!(status, 200, "{out}");
    let file = out["data"]["file"].as_str().unwrap();
    let original = decode(file).unwrap();
    let v = verifier(&app, &s);
    let fields: Value = serde_json::from_slice(&original.payload_bytes).unwrap();
    let changes = [
        ("app", json!({"id": 999, "name": "app"})),
        ("entitlements", json!(["x", "y"])),
        ("expires_at", Value::Null),
        ("issued_at", json!(fields["issued_at"].as_i64().unwrap() + 1)),
        ("license", json!({"id": id, "key": "OTHER-KEY"})),
        ("machine", Value::Null),
        ("ownerid", json!("0123456789")),
        ("plan", json!({"level": 9, "name": "lifetime"})),
        ("refresh_by", json!(fields["refresh_by"].as_i64().unwrap() + 86_400)),
        ("ttl", json!(99_999_999)),
        ("v", json!(1.0)),
    ];
    assert_eq!(changes.len(), fields.as_object().unwrap().len(), "every field is tried");
    for (name, value) in changes {
        let mut altered = fields.clone();
        altered[name] = value;
        let mut tampered = original.clone();
        tampered.payload_bytes = serde_json::to_vec(&altered).unwrap();
        let got = v.verify(&tampered.encode(), Some("HWID-A"), SystemTime::now());
        assert_eq!(got, Err(OfflineError::BadSignature), "altered {name}");
    }
    let mut flipped = original.clone();
    flipped.signature[7] ^= 1;
    assert_eq!(v.verify(&flipped.encode(), Some("HWID-A"), SystemTime::now()), Err(OfflineError::BadSignature));
    let cut = &file[..file.len() / 2];
    assert!(matches!(v.verify(cut, Some("HWID-A"), SystemTime::now()), Err(OfflineError::Malformed(_))));
    assert!(python_verify(&app, &s, &flipped.encode(), "HWID-A").starts_with("refused: bad signature"));
}

async fn unusable_licenses_get_no_file(app: TestApp) {
    let (s, admin, id, _) = fixture(&app).await;
    let refused = |(status, out): (u16, Value), says: &str| {
        assert_eq!(status, 409, "{out}");
        assert!(out.to_string().contains(says), "{says:?} in {out}");
    };
    let (status, out) =
        call(&app, "POST", &format!("/admin/v1/licenses/{id}/ban"), &admin, Some(json!({"reason": "chargeback"})))
            .await;
    assert_eq!(status, 200, "{out}");
    refused(checkout(&app, &admin, id, json!({})).await, "banned");
    call(&app, "POST", &format!("/admin/v1/licenses/{id}/unban"), &admin, None).await;
    assert_eq!(checkout(&app, &admin, id, json!({})).await.0, 200);

    assert_eq!(patch(&app, &s.token, id, &json!({"active": false})).await.0, 200);
    refused(checkout(&app, &admin, id, json!({})).await, "switched off");
    assert_eq!(patch(&app, &s.token, id, &json!({"active": true})).await.0, 200);

    let expired = key(&app, &s, KeySpec { expires_at: Some(now_ms() - 1000), ..KeySpec::default() }).await;
    refused(checkout(&app, &admin, expired.id, json!({})).await, "expired");
    let unstarted = key(&app, &s, KeySpec { duration_secs: Some(86_400), ..KeySpec::default() }).await;
    refused(checkout(&app, &admin, unstarted.id, json!({})).await, "not started");

    let (status, out) =
        call(&app, "PATCH", &format!("/admin/v1/apps/{}", s.app_id), &admin, Some(json!({"enabled": false}))).await;
    assert_eq!(status, 200, "{out}");
    refused(checkout(&app, &admin, id, json!({})).await, "disabled");
    call(&app, "PATCH", &format!("/admin/v1/apps/{}", s.app_id), &admin, Some(json!({"enabled": true}))).await;

    // Bad requests are field-named 4xx; another seller's license is a 404.
    let bad = [
        json!({"ttl_secs": 59}),
        json!({"ttl_secs": 8 * 86_400}),
        json!({"hwid": "a", "instance_id": "b"}),
        json!({"entitlements": ["a b"]}),
        json!({"nope": 1}),
    ];
    for body in bad {
        let (status, out) = checkout(&app, &admin, id, body.clone()).await;
        assert!(status == 422 || status == 400, "{body}: {status} {out}");
    }
    assert_eq!(checkout(&app, &admin, id, json!({"instance_id": "00000000-0000-4000-8000-000000000000"})).await.0, 404);
    let other = shop(&app, "other").await;
    let foreign = key(&app, &other, KeySpec::default()).await;
    assert_eq!(checkout(&app, &admin, foreign.id, json!({})).await.0, 404);
}

async fn licenses_api_checkout_binds_the_instance(app: TestApp) {
    let (s, _, id, key_text) = fixture(&app).await;
    let (status, act) = activate(&app, &s.token, &key_text, "laptop").await;
    assert_eq!(status, 200, "{act}");
    let instance = act["id"].as_str().unwrap().to_owned();
    let body = json!({"license_key": key_text, "instance_id": instance});
    let (status, out) = app.post_json("/api/v2/licenses/offline", &s.token, &body).await;
    assert_eq!(status, 200, "{out}");
    assert!(out["data"]["refresh_by"].as_str().unwrap().ends_with('Z'), "{out}");
    let file = out["data"]["file"].as_str().unwrap();
    let v = verifier(&app, &s);
    let lic = v.verify(file, Some(&instance), SystemTime::now()).unwrap();
    assert_eq!(lic.machine.unwrap().kind, MachineKind::Instance);
    assert_eq!(v.verify(file, Some("another-instance"), SystemTime::now()), Err(OfflineError::WrongMachine));

    let unknown = json!({"license_key": key_text, "instance_id": "00000000-0000-4000-8000-000000000000"});
    let (status, out) = app.post_json("/api/v2/licenses/offline", &s.token, &unknown).await;
    assert!(status == 404 || status == 422, "{status} {out}");
    assert_eq!(app.post_json("/api/v2/licenses/offline", &s.token, &json!({})).await.0, 422);
    assert_eq!(patch(&app, &s.token, id, &json!({"active": false})).await.0, 200);
    let (status, out) = app.post_json("/api/v2/licenses/offline", &s.token, &body).await;
    assert_eq!(status, 422, "{out}");
    assert!(out["message"].is_string(), "{out}");
}

/// `type=offline` for a session signed in with a key: the file holds that key, bound to the
/// HWID the user signed in with; a banned key gets no file.
async fn client_api_checkout_for_the_signed_in_user(t: TestApp) {
    let mut c = ClientFixture::new(&t).await;
    c.update(|a| a.hwid_lock = true).await;
    let plan = c.plan("gold", 3, None).await;
    c.license(&plan, "CLIENT-KEY-1", Some(30 * 86_400)).await;
    let s = c.init().await;
    c.call(Some(&s), "offline", &[]).await.assert_fail("Session is not validated");
    c.call(Some(&s), "license", &[("key", "CLIENT-KEY-1"), ("hwid", "HW-1")]).await.assert_ok("Logged in!");
    let ok = c.call(Some(&s), "offline", &[]).await;
    ok.assert_ok("Offline license file issued");
    let file = ok.json["file"].as_str().unwrap();
    let v = OfflineVerifier::new(t.state.signer.public_hex(), &c.seller.ownerid, "MyApp").unwrap();
    let lic = v.verify(file, Some("HW-1"), SystemTime::now()).unwrap();
    assert_eq!((lic.key.as_str(), lic.plan.as_str(), lic.level), ("CLIENT-KEY-1", "gold", 3));
    assert!(lic.expires_at.is_some(), "the redeemed key's term started");
    let refresh_by: u64 = ok.json["refresh_by"].as_str().unwrap().parse().unwrap();
    assert_eq!(UNIX_EPOCH + Duration::from_secs(refresh_by), lic.refresh_by);
    c.call(Some(&s), "offline", &[("hwid", "HW-2")]).await.assert_fail("HWID doesn't match. Ask for a HWID reset");
    c.call(Some(&s), "offline", &[("key", "NOT-MINE")]).await.assert_fail("Invalid license key");
    let id = t.store().license_by_key(c.seller.id, "CLIENT-KEY-1").await.unwrap().id;
    t.store().set_license_ban(c.seller.id, id, Some("chargeback")).await.unwrap();
    assert!(!c.call(Some(&s), "offline", &[]).await.success(), "a banned key gets no file");
}

/// Runs the documented Python verifier on `file`: `valid` or `refused: <why>`.
fn python_verify(app: &TestApp, s: &Shop, file: &str, machine: &str) -> String {
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/py/verify_offline.py");
    let python = std::env::var("TEST_PYTHON").unwrap_or_else(|_| "python3".into());
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("license.lic");
    std::fs::write(&path, file).unwrap();
    let out = Command::new(python)
        .arg(script)
        .args([path.to_str().unwrap(), app.state.signer.public_hex(), &s.ownerid, "app", machine])
        .output()
        .expect("run python");
    let text = String::from_utf8_lossy(&out.stdout).trim().to_owned();
    assert!(!text.is_empty(), "python said nothing: {}", String::from_utf8_lossy(&out.stderr));
    text
}

/// `licensd license checkout` and `licensd key rotate`, as the operator runs them: a file
/// signed before the rotation still verifies with the old key kept as retired, until its TTL;
/// a file signed after it verifies with the new key.
#[test]
fn cli_checkout_and_key_rotation() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().to_str().unwrap();
    let run = |args: &[&str]| -> Value {
        let out = Command::new(env!("CARGO_BIN_EXE_licensd"))
            .args(["--data-dir", data, "--json"])
            .args(args)
            .env_remove("RUST_LOG")
            .output()
            .unwrap();
        assert!(out.status.success(), "licensd {args:?}: {}", String::from_utf8_lossy(&out.stderr));
        serde_json::from_slice(&out.stdout).unwrap()
    };
    let seller = run(&["--create", "seller", "create", "acme"]);
    let ownerid = seller["data"]["ownerid"].as_str().unwrap().to_owned();
    run(&["app", "create", "--seller", "acme", "MyApp"]);
    run(&["plan", "create", "--seller", "acme", "--app", "MyApp", "--name", "pro", "--level", "2"]);
    let g =
        run(&["license", "generate", "--seller", "acme", "--app", "MyApp", "--plan", "pro", "--expires", "2099-01-01"]);
    let key_text = g["data"]["keys"][0].as_str().unwrap().to_owned();
    let old_key = run(&["pubkey"])["public_key"].as_str().unwrap().to_owned();
    let out_path = dir.path().join("before.lic");
    let before = run(&[
        "license",
        "checkout",
        "--seller",
        "acme",
        &key_text,
        "--hwid",
        "HW",
        "--ttl",
        "2d",
        "-o",
        out_path.to_str().unwrap(),
    ]);
    let before_file = std::fs::read_to_string(&out_path).unwrap();
    assert_eq!(before["data"]["file"].as_str().unwrap(), before_file);

    let rotated = run(&["key", "rotate"]);
    assert_eq!(rotated["old_public_key"], old_key.as_str());
    let new_key = rotated["public_key"].as_str().unwrap().to_owned();
    let retired_at = at_ms(rotated["retired_at"].as_i64().unwrap());
    let after = run(&["license", "checkout", "--seller", "acme", &key_text, "--hwid", "HW"]);
    let after_file = after["data"]["file"].as_str().unwrap();
    assert_eq!(after["data"]["public_key"], new_key.as_str());

    let now = SystemTime::now();
    let new_only = OfflineVerifier::new(&new_key, &ownerid, "MyApp").unwrap();
    assert!(matches!(new_only.verify(&before_file, Some("HW"), now), Err(OfflineError::UnknownKey(_))));
    assert!(new_only.verify(after_file, Some("HW"), now).is_ok());
    let ring = new_only.with_retired_key(&old_key, retired_at).unwrap();
    assert_eq!(ring.verify(&before_file, Some("HW"), now).unwrap().signed_by, old_key);
    assert_eq!(ring.verify(after_file, Some("HW"), now).unwrap().signed_by, new_key);
    // Until its TTL: then the app refreshes online and gets a file of the new key.
    let past_ttl = now + Duration::from_secs(3 * 86_400);
    assert!(matches!(ring.verify(&before_file, Some("HW"), past_ttl), Err(OfflineError::RefreshDue { .. })));
    // A file the old key signed after its retirement is refused.
    let issued = decode(&before_file).unwrap().payload.issued_at;
    let early = OfflineVerifier::new(&new_key, &ownerid, "MyApp")
        .unwrap()
        .with_retired_key(&old_key, UNIX_EPOCH + Duration::from_secs(issued as u64 - 1))
        .unwrap();
    assert_eq!(early.verify(&before_file, Some("HW"), now), Err(OfflineError::RetiredKey));
}
