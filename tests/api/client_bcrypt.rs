//! Imported bcrypt hashes (KeyAuth's `$2y$`, and `$2a$`/`$2b$`) sign in through the client API
//! and are replaced by Argon2id at the first successful sign-in. Through the SDK.

use crate::client_support::{ClientFixture, assert_ok, assert_refused};
use crate::engine_tests;
use crate::harness::TestApp;

engine_tests!(bcrypt_password_signs_in_and_becomes_argon2id);

async fn bcrypt_password_signs_in_and_becomes_argon2id(t: TestApp) {
    let c = ClientFixture::new(&t).await;
    let gold = c.plan("Gold", 1, None).await;
    c.license(&gold, "K1", None).await;
    let mut app = c.sdk_init().await;
    assert_ok(app.register("imported", "argon", "K1", None).await, &app, "Logged in!");
    let user = t.store().user_by_ref(c.app.id, "imported").await.unwrap();
    let bcrypt = bcrypt::hash_with_result("old-keyauth-pw", 4).unwrap().format_for_version(bcrypt::Version::TwoY);
    t.store().apply_password_reset(user.id, &bcrypt).await.unwrap();

    let mut app = c.sdk_init().await;
    assert_refused(app.login("imported", "wrong", None).await, "Password does not match.");
    let stored = t.store().user_by_ref(c.app.id, "imported").await.unwrap().password_hash.unwrap();
    assert_eq!(stored, bcrypt, "a failed sign-in leaves the hash alone");
    assert_ok(app.login("imported", "old-keyauth-pw", None).await, &app, "Logged in!");
    let stored = t.store().user_by_ref(c.app.id, "imported").await.unwrap().password_hash.unwrap();
    assert!(stored.starts_with("$argon2id$"), "{stored}");
    let mut app = c.sdk_init().await;
    assert_ok(app.login("imported", "old-keyauth-pw", None).await, &app, "Logged in!");
    assert_refused(app.login("imported", "wrong", None).await, "Password does not match.");
}
