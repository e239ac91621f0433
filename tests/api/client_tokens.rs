//! KeyAuth's token system: with an app's `token_system` on, `init` asks for a client token and
//! its file hash, refuses unknown, banned and re-hashed tokens in KeyAuth's words, and locks the
//! hash at the token's first `init` (once, under a race). Tokens are made, banned, reset and
//! deleted through the admin API and the CLI, stored only as digests, and one app's token does
//! not open another app.

use crate::admin_client_data::cli;
use crate::client_support::{Answer, ClientFixture};
use crate::engine_tests;
use crate::harness::{TestApp, split};
use crate::keyauth_import::{finished, upload};
use licensd::store::tokens::TokenKind;
use serde_json::{Value, json};

engine_tests!(
    init_checks_tokens_in_keyauths_words,
    tokens_are_managed_through_the_admin_api_and_the_cli,
    racing_first_inits_lock_one_hash,
    keyauth_tokens_import_and_keep_working,
);

const BANNED: &str = "The Token Has Been Blacklisted For The Following Reason: chargeback Contact Application Developer If This Is A Mistake";

async fn seller_token(t: &TestApp, c: &ClientFixture<'_>) -> String {
    t.store().create_token(TokenKind::Seller, Some(c.seller.id), "admin").await.unwrap().1
}

async fn patch_app(t: &TestApp, token: &str, app_id: i64, body: Value) -> (u16, Value) {
    let url = t.url(&format!("/admin/v1/apps/{app_id}"));
    split(t.http.patch(url).bearer_auth(token).json(&body).send().await.unwrap()).await
}

/// A new token of the fixture's app, made through the admin API: (token, id).
async fn new_token(t: &TestApp, token: &str, c: &ClientFixture<'_>, assigned: &str) -> (String, i64) {
    let path = format!("/admin/v1/apps/{}/client-tokens", c.app.id);
    let (status, made) = t.post_json(&path, token, &json!({ "kind": "license", "assigned": assigned })).await;
    assert_eq!(status, 201, "{made}");
    (made["data"]["token"].as_str().unwrap().to_owned(), made["data"]["id"].as_i64().unwrap())
}

async fn init_with(c: &ClientFixture<'_>, fields: &[(&str, &str)]) -> Answer {
    c.call(None, "init", fields).await
}

async fn init_checks_tokens_in_keyauths_words(t: TestApp) {
    let c = ClientFixture::new(&t).await;
    let admin = seller_token(&t, &c).await;
    // Off (the default): init needs no token, as before.
    c.init().await;
    let (status, app) = patch_app(&t, &admin, c.app.id.get(), json!({ "token_system": true })).await;
    assert_eq!((status, &app["data"]["token_system"]), (200, &json!(true)), "{app}");

    init_with(&c, &[]).await.assert_fail("Token Must Be Provided");
    // Before the version check, as in KeyAuth.
    init_with(&c, &[("ver", "0.0-old")]).await.assert_fail("Token Must Be Provided");
    init_with(&c, &[("token", "   ")]).await.assert_fail("Token Must Be Provided");
    init_with(&c, &[("token", "abc")]).await.assert_fail("Hash Must Be Provided");
    init_with(&c, &[("token", "abc"), ("thash", "h1")]).await.assert_fail("Token Invalid");
    let long = "x".repeat(300);
    init_with(&c, &[("token", &long), ("thash", "h1")]).await.assert_fail("Token Invalid");

    let (token, id) = new_token(&t, &admin, &c, "KEY-1").await;
    assert!(token.len() == 32 && token.chars().all(|ch| ch.is_ascii_hexdigit()), "{token}");
    // KeyAuth trims what it is sent; so does licensd.
    let padded = format!(" {token}\n");
    let first = init_with(&c, &[("token", &padded), ("thash", "h1")]).await;
    first.assert_ok("Initialized");
    assert!(first.json["sessionid"].is_string());
    init_with(&c, &[("token", &token), ("thash", "h1")]).await.assert_ok("Initialized");
    init_with(&c, &[("token", &token), ("thash", "h2")]).await.assert_fail("Token File Hashes Must Be The Same");

    let base = format!("/admin/v1/apps/{}/client-tokens/{id}", c.app.id);
    let (status, reset) = t.post_json(&format!("{base}/reset-hash"), &admin, &json!({})).await;
    assert_eq!((status, &reset["data"]["file_hash"]), (200, &Value::Null), "{reset}");
    init_with(&c, &[("token", &token), ("thash", "h2")]).await.assert_ok("Initialized");
    init_with(&c, &[("token", &token), ("thash", "h1")]).await.assert_fail("Token File Hashes Must Be The Same");

    let (status, banned) = t.post_json(&format!("{base}/ban"), &admin, &json!({ "reason": "chargeback" })).await;
    assert_eq!((status, &banned["data"]["banned"]), (200, &json!(true)), "{banned}");
    init_with(&c, &[("token", &token), ("thash", "h2")]).await.assert_fail(BANNED);
    // The ban is told before a hash mismatch.
    init_with(&c, &[("token", &token), ("thash", "h9")]).await.assert_fail(BANNED);
    assert_eq!(t.post_json(&format!("{base}/unban"), &admin, &json!({})).await.0, 200);
    init_with(&c, &[("token", &token), ("thash", "h2")]).await.assert_ok("Initialized");

    // The token check comes before the program hash check.
    let hashed = json!({ "program_hash": "cafe" });
    assert_eq!(patch_app(&t, &admin, c.app.id.get(), hashed).await.0, 200);
    let mismatch = [("token", token.as_str()), ("thash", "h1"), ("hash", "beef")];
    init_with(&c, &mismatch).await.assert_fail("Token File Hashes Must Be The Same");
    let unhashed = json!({ "program_hash": "" });
    assert_eq!(patch_app(&t, &admin, c.app.id.get(), unhashed).await.0, 200);

    // A long path as thash (the C++ client's) locks; one past the bound is no file's hash.
    let (long_path, _) = new_token(&t, &admin, &c, "KEY-2").await;
    let path = format!("C:\\{}\\token.txt", "dir\\".repeat(60));
    init_with(&c, &[("token", &long_path), ("thash", &path)]).await.assert_ok("Initialized");
    init_with(&c, &[("token", &long_path), ("thash", &path)]).await.assert_ok("Initialized");
    let (too_long, _) = new_token(&t, &admin, &c, "KEY-3").await;
    let huge = "h".repeat(1_025);
    init_with(&c, &[("token", &too_long), ("thash", &huge)]).await.assert_fail("Token File Hashes Must Be The Same");

    // The seller's wording of the one customisable text.
    let messages = json!({ "messages": { "tokeninvalid": "Buy the program first" } });
    assert_eq!(patch_app(&t, &admin, c.app.id.get(), messages).await.0, 200);
    init_with(&c, &[("token", "nope"), ("thash", "h1")]).await.assert_fail("Buy the program first");

    // Another app of the seller, token system on: this app's token is not its token.
    let other = c.another_app("Other").await;
    assert_eq!(patch_app(&t, &admin, other.app.id.get(), json!({ "token_system": true })).await.0, 200);
    init_with(&other, &[("token", &token), ("thash", "h2")]).await.assert_fail("Token Invalid");

    let deleted = t.http.delete(t.url(&base)).bearer_auth(&admin).send().await.unwrap();
    assert_eq!(deleted.status().as_u16(), 204);
    init_with(&c, &[("token", &token), ("thash", "h2")]).await.assert_fail("Buy the program first");

    // Switched off again, init runs without a token.
    assert_eq!(patch_app(&t, &admin, c.app.id.get(), json!({ "token_system": false })).await.0, 200);
    c.init().await;
}

async fn tokens_are_managed_through_the_admin_api_and_the_cli(t: TestApp) {
    let c = ClientFixture::new(&t).await;
    let admin = seller_token(&t, &c).await;
    let list_path = format!("/admin/v1/apps/{}/client-tokens", c.app.id);
    let (token, id) = new_token(&t, &admin, &c, "alice").await;

    let (status, listed) = t.get_json(&list_path, &admin).await;
    assert_eq!(status, 200, "{listed}");
    let row = &listed["data"][0];
    assert_eq!((&row["id"], &row["kind"], &row["assigned"]), (&json!(id), &json!("license"), &json!("alice")));
    assert_eq!(row["hint"], json!(&token[28..]));
    assert!(!listed.to_string().contains(&token), "the token is shown only when made: {listed}");
    let mut db = c.db().await;
    let stored: Vec<(String,)> = sqlx::query_as("SELECT digest FROM client_tokens").fetch_all(&mut db).await.unwrap();
    assert_eq!(stored.len(), 1);
    assert!(stored[0].0 != token && stored[0].0.len() == 64, "kept as a SHA-256 digest");

    // Bad input: the admin envelope and a 4xx, nothing stored.
    let bad = t.post_json(&list_path, &admin, &json!({ "kind": "seller" })).await;
    assert_eq!(bad.0, 422, "{}", bad.1);
    let long = json!({ "assigned": "a".repeat(256) });
    assert_eq!(t.post_json(&list_path, &admin, &long).await.0, 422);
    assert_eq!(t.post_json(&list_path, &admin, &json!({ "colour": "red" })).await.0, 422);
    let missing = t.post_json(&format!("{list_path}/999999/ban"), &admin, &json!({})).await;
    assert_eq!(missing.0, 404, "{}", missing.1);
    let (_, listed) = t.get_json(&list_path, &admin).await;
    assert_eq!(listed["data"].as_array().unwrap().len(), 1);

    // A ban without a reason takes KeyAuth's.
    let (_, banned) = t.post_json(&format!("{list_path}/{id}/ban"), &admin, &json!({})).await;
    assert_eq!(banned["data"]["reason"], "Token is banned");

    // Another seller's token sees none of it.
    let stranger = t.seller("stranger").await;
    assert_eq!(t.get_json(&list_path, &stranger.admin_token).await.0, 404);
    let foreign = t.post_json(&format!("{list_path}/{id}/unban"), &stranger.admin_token, &json!({})).await;
    assert_eq!(foreign.0, 404);

    // The CLI: the app setting and the token commands, through the same operations.
    cli_app_edit(&t, &["--token-system", "true"]);
    let made = cli(&t, &["token", "create", "--kind", "user", "--assigned", "bob"]);
    let cli_token = made["token"].as_str().unwrap().to_owned();
    assert_eq!((&made["kind"], &made["assigned"]), (&json!("user"), &json!("bob")), "{made}");
    init_with(&c, &[("token", &cli_token), ("thash", "f")]).await.assert_ok("Initialized");
    let listed = cli(&t, &["token", "list"]);
    assert_eq!(listed["data"].as_array().unwrap().len(), 2, "{listed}");
    let cli_id = made["id"].as_i64().unwrap().to_string();
    assert_eq!(cli(&t, &["token", "ban", &cli_id, "--reason", "chargeback"])["banned"], true);
    init_with(&c, &[("token", &cli_token), ("thash", "f")]).await.assert_fail(BANNED);
    cli(&t, &["token", "unban", &cli_id]);
    assert_eq!(cli(&t, &["token", "reset-hash", &cli_id])["file_hash"], Value::Null);
    init_with(&c, &[("token", &cli_token), ("thash", "g")]).await.assert_ok("Initialized");
    cli(&t, &["token", "delete", &cli_id]);
    init_with(&c, &[("token", &cli_token), ("thash", "g")]).await.assert_fail("Token Invalid");

    let audit: Vec<(String,)> =
        sqlx::query_as("SELECT action FROM audit_events WHERE action LIKE 'client_token.%' ORDER BY id")
            .fetch_all(&mut db)
            .await
            .unwrap();
    let actions: Vec<&str> = audit.iter().map(|a| a.0.as_str()).collect();
    assert_eq!(
        actions,
        [
            "client_token.create",
            "client_token.ban",
            "client_token.create",
            "client_token.ban",
            "client_token.unban",
            "client_token.reset_hash",
            "client_token.delete"
        ]
    );
}

fn cli_app_edit(t: &TestApp, args: &[&str]) {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_licensd"))
        .arg("--data-dir")
        .arg(t.data_dir.path())
        .args(["--database-url", &t.database_url, "app", "set", "--seller", "acme", "MyApp"])
        .args(args)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
}

/// Sixteen first inits of one token with sixteen file hashes: one locks its hash, the others
/// are refused as a different hash, and the lock is the winner's.
async fn racing_first_inits_lock_one_hash(t: TestApp) {
    let c = ClientFixture::new(&t).await;
    let admin = seller_token(&t, &c).await;
    assert_eq!(patch_app(&t, &admin, c.app.id.get(), json!({ "token_system": true })).await.0, 200);
    let (token, _) = new_token(&t, &admin, &c, "KEY-1").await;
    let hashes: Vec<String> = (0..16).map(|i| format!("hash-{i}")).collect();
    let (c, token) = (&c, &token);
    let answers = futures_util::future::join_all(
        hashes.iter().map(|h| async move { init_with(c, &[("token", token), ("thash", h)]).await }),
    )
    .await;
    let winners: Vec<&String> = hashes.iter().zip(&answers).filter(|(_, a)| a.success()).map(|(h, _)| h).collect();
    assert_eq!(winners.len(), 1, "{:?}", answers.iter().map(|a| a.message().to_owned()).collect::<Vec<_>>());
    for a in answers.iter().filter(|a| !a.success()) {
        a.assert_fail("Token File Hashes Must Be The Same");
    }
    let (_, listed) = t.get_json(&format!("/admin/v1/apps/{}/client-tokens", c.app.id), &admin).await;
    assert_eq!(listed["data"][0]["file_hash"], json!(winners[0]));
}

/// Rows of KeyAuth's `tokens` table import through the admin API (JSON) and the CLI (CSV, a
/// second time: nothing new); the copies that carry them keep working, locked hash and ban
/// included, and bad rows are reported while the rest import.
async fn keyauth_tokens_import_and_keep_working(t: TestApp) {
    let c = ClientFixture::new(&t).await;
    let admin = seller_token(&t, &c).await;
    assert_eq!(patch_app(&t, &admin, c.app.id.get(), json!({ "token_system": true })).await.0, 200);
    let rows = json!([
        { "token": "0f3e9a1c2b4d5e6f708192a3b4c5d6e7", "assigned": "KEY-1", "type": "license",
          "banned": "0", "reason": "Token is banned", "hash": "abc123", "status": "Used" },
        { "token": "1f3e9a1c2b4d5e6f708192a3b4c5d6e7", "assigned": "bob", "type": "user",
          "banned": 1, "reason": "chargeback", "hash": null, "status": "Not Used" },
        { "token": "2f3e9a1c2b4d5e6f708192a3b4c5d6e7", "assigned": "KEY-3", "type": "license" },
        { "assigned": "no token" },
        { "token": "3f3e9a1c2b4d5e6f708192a3b4c5d6e7", "banned": "maybe" },
        { "token": "2f3e9a1c2b4d5e6f708192a3b4c5d6e7" },
        "not an object",
        { "token": "4f3e9a1c2b4d5e6f708192a3b4c5d6e7", "banned": true, "reason": "resold" },
        { "token": "short-token" }
    ]);
    let path = format!("/admin/v1/apps/{}/import/keyauth/tokens", c.app.id);
    let (status, location, job) = upload(&t, &admin, &path, "application/json", rows.to_string().into()).await;
    assert_eq!(status, 202, "{job}");
    let done = finished(&t, &admin, &location.unwrap()).await;
    let report = &done["report"];
    assert_eq!((report["tokens_new"].as_u64(), report["tokens_existing"].as_u64()), (Some(4), Some(0)), "{done}");
    let skipped: Vec<&str> = report["skipped"].as_array().unwrap().iter().map(|s| s["row"].as_str().unwrap()).collect();
    assert_eq!(skipped, ["tokens[6]", "tokens[3]", "tokens[4]", "tokens[5]", "tokens[8]"], "{report}");

    let init = |token: &'static str, hash: &'static str| {
        let c = &c;
        async move { init_with(c, &[("token", token), ("thash", hash)]).await }
    };
    init("0f3e9a1c2b4d5e6f708192a3b4c5d6e7", "abc123").await.assert_ok("Initialized");
    init("0f3e9a1c2b4d5e6f708192a3b4c5d6e7", "other").await.assert_fail("Token File Hashes Must Be The Same");
    init("1f3e9a1c2b4d5e6f708192a3b4c5d6e7", "x").await.assert_fail(BANNED);
    init("2f3e9a1c2b4d5e6f708192a3b4c5d6e7", "first").await.assert_ok("Initialized");
    init("3f3e9a1c2b4d5e6f708192a3b4c5d6e7", "x").await.assert_fail("Token Invalid");
    init("4f3e9a1c2b4d5e6f708192a3b4c5d6e7", "x").await.assert_fail(&BANNED.replace("chargeback", "resold"));
    let (_, listed) = t.get_json(&format!("/admin/v1/apps/{}/client-tokens", c.app.id), &admin).await;
    let kinds: Vec<(&str, &str)> = listed["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| (t["kind"].as_str().unwrap(), t["hint"].as_str().unwrap()))
        .collect();
    assert_eq!(kinds, [("license", "d6e7"), ("user", "d6e7"), ("license", "d6e7"), ("other", "d6e7")]);
    assert!(listed["data"][0]["used_at"].is_i64(), "imported with its hash: used");
    assert!(listed["data"][2]["used_at"].is_i64(), "locked by its first init");
    assert!(listed["data"][3]["used_at"].is_null(), "{listed}");

    // The same tokens as CSV through the CLI: all already there.
    let csv = "token,assigned,type,banned,reason,hash\n\
               0f3e9a1c2b4d5e6f708192a3b4c5d6e7,KEY-1,license,0,,abc123\n\
               2f3e9a1c2b4d5e6f708192a3b4c5d6e7,KEY-3,license,0,,\n";
    let file = t.data_dir.path().join("tokens.csv");
    std::fs::write(&file, csv).unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_licensd"))
        .arg("--data-dir")
        .arg(t.data_dir.path())
        .args(["--database-url", &t.database_url, "--json", "import", "keyauth", "--seller", "acme", "--app", "MyApp"])
        .arg("--tokens")
        .arg(&file)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let again: Value = serde_json::from_slice(&out.stdout).unwrap();
    let again = &again["data"];
    assert_eq!((again["tokens_new"].as_u64(), again["tokens_existing"].as_u64()), (Some(0), Some(2)), "{again}");
}
