//! SQLite's write-ahead log under sustained writes: 20 s of parallel client `init` floods
//! through the real HTTP API (each stores a session). The `-wal` file must stay under the
//! documented bound (`WAL_BOUND_BYTES`) the whole time and shrink to nothing once the load
//! stops. Before the fix it passed the bound within seconds and kept its size afterwards:
//! `init`'s commits skipped SQLite's automatic checkpoint. (Mixing in writes that did reach it,
//! such as activations, let SQLite checkpoint by itself, so this load is `init` alone.)

use crate::client_support::ClientFixture;
use crate::harness::{Engine, TestApp};
use licensd::store::WAL_BOUND_BYTES;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

const LOAD: Duration = Duration::from_secs(20);
const WORKERS: usize = 32;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn wal_stays_bounded_under_sustained_writes_sqlite() {
    // The flood comes from one address on purpose: init's abuse limits are off here.
    let t = TestApp::spawn_with(Engine::Sqlite, |c| {
        c.init_sessions_per_ip_per_min = 0;
        c.init_sessions_per_app_per_min = 0;
    })
    .await;
    let wal = t.data_dir.path().join("licensd.db-wal");
    let c = ClientFixture::new(&t).await;
    let init_form = c.form(None, "init", &[]);

    let stop = Arc::new(AtomicBool::new(false));
    let writes = Arc::new(AtomicU64::new(0));
    let mut load = tokio::task::JoinSet::new();
    for _ in 0..WORKERS {
        let (http, url, body) = (t.http.clone(), t.url("/api/1.3/"), init_form.clone());
        let (stop, writes) = (stop.clone(), writes.clone());
        load.spawn(async move {
            while !stop.load(Ordering::Relaxed) {
                let res = http
                    .post(&url)
                    .header("content-type", "application/x-www-form-urlencoded")
                    .body(body.clone())
                    .send()
                    .await
                    .unwrap();
                assert_eq!(res.status(), 200);
                writes.fetch_add(1, Ordering::Relaxed);
            }
        });
    }
    let size = || std::fs::metadata(&wal).map(|m| m.len()).unwrap_or(0);
    let started = Instant::now();
    let mut peak = 0;
    while started.elapsed() < LOAD {
        peak = peak.max(size());
        assert!(
            peak < WAL_BOUND_BYTES,
            "WAL at {peak} bytes after {:?} and {} writes: over the bound of {WAL_BOUND_BYTES}",
            started.elapsed(),
            writes.load(Ordering::Relaxed)
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    stop.store(true, Ordering::Relaxed);
    load.join_all().await;
    let total = writes.load(Ordering::Relaxed);
    println!("{total} writes in {LOAD:?}, WAL peak {peak} bytes");

    // Once the writes stop the log is emptied (within the checkpoint task's idle delay).
    let quiet = Instant::now();
    while size() > 0 {
        assert!(quiet.elapsed() < Duration::from_secs(15), "WAL still {} bytes after the load", size());
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    drop(c);
}
