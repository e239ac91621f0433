//! Where rate-limit counters live (`rate_limit_store`): in the process's memory (the SQLite
//! default, no database write per request) or in the database's `rate_limits` table (the
//! PostgreSQL default, shared by every process). Either way the limit answers the same.

use crate::harness::{Engine, TestApp};
use crate::licenses::shop;
use crate::reseller_fixture::fresh_window;
use futures_util::StreamExt;
use licensd::config::RateLimitStore;
use std::time::Duration;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn counters_live_where_configured() {
    for (engine, chosen, in_database) in [
        (Engine::Sqlite, None, false),
        (Engine::Sqlite, Some(RateLimitStore::Database), true),
        (Engine::Postgres, None, true),
        (Engine::Postgres, Some(RateLimitStore::Memory), false),
    ] {
        let app = TestApp::spawn_with(engine, |c| {
            c.licenses_rate_limit_per_min = 3;
            c.rate_limit_store = chosen;
        })
        .await;
        let s = shop(&app, "acme").await;
        fresh_window(Duration::from_secs(10)).await;
        for n in 0..3 {
            assert_eq!(app.get_json("/api/v2/license-keys", &s.token).await.0, 200, "{engine:?} {chosen:?} {n}");
        }
        assert_eq!(app.get_json("/api/v2/license-keys", &s.token).await.0, 429, "{engine:?} {chosen:?}");
        sqlx::any::install_default_drivers();
        let mut db = <sqlx::AnyConnection as sqlx::Connection>::connect(&app.database_url).await.unwrap();
        let (rows,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM rate_limits").fetch_one(&mut db).await.unwrap();
        assert_eq!(rows > 0, in_database, "{engine:?} {chosen:?}: {rows} rows");
    }
}

/// Two processes on one PostgreSQL share a Licenses API token's limit without a write per
/// request: each reserves runs of counts (`reservation`), so no more than the limit pass, at
/// most one run per process is lost, and the database count moved in whole runs.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_processes_share_a_limit_through_reserved_runs() {
    const LIMIT: i64 = 2560;
    let run = licensd::ratelimit::reservation(LIMIT);
    assert_eq!(run, 10);
    let app = TestApp::spawn_with(Engine::Postgres, |c| c.licenses_rate_limit_per_min = LIMIT as u32).await;
    let s = shop(&app, "acme").await;
    let second = crate::client_chat::SecondProcess::start(&app).await;
    let urls = [app.url("/api/v2/license-keys"), format!("http://127.0.0.1:{}/api/v2/license-keys", second.port)];
    fresh_window(Duration::from_secs(15)).await;
    let sent = 2800;
    let statuses: Vec<u16> = futures_util::stream::iter(0..sent)
        .map(|i| {
            let req = app.http.get(&urls[i % 2]).bearer_auth(&s.token);
            async move { req.send().await.unwrap().status().as_u16() }
        })
        .buffer_unordered(64)
        .collect()
        .await;
    let passed = statuses.iter().filter(|s| **s == 200).count() as i64;
    assert_eq!(passed + statuses.iter().filter(|s| **s == 429).count() as i64, sent as i64, "{statuses:?}");
    assert!(passed <= LIMIT, "{passed} passed a limit of {LIMIT}");
    assert!(passed >= LIMIT - 2 * run, "{passed} passed: more than one run per process was lost");

    sqlx::any::install_default_drivers();
    let mut db = <sqlx::AnyConnection as sqlx::Connection>::connect(&app.database_url).await.unwrap();
    let (count,): (i64,) = sqlx::query_as("SELECT count FROM rate_limits WHERE bucket LIKE 'licenses:token:%'")
        .fetch_one(&mut db)
        .await
        .unwrap();
    assert_eq!(count % run, 0, "the count moves in runs of {run}: {count}");
    assert!(count >= passed && count <= LIMIT + 2 * run, "count {count}, passed {passed}");
}
