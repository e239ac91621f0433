//! The last KeyAuth client gaps, through real HTTP with every answer's signatures verified by
//! the fixture: the web loader's `login` with `username` + `token` (a random token the seller
//! issues through the admin API, spent by one sign-in, refused when wrong, used, expired or
//! another user's), and `check` with `check_paid` answering `role`.

use crate::adminkit::call;
use crate::client_support::ClientFixture;
use crate::engine_tests;
use crate::harness::TestApp;
use licensd::domain::ids::UserId;
use licensd::store::tokens::TokenKind;

engine_tests!(web_loader_token_signs_in_once, check_paid_answers_the_role);

/// Issues `user_id`'s web-loader token with a seller token, as the seller's web loader does.
async fn issue(c: &ClientFixture<'_>, token: &str, user_id: UserId) -> String {
    let path = format!("/admin/v1/apps/{}/users/{user_id}/web-token", c.app.id);
    let (s, a) = call(c.t, "POST", &path, token, None).await;
    assert_eq!(s, 200, "{a}");
    a["data"]["token"].as_str().unwrap().to_owned()
}

async fn web_login(c: &ClientFixture<'_>, username: &str, token: &str) -> crate::client_support::Answer {
    let s = c.init().await;
    c.call(Some(&s), "login", &[("username", username), ("token", token), ("hwid", "HW-web")]).await
}

async fn web_loader_token_signs_in_once(t: TestApp) {
    let c = ClientFixture::new(&t).await;
    let seller_token = t.store().create_token(TokenKind::Seller, Some(c.seller.id), "admin").await.unwrap().1;
    let (_, alice) = c.user_session("alice").await;
    let (_, bob) = c.user_session("bob").await;
    let token = issue(&c, &seller_token, alice).await;
    assert_eq!(token.len(), 32, "{token}");

    let a = web_login(&c, "alice", &token).await;
    a.assert_ok("Logged in!");
    assert_eq!(a.json["info"]["username"], "alice");
    web_login(&c, "alice", &token).await.assert_fail("Password does not match.");

    // Bound to its user, refused when wrong, and replaced by a newer one.
    let first = issue(&c, &seller_token, alice).await;
    let second = issue(&c, &seller_token, alice).await;
    web_login(&c, "bob", &second).await.assert_fail("Password does not match.");
    web_login(&c, "alice", &first).await.assert_fail("Password does not match.");
    web_login(&c, "alice", "0123456789abcdef0123456789abcdef").await.assert_fail("Password does not match.");
    web_login(&c, "alice", &second).await.assert_ok("Logged in!");

    // Stored as a digest, and refused once expired.
    let token = issue(&c, &seller_token, bob).await;
    let mut db = c.db().await;
    let (stored,): (String,) = sqlx::query_as("SELECT token_hash FROM web_loader_tokens WHERE user_id = $1")
        .bind(bob)
        .fetch_one(&mut db)
        .await
        .unwrap();
    assert_eq!(stored, licensd::domain::secret::hash_secret(&token));
    sqlx::query("UPDATE web_loader_tokens SET expires_at = 1 WHERE user_id = $1")
        .bind(bob)
        .execute(&mut db)
        .await
        .unwrap();
    web_login(&c, "bob", &token).await.assert_fail("Password does not match.");

    // The login checks still apply: a banned user's token does not sign in.
    let token = issue(&c, &seller_token, bob).await;
    let path = format!("/admin/v1/apps/{}/users/{bob}/ban", c.app.id);
    let (s, a) = call(&t, "POST", &path, &seller_token, Some(serde_json::json!({ "reason": "chargeback" }))).await;
    assert_eq!(s, 200, "{a}");
    web_login(&c, "bob", &token).await.assert_fail("The user is banned");
    // Another seller cannot issue tokens for this app's users.
    let other = ClientFixture::named(&t, "other", "OtherApp").await;
    let other_token = t.store().create_token(TokenKind::Seller, Some(other.seller.id), "admin").await.unwrap().1;
    let (s, _) =
        call(&t, "POST", &format!("/admin/v1/apps/{}/users/{alice}/web-token", c.app.id), &other_token, None).await;
    assert_eq!(s, 404);
}

async fn check_paid_answers_the_role(t: TestApp) {
    let c = ClientFixture::new(&t).await;
    let (s, _) = c.user_session("carol").await;
    let plain = c.call(Some(&s), "check", &[]).await;
    plain.assert_ok("Session is validated.");
    assert!(plain.json.get("role").is_none(), "{:?}", plain.json);
    // The C++ client's check(true): `?check_paid=1` on the URL, the fields in the body.
    let req = t
        .http
        .post(t.url(&format!("{}?check_paid=1", c.path)))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(c.form(Some(&s), "check", &[]));
    let paid = c.send(req, &c.seller.ownerid).await;
    paid.assert_ok("Session is validated.");
    assert_eq!(paid.json["role"], "seller", "{:?}", paid.json);
    let fresh = c.init().await;
    c.call(Some(&fresh), "check", &[("check_paid", "1")]).await.assert_fail("Session is not validated");
}
