//! The database side of a request's latency, per pool (`read`, `write`): how long store calls
//! wait for a connection (or SQLite's write lock) and how long they hold it, which is their
//! statements' time. `metrics` registers these histograms; the store only records into them.

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::{family::Family, histogram::Histogram};
use std::time::Instant;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct PoolLabel {
    pub pool: &'static str,
}

type Times = Family<PoolLabel, Histogram, fn() -> Histogram>;

fn db_histogram() -> Histogram {
    // 10 µs to about 5 s.
    Histogram::new(prometheus_client::metrics::histogram::exponential_buckets(0.00001, 2.5, 15))
}

/// Cheap to clone: the families are shared.
#[derive(Clone)]
pub struct DbTimings {
    pub acquire: Times,
    pub held: Times,
}

impl DbTimings {
    pub fn new() -> Self {
        Self { acquire: Family::new_with_constructor(db_histogram), held: Family::new_with_constructor(db_histogram) }
    }

    pub(super) fn waited(&self, pool: &'static str, since: Instant) -> Held {
        self.acquire.get_or_create(&PoolLabel { pool }).observe(since.elapsed().as_secs_f64());
        Held { pool, since: Instant::now(), times: self.held.clone() }
    }
}

impl Default for DbTimings {
    fn default() -> Self {
        Self::new()
    }
}

/// Carried by a connection while a store function uses it; records the hold time when dropped.
pub struct Held {
    pool: &'static str,
    since: Instant,
    times: Times,
}

impl Drop for Held {
    fn drop(&mut self) {
        self.times.get_or_create(&PoolLabel { pool: self.pool }).observe(self.since.elapsed().as_secs_f64());
    }
}
