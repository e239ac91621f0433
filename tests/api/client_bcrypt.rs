//! Imported bcrypt hashes (KeyAuth's `$2y$`, and `$2a$`/`$2b$`) sign in through the client API
//! and are replaced by Argon2id at the first successful sign-in.

use crate::client_support::ClientFixture;
use crate::engine_tests;
use crate::harness::TestApp;

engine_tests!(bcrypt_password_signs_in_and_becomes_argon2id);

async fn bcrypt_password_signs_in_and_becomes_argon2id(t: TestApp) {
    let c = ClientFixture::new(&t).await;
    let gold = c.plan("Gold", 1, None).await;
    c.license(&gold, "K1", None).await;
    let s = c.init().await;
    c.call(Some(&s), "register", &[("username", "imported"), ("pass", "argon"), ("key", "K1")])
        .await
        .assert_ok("Logged in!");
    let user = t.store().user_by_ref(c.app.id, "imported").await.unwrap();
    let bcrypt = bcrypt::hash_with_result("old-keyauth-pw", 4).unwrap().format_for_version(bcrypt::Version::TwoY);
    t.store().apply_password_reset(user.id, &bcrypt).await.unwrap();

    let s = c.init().await;
    c.call(Some(&s), "login", &[("username", "imported"), ("pass", "wrong")])
        .await
        .assert_fail("Password does not match.");
    let stored = t.store().user_by_ref(c.app.id, "imported").await.unwrap().password_hash.unwrap();
    assert_eq!(stored, bcrypt, "a failed sign-in leaves the hash alone");
    c.call(Some(&s), "login", &[("username", "imported"), ("pass", "old-keyauth-pw")]).await.assert_ok("Logged in!");
    let stored = t.store().user_by_ref(c.app.id, "imported").await.unwrap().password_hash.unwrap();
    assert!(stored.starts_with("$argon2id$"), "{stored}");
    let s = c.init().await;
    c.call(Some(&s), "login", &[("username", "imported"), ("pass", "old-keyauth-pw")]).await.assert_ok("Logged in!");
    c.call(Some(&s), "login", &[("username", "imported"), ("pass", "wrong")])
        .await
        .assert_fail("Password does not match.");
}
