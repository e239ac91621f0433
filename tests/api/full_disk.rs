//! A full disk (SQLite on a 40 MiB tmpfs filled to the last page): every face's writes answer
//! 503 with `Retry-After` in their protocol's shape and store nothing, reads keep answering, and
//! once space is freed the same writes succeed by themselves; after the server stops, the
//! reopened database holds every write that was acknowledged.
//!
//! Needs root (it mounts a tmpfs); it is skipped, saying so, when not root or when the mount is
//! refused. CI runs as root.

use crate::client_support::ClientFixture;
use crate::harness::{Engine, TestApp, split};
use crate::licenses::{activate, key, shop};
use crate::reseller_fixture::{self, Shop};
use licensd::domain::secret::hash_secret;
use serde_json::{Value, json};
use sqlx::Connection;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

/// A small tmpfs mounted on a temporary directory, unmounted on drop.
struct Tmpfs {
    dir: tempfile::TempDir,
}

impl Tmpfs {
    fn mount(size: &str) -> Option<Tmpfs> {
        let uid = Command::new("id").arg("-u").output().unwrap().stdout;
        if String::from_utf8_lossy(&uid).trim() != "0" {
            println!("full_disk: skipped, mounting a tmpfs needs root");
            return None;
        }
        let dir = tempfile::tempdir().unwrap();
        let out = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"])
            .arg(dir.path())
            .output()
            .unwrap();
        if !out.status.success() {
            println!("full_disk: skipped, mount -t tmpfs refused: {}", String::from_utf8_lossy(&out.stderr));
            return None;
        }
        Some(Tmpfs { dir })
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg("-l").arg(self.dir.path()).status();
    }
}

/// Writes a file until the filesystem has no page left.
fn fill(dir: &Path) -> PathBuf {
    let path = dir.join("filler");
    let mut f = std::fs::File::create(&path).unwrap();
    for chunk in [1 << 20, 4096, 1] {
        let buf = vec![0u8; chunk];
        while f.write_all(&buf).is_ok() {}
    }
    let _ = f.sync_all();
    path
}

/// A 503 with a `Retry-After` of a positive number of seconds.
#[track_caller]
fn assert_unavailable(status: u16, headers: &reqwest::header::HeaderMap, body: &Value) {
    assert_eq!(status, 503, "{body}");
    let retry: u64 = headers["retry-after"].to_str().unwrap().parse().unwrap();
    assert!(retry > 0);
}

/// A client API request: session, `type` and the other fields.
type ClientWrite<'a> = (Option<&'a str>, &'a str, &'a [(&'a str, &'a str)]);

/// The one number `sql` (with one text parameter) answers.
async fn count(conn: &mut sqlx::AnyConnection, sql: &'static str, arg: &str) -> i64 {
    sqlx::query_as::<_, (i64,)>(sql).bind(arg).fetch_one(conn).await.unwrap().0
}

async fn send(req: reqwest::RequestBuilder) -> (u16, reqwest::header::HeaderMap, Value) {
    let res = req.send().await.unwrap();
    let (status, headers) = (res.status().as_u16(), res.headers().clone());
    let body = res.bytes().await.unwrap();
    (status, headers, serde_json::from_slice(&body).unwrap_or(Value::Null))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn full_disk_refuses_writes_keeps_reads_and_recovers() {
    let Some(fs) = Tmpfs::mount("40m") else { return };
    let db = fs.path().join("licensd.db");
    let url = format!("sqlite://{}", db.display());
    let dir = fs.path().to_path_buf();
    let mut t = TestApp::spawn_with(Engine::Sqlite, |c| {
        c.data_dir = dir;
        c.database_url = Some(url.clone());
    })
    .await;
    t.database_url = url.clone();

    // Client API: an app, keys to redeem, a validated session to read with.
    let c = ClientFixture::named(&t, "client-shop", "MyApp").await;
    let plan = c.plan("gold", 1, None).await;
    for k in ["KEY-PRE", "KEY-REG", "KEY-LIC"] {
        c.license(&plan, k, None).await;
    }
    let validated = c.key_session("KEY-PRE").await;
    let (reg_session, lic_session) = (c.init().await, c.init().await);
    // Licenses API: one activated key to validate, one to activate.
    let ls = shop(&t, "licenses-shop").await;
    let (k1, k2) = (key(&t, &ls, Default::default()).await, key(&t, &ls, Default::default()).await);
    let (s, first) = activate(&t, &ls.token, &k1.key, "pre").await;
    assert_eq!(s, 200, "{first}");
    let instance = first["id"].as_str().unwrap().to_owned();
    // Reseller API: two stock licenses.
    let rs = Shop::open_at(t.store(), &url, "reseller-shop").await;
    let bot = rs.reseller(t.store(), "bot").await;
    rs.stock(&bot, &["RS-INFO", "RS-ASSIGN"]).await;
    // Admin API: a seller with an app and a plan.
    let admin = t.seller("admin-shop").await;
    let (app_id, plan_id) = crate::adminkit::app_with_plan(&t, &admin.admin_token, "AdminApp", None).await;

    // Everything so far is in the database file; then not one page is left.
    let mut conn = sqlx::AnyConnection::connect(&url).await.unwrap();
    let (busy, _, _): (i64, i64, i64) =
        sqlx::query_as("PRAGMA wal_checkpoint(TRUNCATE)").fetch_one(&mut conn).await.unwrap();
    assert_eq!(busy, 0);
    conn.close().await.unwrap();
    let filler = fill(fs.path());

    let client_form = |session: Option<&str>, kind: &str, extra: &[(&str, &str)]| {
        t.http
            .post(t.url("/api/1.3/"))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(c.form(session, kind, extra))
    };
    let register = [("username", "alice"), ("pass", "pw"), ("key", "KEY-REG")];
    let license = [("key", "KEY-LIC")];
    let client_writes: [ClientWrite; 3] =
        [(None, "init", &[]), (Some(&reg_session), "register", &register), (Some(&lic_session), "license", &license)];
    let assign = json!({"api_token": bot.token, "license": "RS-ASSIGN", "discord_user_id": "123456789012345678"});
    let generate = json!({"app_id": app_id, "plan_id": plan_id, "count": 3});
    let generate_req = || t.http.post(t.url("/admin/v1/licenses")).bearer_auth(&admin.admin_token).json(&generate);
    let activate_req = || {
        t.http
            .post(t.url("/api/v2/licenses/activate"))
            .bearer_auth(&ls.token)
            .json(&json!({"license_key": k2.key, "instance_name": "full"}))
    };

    // While full: every write is refused in its protocol's shape; twice, so that a write that
    // failed leaves nothing behind that lets the next one through.
    for _ in 0..2 {
        for (session, kind, extra) in client_writes {
            let (s, h, body) = send(client_form(session, kind, extra)).await;
            assert_unavailable(s, &h, &body);
            assert_eq!(body["success"], false, "{kind}: {body}");
            assert_eq!(body["code"], 9, "{kind}: {body}");
            assert!(h.contains_key("x-signature-ed25519"), "{kind}: signed envelope");
            assert!(body.get("sessionid").is_none(), "{body}");
        }
        let (s, h, body) = send(activate_req()).await;
        assert_unavailable(s, &h, &body);
        assert_eq!(body, json!({"message": "Service Unavailable"}));
        let (s, h, body) = send(t.http.post(t.url("/reseller/assignlicense")).json(&assign)).await;
        assert_unavailable(s, &h, &body);
        assert_eq!(body["ok"], false, "{body}");
        let (s, h, body) = send(generate_req()).await;
        assert_unavailable(s, &h, &body);
        assert_eq!(body["error"]["code"], "unavailable", "{body}");
    }

    // Reads still answer.
    c.call(Some(&validated), "check", &[]).await.assert_ok("Session is validated.");
    let (s, v) = t
        .post_json("/api/v2/licenses/validate", &ls.token, &json!({"license_key": k1.key, "instance_id": instance}))
        .await;
    assert_eq!((s, &v["valid"]), (200, &json!(true)), "{v}");
    let info = reseller_fixture::get(&t, "licenseinfo", &[("api_token", &bot.token), ("license", "RS-INFO")]).await;
    assert_eq!(info.0, 200, "{}", info.1);
    let (s, listed) = t.get_json(&format!("/admin/v1/licenses?app_id={app_id}"), &admin.admin_token).await;
    assert_eq!(s, 200, "{listed}");

    // Space returns: the same writes succeed without a restart.
    std::fs::remove_file(filler).unwrap();
    let (s, _, inited) = send(client_form(None, "init", &[])).await;
    assert_eq!((s, &inited["success"]), (200, &json!(true)), "{inited}");
    let new_session = inited["sessionid"].as_str().unwrap().to_owned();
    for (session, kind, extra) in &client_writes[1..] {
        let (s, _, body) = send(client_form(*session, kind, extra)).await;
        assert_eq!((s, &body["message"]), (200, &json!("Logged in!")), "{kind}: {body}");
    }
    let (s, activated) = split(activate_req().send().await.unwrap()).await;
    assert_eq!(s, 200, "{activated}");
    let (s, assigned) = split(t.http.post(t.url("/reseller/assignlicense")).json(&assign).send().await.unwrap()).await;
    assert_eq!((s, &assigned["ok"]), (200, &json!(true)), "{assigned}");
    let (s, generated) = split(generate_req().send().await.unwrap()).await;
    assert_eq!(s, 201, "{generated}");
    let keys: Vec<String> =
        generated["data"]["keys"].as_array().unwrap().iter().map(|k| k.as_str().unwrap().to_owned()).collect();

    // What was acknowledged is in the database after the server is gone.
    let client_app_id = c.app.id;
    drop(c);
    t.stop().await;
    let mut conn = sqlx::AnyConnection::connect(&format!("{url}?mode=ro")).await.unwrap();
    assert_eq!(count(&mut conn, "SELECT COUNT(*) FROM sessions WHERE id = $1", &hash_secret(&new_session)).await, 1);
    assert_eq!(count(&mut conn, "SELECT COUNT(*) FROM users WHERE username = $1", "alice").await, 1);
    let redeemed = "SELECT COUNT(*) FROM licenses WHERE key = $1 AND used_by_user_id IS NOT NULL";
    assert_eq!(count(&mut conn, redeemed, "KEY-REG").await, 1);
    assert_eq!(count(&mut conn, redeemed, "KEY-LIC").await, 1);
    let id = activated["id"].as_str().unwrap().to_owned();
    assert_eq!(count(&mut conn, "SELECT COUNT(*) FROM instances WHERE id = $1", &id).await, 1);
    let instances = "SELECT activations FROM licenses WHERE key = $1";
    assert_eq!(count(&mut conn, instances, &k2.key).await, 1, "one activation, not two");
    let assigned = "SELECT COUNT(*) FROM licenses WHERE key = $1 AND discord_user_id = '123456789012345678'";
    assert_eq!(count(&mut conn, assigned, "RS-ASSIGN").await, 1);
    for k in keys {
        assert_eq!(count(&mut conn, "SELECT COUNT(*) FROM licenses WHERE key = $1", &k).await, 1);
    }
    // The validated one, the two used to sign in, and the one from after the disk was freed.
    let (sessions,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM sessions WHERE app_id = $1")
        .bind(client_app_id)
        .fetch_one(&mut conn)
        .await
        .unwrap();
    assert_eq!(sessions, 4);
    let (integrity,): (String,) = sqlx::query_as("PRAGMA integrity_check").fetch_one(&mut conn).await.unwrap();
    assert_eq!(integrity, "ok");
}
