//! Admin API for client API data: variables, user variables, webhooks, files, chat, blacklist,
//! sessions and logs; tenant scope (foreign apps answer like missing ones); input checks; and
//! end to end, what the seller configures is what the client API serves.

use crate::client_support::ClientFixture;
use crate::engine_tests;
use crate::harness::{TestApp, split};
use base64::Engine;
use serde_json::{Value, json};

engine_tests!(
    seller_configures_what_clients_see,
    foreign_and_missing_apps_look_alike,
    inputs_are_checked,
    sessions_blacklist_and_logs,
    file_size_cap_and_raw_upload,
    cli_manages_client_data,
);

async fn delete(t: &TestApp, path: &str, token: &str) -> (u16, Value) {
    split(t.http.delete(t.url(path)).bearer_auth(token).send().await.unwrap()).await
}

/// The fixture's seller gets an admin token; returns it with the app's path prefix.
async fn admin(t: &TestApp, c: &ClientFixture<'_>) -> (String, String) {
    let token =
        t.store().create_token(licensd::store::tokens::TokenKind::Seller, Some(c.seller.id), "admin").await.unwrap().1;
    (token, format!("/admin/v1/apps/{}", c.app.id))
}

async fn seller_configures_what_clients_see(t: TestApp) {
    let c = ClientFixture::new(&t).await;
    let (tok, base) = admin(&t, &c).await;
    let post = |path: &str, body: Value| {
        let (t, tok, url) = (&t, tok.clone(), format!("{base}{path}"));
        async move { t.post_json(&url, &tok, &body).await }
    };
    let (st, b) = post("/vars", json!({"name": "motd", "value": "hi", "authed": false})).await;
    assert_eq!(st, 200, "{b}");
    assert_eq!(b["data"]["value"], "hi");
    post("/vars", json!({"name": "motd", "value": "hello"})).await;
    let (_, b) = t.get_json(&format!("{base}/vars"), &tok).await;
    assert_eq!(b["data"].as_array().unwrap().len(), 1);
    assert_eq!(b["data"][0]["authed"], true, "authed defaults to true");

    let s = c.init().await;
    c.call(Some(&s), "var", &[("varid", "motd")]).await.assert_fail("Session is not validated");
    let (v, uid) = c.user_session("alice").await;
    c.call(Some(&v), "var", &[("varid", "motd")]).await.assert_ok("hello");

    let (st, b) = post(&format!("/users/{uid}/vars"), json!({"name": "tier", "value": "gold", "readonly": true})).await;
    assert_eq!(st, 200, "{b}");
    c.call(Some(&v), "setvar", &[("var", "tier"), ("data", "x")]).await.assert_fail("Variable is read only");
    let (_, b) = t.get_json(&format!("{base}/users/{uid}/vars"), &tok).await;
    assert_eq!(b["data"][0]["value"], "gold");
    assert_eq!(delete(&t, &format!("{base}/users/{uid}/vars/tier"), &tok).await.0, 204);
    c.call(Some(&v), "getvar", &[("var", "tier")]).await.assert_fail("Variable not found for user");

    let data = base64::engine::general_purpose::STANDARD.encode([0u8, 1, 254, 255]);
    let (st, b) = post("/files", json!({"fileid": "f1", "name": "a.bin", "data": data})).await;
    assert_eq!(st, 201, "{b}");
    assert_eq!(b["data"]["size"], 4);
    let (_, b) = t.get_json(&format!("{base}/files"), &tok).await;
    assert_eq!(b["data"][0]["fileid"], "f1");
    assert!(b["data"][0].get("data").is_none(), "listings carry no contents");
    assert_eq!(c.call(Some(&v), "file", &[("fileid", "f1")]).await.json["contents"], "0001feff");

    let (st, b) = post("/webhooks", json!({"webid": "w", "url": "https://example.com/x?k=secret"})).await;
    assert_eq!(st, 201, "{b}");
    let (_, b) = t.get_json(&format!("{base}/webhooks"), &tok).await;
    assert_eq!(b["data"][0]["url"], "https://example.com/x?k=secret");
    assert_eq!(delete(&t, &format!("{base}/webhooks/w"), &tok).await.0, 204);
    c.call(Some(&v), "webhook", &[("webid", "w")]).await.assert_fail("Webhook Not Found.");

    let (st, b) = post("/chat/channels", json!({"name": "general", "delay_secs": 0})).await;
    assert_eq!(st, 201, "{b}");
    c.call(Some(&v), "chatsend", &[("channel", "general"), ("message", "hey")])
        .await
        .assert_ok("Successfully sent chat message");
    let (_, b) = t.get_json(&format!("{base}/chat/channels/general/messages"), &tok).await;
    assert_eq!(b["data"][0]["message"], "hey");
    let mid = b["data"][0]["id"].as_i64().unwrap();
    let (st, b) = post("/chat/mutes", json!({"username": "alice", "duration": "1h"})).await;
    assert_eq!(st, 200, "{b}");
    c.call(Some(&v), "chatsend", &[("channel", "general"), ("message", "x")])
        .await
        .assert_fail("You're muted from chat");
    assert_eq!(t.get_json(&format!("{base}/chat/mutes"), &tok).await.1["data"][0]["username"], "alice");
    assert_eq!(delete(&t, &format!("{base}/chat/mutes/alice"), &tok).await.0, 204);
    assert_eq!(delete(&t, &format!("{base}/chat/messages/{mid}"), &tok).await.0, 204);
    let a = c.call(Some(&v), "chatget", &[("channel", "general")]).await;
    assert_eq!(a.json["messages"], json!([]));
    assert_eq!(delete(&t, &format!("{base}/chat/channels/general"), &tok).await.0, 204);
    c.call(Some(&v), "chatget", &[("channel", "general")]).await.assert_fail("Chat channel not found");
    assert_eq!(delete(&t, &format!("{base}/vars/motd"), &tok).await.0, 204);
    assert_eq!(delete(&t, &format!("{base}/vars/motd"), &tok).await.0, 404);
}

async fn foreign_and_missing_apps_look_alike(t: TestApp) {
    let c = ClientFixture::new(&t).await;
    let other = ClientFixture::named(&t, "other", "OtherApp").await;
    let (tok, _) = admin(&t, &c).await;
    let foreign = other.app.id;
    for path in ["vars", "webhooks", "files", "chat/channels", "chat/mutes", "blacklist", "sessions", "logs"] {
        let (s1, b1) = t.get_json(&format!("/admin/v1/apps/{foreign}/{path}"), &tok).await;
        let (s2, b2) = t.get_json(&format!("/admin/v1/apps/999999/{path}"), &tok).await;
        assert_eq!(s1, 404, "{path}: {b1}");
        assert_eq!((s1, b1), (s2, b2), "{path}");
    }
    let (st, _) =
        t.post_json(&format!("/admin/v1/apps/{foreign}/vars"), &tok, &json!({"name": "a", "value": "b"})).await;
    assert_eq!(st, 404);
    // Naming another seller with a seller token is also "not found".
    let (st, _) = t.get_json(&format!("/admin/v1/apps/{foreign}/vars?seller_id={}", other.seller.id), &tok).await;
    assert_eq!(st, 404);
    // A user of another app is not found either.
    let (_, their_user) = other.user_session("bob").await;
    let (st, _) = t.get_json(&format!("/admin/v1/apps/{}/users/{their_user}/vars", c.app.id), &tok).await;
    assert_eq!(st, 404);

    // The operator must name the seller.
    let op = t.operator_token().await;
    let (st, b) = t.get_json(&format!("/admin/v1/apps/{foreign}/vars"), &op).await;
    assert_eq!(st, 422, "{b}");
    assert_eq!(b["error"]["field"], "seller_id");
    let (st, _) = t.get_json(&format!("/admin/v1/apps/{foreign}/vars?seller_id={}", other.seller.id), &op).await;
    assert_eq!(st, 200);
    let (st, _) = t.get_json(&format!("/admin/v1/apps/{foreign}/vars?seller_id={}", c.seller.id), &op).await;
    assert_eq!(st, 404);
    let (st, _) = t.get_json(&format!("/admin/v1/apps/{foreign}/vars"), "nope").await;
    assert_eq!(st, 401);
}

async fn inputs_are_checked(t: TestApp) {
    let c = ClientFixture::new(&t).await;
    let (tok, base) = admin(&t, &c).await;
    let cases = [
        ("/webhooks", json!({"webid": "w", "url": "ftp://example.com/"}), "url"),
        ("/webhooks", json!({"webid": "w", "url": "not a url"}), "url"),
        ("/webhooks", json!({"webid": "", "url": "https://example.com/"}), "webid"),
        ("/webhooks", json!({"webid": "w", "url": "https://e.com/", "user_agent": "a\u{e9}"}), "user_agent"),
        ("/vars", json!({"name": "n".repeat(101), "value": "v"}), "name"),
        ("/vars", json!({"name": "n", "value": "v".repeat(10_001)}), "value"),
        ("/files", json!({"fileid": "f", "name": "f", "data": "@@@"}), "data"),
        ("/chat/channels", json!({"name": "c", "delay_secs": -1}), "delay_secs"),
        ("/chat/channels", json!({"name": "c", "delay_secs": 86_401}), "delay_secs"),
        ("/chat/mutes", json!({"username": "u", "duration": "soon"}), "duration"),
        ("/chat/mutes", json!({"username": "u", "until": 1}), "until"),
        ("/blacklist", json!({"kind": "mac", "value": "x"}), "kind"),
        ("/blacklist", json!({"kind": "ip", "value": "not-an-ip"}), "value"),
    ];
    for (path, body, field) in cases {
        let (st, b) = t.post_json(&format!("{base}{path}"), &tok, &body).await;
        assert_eq!(st, 422, "{path} {body}: {b}");
        assert_eq!(b["error"]["field"], field, "{path} {body}: {b}");
    }
    let (st, b) = t.post_json(&format!("{base}/vars"), &tok, &json!({"name": "x", "value": "y", "extra": 1})).await;
    assert_eq!(st / 100, 4, "{b}");
    assert!(b["error"]["message"].is_string());
    let ok = json!({"webid": "w", "url": "http://example.com/"});
    assert_eq!(t.post_json(&format!("{base}/webhooks"), &tok, &ok).await.0, 201);
    let (st, b) = t.post_json(&format!("{base}/webhooks"), &tok, &ok).await;
    assert_eq!(st, 409, "{b}");
    assert_eq!(b["error"]["field"], "webid");
    let (st, _) = t.get_json(&format!("{base}/logs?limit=0"), &tok).await;
    assert_eq!(st, 422);
}

async fn sessions_blacklist_and_logs(t: TestApp) {
    let c = ClientFixture::new(&t).await;
    let (tok, base) = admin(&t, &c).await;
    let anon = c.init().await;
    let (v1, uid) = c.user_session("alice").await;
    let v2 = c.init().await;
    t.store().validate_session(c.app.id, &v2, uid).await.unwrap();
    let (_, b) = t.get_json(&format!("{base}/sessions"), &tok).await;
    let list = b["data"].as_array().unwrap();
    assert_eq!(list.len(), 3);
    assert_eq!(list.iter().filter(|s| s["username"] == "alice").count(), 2);

    assert_eq!(delete(&t, &format!("{base}/sessions/{anon}"), &tok).await.0, 204);
    assert_eq!(delete(&t, &format!("{base}/sessions/{anon}"), &tok).await.0, 404);
    let (st, b) = delete(&t, &format!("{base}/users/{uid}/sessions"), &tok).await;
    assert_eq!((st, &b["data"]["ended"]), (200, &json!(2)), "{b}");
    let gone = "Session not found. If you get this frequently, ask the developer to use the latest example code";
    c.call(Some(&v1), "log", &[("message", "x")]).await.assert_fail(gone);
    let (_, b) = t.get_json(&format!("{base}/sessions"), &tok).await;
    assert_eq!(b["data"], json!([]));

    let (st, b) =
        t.post_json(&format!("{base}/blacklist"), &tok, &json!({"kind": "hwid", "value": "H-1", "reason": "r"})).await;
    assert_eq!(st, 201, "{b}");
    let id = b["data"]["id"].as_i64().unwrap();
    t.post_json(&format!("{base}/blacklist"), &tok, &json!({"kind": "ip", "value": "203.0.113.9"})).await;
    let (st, _) = t.post_json(&format!("{base}/blacklist"), &tok, &json!({"kind": "hwid", "value": "H-1"})).await;
    assert_eq!(st, 409);
    let (_, b) = t.get_json(&format!("{base}/blacklist?limit=1&page=2"), &tok).await;
    assert_eq!(b["data"][0]["value"], "203.0.113.9");
    assert_eq!(delete(&t, &format!("{base}/blacklist/{id}"), &tok).await.0, 204);
    assert_eq!(t.get_json(&format!("{base}/blacklist"), &tok).await.1["data"].as_array().unwrap().len(), 1);

    let s = c.init().await;
    for i in 0..3 {
        c.call(Some(&s), "log", &[("message", &format!("line {i}")), ("pcuser", "me")]).await;
    }
    let (_, b) = t.get_json(&format!("{base}/logs?limit=2"), &tok).await;
    let logs = b["data"].as_array().unwrap();
    assert_eq!(logs.len(), 2);
    assert_eq!(logs[0]["message"], "line 2");
    assert_eq!(logs[0]["pcuser"], "me");
}

async fn file_size_cap_and_raw_upload(t: TestApp) {
    let engine = t.engine;
    drop(t);
    let t = TestApp::spawn_with(engine, |c| c.max_file_bytes = 1000).await;
    let c = ClientFixture::new(&t).await;
    let (tok, base) = admin(&t, &c).await;
    let put = |id: &str, body: Vec<u8>| {
        let req =
            t.http.put(t.url(&format!("{base}/files/{id}?name=tool.bin&authed=false"))).bearer_auth(&tok).body(body);
        async move { split(req.send().await.unwrap()).await }
    };
    let bytes: Vec<u8> = (0..1000u32).map(|i| (i * 7) as u8).collect();
    let (st, b) = put("raw", bytes.clone()).await;
    assert_eq!(st, 201, "{b}");
    assert_eq!(b["data"]["name"], "tool.bin");
    let s = c.init().await;
    let a = c.call(Some(&s), "file", &[("fileid", "raw")]).await;
    assert_eq!(hex::decode(a.json["contents"].as_str().unwrap()).unwrap(), bytes);

    let (st, b) = put("big", vec![1u8; 1001]).await;
    assert_eq!(st, 422, "{b}");
    assert_eq!(b["error"]["field"], "data");
    let data = base64::engine::general_purpose::STANDARD.encode(vec![1u8; 1001]);
    let (st, _) = t.post_json(&format!("{base}/files"), &tok, &json!({"fileid": "b", "name": "b", "data": data})).await;
    assert_eq!(st, 422);
    assert_eq!(delete(&t, &format!("{base}/files/raw"), &tok).await.0, 204);
    c.call(Some(&s), "file", &[("fileid", "raw")]).await.assert_fail("File not Found");
}

/// Runs `licensd --json client --seller acme --app MyApp <args>` on the test database.
pub(crate) fn cli(t: &TestApp, args: &[&str]) -> Value {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_licensd"))
        .arg("--data-dir")
        .arg(t.data_dir.path())
        .args(["--database-url", &t.database_url, "--json", "client", "--seller", "acme", "--app", "MyApp"])
        .args(args)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{args:?}: {stdout}{}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("{args:?}: not JSON ({e}): {stdout}"))
}

async fn cli_manages_client_data(t: TestApp) {
    let c = ClientFixture::new(&t).await;
    let path = t.data_dir.path().join("payload.bin");
    std::fs::write(&path, [0xde, 0xad, 0xbe, 0xef]).unwrap();
    assert_eq!(cli(&t, &["var", "set", "motd", "hello", "--public"])["value"], "hello");
    assert_eq!(cli(&t, &["file", "upload", "f1", path.to_str().unwrap(), "--public"])["size"], 4);
    assert_eq!(cli(&t, &["webhook", "create", "w", "https://example.com/h"])["authed"], true);
    assert_eq!(cli(&t, &["chat", "create", "general", "--delay", "5"])["delay_secs"], 5);
    assert_eq!(cli(&t, &["blacklist", "add", "ip", "203.0.113.5", "--reason", "abuse"])["kind"], "ip");
    let (v, _) = c.user_session("alice").await;
    assert_eq!(cli(&t, &["user-var", "set", "alice", "tier", "gold", "--readonly"])["readonly"], true);
    assert_eq!(cli(&t, &["chat", "mute", "alice", "1h"])["username"], "alice");
    assert_eq!(cli(&t, &["session", "list"])["data"].as_array().unwrap().len(), 1);
    assert_eq!(cli(&t, &["webhook", "list"])["data"][0]["url"], "https://example.com/h");

    let s = c.init().await;
    c.call(Some(&s), "var", &[("varid", "motd")]).await.assert_ok("hello");
    assert_eq!(c.call(Some(&s), "file", &[("fileid", "f1")]).await.json["contents"], "deadbeef");
    c.call(Some(&v), "chatsend", &[("channel", "general"), ("message", "x")])
        .await
        .assert_fail("You're muted from chat");
    assert_eq!(c.call(Some(&v), "getvar", &[("var", "tier")]).await.json["response"], "gold");

    assert_eq!(cli(&t, &["session", "kill-user", "alice"])["ended"], 1);
    cli(&t, &["var", "delete", "motd"]);
    c.call(Some(&s), "var", &[("varid", "motd")]).await.assert_fail("Variable not found.");
    // Errors are reported, not panicked on.
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_licensd"))
        .arg("--data-dir")
        .arg(t.data_dir.path())
        .args(["--database-url", &t.database_url, "client", "--seller", "acme", "--app", "MyApp"])
        .args(["webhook", "create", "x", "ftp://example.com/"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("url"), "{}", String::from_utf8_lossy(&out.stderr));
}
