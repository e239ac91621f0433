//! The seller panel in a real browser: Debian's Chromium, headless, driven over WebDriver by
//! chromedriver, against the real server on a real socket. One test runs the whole tour with one
//! browser (a browser start costs more than the pages): sign in with a TOTP code, generate 1,000
//! keys and find one by search, ban it and see the client API refuse it, reset a user's HWID,
//! a form whose CSRF token was taken out refused, and an admin API token created (its secret
//! works on the admin API) and revoked (it no longer does). It fails, not skips, without chromedriver
//! (`.ci/run` installs `chromium` and `chromium-driver`).
//!
//! A second tour does the reseller dashboard: a reseller signs in, creates an API key and calls
//! `/reseller/fetchlicense` with it over real HTTP, a revocation without the CSRF token is
//! refused, and the revoked key stops working; then the seller's owner sees the same stock on the
//! panel's page of the reseller.
//!
//! A third tour does the customer panel: an end user follows the `customerPanelLink` their
//! software got from `init`, signs in, resets their HWID (the software then signs in from the
//! new machine), and a second reset within the cooldown is refused.
//!
//! With `LICENSD_PANEL_SCREENSHOTS=DIR` it saves screenshots of the main pages there
//! (docs/panel/ holds the committed ones: `LICENSD_PANEL_SCREENSHOTS=docs/panel`).

use crate::adminkit::{app_with_plan, call, generate};
use crate::client_support::ClientFixture;
use crate::harness::{Engine, TestApp};
use crate::panelkit::{PASSWORD, account, reseller_login};
use fantoccini::{Client, ClientBuilder, Locator};
use licensd::domain::ids::{AppId, ResellerId};
use licensd::domain::{time::now_ms, totp};
use licensd::manage::{Scope, panel};
use serde_json::json;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// chromedriver on a free port, stopped when dropped.
struct Driver {
    child: Child,
    url: String,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

async fn chromedriver() -> Driver {
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let child = Command::new("chromedriver")
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| {
            panic!("cannot start chromedriver ({e}): install Debian's chromium and chromium-driver (see .ci/run)")
        });
    let driver = Driver { child, url: format!("http://127.0.0.1:{port}") };
    let deadline = Instant::now() + Duration::from_secs(20);
    while reqwest::get(format!("{}/status", driver.url)).await.is_err() {
        assert!(Instant::now() < deadline, "chromedriver did not answer within 20 s");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    driver
}

async fn browser(driver: &Driver) -> Client {
    let mut caps = serde_json::Map::new();
    let args = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1280,900"];
    caps.insert("goog:chromeOptions".into(), json!({ "args": args, "binary": "/usr/bin/chromium" }));
    ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
        .capabilities(caps)
        .connect(&driver.url)
        .await
        .expect("a Chromium session through chromedriver")
}

/// Waits until the page's source contains `text` (a page load after a click is not awaited by
/// WebDriver itself); panics with the page after 10 s.
async fn wait_for_text(c: &Client, text: &str) -> String {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let source = c.source().await.unwrap();
        if source.contains(text) {
            return source;
        }
        assert!(Instant::now() < deadline, "the page never showed {text:?}:\n{source}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn screenshot(c: &Client, name: &str) {
    let png = c.screenshot().await.unwrap();
    assert!(png.starts_with(b"\x89PNG"), "a PNG screenshot");
    if let Ok(dir) = std::env::var("LICENSD_PANEL_SCREENSHOTS") {
        std::fs::write(std::path::Path::new(&dir).join(format!("{name}.png")), png).unwrap();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn panel_in_a_browser() {
    let driver = chromedriver().await;
    let app = TestApp::spawn(Engine::Sqlite).await;
    let f = app.seller("Acme Software").await;
    let seller = f.seller.id;
    let (app_id, plan_id) = app_with_plan(&app, &f.admin_token, "PhotoTool", Some(30 * 86_400)).await;
    // Some history for the overview: keys redeemed by client users with HWIDs.
    let first = generate(&app, &f.admin_token, json!({"app_id": app_id, "plan_id": plan_id, "count": 5})).await;
    let client = ClientFixture::existing(&app, seller, AppId(app_id)).await;
    for (i, key) in first.iter().take(3).enumerate() {
        let s = client.init().await;
        let user = format!("customer{}", i + 1);
        let fields = [("username", user.as_str()), ("pass", "pw"), ("key", key), ("hwid", "PC-1")];
        client.call(Some(&s), "register", &fields).await.assert_ok("Logged in!");
    }
    let owner = account(&app, seller, "owner@acme.example", "owner").await;
    let uri = panel::enrol_totp(app.store(), &Scope::cli().tenant(Some(seller)).unwrap(), owner).await.unwrap();
    let secret = uri.split("secret=").nth(1).unwrap().split('&').next().unwrap().to_owned();

    let c = browser(&driver).await;
    let base = format!("http://{}", app.addr);
    // Sign in with password and TOTP code.
    c.goto(&format!("{base}/panel/")).await.unwrap();
    wait_for_text(&c, "Sign in to licensd").await;
    screenshot(&c, "signin").await;
    c.find(Locator::Id("email")).await.unwrap().send_keys("owner@acme.example").await.unwrap();
    c.find(Locator::Id("password")).await.unwrap().send_keys(PASSWORD).await.unwrap();
    let code = totp::code_at(&secret, (now_ms() / 1000) as u64).unwrap();
    c.find(Locator::Id("code")).await.unwrap().send_keys(&code).await.unwrap();
    c.find(Locator::Css("form button[type=submit]")).await.unwrap().click().await.unwrap();
    wait_for_text(&c, "licenses</a>").await;

    // Generate 1,000 keys for the plan and find one of them by search.
    c.goto(&format!("{base}/panel/licenses")).await.unwrap();
    c.find(Locator::Css("details.generate summary")).await.unwrap().click().await.unwrap();
    c.find(Locator::Id("plan")).await.unwrap().select_by_value(&format!("{app_id}:{plan_id}")).await.unwrap();
    let count = c.find(Locator::Id("count")).await.unwrap();
    count.clear().await.unwrap();
    count.send_keys("1000").await.unwrap();
    c.find(Locator::Css("details.generate button")).await.unwrap().click().await.unwrap();
    wait_for_text(&c, "Generated 1000 keys.").await;
    let keys = c.find(Locator::Id("keys")).await.unwrap().prop("value").await.unwrap().unwrap();
    let keys: Vec<&str> = keys.lines().collect();
    assert_eq!(keys.len(), 1000);
    let key = keys[500].to_owned();
    c.goto(&format!("{base}/panel/licenses")).await.unwrap();
    c.find(Locator::Id("search")).await.unwrap().send_keys(&key).await.unwrap();
    c.find(Locator::Css("form.filters button")).await.unwrap().click().await.unwrap();
    wait_for_text(&c, "Page 1 of 1 (1 in all)").await;
    let rows = c.find_all(Locator::Css("tbody tr")).await.unwrap();
    assert_eq!(rows.len(), 1);
    assert!(rows[0].text().await.unwrap().contains(&key));

    // Ban it; the client API refuses it from then on.
    c.find(Locator::Css("form[action$='/ban'] input[name=reason]"))
        .await
        .unwrap()
        .send_keys("chargeback")
        .await
        .unwrap();
    c.find(Locator::Css("form[action$='/ban'] button")).await.unwrap().click().await.unwrap();
    wait_for_text(&c, "Banned.").await;
    let s = client.init().await;
    let refused = client.call(Some(&s), "license", &[("key", &key), ("hwid", "PC-9")]).await;
    assert!(!refused.success(), "a banned key signs in: {:?}", refused.json);

    // A form whose CSRF token was taken out is refused, and nothing changes.
    c.execute("document.querySelectorAll('input[name=csrf]').forEach(e => e.remove())", vec![]).await.unwrap();
    c.find(Locator::Css("form[action$='/unban'] button")).await.unwrap().click().await.unwrap();
    wait_for_text(&c, "no valid security token").await;
    let banned = app.store().license_by_key(seller, &key).await.unwrap();
    assert_eq!(banned.banned_reason.as_deref(), Some("chargeback"));

    // Reset a user's HWID.
    let user = app.store().user_by_ref(AppId(app_id), "customer2").await.unwrap();
    assert_eq!(app.store().user_hwids(user.id).await.unwrap(), vec!["PC-1".to_owned()]);
    c.goto(&format!("{base}/panel/users?app={app_id}")).await.unwrap();
    wait_for_text(&c, "customer2").await;
    screenshot(&c, "users").await;
    let reset = format!("form[action='/panel/apps/{app_id}/users/{}/reset-hwid'] button", user.id);
    c.find(Locator::Css(&reset)).await.unwrap().click().await.unwrap();
    wait_for_text(&c, "The HWIDs were reset.").await;
    assert!(app.store().user_hwids(user.id).await.unwrap().is_empty());

    // Upload a file with the browser's own multipart form; the client API serves its bytes.
    let dir = std::env::temp_dir().join(format!("licensd-browser-upload-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let upload = dir.join("PhotoTool-loader.bin");
    std::fs::write(&upload, b"loader v2").unwrap();
    c.goto(&format!("{base}/panel/files?app={app_id}")).await.unwrap();
    c.find(Locator::Css("details.generate summary")).await.unwrap().click().await.unwrap();
    c.find(Locator::Id("fileid")).await.unwrap().send_keys("loader").await.unwrap();
    c.find(Locator::Id("file")).await.unwrap().send_keys(upload.to_str().unwrap()).await.unwrap();
    c.find(Locator::Css("details.generate button")).await.unwrap().click().await.unwrap();
    wait_for_text(&c, "Saved.").await;
    std::fs::remove_dir_all(&dir).unwrap();
    wait_for_text(&c, "9 bytes").await;
    screenshot(&c, "files").await;
    let (signed_in, _) = client.user_session("browser-user").await;
    let file = client.call(Some(&signed_in), "file", &[("fileid", "loader")]).await;
    assert_eq!(file.json["contents"], hex::encode(b"loader v2"), "{:?}", file.json);

    // A chat channel made in the panel, where clients talk.
    c.goto(&format!("{base}/panel/chat?app={app_id}")).await.unwrap();
    c.find(Locator::Css("details.generate summary")).await.unwrap().click().await.unwrap();
    c.find(Locator::Id("name")).await.unwrap().send_keys("general").await.unwrap();
    c.find(Locator::Css("details.generate button")).await.unwrap().click().await.unwrap();
    wait_for_text(&c, "Saved.").await;
    for m in ["Is the new version out?", "Yes, download it from the app."] {
        let sent = client.call(Some(&signed_in), "chatsend", &[("channel", "general"), ("message", m)]).await;
        sent.assert_ok("Successfully sent chat message");
    }
    c.find(Locator::LinkText("general")).await.unwrap().click().await.unwrap();
    wait_for_text(&c, "Yes, download it from the app.").await;
    screenshot(&c, "chat").await;
    c.goto(&format!("{base}/panel/sessions?app={app_id}")).await.unwrap();
    wait_for_text(&c, "browser-user").await;
    screenshot(&c, "sessions").await;

    // An admin API token: its secret is shown once and works on the admin API; revoked after the
    // confirmation page, it is refused.
    c.goto(&format!("{base}/panel/tokens")).await.unwrap();
    c.find(Locator::Css("details.generate summary")).await.unwrap().click().await.unwrap();
    c.find(Locator::Id("name")).await.unwrap().send_keys("browser token").await.unwrap();
    c.find(Locator::Id("password")).await.unwrap().send_keys(PASSWORD).await.unwrap();
    c.find(Locator::Css("details.generate button")).await.unwrap().click().await.unwrap();
    wait_for_text(&c, "shown this once").await;
    let token = c.find(Locator::Id("secret")).await.unwrap().prop("value").await.unwrap().unwrap();
    assert_eq!(call(&app, "GET", "/admin/v1/apps", &token, None).await.0, 200);
    c.goto(&format!("{base}/panel/tokens")).await.unwrap();
    c.find(Locator::XPath("//tr[td[text()='browser token']]//a")).await.unwrap().click().await.unwrap();
    wait_for_text(&c, "Yes, revoke it").await;
    c.find(Locator::Css("main form button")).await.unwrap().click().await.unwrap();
    wait_for_text(&c, "Revoked.").await;
    assert_eq!(call(&app, "GET", "/admin/v1/apps", &token, None).await.0, 401);

    // A teammate by invitation: the link, shown once, opens the invitee's account with the
    // role the owner chose; the team page then lists both.
    c.goto(&format!("{base}/panel/team")).await.unwrap();
    c.find(Locator::Css("details.generate summary")).await.unwrap().click().await.unwrap();
    c.find(Locator::Id("email")).await.unwrap().send_keys("helper@acme.example").await.unwrap();
    c.find(Locator::Css("#role option[value='support']")).await.unwrap().click().await.unwrap();
    c.find(Locator::Id("password")).await.unwrap().send_keys(PASSWORD).await.unwrap();
    c.find(Locator::Css("details.generate button")).await.unwrap().click().await.unwrap();
    wait_for_text(&c, "shown this once").await;
    let link = c.find(Locator::Id("link")).await.unwrap().prop("value").await.unwrap().unwrap();
    assert!(link.starts_with(&format!("{base}/panel/invitation?token=")), "{link}");
    c.goto(&link).await.unwrap();
    wait_for_text(&c, "You are invited to licensd as").await;
    for field in ["password", "password2"] {
        c.find(Locator::Id(field)).await.unwrap().send_keys("helper's own password").await.unwrap();
    }
    c.find(Locator::Css("form button")).await.unwrap().click().await.unwrap();
    wait_for_text(&c, "Sign in to licensd").await;
    let helper = app.store().panel_account_by_email("helper@acme.example").await.unwrap().expect("an account");
    assert_eq!(helper.role.as_str(), "support");
    c.goto(&format!("{base}/panel/team")).await.unwrap();
    wait_for_text(&c, "helper@acme.example").await;
    screenshot(&c, "team").await;

    // The other main pages, for the documentation.
    c.goto(&format!("{base}/panel/licenses")).await.unwrap();
    wait_for_text(&c, "1005 in all").await;
    screenshot(&c, "licenses").await;
    c.goto(&format!("{base}/panel/apps/{app_id}")).await.unwrap();
    wait_for_text(&c, "Customer panel link").await;
    screenshot(&c, "app").await;
    c.goto(&format!("{base}/panel/audit")).await.unwrap();
    wait_for_text(&c, "user.reset_hwid").await;
    screenshot(&c, "audit").await;
    c.goto(&format!("{base}/panel/")).await.unwrap();
    wait_for_text(&c, "Last 30 days").await;
    screenshot(&c, "overview").await;
    c.close().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn reseller_dashboard_in_a_browser() {
    let driver = chromedriver().await;
    let app = TestApp::spawn(Engine::Sqlite).await;
    let f = app.seller("Acme Software").await;
    let t = &f.admin_token;
    let (app_id, monthly) = app_with_plan(&app, t, "PhotoTool", Some(30 * 86_400)).await;
    let body = json!({"name": "lifetime", "level": 2, "duration_secs": null});
    let (status, plan) = call(&app, "POST", &format!("/admin/v1/apps/{app_id}/plans"), t, Some(body)).await;
    assert!(status < 300, "{plan}");
    let lifetime = plan["data"]["id"].as_i64().unwrap();
    let (status, r) = call(&app, "POST", "/admin/v1/resellers", t, Some(json!({"name": "GameKeys"}))).await;
    assert!(status < 300, "{r}");
    let reseller = r["data"]["id"].as_i64().unwrap();
    // Stock of two plans, some of it sold to Discord users through the seller's key for the bot.
    let mut stock = Vec::new();
    for (plan, count) in [(monthly, 12), (lifetime, 5)] {
        let body = json!({"generate": {"app_id": app_id, "plan_id": plan, "count": count}});
        let (status, g) = call(&app, "POST", &format!("/admin/v1/resellers/{reseller}/stock"), t, Some(body)).await;
        assert!(status < 300, "{g}");
        stock.extend(g["data"]["keys"].as_array().unwrap().iter().map(|k| k.as_str().unwrap().to_owned()));
    }
    let (_, bot) =
        call(&app, "POST", &format!("/admin/v1/resellers/{reseller}/keys"), t, Some(json!({"label": "bot"}))).await;
    let bot = bot["key"].as_str().unwrap().to_owned();
    for (i, key) in [&stock[0], &stock[1], &stock[2], &stock[13]].into_iter().enumerate() {
        let user = format!("31415926535897932{i}");
        let params = [("api_token", bot.as_str()), ("license", key), ("discord_user_id", &user)];
        let res = app.http.get(app.url("/reseller/assignlicense")).query(&params).send().await.unwrap();
        assert_eq!(res.status(), 200, "{}", res.text().await.unwrap());
    }
    reseller_login(&app, f.seller.id, ResellerId(reseller), "sales@gamekeys.example").await;

    let c = browser(&driver).await;
    let base = format!("http://{}", app.addr);
    c.goto(&format!("{base}/reseller/dashboard/")).await.unwrap();
    wait_for_text(&c, "Reseller dashboard").await;
    c.find(Locator::Id("email")).await.unwrap().send_keys("sales@gamekeys.example").await.unwrap();
    c.find(Locator::Id("password")).await.unwrap().send_keys(PASSWORD).await.unwrap();
    c.find(Locator::Css("form button[type=submit]")).await.unwrap().click().await.unwrap();
    wait_for_text(&c, "<td>lifetime</td><td>4</td><td>1</td><td>5</td>").await;
    screenshot(&c, "reseller-stock").await;
    c.goto(&format!("{base}/reseller/dashboard/assignments")).await.unwrap();
    wait_for_text(&c, "(4 in all)").await;
    screenshot(&c, "reseller-assignments").await;

    // Settings: a new API key, shown once, works on the Reseller API at once.
    c.goto(&format!("{base}/reseller/dashboard/settings")).await.unwrap();
    c.find(Locator::Id("label")).await.unwrap().send_keys("Discord bot").await.unwrap();
    c.find(Locator::Css("form.filters button")).await.unwrap().click().await.unwrap();
    wait_for_text(&c, "shown this once").await;
    let key = c.find(Locator::Id("secret")).await.unwrap().prop("value").await.unwrap().unwrap();
    let fetch = |key: String| {
        let url = app.url("/reseller/fetchlicense");
        let http = app.http.clone();
        async move {
            let res = http.get(url).query(&[("api_token", key)]).send().await.unwrap();
            (res.status().as_u16(), res.json::<serde_json::Value>().await.unwrap())
        }
    };
    let (status, fetched) = fetch(key.clone()).await;
    assert_eq!((status, &fetched["ok"]), (200, &json!(true)), "{fetched}");
    assert!(stock.contains(&fetched["license"]["key"].as_str().unwrap().to_owned()), "{fetched}");
    c.goto(&format!("{base}/reseller/dashboard/settings")).await.unwrap();
    wait_for_text(&c, "Discord bot").await;
    screenshot(&c, "reseller-settings").await;

    // Revoking asks first; without the CSRF token it is refused and the key keeps working.
    let links = c.find_all(Locator::Css("td.actions a")).await.unwrap();
    links.last().unwrap().click().await.unwrap();
    wait_for_text(&c, "cannot be undone").await;
    let confirm = c.current_url().await.unwrap();
    c.execute("document.querySelectorAll('input[name=csrf]').forEach(e => e.remove())", vec![]).await.unwrap();
    c.find(Locator::Css("main form button")).await.unwrap().click().await.unwrap();
    wait_for_text(&c, "no valid security token").await;
    assert_eq!(fetch(key.clone()).await.0, 200, "a refused revocation revoked nothing");
    c.goto(confirm.as_str()).await.unwrap();
    c.find(Locator::Css("main form button")).await.unwrap().click().await.unwrap();
    wait_for_text(&c, "The key was revoked").await;
    assert_eq!(fetch(key).await.0, 401, "a revoked key stops at once");
    assert_eq!(fetch(bot).await.0, 200, "the other key still works");

    // The seller's side of the same reseller, in the panel.
    account(&app, f.seller.id, "owner@acme.example", "owner").await;
    c.goto(&format!("{base}/panel/signin")).await.unwrap();
    c.find(Locator::Id("email")).await.unwrap().send_keys("owner@acme.example").await.unwrap();
    c.find(Locator::Id("password")).await.unwrap().send_keys(PASSWORD).await.unwrap();
    c.find(Locator::Css("form button[type=submit]")).await.unwrap().click().await.unwrap();
    wait_for_text(&c, "Last 30 days").await;
    c.goto(&format!("{base}/panel/resellers/{reseller}")).await.unwrap();
    wait_for_text(&c, "<td>PhotoTool</td><td>lifetime</td><td>4</td><td>1</td><td>5</td>").await;
    screenshot(&c, "resellers").await;
    c.close().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn customer_panel_in_a_browser() {
    let driver = chromedriver().await;
    let app = TestApp::spawn(Engine::Sqlite).await;
    let f = app.seller("Acme Software").await;
    let t = &f.admin_token;
    let (app_id, plan_id) = app_with_plan(&app, t, "PhotoTool", Some(30 * 86_400)).await;
    let body = json!({"hwid_lock": true, "customer_panel": true, "hwid_reset_cooldown_secs": 86_400});
    let (status, a) = call(&app, "PATCH", &format!("/admin/v1/apps/{app_id}"), t, Some(body)).await;
    assert_eq!(status, 200, "{a}");
    let keys = generate(&app, t, json!({"app_id": app_id, "plan_id": plan_id, "count": 1})).await;
    let client = ClientFixture::existing(&app, f.seller.id, AppId(app_id)).await;
    let s = client.init().await;
    let fields = [("username", "maria"), ("pass", "maria-password-1"), ("key", keys[0].as_str()), ("hwid", "OLD-PC")];
    client.call(Some(&s), "register", &fields).await.assert_ok("Logged in!");
    // The user follows the link the software got from init.
    let link = client.call(None, "init", &[]).await.json["appinfo"]["customerPanelLink"].as_str().unwrap().to_owned();
    assert_eq!(link, app.url(&format!("/customer/{}/{app_id}/", f.seller.ownerid)));

    let c = browser(&driver).await;
    c.goto(&link).await.unwrap();
    wait_for_text(&c, "PhotoTool: your account").await;
    c.find(Locator::Id("username")).await.unwrap().send_keys("maria").await.unwrap();
    c.find(Locator::Id("password")).await.unwrap().send_keys("maria-password-1").await.unwrap();
    c.find(Locator::Css("form button[type=submit]")).await.unwrap().click().await.unwrap();
    wait_for_text(&c, "OLD-PC").await;
    screenshot(&c, "customer").await;
    c.find(Locator::Css("form.inline button")).await.unwrap().click().await.unwrap();
    wait_for_text(&c, "The HWIDs were reset.").await;
    wait_for_text(&c, "You can reset your HWID again after").await;
    let s = client.init().await;
    let new_pc = [("username", "maria"), ("pass", "maria-password-1"), ("hwid", "NEW-PC")];
    client.call(Some(&s), "login", &new_pc).await.assert_ok("Logged in!");
    // The page offers no second reset; one sent anyway (the form rebuilt by hand) is refused.
    let again = "const f = document.createElement('form'); f.method = 'post'; f.action = location.pathname + 'reset-hwid'; \
                 const i = document.createElement('input'); i.name = 'csrf'; \
                 i.value = document.querySelector('input[name=csrf]').value; f.appendChild(i); \
                 document.body.appendChild(f); f.submit();";
    c.execute(again, vec![]).await.unwrap();
    wait_for_text(&c, "You reset your HWID recently").await;
    let s = client.init().await;
    client.call(Some(&s), "login", &new_pc).await.assert_ok("Logged in!");
    c.close().await.unwrap();
}
