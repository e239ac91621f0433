//! Requests their client abandons mid-flight (a timeout, a closed connection). The server runs
//! every request to its end: otherwise a multi-step action stops between its steps, and a
//! database transaction dropped while its `BEGIN` is in flight leaves the pooled PostgreSQL
//! connection inside an open transaction (sqlx 0.9.0, launchbadge/sqlx#4393), so that later
//! statements on it are never committed.

use crate::client_support::ClientFixture;
use crate::engine_tests;
use crate::harness::{Engine, TestApp};
use sqlx::Connection;
use std::time::{Duration, Instant};

engine_tests!(config = crate::harness::without_signin_limits; an_abandoned_registration_completes);

/// A registration with a password whose client gives up after 5 ms, while the server is still
/// hashing (Argon2id takes tens of milliseconds): the user is created all the same, and no
/// pooled connection is left inside a transaction.
async fn an_abandoned_registration_completes(t: TestApp) {
    let c = ClientFixture::new(&t).await;
    let gold = c.plan("Gold", 1, Some(86_400)).await;
    c.license(&gold, "WALK-AWAY", Some(86_400)).await;
    let session = c.init().await;
    let extra = [("username", "walker"), ("pass", "correct horse battery staple"), ("key", "WALK-AWAY")];
    let body = c.form(Some(&session), "register", &extra);
    let impatient = reqwest::Client::builder().timeout(Duration::from_millis(5)).build().unwrap();
    let sent = impatient
        .post(t.url("/api/1.3/"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(body)
        .send()
        .await;
    assert!(sent.is_err(), "the client was meant to give up before the answer: {sent:?}");

    let started = Instant::now();
    while t.store().user_by_ref(c.app.id, "walker").await.is_err() {
        assert!(started.elapsed() < Duration::from_secs(10), "the abandoned registration never completed");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let login = c
        .call(Some(&c.init().await), "login", &[("username", "walker"), ("pass", "correct horse battery staple")])
        .await;
    login.assert_ok("Logged in!");

    if t.engine == Engine::Postgres {
        let mut fresh = sqlx::AnyConnection::connect(&t.database_url).await.unwrap();
        let (open,): (i64,) = sqlx::query_as(
            "SELECT COUNT(*) FROM pg_stat_activity WHERE datname = current_database() \
             AND pid <> pg_backend_pid() AND state LIKE 'idle in transaction%'",
        )
        .fetch_one(&mut fresh)
        .await
        .unwrap();
        assert_eq!(open, 0, "a pooled connection was left inside a transaction");
    }
}
