//! Client API 1.3: a session that expires while a login on it is under way is not validated.
//! The request's start saw the session alive; the login then waits (here on a lock the test
//! holds on the user's row, in real life on password hashing or queued writes) until the session
//! is past its expiry. The login must answer "session not found" and leave it unvalidated.
//! Through the SDK.

use crate::client_support::{ClientFixture, assert_refused};
use crate::engine_tests;
use crate::harness::TestApp;
use licensd::domain::{secret::hash_secret, time::now_ms};
use std::time::Duration;

const DAY: i64 = 86_400;
const NO_SESSION: &str =
    "Session not found. If you get this frequently, ask the developer to use the latest example code";

engine_tests!(a_session_expiring_during_login_stays_unvalidated);

async fn a_session_expiring_during_login_stays_unvalidated(t: TestApp) {
    let mut c = ClientFixture::new(&t).await;
    let gold = c.plan("Gold", 1, Some(DAY)).await;
    c.license(&gold, "SLOW-KEY", Some(DAY)).await;
    c.key_session("SLOW-KEY").await;
    let user = t.store().user_by_ref(c.app.id, "SLOW-KEY").await.unwrap();
    c.update(|a| a.session_ttl_secs = 1).await;
    let mut app = c.sdk_init().await;
    let s = app.session_id().unwrap().to_owned();
    let expires_at = now_ms() + 1_000;

    // Another writer holds the user's row (and on SQLite the database's write lock), so the
    // login's bookkeeping waits after the request has found its session alive.
    let mut lock = c.db().await;
    sqlx::query("BEGIN").execute(&mut lock).await.unwrap();
    sqlx::query("UPDATE users SET last_login_at = last_login_at WHERE id = $1")
        .bind(user.id)
        .execute(&mut lock)
        .await
        .unwrap();
    let login = app.license("SLOW-KEY", None);
    let release = async {
        tokio::time::sleep(Duration::from_millis(1_500)).await;
        assert!(now_ms() > expires_at + 300, "the session must have expired before the lock is released");
        sqlx::query("ROLLBACK").execute(&mut lock).await.unwrap();
    };
    let (answer, ()) = tokio::join!(login, release);
    assert_refused(answer, NO_SESSION);

    let (validated, user_id): (i64, Option<i64>) =
        sqlx::query_as("SELECT validated, user_id FROM sessions WHERE id = $1")
            .bind(hash_secret(&s))
            .fetch_one(&mut c.db().await)
            .await
            .unwrap();
    assert_eq!((validated, user_id), (0, None), "an expired session was validated");
    assert_refused(app.check().await, NO_SESSION);
}
