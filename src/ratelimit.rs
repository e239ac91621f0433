//! Fixed-window request counters behind every rate limit (client API per app, login failures,
//! Licenses API per token, Reseller API per key).
//!
//! Two places can hold the counts, chosen by `rate_limit_store` in the configuration:
//! - `memory`: a map in this process. Exact and free of IO, but only correct when one process
//!   serves the database, which is how the embedded SQLite default runs (its default).
//! - `database`: one atomic upsert per request in `rate_limits`, so every process sharing a
//!   PostgreSQL database counts together (its default).
//!
//! On SQLite every database write queues behind the single writer, so counting there would make
//! each read request (validate, licenseinfo, ...) pay for a write: see BENCHMARKS.md.
//!
//! `admit` is `hit` for limits that are checked against a known budget and never refunded (the
//! Licenses API per token, the Reseller API per key, the client API per app). On the database
//! it does not write per request: a process reserves a run of counts at once (`reservation`:
//! 1/256 of the limit, 1 to 64; limits under 512 count one by one, exactly) and hands them out from memory. Counts are never shared, so no
//! more than the limit pass in a window, whatever the number of processes; counts a process
//! reserved but did not use before the window ended are lost, so with P processes a limit can
//! bind up to P x 1/256 of it early. A window whose reserved counts passed the limit answers
//! from memory until it ends, so a flood past the limit costs no write either.
//!
//! `hit_in_process` always counts in this process's memory, whatever the store: for the hottest
//! path (the client API's `init`, at every program start), where shared counters would add two
//! committed writes to every call, one of them on a row that every call of the app waits on. With
//! several processes each one counts alone, so such a limit is per process.

use crate::store::{Result, Store};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// The counters: where the shared ones live, and this process's own.
pub struct RateLimiter {
    /// `None`: the shared counters are `local` too (one process serves the database).
    database: Option<Store>,
    local: MemoryWindows,
    /// Counts reserved from the database by `admit`, per bucket. A bucket's lock is held while
    /// it reserves, so the tasks of one process take one run at a time and lose none of it.
    leases: Mutex<HashMap<String, Arc<tokio::sync::Mutex<Option<Lease>>>>>,
}

/// Counts `next..=last` of one bucket's window, reserved for this process.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Lease {
    window_start: i64,
    next: i64,
    last: i64,
}

impl Lease {
    /// The next reserved count of the window starting at `start`; once the reserved counts
    /// passed `limit`, every further request of that window is over it. `None`: reserve more.
    fn take(&mut self, start: i64, limit: i64) -> Option<i64> {
        if self.window_start != start {
            return None;
        }
        if self.next <= self.last {
            self.next += 1;
            return Some(self.next - 1);
        }
        (self.last > limit).then_some(self.last + 1)
    }
}

/// How many counts `admit` reserves at once for a limit.
pub fn reservation(limit: i64) -> i64 {
    (limit / 256).clamp(1, 64)
}

impl RateLimiter {
    pub fn memory() -> Self {
        Self { database: None, local: MemoryWindows::default(), leases: Mutex::default() }
    }

    pub fn database(store: Store) -> Self {
        Self { database: Some(store), local: MemoryWindows::default(), leases: Mutex::default() }
    }

    /// Counts one request against `limit` in `bucket`'s window and returns its count (the
    /// request passes when it is at most `limit`). See the module documentation for how the
    /// database counts are reserved in runs.
    pub async fn admit(&self, bucket: &str, now_ms: i64, window_ms: i64, limit: i64) -> Result<i64> {
        let start = window_start(now_ms, window_ms);
        let Some(store) = &self.database else { return Ok(self.local.hit(bucket, start)) };
        let slot = {
            let mut leases = self.leases.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
            leases.entry(bucket.to_owned()).or_default().clone()
        };
        let mut lease = slot.lock().await;
        if let Some(count) = lease.as_mut().and_then(|l| l.take(start, limit)) {
            return Ok(count);
        }
        let n = reservation(limit);
        let last = store.reserve_requests(bucket, start, n).await?;
        let first = last - n + 1;
        *lease = Some(Lease { window_start: start, next: first + 1, last });
        Ok(first)
    }

    /// Counts one request in `bucket`'s current window of `window_ms` and returns the count
    /// including this one.
    pub async fn hit(&self, bucket: &str, now_ms: i64, window_ms: i64) -> Result<i64> {
        match &self.database {
            None => Ok(self.local.hit(bucket, window_start(now_ms, window_ms))),
            Some(store) => store.count_request(bucket, window_start(now_ms, window_ms)).await,
        }
    }

    /// Like `hit`, but always in this process's memory (see the module documentation).
    pub fn hit_in_process(&self, bucket: &str, now_ms: i64, window_ms: i64) -> i64 {
        self.local.hit(bucket, window_start(now_ms, window_ms))
    }

    /// Takes back one request counted by `hit` in the same window (for limits that count only
    /// failures: the attempt is counted before it runs, so parallel attempts cannot overshoot,
    /// and refunded when it succeeds).
    pub async fn refund(&self, bucket: &str, now_ms: i64, window_ms: i64) -> Result<()> {
        match &self.database {
            None => {
                self.local.refund(bucket, window_start(now_ms, window_ms));
                Ok(())
            }
            Some(store) => store.uncount_request(bucket, window_start(now_ms, window_ms)).await,
        }
    }

    /// Forgets windows that started before `before_ms`.
    pub async fn prune(&self, before_ms: i64) -> Result<u64> {
        let local = self.local.prune(before_ms);
        // A bucket whose lock is held is in use now; it stays.
        self.leases
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .retain(|_, slot| slot.try_lock().map_or(true, |l| l.is_some_and(|l| l.window_start >= before_ms)));
        match &self.database {
            None => Ok(local),
            Some(store) => Ok(local + store.prune_rate_limits(before_ms).await?),
        }
    }
}

/// The start of the window of `window_ms` that contains `now_ms`.
pub fn window_start(now_ms: i64, window_ms: i64) -> i64 {
    now_ms - now_ms.rem_euclid(window_ms)
}

/// Milliseconds until the window containing `now_ms` ends.
pub fn window_left_ms(now_ms: i64, window_ms: i64) -> i64 {
    window_ms - now_ms.rem_euclid(window_ms)
}

/// In-process counters: bucket -> (window start, count). A bucket keeps only its current window.
#[derive(Default)]
pub struct MemoryWindows {
    map: Mutex<HashMap<String, (i64, i64)>>,
}

impl MemoryWindows {
    fn hit(&self, bucket: &str, start: i64) -> i64 {
        let mut map = self.map.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        match map.get_mut(bucket) {
            Some((s, count)) if *s == start => {
                *count += 1;
                *count
            }
            Some(entry) => {
                *entry = (start, 1);
                1
            }
            None => {
                map.insert(bucket.to_owned(), (start, 1));
                1
            }
        }
    }

    fn refund(&self, bucket: &str, start: i64) {
        let mut map = self.map.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        if let Some((s, count)) = map.get_mut(bucket)
            && *s == start
        {
            *count = (*count - 1).max(0);
        }
    }

    fn prune(&self, before_ms: i64) -> u64 {
        let mut map = self.map.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        let len = map.len();
        map.retain(|_, (start, _)| *start >= before_ms);
        (len - map.len()) as u64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_per_bucket_and_window() {
        let w = MemoryWindows::default();
        assert_eq!(w.hit("a", 0), 1);
        assert_eq!(w.hit("a", 0), 2);
        assert_eq!(w.hit("b", 0), 1);
        assert_eq!(w.hit("a", 60_000), 1, "a new window starts from one");
        assert_eq!(w.hit("a", 60_000), 2);
    }

    #[test]
    fn refund_only_touches_the_same_window_and_never_goes_negative() {
        let w = MemoryWindows::default();
        w.hit("a", 0);
        w.refund("a", 60_000);
        assert_eq!(w.hit("a", 0), 2, "a refund for another window changes nothing");
        w.refund("a", 0);
        w.refund("a", 0);
        w.refund("a", 0);
        assert_eq!(w.hit("a", 0), 1);
    }

    #[test]
    fn prune_drops_old_windows_only() {
        let w = MemoryWindows::default();
        w.hit("old", 0);
        w.hit("new", 120_000);
        assert_eq!(w.prune(60_000), 1);
        assert_eq!(w.hit("new", 120_000), 2);
        assert_eq!(w.hit("old", 0), 1);
    }

    #[test]
    fn a_lease_hands_out_its_run_then_answers_over_the_limit() {
        let mut l = Lease { window_start: 0, next: 5, last: 6 };
        assert_eq!(l.take(0, 10), Some(5));
        assert_eq!(l.take(0, 10), Some(6));
        assert_eq!(l.take(0, 10), None, "run used up, limit not reached: reserve more");
        assert_eq!(l.take(60_000, 10), None, "another window");
        let mut over = Lease { window_start: 0, next: 12, last: 11 };
        assert_eq!(over.take(0, 10), Some(12), "past the limit: no more reservations this window");
        assert_eq!(reservation(6000), 23);
        assert_eq!(reservation(1_000_000), 64);
        assert_eq!(reservation(100), 1, "small limits count one by one");
    }

    #[test]
    fn window_arithmetic() {
        assert_eq!(window_start(61_500, 60_000), 60_000);
        assert_eq!(window_left_ms(61_500, 60_000), 58_500);
        assert_eq!(window_start(-1, 60_000), -60_000);
    }
}
