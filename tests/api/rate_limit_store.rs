//! Where rate-limit counters live (`rate_limit_store`): in the process's memory (the SQLite
//! default, no database write per request) or in the database's `rate_limits` table (the
//! PostgreSQL default, shared by every process). Either way the limit answers the same.

use crate::harness::{Engine, TestApp};
use crate::licenses::shop;
use crate::reseller_fixture::fresh_window;
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
