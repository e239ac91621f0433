//! The CLI on the same binary, run as the operator runs it: directly on the database of a
//! server (SQLite data dir, or a fresh PostgreSQL database), checked through the CLI's own
//! `--json` output and through the admin API.

use crate::adminkit::{call, insert_user};
use crate::engine_tests;
use crate::harness::TestApp;
use licensd::domain::ids::{ResellerId, SellerId};
use serde_json::{Value, json};
use std::process::Command;

engine_tests!(
    cli_walkthrough,
    cli_app_settings_and_users,
    cli_errors_are_one_line,
    cli_webhook_endpoints,
    cli_panel_accounts,
    cli_reseller_logins,
    cli_store_connections
);

const BIN: &str = env!("CARGO_BIN_EXE_licensd");

struct Run {
    ok: bool,
    stdout: String,
    stderr: String,
}

/// Runs `licensd <args>` on the test server's database.
fn licensd(app: &TestApp, args: &[&str]) -> Run {
    licensd_with_stdin(app, args, "")
}

/// Runs `licensd <args>` with `stdin` as its standard input.
fn licensd_with_stdin(app: &TestApp, args: &[&str], stdin: &str) -> Run {
    use std::io::Write;
    let mut child = Command::new(BIN)
        .arg("--database-url")
        .arg(&app.database_url)
        .arg("--data-dir")
        .arg(app.data_dir.path())
        .args(args)
        .env_remove("RUST_LOG")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("run licensd");
    child.stdin.take().expect("stdin").write_all(stdin.as_bytes()).expect("write stdin");
    let out = child.wait_with_output().expect("run licensd");
    Run {
        ok: out.status.success(),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// Runs with `--json` and parses the answer; panics with stderr when the command fails.
pub(crate) fn json(app: &TestApp, args: &[&str]) -> Value {
    let mut all = vec!["--json"];
    all.extend_from_slice(args);
    let r = licensd(app, &all);
    assert!(r.ok, "licensd {args:?} failed: {}", r.stderr);
    serde_json::from_str(&r.stdout).unwrap_or_else(|e| panic!("licensd {args:?}: {e}: {}", r.stdout))
}

async fn cli_walkthrough(app: TestApp) {
    let seller = json(&app, &["seller", "create", "acme", "--key-prefix", "ps-"]);
    let ownerid = seller["data"]["ownerid"].as_str().unwrap().to_owned();
    let made = json(&app, &["app", "create", "--seller", "acme", "MyApp"]);
    assert_eq!(made["data"]["secret"].as_str().unwrap().len(), 64);
    // References by name, id or ownerid all work.
    let plan =
        json(&app, &["plan", "create", "--seller", &ownerid, "--app", "MyApp", "--name", "lifetime", "--level", "1"]);
    assert_eq!(plan["data"]["duration_secs"], json!(null));
    let g = json(
        &app,
        &[
            "license",
            "generate",
            "--seller",
            "acme",
            "--app",
            "MyApp",
            "--plan",
            "lifetime",
            "--count",
            "100",
            "--duration",
            "30d",
            "--max-activations",
            "3",
            "--note",
            "launch",
        ],
    );
    assert_eq!(g["data"]["count"], 100);
    let keys: Vec<String> = g["data"]["keys"].as_array().unwrap().iter().map(|k| k.as_str().unwrap().into()).collect();
    assert!(keys.iter().all(|k| k.starts_with("ps-")));
    let l = app.store().license_by_key(SellerId(seller["data"]["id"].as_i64().unwrap()), &keys[0]).await.unwrap();
    assert_eq!((l.duration_secs, l.max_activations, l.note.as_str()), (Some(30 * 86_400), Some(3), "launch"));

    // Human output: keys one per line on stdout, the count on stderr.
    let r = licensd(
        &app,
        &["license", "generate", "--seller", "acme", "--app", "MyApp", "--plan", "lifetime", "--count", "3"],
    );
    assert!(r.ok, "{}", r.stderr);
    assert_eq!(r.stdout.lines().count(), 3);
    assert!(r.stderr.contains("generated 3 keys"));

    let list = json(&app, &["license", "list", "--seller", "acme", "--limit", "10", "--page", "2"]);
    assert_eq!(list["meta"], json!({"page": 2, "limit": 10, "total": 103}));
    let list = json(
        &app,
        &["license", "list", "--seller", "acme", "--app", "MyApp", "--plan", "lifetime", "--search", "LAUNCH"],
    );
    assert_eq!(list["meta"]["total"], 100);
    let banned = json(&app, &["license", "ban", "--seller", "acme", &keys[0], "--reason", "refund"]);
    assert_eq!(banned["data"]["banned_reason"], "refund");
    let list = json(&app, &["license", "list", "--seller", "acme", "--state", "banned"]);
    assert_eq!(list["data"][0]["key"], keys[0]);
    json(&app, &["license", "unban", "--seller", "acme", &keys[0]]);
    let shown = json(&app, &["license", "show", "--seller", "acme", &keys[0]]);
    assert_eq!(shown["data"]["banned_reason"], json!(null));
    let extended = json(&app, &["license", "extend", "--seller", "acme", &keys[0], "7d"]);
    assert_eq!(extended["data"]["duration_secs"], 37 * 86_400, "an unused key's duration grows");

    // Export, delete one, import back: only that one is imported.
    let file = app.data_dir.path().join("export.csv");
    let r =
        licensd(&app, &["license", "export", "--seller", "acme", "--app", "MyApp", "--output", file.to_str().unwrap()]);
    assert!(r.ok, "{}", r.stderr);
    assert_eq!(std::fs::read_to_string(&file).unwrap().lines().count(), 104);
    json(&app, &["license", "delete", "--seller", "acme", &keys[5]]);
    let report = json(&app, &["license", "import", "--seller", "acme", "--app", "MyApp", file.to_str().unwrap()]);
    assert_eq!(report["data"]["imported"], 1);
    assert_eq!(report["data"]["duplicates"].as_array().unwrap().len(), 102);
    let jfile = app.data_dir.path().join("export.json");
    let r = licensd(&app, &["license", "export", "--seller", "acme", "--format", "json", "--search", &keys[7]]);
    std::fs::write(&jfile, r.stdout.replace(&keys[7], "MOVED-KEY-0001")).unwrap();
    let report = json(&app, &["license", "import", "--seller", "acme", "--app", "MyApp", jfile.to_str().unwrap()]);
    assert_eq!(report["data"], json!({"imported": 1, "duplicates": []}));

    // Resellers: account, API key, stock by keys and by generation.
    let r = json(&app, &["reseller", "create", "--seller", "acme", "bob", "--key-prefix", "rs-"]);
    assert_eq!(r["data"]["rate_limit_per_min"], 100);
    let k = json(&app, &["reseller", "key", "create", "--seller", "acme", "--reseller", "bob", "--label", "bot"]);
    let secret = k["key"].as_str().unwrap();
    assert_eq!(
        app.store().authenticate_reseller_key(secret).await.unwrap().reseller_id,
        ResellerId(r["data"]["id"].as_i64().unwrap())
    );
    let two = format!("{},{}", keys[10], keys[11]);
    let moved = json(&app, &["reseller", "stock", "add", "--seller", "acme", "--reseller", "bob", "--licenses", &two]);
    assert_eq!(moved["data"]["moved"], 2);
    let g = json(
        &app,
        &[
            "reseller",
            "stock",
            "add",
            "--seller",
            "acme",
            "--reseller",
            "bob",
            "--app",
            "MyApp",
            "--plan",
            "lifetime",
            "--count",
            "5",
        ],
    );
    assert!(g["data"]["keys"].as_array().unwrap().iter().all(|k| k.as_str().unwrap().starts_with("rs-")));
    let stock = json(&app, &["reseller", "stock", "list", "--seller", "acme", "--reseller", "bob"]);
    assert_eq!(stock["meta"]["total"], 7);
    assert_eq!(stock["data"][0]["discord_user_id"], json!(null));
    let keys_list = json(&app, &["reseller", "key", "list", "--seller", "acme", "--reseller", "bob"]);
    let key_id = keys_list["data"][0]["id"].as_i64().unwrap().to_string();
    json(&app, &["reseller", "key", "revoke", "--seller", "acme", "--reseller", "bob", &key_id]);
    assert!(app.store().authenticate_reseller_key(secret).await.is_err());
    let upd = json(&app, &["reseller", "update", "--seller", "acme", "bob", "--rate-limit", "50"]);
    assert_eq!(upd["data"]["rate_limit_per_min"], 50);

    // Tokens: the CLI's JSON is the admin API's; a seller token made here works over HTTP.
    let tok = json(&app, &["token", "create", "--kind", "seller", "--seller", "acme", "--name", "ci"]);
    let token = tok["token"].as_str().unwrap();
    let (s, apps) = call(&app, "GET", "/admin/v1/apps", token, None).await;
    assert_eq!((s, apps["data"][0]["name"].as_str()), (200, Some("MyApp")));
    let tokens = json(&app, &["token", "list"]);
    assert!(tokens["data"].as_array().unwrap().iter().any(|t| t["name"] == "ci"));
    // A seller API token acts for the one app named; without --app there is none to make.
    let bot = json(&app, &["token", "create", "--kind", "sellerapi", "--seller", "acme", "--app", "MyApp"]);
    assert_eq!((&bot["data"]["kind"], bot["data"]["app_id"].is_i64()), (&json!("sellerapi"), true), "{bot}");
    let sellerkey = bot["token"].as_str().unwrap();
    let res =
        app.http.get(app.url(&format!("/api/seller/?sellerkey={sellerkey}&type=setseller"))).send().await.unwrap();
    assert_eq!(
        res.json::<Value>().await.unwrap(),
        json!({"success": true, "message": "Seller Key Successfully Found"})
    );
    let refused = licensd(&app, &["token", "create", "--kind", "sellerapi", "--seller", "acme"]);
    assert!(!refused.ok && refused.stderr.contains("--app"), "{}", refused.stderr);
    let sellers = json(&app, &["seller", "list"]);
    assert_eq!(sellers["data"][0]["name"], "acme");

    let audit = json(&app, &["audit", "--seller", "acme", "--limit", "3"]);
    assert_eq!(audit["data"][0]["action"], "token.create");
    assert_eq!(audit["data"][0]["detail"], "sellerapi");
    assert_eq!(audit["data"][0]["actor"], "cli");
    assert!(audit["meta"]["total"].as_i64().unwrap() > 10);
}

async fn cli_app_settings_and_users(app: TestApp) {
    json(&app, &["seller", "create", "acme"]);
    json(&app, &["app", "create", "--seller", "acme", "MyApp"]);
    let before = json(&app, &["app", "show", "--seller", "acme", "MyApp"]);
    let set = json(
        &app,
        &[
            "app",
            "set",
            "--seller",
            "acme",
            "MyApp",
            "--version",
            "2.0",
            "--download-url",
            "https://x.test/dl",
            "--hwid-lock",
            "false",
            "--session-ttl",
            "2h",
            "--key-mask",
            "****-****-****",
            "--key-case",
            "mixed",
            "--messages",
            r#"{"invalid_key":"No such key."}"#,
            "--request-limit-per-min",
            "60",
        ],
    );
    let d = &set["data"];
    assert_eq!(
        (d["version"].as_str(), d["hwid_lock"].as_bool(), d["session_ttl_secs"].as_i64()),
        (Some("2.0"), Some(false), Some(7200))
    );
    assert_eq!((d["key_mask"].as_str(), d["key_case"].as_str()), (Some("****-****-****"), Some("mixed")));
    assert_eq!(d["messages"], json!({"invalid_key": "No such key."}));
    assert_eq!(d["request_limit_per_min"], 60);
    let rotated = json(&app, &["app", "rotate-secret", "--seller", "acme", "MyApp"]);
    assert_ne!(rotated["data"]["secret"], before["data"]["secret"]);
    let list = json(&app, &["app", "list", "--seller", "acme"]);
    assert_eq!(list["meta"]["total"], 1);

    json(
        &app,
        &[
            "plan",
            "create",
            "--seller",
            "acme",
            "--app",
            "MyApp",
            "--name",
            "monthly",
            "--level",
            "1",
            "--duration",
            "30d",
        ],
    );
    let plans = json(&app, &["plan", "list", "--seller", "acme", "--app", "MyApp"]);
    assert_eq!(plans["data"][0]["duration_secs"], 30 * 86_400);
    let edit = ["plan", "edit", "--seller", "acme", "--app", "MyApp", "monthly"];
    let longer = json(&app, &[&edit[..], &["--duration", "31d", "--level", "2"]].concat());
    assert_eq!(
        (longer["data"]["duration_secs"].as_i64(), longer["data"]["level"].as_i64()),
        (Some(31 * 86_400), Some(2))
    );
    let lifetime = json(&app, &[&edit[..], &["--lifetime"]].concat());
    assert_eq!((lifetime["data"]["duration_secs"].clone(), lifetime["data"]["level"].as_i64()), (json!(null), Some(2)));
    json(&app, &[&edit[..], &["--duration", "30d", "--level", "1"]].concat());
    let app_id = list["data"][0]["id"].as_i64().unwrap();
    let plan_id = plans["data"][0]["id"].as_i64().unwrap();
    insert_user(&app, app_id, plan_id, "alice", 5_000_000_000_000).await;

    let users = json(&app, &["user", "list", "--seller", "acme", "--app", "MyApp", "--search", "ali"]);
    assert_eq!(users["meta"]["total"], 1);
    let shown = json(&app, &["user", "show", "--seller", "acme", "--app", "MyApp", "alice"]);
    assert_eq!(shown["data"]["hwids"], json!(["HWID-1"]));
    let reset = json(&app, &["user", "reset-hwid", "--seller", "acme", "--app", "MyApp", "alice"]);
    assert_eq!(reset["data"]["hwids_removed"], 1);
    let banned = json(&app, &["user", "ban", "--seller", "acme", "--app", "MyApp", "alice", "--reason", "abuse"]);
    assert_eq!(banned["data"]["banned_reason"], "abuse");
    json(&app, &["user", "unban", "--seller", "acme", "--app", "MyApp", "alice"]);
    let ext = json(&app, &["user", "extend", "--seller", "acme", "--app", "MyApp", "alice", "--duration", "1d"]);
    assert_eq!(ext["data"]["subscriptions"][0]["expires_at"], 5_000_000_000_000i64 + 86_400_000);
    assert_eq!(ext["data"]["banned_reason"], json!(null));
    json(&app, &["user", "delete", "--seller", "acme", "--app", "MyApp", "alice"]);
    let users = json(&app, &["user", "list", "--seller", "acme", "--app", "MyApp"]);
    assert_eq!(users["meta"]["total"], 0);

    json(&app, &["plan", "delete", "--seller", "acme", "--app", "MyApp", "monthly"]);
    json(&app, &["app", "delete", "--seller", "acme", "MyApp"]);
    let list = json(&app, &["app", "list", "--seller", "acme"]);
    assert_eq!(list["meta"]["total"], 0);
}

async fn cli_errors_are_one_line(app: TestApp) {
    json(&app, &["seller", "create", "acme"]);
    json(&app, &["app", "create", "--seller", "acme", "MyApp"]);
    json(&app, &["plan", "create", "--seller", "acme", "--app", "MyApp", "--name", "p", "--level", "1"]);
    let cases: [(&[&str], &str); 6] = [
        (&["app", "create", "--seller", "nobody", "X"], "seller not found"),
        (&["app", "create", "--seller", "acme", "MyApp"], "already taken"),
        (&["plan", "create", "--seller", "acme", "--app", "MyApp", "--name", "q", "--level", "1"], "level"),
        (&["license", "generate", "--seller", "acme", "--app", "MyApp", "--plan", "p", "--count", "0"], "count"),
        (
            &["license", "generate", "--seller", "acme", "--app", "MyApp", "--plan", "p", "--duration", "soon"],
            "--duration",
        ),
        (&["app", "set", "--seller", "acme", "MyApp", "--key-mask", "**"], "key_mask"),
    ];
    for (args, needle) in cases {
        let r = licensd(&app, args);
        assert!(!r.ok, "{args:?} should fail");
        assert_eq!(r.stderr.trim().lines().count(), 1, "{args:?}: {}", r.stderr);
        assert!(r.stderr.contains(needle), "{args:?}: {}", r.stderr);
        assert!(r.stdout.is_empty());
    }
    // Plans in use cannot be deleted.
    json(&app, &["license", "generate", "--seller", "acme", "--app", "MyApp", "--plan", "p"]);
    let r = licensd(&app, &["plan", "delete", "--seller", "acme", "--app", "MyApp", "p"]);
    assert!(!r.ok && r.stderr.contains("licenses still use this plan"), "{}", r.stderr);
}

/// `licensd webhook ...`: an endpoint added with its secret shown once, listed without it,
/// changed, its (empty) delivery log, refused input, deleted.
async fn cli_webhook_endpoints(app: TestApp) {
    json(&app, &["seller", "create", "acme"]);
    let added = json(
        &app,
        &["webhook", "add", "--seller", "acme", "--url", "https://example.com/h", "--events", "license.*,user.banned"],
    );
    let id = added["data"]["id"].as_i64().unwrap().to_string();
    assert!(added["data"]["secret"].as_str().unwrap().starts_with("whsec_"), "{added}");
    assert_eq!(added["data"]["events"], json!(["license.*", "user.banned"]));
    let listed = json(&app, &["webhook", "list", "--seller", "acme"]);
    assert_eq!(listed["meta"]["total"], 1);
    assert!(listed["data"][0].get("secret").is_none(), "{listed}");
    let off = json(&app, &["webhook", "update", "--seller", "acme", &id, "--enabled", "false"]);
    assert_eq!(off["data"]["enabled"], false);
    let log = json(&app, &["webhook", "deliveries", "--seller", "acme", &id, "--state", "failed"]);
    assert_eq!(log["meta"]["total"], 0);
    let bad = licensd(
        &app,
        &["webhook", "add", "--seller", "acme", "--url", "https://example.com/", "--events", "licence.*"],
    );
    assert!(!bad.ok && bad.stderr.contains("events"), "{}", bad.stderr);
    assert_eq!(
        json(&app, &["webhook", "delete", "--seller", "acme", &id])["deleted"],
        json!(id.parse::<i64>().unwrap())
    );
    assert_eq!(json(&app, &["webhook", "list", "--seller", "acme"])["meta"]["total"], 0);
}

/// `licensd seller user ...`: panel accounts with a generated or a piped password, TOTP
/// enrolment, removal; each account signs in (or no longer does) on the panel.
async fn cli_panel_accounts(app: TestApp) {
    use crate::panelkit::sign_in_answer;
    json(&app, &["seller", "create", "acme"]);
    let made =
        json(&app, &["seller", "user", "add", "--seller", "acme", "--email", "Help@Acme.example", "--role", "support"]);
    assert_eq!(
        (made["data"]["email"].as_str(), made["data"]["role"].as_str()),
        (Some("help@acme.example"), Some("support"))
    );
    let generated = made["password"].as_str().unwrap().to_owned();
    assert_eq!(generated.len(), 20);
    assert_eq!(sign_in_answer(&app, "help@acme.example", &generated, "").await.status, 303);

    // A password from standard input is not printed back.
    let mut child = Command::new(BIN)
        .args(["--database-url", &app.database_url, "--data-dir"])
        .arg(app.data_dir.path())
        .args([
            "--json",
            "seller",
            "user",
            "add",
            "--seller",
            "acme",
            "--email",
            "boss@acme.example",
            "--password-stdin",
        ])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write;
    child.stdin.take().unwrap().write_all(b"a long piped password\n").unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success());
    let piped: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!((piped["data"]["role"].as_str(), &piped["password"]), (Some("owner"), &Value::Null));
    assert_eq!(sign_in_answer(&app, "boss@acme.example", "a long piped password", "").await.status, 303);

    let list = json(&app, &["seller", "user", "list", "--seller", "acme"]);
    assert_eq!(list["data"].as_array().unwrap().len(), 2);
    assert!(!list.to_string().contains("argon2"), "no hashes in the listing: {list}");
    let totp = json(&app, &["seller", "user", "totp", "--seller", "acme", "boss@acme.example"]);
    let uri = totp["otpauth_uri"].as_str().unwrap();
    assert!(uri.starts_with("otpauth://totp/") && uri.contains("secret="), "{uri}");
    assert_eq!(
        sign_in_answer(&app, "boss@acme.example", "a long piped password", "").await.status,
        401,
        "needs the code now"
    );

    // Bad input is one line on stderr and stores nothing.
    for args in [
        vec!["seller", "user", "add", "--seller", "acme", "--email", "x@acme.example", "--role", "admin"],
        vec!["seller", "user", "add", "--seller", "acme", "--email", "not-an-email"],
        vec!["seller", "user", "add", "--seller", "acme", "--email", "help@acme.example"],
    ] {
        let r = licensd(&app, &args);
        assert!(!r.ok && r.stderr.lines().count() == 1, "{args:?}: {}", r.stderr);
    }
    json(&app, &["seller", "user", "remove", "--seller", "acme", "help@acme.example"]);
    assert_eq!(sign_in_answer(&app, "help@acme.example", &generated, "").await.status, 401);
    assert_eq!(json(&app, &["seller", "user", "list", "--seller", "acme"])["data"].as_array().unwrap().len(), 1);
}

async fn cli_reseller_logins(app: TestApp) {
    use crate::panelkit::{DASH, sign_in_answer_at};
    json(&app, &["seller", "create", "acme"]);
    json(&app, &["reseller", "create", "--seller", "acme", "GameKeys"]);
    let target = ["--seller", "acme", "--reseller", "GameKeys"];
    let mut set = vec!["reseller", "login", "set"];
    set.extend_from_slice(&target);
    set.extend_from_slice(&["--email", "Sales@GameKeys.example"]);
    let made = json(&app, &set);
    assert_eq!(made["data"]["email"], "sales@gamekeys.example");
    let generated = made["password"].as_str().unwrap().to_owned();
    assert_eq!(generated.len(), 20);
    assert_eq!(sign_in_answer_at(&app, DASH, "sales@gamekeys.example", &generated, "").await.status, 303);
    let mut remove = vec!["reseller", "login", "remove"];
    remove.extend_from_slice(&target);
    json(&app, &remove);
    assert_eq!(sign_in_answer_at(&app, DASH, "sales@gamekeys.example", &generated, "").await.status, 401);
    let again = licensd(&app, &remove);
    assert!(!again.ok && again.stderr.contains("reseller login"), "{}", again.stderr);
}

/// `licensd store-connection ...`: the admin API's operation from the command line. A Lemon
/// Squeezy connection prints the secret licensd made once, and a webhook signed with it makes
/// the order's key on the running server; a Stripe one takes the store's secret from standard
/// input and never prints it; list shows no secret; bad input is one line; delete refuses the
/// store's webhooks from then on.
async fn cli_store_connections(app: TestApp) {
    use crate::store_hooks::{post_signed, sign};
    json(&app, &["seller", "create", "acme"]);
    json(&app, &["app", "create", "--seller", "acme", "MyApp"]);
    json(&app, &["plan", "create", "--seller", "acme", "--app", "MyApp", "--name", "Lifetime", "--level", "1"]);
    let add =
        ["store-connection", "add", "--seller", "acme", "--store", "lemonsqueezy", "--product", "501=MyApp:Lifetime"];
    let made = json(&app, &add);
    let (path, secret) = (made["data"]["webhook_path"].as_str().unwrap(), made["data"]["secret"].as_str().unwrap());
    assert!(path.starts_with("/hooks/lemonsqueezy/"), "{made}");
    assert_eq!(made["data"]["products"][0]["variant"], "501");
    let order = json!({ "meta": { "event_name": "order_created" }, "data": { "id": "77", "attributes": {
        "user_email": "ann@example.com", "user_name": "Ann", "total": 100, "currency": "USD",
        "first_order_item": { "variant_id": 501 } } } })
    .to_string()
    .into_bytes();
    let (s, a) = post_signed(&app, path, &order, "X-Signature", Some(&sign(secret, &order))).await;
    assert_eq!((s, a["new"].clone()), (200, json!(true)), "{a}");

    let stripe =
        ["store-connection", "add", "--seller", "acme", "--store", "stripe", "--product", "plink_1=MyApp:Lifetime"];
    let r = licensd(&app, &stripe);
    assert!(!r.ok && r.stderr.contains("secret") && r.stderr.trim().lines().count() == 1, "{}", r.stderr);
    let mut piped = vec!["--json"];
    piped.extend_from_slice(&stripe);
    piped.push("--secret-stdin");
    let r = licensd_with_stdin(&app, &piped, "whsec_pasted_from_stripe_0001\n");
    assert!(r.ok, "{}", r.stderr);
    assert!(!r.stdout.contains("whsec_pasted"), "a pasted secret is not printed: {}", r.stdout);
    let listed = json(&app, &["store-connection", "list", "--seller", "acme"]);
    let rows = listed["data"].as_array().unwrap();
    assert_eq!(rows.len(), 2, "{listed}");
    assert!(rows.iter().all(|c| c.get("secret").is_none()), "{listed}");
    let human = licensd(&app, &["store-connection", "list", "--seller", "acme"]);
    assert!(human.ok && human.stdout.contains("stripe") && !human.stdout.contains(secret), "{}", human.stdout);

    for (args, needle) in [
        (&["store-connection", "add", "--seller", "acme", "--store", "shopify"][..], "store"),
        (
            &["store-connection", "add", "--seller", "acme", "--store", "lemonsqueezy", "--product", "501"][..],
            "VARIANT=APP:PLAN",
        ),
        (
            &["store-connection", "add", "--seller", "acme", "--store", "lemonsqueezy", "--product", "1=MyApp:nope"][..],
            "plan",
        ),
        (&["store-connection", "add", "--seller", "acme", "--store", "lemonsqueezy"][..], "already"),
    ] {
        let r = licensd(&app, args);
        assert!(!r.ok && r.stderr.trim().lines().count() == 1 && r.stderr.contains(needle), "{args:?}: {}", r.stderr);
    }

    let id = rows.iter().find(|c| c["store"] == "lemonsqueezy").unwrap()["id"].as_i64().unwrap().to_string();
    assert_eq!(
        json(&app, &["store-connection", "delete", "--seller", "acme", &id])["deleted"],
        json!(id.parse::<i64>().unwrap())
    );
    let (s, a) = post_signed(&app, path, &order, "X-Signature", Some(&sign(secret, &order))).await;
    assert_eq!(s, 404, "{a}");
}
