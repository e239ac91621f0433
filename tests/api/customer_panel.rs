//! The customer panel (`/customer/{ownerid}/{app id}/`) over real HTTP: off until the seller
//! turns it on (then `init` links to it), sign-in with username and password or with the key of
//! a key-only user, the subscriptions page, the HWID reset with its cooldown (also under a race),
//! the password change, and every bad input answered as a page that changes nothing. End users
//! are made and checked through the Rust SDK, as their software would.

use crate::adminkit::call;
use crate::client_support::{ClientFixture, assert_refused};
use crate::engine_tests;
use crate::harness::{TestApp, without_signin_limits};
use crate::panelkit::{Face, PanelClient, sign_in_with};
use futures_util::future::join_all;
use licensd::store::tokens::TokenKind;
use licensd_client::asynch::LibreAuth;
use serde_json::json;

engine_tests!(
    the_panel_is_off_until_the_seller_turns_it_on,
    users_see_their_subscriptions_and_reset_their_hwid_once_per_cooldown,
    a_key_signs_in_only_its_own_key_user,
    passwords_change_and_other_sessions_end,
    bad_sign_ins_and_forms_change_nothing,
);
engine_tests!(config = without_signin_limits; racing_resets_get_one_through);

const DAY: i64 = 86_400;

/// The panel's face for the fixture's app.
fn face(c: &ClientFixture<'_>) -> Face {
    let base: &'static str = Box::leak(format!("/customer/{}/{}/", c.seller.ownerid, c.app.id).into_boxed_str());
    Face { sign_in: Box::leak(format!("{base}signin").into_boxed_str()), home: base, cookie: "licensd_customer" }
}

/// An app with the customer panel on, a 30-day plan and keys K1..K4.
async fn shop(t: &TestApp) -> ClientFixture<'_> {
    let mut c = ClientFixture::new(t).await;
    c.update(|a| {
        a.customer_panel = true;
        a.hwid_lock = true;
    })
    .await;
    let plan = c.plan("Gold", 2, Some(30 * DAY)).await;
    for k in ["K1", "K2", "K3", "K4"] {
        c.license(&plan, k, Some(30 * DAY)).await;
    }
    c
}

/// The app's client on machine `hwid`, through the SDK.
async fn client(c: &ClientFixture<'_>, hwid: &str) -> LibreAuth {
    let mut app = c.sdk().with_hwid(hwid);
    app.init().await.unwrap();
    app
}

/// Registers `username` (password `pw-of-alice-123`) with `key` on machine `hwid`.
async fn register(c: &ClientFixture<'_>, username: &str, key: &str, hwid: &str) {
    client(c, hwid).await.register(username, "pw-of-alice-123", key, None).await.unwrap();
}

async fn sign_in<'a>(c: &ClientFixture<'a>, username: &str, password: &str) -> PanelClient<'a> {
    PanelClient::sign_in_with(c.t, face(c), &[("username", username), ("password", password)]).await
}

async fn the_panel_is_off_until_the_seller_turns_it_on(t: TestApp) {
    let c = ClientFixture::new(&t).await;
    let f = face(&c);
    assert_eq!(t.http.get(t.url(f.sign_in)).send().await.unwrap().status(), 404, "off by default");
    assert_eq!(t.http.get(t.url(f.home)).send().await.unwrap().status(), 404);
    let mut app = client(&c, "H-1").await;
    assert_eq!(app.init().await.unwrap().app.customer_panel_link, "", "no link while it is off");

    let token = t.store().create_token(TokenKind::Seller, Some(c.seller.id), "admin").await.unwrap().1;
    let path = format!("/admin/v1/apps/{}", c.app.id);
    let body = json!({ "customer_panel": true, "hwid_reset_cooldown_secs": 3600 });
    let (s, a) = call(&t, "PATCH", &path, &token, Some(body)).await;
    assert_eq!(s, 200, "{a}");
    assert_eq!(
        (a["data"]["customer_panel"].clone(), a["data"]["hwid_reset_cooldown_secs"].clone()),
        (json!(true), json!(3600))
    );
    let (s, a) = call(&t, "PATCH", &path, &token, Some(json!({ "hwid_reset_cooldown_secs": -1 }))).await;
    assert_eq!(s, 422, "{a}");

    let page = t.http.get(t.url(f.sign_in)).send().await.unwrap();
    assert_eq!(page.status(), 200);
    assert!(page.text().await.unwrap().contains(&c.app.name), "the sign-in page names the app");
    let link = app.init().await.unwrap().app.customer_panel_link;
    assert_eq!(link, t.url(f.home), "init links to this server's panel of the app");
    // Another app of the seller keeps its panel closed, and an unknown ownerid finds nothing.
    let other = c.another_app("Other").await;
    assert_eq!(t.http.get(t.url(face(&other).sign_in)).send().await.unwrap().status(), 404);
    let stranger = format!("/customer/ZZZZZZZZZZ/{}/signin", c.app.id);
    assert_eq!(t.http.get(t.url(&stranger)).send().await.unwrap().status(), 404);
    // A link of the seller's own wins.
    let (s, _) =
        call(&t, "PATCH", &path, &token, Some(json!({ "customer_panel_link": "https://example.com/me" }))).await;
    assert_eq!(s, 200);
    assert_eq!(app.init().await.unwrap().app.customer_panel_link, "https://example.com/me");
    // Turning it off closes the panel, sessions included.
    let plan = c.plan("Gold", 1, Some(DAY)).await;
    c.license(&plan, "K1", Some(DAY)).await;
    register(&c, "alice", "K1", "H-1").await;
    let mut c2 = ClientFixture::existing(&t, c.seller.id, c.app.id).await;
    let session = sign_in(&c2, "alice", "pw-of-alice-123").await;
    c2.update(|a| a.customer_panel = false).await;
    assert_eq!(session.get(f.home).await.status, 404);
}

async fn users_see_their_subscriptions_and_reset_their_hwid_once_per_cooldown(t: TestApp) {
    let mut c = shop(&t).await;
    register(&c, "alice", "K1", "H-1").await;
    let f = face(&c);
    let me = sign_in(&c, "alice", "pw-of-alice-123").await;
    let home = me.get(f.home).await;
    assert_eq!(home.status, 200, "{}", home.body);
    for shown in ["Gold", "running", "H-1", "Reset HWID", "Change password"] {
        assert!(home.body.contains(shown), "{shown}: {}", home.body);
    }
    // The lock holds until the reset, then the next sign-in binds the new machine.
    assert_refused(
        client(&c, "H-2").await.login("alice", "pw-of-alice-123", None).await,
        "HWID doesn't match. Ask for a HWID reset",
    );
    let reset = me.post(&format!("{}reset-hwid", f.home), &[]).await;
    assert_eq!((reset.status, reset.location.as_str()), (303, format!("{}?done=hwid_reset", f.home).as_str()));
    client(&c, "H-2").await.login("alice", "pw-of-alice-123", None).await.unwrap();
    let home = me.get(f.home).await;
    assert!(home.body.contains("H-2") && home.body.contains("You can reset your HWID again after"), "{}", home.body);
    // A second reset within the cooldown is refused and changes nothing.
    let again = me.post(&format!("{}reset-hwid", f.home), &[]).await;
    assert_eq!(again.status, 409, "{}", again.body);
    client(&c, "H-2").await.login("alice", "pw-of-alice-123", None).await.unwrap();
    assert_refused(
        client(&c, "H-3").await.login("alice", "pw-of-alice-123", None).await,
        "HWID doesn't match. Ask for a HWID reset",
    );
    // Audited as the customer, with the event of a reset.
    let audit: Vec<(String,)> = sqlx::query_as("SELECT actor FROM audit_events WHERE action = 'user.reset_hwid'")
        .fetch_all(&mut c.db().await)
        .await
        .unwrap();
    assert_eq!(audit.len(), 1);
    assert!(audit[0].0.starts_with("customer:"), "{audit:?}");
    // With the cooldown gone, the next reset goes through.
    c.update(|a| a.hwid_reset_cooldown_secs = 0).await;
    assert_eq!(me.post(&format!("{}reset-hwid", f.home), &[]).await.status, 303);
    client(&c, "H-3").await.login("alice", "pw-of-alice-123", None).await.unwrap();
}

async fn racing_resets_get_one_through(t: TestApp) {
    let c = shop(&t).await;
    register(&c, "alice", "K1", "H-1").await;
    let f = face(&c);
    let me = sign_in(&c, "alice", "pw-of-alice-123").await;
    let path = format!("{}reset-hwid", f.home);
    let answers = join_all((0..12).map(|_| me.post(&path, &[]))).await;
    let mut statuses: Vec<u16> = answers.iter().map(|a| a.status).collect();
    statuses.sort_unstable();
    assert_eq!(statuses, [vec![303], vec![409; 11]].concat(), "one reset per cooldown");
    let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM events WHERE type = 'user.hwid_reset'")
        .fetch_one(&mut c.db().await)
        .await
        .unwrap();
    assert_eq!(n, 1);
}

async fn a_key_signs_in_only_its_own_key_user(t: TestApp) {
    let c = shop(&t).await;
    client(&c, "H-1").await.license("K2", None).await.unwrap();
    register(&c, "alice", "K1", "H-9").await;
    // A password account whose name looks like a key is opened by its password only.
    register(&c, "K3", "K4", "H-8").await;
    let f = face(&c);
    let me = PanelClient::sign_in_with(&t, f, &[("key", "K2")]).await;
    let home = me.get(f.home).await;
    assert!(home.body.contains("Gold") && home.body.contains("sign in with your license key"), "{}", home.body);
    // The key alice redeemed into her password account does not open it; unknown keys neither.
    for key in ["K1", "K3", "K4", "NOPE"] {
        let a = sign_in_with(&t, f, &[("key", key)]).await;
        assert_eq!(a.status, 401, "{key}: {}", a.body);
        assert!(a.body.contains("Wrong username, password, key"), "{}", a.body);
    }
}

async fn passwords_change_and_other_sessions_end(t: TestApp) {
    let c = shop(&t).await;
    register(&c, "alice", "K1", "H-1").await;
    let f = face(&c);
    let path = format!("{}password", f.home);
    let me = sign_in(&c, "alice", "pw-of-alice-123").await;
    let other = sign_in(&c, "alice", "pw-of-alice-123").await;
    let bad = [
        (vec![("current", "wrong"), ("new", "new-password-456"), ("confirm", "new-password-456")], 422, "current"),
        (vec![("current", "pw-of-alice-123"), ("new", "new-password-456"), ("confirm", "other")], 422, "differ"),
        (vec![("current", "pw-of-alice-123"), ("new", "short"), ("confirm", "short")], 422, "at least 12"),
    ];
    for (fields, status, says) in bad {
        let a = me.post(&path, &fields).await;
        assert_eq!(a.status, status, "{fields:?}: {}", a.body);
        assert!(a.body.contains(says), "{says}: {}", a.body);
    }
    client(&c, "H-1").await.login("alice", "pw-of-alice-123", None).await.unwrap();
    let fields = [("current", "pw-of-alice-123"), ("new", "new-password-456"), ("confirm", "new-password-456")];
    let done = me.post(&path, &fields).await;
    assert_eq!((done.status, done.location.as_str()), (303, format!("{}?done=password", f.home).as_str()));
    assert_refused(client(&c, "H-1").await.login("alice", "pw-of-alice-123", None).await, "Password does not match.");
    client(&c, "H-1").await.login("alice", "new-password-456", None).await.unwrap();
    assert_eq!(me.get(f.home).await.status, 200, "the session that changed it stays");
    assert_eq!(other.get(f.home).await.status, 303, "the other session ended");
    sign_in(&c, "alice", "new-password-456").await;
}

async fn bad_sign_ins_and_forms_change_nothing(t: TestApp) {
    let c = shop(&t).await;
    register(&c, "alice", "K1", "H-1").await;
    let f = face(&c);
    for fields in [
        vec![("username", "alice"), ("password", "wrong")],
        vec![("username", "nobody"), ("password", "pw-of-alice-123")],
        vec![("username", ""), ("password", "")],
    ] {
        let a = sign_in_with(&t, f, &fields).await;
        assert_eq!(a.status, 401, "{fields:?}: {}", a.body);
    }
    // Without the double-submit token the sign-in is refused.
    let no_token = t.http.post(t.url(f.sign_in)).form(&[("username", "alice"), ("password", "pw-of-alice-123")]);
    assert_eq!(no_token.send().await.unwrap().status(), 403);
    // A signed-in session: forms without its CSRF token change nothing.
    let me = sign_in(&c, "alice", "pw-of-alice-123").await;
    let reset = me.post_raw(&format!("{}reset-hwid", f.home), &[]).await;
    assert_eq!(reset.status, 403, "{}", reset.body);
    assert!(me.get(f.home).await.body.contains("H-1"), "the HWID is still bound");
    // The session is of this app only: at another app's panel it is no session.
    let mut other = c.another_app("Other").await;
    other.update(|a| a.customer_panel = true).await;
    let there = me.get(face(&other).home).await;
    assert_eq!((there.status, there.location.as_str()), (303, face(&other).sign_in));
    // Cookies are scoped to the app's panel.
    let answer = sign_in_with(&t, f, &[("username", "alice"), ("password", "pw-of-alice-123")]).await;
    let cookie = crate::panelkit::set_cookie(&answer.headers, "licensd_customer").unwrap();
    assert!(cookie.contains(&format!("Path={}", f.home)) && cookie.contains("HttpOnly"), "{cookie}");
    // A banned user cannot sign in, even with the right password.
    let user = t.store().client_user_by_name(c.app.id, "alice").await.unwrap().unwrap();
    t.store().set_user_ban(user.id, Some("chargeback")).await.unwrap();
    let banned = sign_in_with(&t, f, &[("username", "alice"), ("password", "pw-of-alice-123")]).await;
    assert_eq!(banned.status, 409, "{}", banned.body);
    assert!(banned.body.contains("banned"), "{}", banned.body);
}
