//! Client API 1.3: ban and blacklist (with client IPs from a trusted proxy), TOTP 2FA, forgot
//! (through a fake SMTP server), and hostile request bodies. Through the SDK, but for the proxy
//! headers and the hostile bodies (raw: the SDK sends neither).

use crate::client_support::{ClientFixture, assert_ok, assert_refused, said};
use crate::engine_tests;
use crate::harness::{Engine, TestApp};
use crate::mailkit::fake_smtp;
use licensd::config::SmtpConfig;
use licensd::domain::{time::now_ms, totp};
use licensd_client::{Error, TwoFactorSetup, asynch::LibreAuth};

const DAY: i64 = 86_400;

engine_tests!(ban_and_blacklist, two_factor, forgot_without_smtp_says_so);
engine_tests!(config = crate::harness::without_signin_limits; hostile_bodies);

mod forgot_mails_a_replacement {
    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn sqlite() {
        super::forgot_mails_a_replacement(super::Engine::Sqlite).await
    }
    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn postgres() {
        super::forgot_mails_a_replacement(super::Engine::Postgres).await
    }
}

mod trusted_proxy_ips {
    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn sqlite() {
        super::ban_via_proxy(super::Engine::Sqlite).await
    }
    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn postgres() {
        super::ban_via_proxy(super::Engine::Postgres).await
    }
}

/// A fixture with one plan and keys `K0..K{n}`.
async fn with_keys(c: &ClientFixture<'_>, n: usize) {
    let gold = c.plan("Gold", 1, Some(DAY)).await;
    for i in 0..n {
        c.license(&gold, &format!("K{i}"), Some(DAY)).await;
    }
}

async fn ban_and_blacklist(t: TestApp) {
    let c = ClientFixture::new(&t).await;
    with_keys(&c, 3).await;
    let mut app = c.sdk_init().await.with_hwid("HW-1");
    assert!(!assert_ok(app.checkblacklist().await, &app, "Client is not blacklisted"));
    assert_refused(app.ban(None).await, "Session is not validated");
    assert_ok(app.register("mal", "p", "K0", None).await, &app, "Logged in!");
    let s = app.session_id().unwrap().to_owned();
    let mut app = app.with_hwid("HW-EXTRA");
    assert_ok(app.ban(Some("debugger attached")).await, &app, "Successfully Banned User");
    assert_eq!(app.session_id(), None, "the SDK drops the ended session");
    let user = t.store().user_by_ref(c.app.id, "mal").await.unwrap();
    assert_eq!(user.banned_reason.as_deref(), Some("debugger attached"));
    // The banned user's sessions are gone; its HWIDs and the IP (127.0.0.1) are blacklisted.
    assert_refused(
        c.sdk().with_session(&s).check().await,
        "Session not found. If you get this frequently, ask the developer to use the latest example code",
    );
    let mut app = c.sdk_init().await;
    assert!(assert_ok(app.checkblacklist().await, &app, "Client is blacklisted"));
    let blacklisted = "You've been blacklisted from our application";
    assert_refused(app.register("x", "p", "K1", None).await, blacklisted);
    assert_refused(app.license("K1", None).await, blacklisted);
    assert_refused(app.login("mal", "p", None).await, blacklisted);
    let k1 = t.store().license_by_key(c.seller.id, "K1").await.unwrap();
    assert_eq!(k1.used_by_user_id, None, "a blacklisted client burns no key");
}

/// With 127.0.0.1 as a trusted proxy, the client IP comes from X-Forwarded-For / CF-Connecting-IP.
async fn ban_via_proxy(engine: Engine) {
    // Loopback and 10.0.0.1 are the proxy chain; the ban comes through Cloudflare's header.
    let t = TestApp::spawn_with(engine, |cfg| {
        cfg.trusted_proxies = vec!["127.0.0.1".parse().unwrap(), "10.0.0.1".parse().unwrap()];
        cfg.trust_cf_connecting_ip = true;
    })
    .await;
    let c = ClientFixture::new(&t).await;
    with_keys(&c, 3).await;
    let owner = c.seller.ownerid.clone();
    let post = |ip: &'static str, header: &'static str, fields: Vec<(&'static str, String)>| {
        let c = &c;
        let owner = owner.clone();
        async move {
            let mut all = vec![("name", "MyApp".to_owned()), ("ownerid", owner.clone())];
            all.extend(fields);
            let body: String = form_urlencoded::Serializer::new(String::new()).extend_pairs(&all).finish();
            let req =
                c.t.http
                    .post(c.t.url("/api/1.3/"))
                    .header(header, ip)
                    .body(body)
                    .header("content-type", "application/x-www-form-urlencoded");
            c.send(req, &owner).await
        }
    };
    let init = |ip: &'static str| {
        let post = &post;
        async move {
            post(ip, "x-forwarded-for", vec![("type", "init".into())]).await.json["sessionid"]
                .as_str()
                .unwrap()
                .to_owned()
        }
    };
    let s = init("203.0.113.5").await;
    let a = post(
        "203.0.113.5, 10.0.0.1",
        "x-forwarded-for",
        vec![
            ("type", "register".into()),
            ("sessionid", s.clone()),
            ("username", "bad".into()),
            ("pass", "p".into()),
            ("key", "K0".into()),
            ("hwid", "HW-9".into()),
        ],
    )
    .await;
    a.assert_ok("Logged in!");
    assert_eq!(a.json["info"]["ip"], "203.0.113.5");
    post("203.0.113.5", "cf-connecting-ip", vec![("type", "ban".into()), ("sessionid", s)])
        .await
        .assert_ok("Successfully Banned User");
    // The IP is blacklisted; another IP with the banned HWID too; another IP and HWID is clean.
    let s = init("198.51.100.7").await;
    let check = |ip: &'static str, hwid: &'static str| {
        let (post, s) = (&post, s.clone());
        async move {
            post(
                ip,
                "x-forwarded-for",
                vec![("type", "checkblacklist".into()), ("sessionid", s), ("hwid", hwid.into())],
            )
            .await
        }
    };
    check("203.0.113.5", "OTHER").await.assert_ok("Client is blacklisted");
    check("198.51.100.7", "HW-9").await.assert_ok("Client is blacklisted");
    check("198.51.100.7", "OTHER").await.assert_fail("Client is not blacklisted");
    // The socket peer (127.0.0.1, not banned) is used when the header is not an IP address.
    check("not-an-ip", "OTHER").await.assert_fail("Client is not blacklisted");
}

async fn two_factor(t: TestApp) {
    let c = ClientFixture::new(&t).await;
    with_keys(&c, 1).await;
    let mut app = c.sdk_init().await;
    assert_refused(app.enable_2fa(None).await, "Session is not validated");
    assert_ok(app.register("sec", "p", "K0", None).await, &app, "Logged in!");
    assert_refused(app.disable_2fa("123456").await, "2fa is not enabled on this account");
    let Ok(TwoFactorSetup::Secret { secret_code: secret, qr_code: url }) = app.enable_2fa(None).await else {
        panic!("a new secret expected")
    };
    assert!(url.starts_with("otpauth://totp/") && url.contains(&secret), "{url}");
    let now = || (now_ms() / 1000) as u64;
    let code = |at: u64| totp::code_at(&secret, at).unwrap();
    let wrong = if code(now()) == "000000" { "111111" } else { "000000" };
    let invalid = "Invalid code please try again";
    assert_refused(app.enable_2fa(Some(wrong)).await, invalid);
    // One step of skew is accepted.
    let on = assert_ok(app.enable_2fa(Some(&code(now() - 30))).await, &app, "2fa successfully activated");
    assert_eq!(on, TwoFactorSetup::Activated);
    assert_refused(app.enable_2fa(None).await, "2fa is already enabled on this account");
    assert_refused(login_2fa(&c, None).await.0, "2FA code required");
    assert_refused(login_2fa(&c, Some(wrong)).await.0, invalid);
    assert_refused(login_2fa(&c, Some(&code(now() - 120))).await.0, invalid);
    let (r, mut app) = login_2fa(&c, Some(&code(now()))).await;
    assert_eq!(r.unwrap(), "Logged in!");
    // An empty code is no code (the form's rule).
    assert_refused(app.disable_2fa("").await, invalid);
    assert_refused(app.disable_2fa(wrong).await, invalid);
    // The login's code is spent (each code is accepted once); the next one turns 2FA off.
    assert_ok(app.disable_2fa(&code(now() + 30)).await, &app, "2fa successfully disabled");
    assert_eq!(login_2fa(&c, None).await.0.unwrap(), "Logged in!");
}

/// `sec`'s login from a new session with the TOTP `code` when given: its message or refusal,
/// and the client.
async fn login_2fa(c: &ClientFixture<'_>, code: Option<&str>) -> (Result<String, Error>, LibreAuth) {
    let mut app = c.sdk_init().await;
    (said(app.login("sec", "p", code).await, &app), app)
}

async fn forgot_without_smtp_says_so(t: TestApp) {
    let c = ClientFixture::new(&t).await;
    assert_refused(
        c.sdk_init().await.forgot("a", "a@b.c").await,
        "Password reset by email is not configured on this server. Contact application developer.",
    );
}

mod forgot_reports_unreachable_smtp {
    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn sqlite() {
        super::forgot_unreachable_smtp(super::Engine::Sqlite).await
    }
    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn postgres() {
        super::forgot_unreachable_smtp(super::Engine::Postgres).await
    }
}

async fn forgot_unreachable_smtp(engine: Engine) {
    // A port nobody listens on.
    let port = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap().local_addr().unwrap().port();
    let t = TestApp::spawn_with(engine, |cfg| {
        cfg.smtp = Some(SmtpConfig { url: format!("smtp://127.0.0.1:{port}?tls=none"), from: "x@example.com".into() })
    })
    .await;
    let c = ClientFixture::new(&t).await;
    with_keys(&c, 1).await;
    let mut app = c.sdk_init().await;
    assert_ok(app.register("gus", "p", "K0", Some("gus@example.com")).await, &app, "Logged in!");
    assert_refused(
        app.forgot("gus", "gus@example.com").await,
        "The password reset email could not be sent. Try again later.",
    );
}

/// The mail transport is built once at start-up (`services::mail`): settings it cannot use stop
/// the start, naming the setting, instead of failing every `forgot` later.
#[tokio::test]
async fn unusable_smtp_settings_stop_the_start() {
    let dir = tempfile::tempdir().unwrap();
    for (url, from, says) in
        [("smtp://h:notaport", "x@example.com", "smtp.url"), ("smtp://h:25", "not an address", "smtp.from")]
    {
        let config = licensd::config::Config {
            data_dir: dir.path().to_path_buf(),
            create: true,
            smtp: Some(SmtpConfig { url: url.into(), from: from.into() }),
            ..licensd::config::Config::default()
        };
        let err = licensd::server::build_state(config).await.err().expect("the start is refused").to_string();
        assert!(err.contains(says), "{says:?} in {err}");
    }
}

async fn forgot_mails_a_replacement(engine: Engine) {
    let (port, mails) = fake_smtp().await;
    let t = TestApp::spawn_with(engine, |cfg| {
        cfg.smtp = Some(SmtpConfig {
            url: format!("smtp://127.0.0.1:{port}?tls=none"),
            from: "licensd <noreply@example.com>".into(),
        })
    })
    .await;
    let c = ClientFixture::new(&t).await;
    with_keys(&c, 1).await;
    let mut app = c.sdk_init().await;
    assert_ok(app.register("fay", "old", "K0", Some("fay@example.com")).await, &app, "Logged in!");
    assert_refused(app.forgot("nobody", "fay@example.com").await, "No user found with that username!");
    assert_refused(app.forgot("fay", "other@example.com").await, "Email address doesn't match!");
    assert!(mails.lock().unwrap().is_empty());
    assert_ok(app.forgot("fay", "FAY@example.com").await, &app, "Successfully sent email to change password.");
    let mail = mails.lock().unwrap().pop().expect("one mail delivered");
    assert!(mail.contains("To: fay@example.com"), "{mail}");
    let new_pw =
        mail.lines().find_map(|l| l.strip_prefix("New password: ")).expect("password in mail").trim().to_owned();
    assert_eq!(new_pw.len(), 16);
    let login = |pw: String| {
        let c = &c;
        async move {
            let mut app = c.sdk_init().await;
            said(app.login("fay", &pw, None).await, &app)
        }
    };
    // The old password keeps working until the new one is used; then only the new one works.
    assert_eq!(login("old".into()).await.unwrap(), "Logged in!");
    assert_eq!(login(new_pw.clone()).await.unwrap(), "Logged in!");
    assert_refused(login("old".into()).await, "Password does not match.");
    assert_eq!(login(new_pw).await.unwrap(), "Logged in!");
}

async fn hostile_bodies(t: TestApp) {
    let c = ClientFixture::new(&t).await;
    with_keys(&c, 1).await;
    let owner = c.seller.ownerid.clone();
    let s = c.init().await;
    let bad = "The request could not be read: a field is too long or the body is too large";
    // A 1 MB value (under max_body_bytes): the protocol's failure, ownerid still echoed.
    let big = "A".repeat(1_000_000);
    c.call(Some(&s), "login", &[("username", &big), ("pass", "p")]).await.assert_fail(bad);
    // A body over max_body_bytes: the same signed failure (HTTP 200), never a bare 413 or a 500.
    let huge = format!("type=init&name=MyApp&ownerid={owner}&x={}", "A".repeat(2 * 1024 * 1024));
    // The body is not read, so there is no ownerid to echo.
    let req = t.http.post(t.url("/api/1.3/")).header("content-type", "application/x-www-form-urlencoded").body(huge);
    c.send(req, "").await.assert_fail(bad);
    // Missing fields per type.
    for (kind, fields) in [
        ("register", vec![("username", "u"), ("pass", "p")]),
        ("login", vec![("pass", "p")]),
        ("loginEmail", vec![("pass", "p")]),
        ("license", vec![]),
        ("upgrade", vec![("username", "u")]),
        ("forgot", vec![("username", "u")]),
    ] {
        let a = c.call(Some(&s), kind, &fields).await;
        assert!(!a.success() && a.message().starts_with("A required field is missing: "), "{kind}: {}", a.text);
    }
    // SQL metacharacters are just text.
    for name in ["' OR 1=1 --", "\"; DROP TABLE users; --", "%_\\"] {
        c.call(Some(&s), "login", &[("username", name), ("pass", "p")]).await.assert_fail("Invalid username");
    }
    c.call(Some(&s), "register", &[("username", "o'brien\"; --"), ("pass", "p"), ("key", "K0")])
        .await
        .assert_ok("Logged in!");
    let s2 = c.init().await;
    c.call(Some(&s2), "login", &[("username", "o'brien\"; --"), ("pass", "p")]).await.assert_ok("Logged in!");
    // Invalid UTF-8 is replaced, not rejected; unknown types; raw, non-encoded values.
    let mut raw = format!("type=login&name=MyApp&ownerid={owner}&sessionid={s}&pass=x&username=").into_bytes();
    raw.extend_from_slice(b"\xff\xfe\x80");
    c.post_body(raw).await.assert_fail("Invalid username");
    let raw = format!("type=login&name=MyApp&ownerid={owner}&sessionid={s}&username=o'brien\"; --&pass=p");
    c.post_body(raw.into_bytes()).await.assert_ok("Logged in!");
    let raw = format!("type=no such&name=MyApp&ownerid={owner}&sessionid={s}&x=100%&y=%zz");
    c.post_body(raw.into_bytes()).await.assert_fail("The value inputted for type paramater was not found");
    c.post_body(b"\x00\x01\x02garbage&&&==&".to_vec())
        .await
        .assert_fail("No OwnerID specified. Select app & copy code snippet from the dashboard");
    c.post_body(Vec::new())
        .await
        .assert_fail("No OwnerID specified. Select app & copy code snippet from the dashboard");
    // A long HWID is bounded; non-ASCII input comes back escaped.
    c.call(Some(&s), "license", &[("key", "K0"), ("hwid", &"H".repeat(300))]).await.assert_fail(bad);
    let a = c.call(Some(&s), "login", &[("username", "jos\u{e9}"), ("pass", "p")]).await;
    a.assert_fail("Invalid username");
}
