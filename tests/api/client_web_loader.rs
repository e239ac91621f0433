//! The last KeyAuth client gaps, through real HTTP with every answer's signatures verified by
//! the fixture: the web loader's `login` with `username` + `token` (a random token the seller
//! issues through the admin API, spent by one sign-in, refused when wrong, used, expired or
//! another user's), and `check` with `check_paid` answering `role`. The web loader through the
//! SDK (`web_login`); `check_paid` raw (a query parameter and a member the SDK does not have).

use crate::adminkit::call;
use crate::client_support::{ClientFixture, assert_refused};
use crate::engine_tests;
use crate::harness::TestApp;
use licensd::domain::ids::UserId;
use licensd::store::tokens::TokenKind;
use licensd_client::Error;

engine_tests!(web_loader_token_signs_in_once, check_paid_answers_the_role);

/// Issues `user_id`'s web-loader token with a seller token, as the seller's web loader does.
async fn issue(c: &ClientFixture<'_>, token: &str, user_id: UserId) -> String {
    let path = format!("/admin/v1/apps/{}/users/{user_id}/web-token", c.app.id);
    let (s, a) = call(c.t, "POST", &path, token, None).await;
    assert_eq!(s, 200, "{a}");
    a["data"]["token"].as_str().unwrap().to_owned()
}

/// `username`'s web-loader sign-in with `token` from a new session: the name it signed in as
/// and the answer's message, or the refusal.
async fn web_login(c: &ClientFixture<'_>, username: &str, token: &str) -> Result<(String, String), Error> {
    let mut app = c.sdk_init().await.with_hwid("HW-web");
    let user = app.web_login(username, token).await?;
    Ok((user.username, app.last_message().unwrap_or_default().to_owned()))
}

async fn web_loader_token_signs_in_once(t: TestApp) {
    let c = ClientFixture::new(&t).await;
    let seller_token = t.store().create_token(TokenKind::Seller, Some(c.seller.id), "admin").await.unwrap().1;
    let (_, alice) = c.user_session("alice").await;
    let (_, bob) = c.user_session("bob").await;
    let token = issue(&c, &seller_token, alice).await;
    assert_eq!(token.len(), 32, "{token}");

    let signed_in = || ("alice".to_owned(), "Logged in!".to_owned());
    let no = "Password does not match.";
    assert_eq!(web_login(&c, "alice", &token).await.unwrap(), signed_in());
    assert_refused(web_login(&c, "alice", &token).await, no);

    // Bound to its user, refused when wrong, and replaced by a newer one.
    let first = issue(&c, &seller_token, alice).await;
    let second = issue(&c, &seller_token, alice).await;
    assert_refused(web_login(&c, "bob", &second).await, no);
    assert_refused(web_login(&c, "alice", &first).await, no);
    assert_refused(web_login(&c, "alice", "0123456789abcdef0123456789abcdef").await, no);
    assert_eq!(web_login(&c, "alice", &second).await.unwrap(), signed_in());

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
    assert_refused(web_login(&c, "bob", &token).await, no);

    // The login checks still apply: a banned user's token does not sign in.
    let token = issue(&c, &seller_token, bob).await;
    let path = format!("/admin/v1/apps/{}/users/{bob}/ban", c.app.id);
    let (s, a) = call(&t, "POST", &path, &seller_token, Some(serde_json::json!({ "reason": "chargeback" }))).await;
    assert_eq!(s, 200, "{a}");
    assert_refused(web_login(&c, "bob", &token).await, "The user is banned");
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
