//! Which address the client API charges a request to, behind `trusted_proxies = ["127.0.0.1"]`:
//! the right-most `X-Forwarded-For` entry that is not a trusted proxy, whatever a client writes
//! on the left; and the IP blacklist compares canonical addresses (`2001:DB8::7` listed through
//! the admin API refuses the client `2001:db8::7`).
//! Raw on purpose (not the SDK): the SDK cannot send `X-Forwarded-For`.

use crate::client_support::{Answer, ClientFixture};
use crate::engine_tests;
use crate::harness::TestApp;
use licensd::{config::Config, store::tokens::TokenKind};
use serde_json::json;

fn behind_loopback_proxy(config: &mut Config) {
    config.trusted_proxies = vec!["127.0.0.1".parse().unwrap()];
    config.login_failures_per_ip_per_min = 2;
    config.login_failures_per_app_per_min = 0;
}

engine_tests!(
    config = behind_loopback_proxy;
    spoofed_left_entries_do_not_choose_the_signin_address,
    blacklisted_ipv6_matches_whatever_its_case
);

const REFUSED: &str = "Too many failed attempts. Try again in a minute.";
const BLACKLISTED: &str = "You've been blacklisted from our application";

/// A `login` of `alice` with a wrong password, with this `X-Forwarded-For`.
async fn login(c: &ClientFixture<'_>, forwarded_for: &str) -> Answer {
    let session = c.init().await;
    let body = c.form(Some(&session), "login", &[("username", "alice"), ("pass", "wrong")]);
    let req = c.t.http.post(c.t.url(&c.path)).header("content-type", "application/x-www-form-urlencoded");
    c.send(req.header("x-forwarded-for", forwarded_for).body(body), &c.seller.ownerid).await
}

/// Each attempt names another "client" on the left, as a client can; the proxy's entry on the
/// right stays, so the third failure from it is refused like any third failure.
async fn spoofed_left_entries_do_not_choose_the_signin_address(t: TestApp) {
    let c = ClientFixture::new(&t).await;
    for i in 0..2 {
        let a = login(&c, &format!("198.51.100.{i}, 203.0.113.7")).await;
        assert!(!a.success() && a.message() != REFUSED, "attempt {i}: {}", a.text);
    }
    login(&c, "198.51.100.99, 203.0.113.7").await.assert_fail(REFUSED);
    // Another client behind the same proxy has its own budget.
    let a = login(&c, "203.0.113.8").await;
    assert_ne!(a.message(), REFUSED, "{}", a.text);
}

async fn blacklisted_ipv6_matches_whatever_its_case(t: TestApp) {
    let c = ClientFixture::new(&t).await;
    let admin = t.store().create_token(TokenKind::Seller, Some(c.seller.id), "admin").await.unwrap().1;
    let entry = json!({"kind": "ip", "value": "2001:DB8::7", "reason": "abuse"});
    let (status, body) = t.post_json(&format!("/admin/v1/apps/{}/blacklist", c.app.id), &admin, &entry).await;
    assert_eq!(status, 201, "{body}");
    login(&c, "2001:db8::7").await.assert_fail(BLACKLISTED);
    login(&c, "2001:db8::1, 2001:0DB8:0::7").await.assert_fail(BLACKLISTED);
    let a = login(&c, "2001:db8::7, 2001:db8::8").await;
    assert_ne!(a.message(), BLACKLISTED, "a spoofed left-most entry is not the client: {}", a.text);
}
