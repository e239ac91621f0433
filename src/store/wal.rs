//! Keeping SQLite's write-ahead log small. SQLite checkpoints by itself (PASSIVE, when a
//! statement that committed ends with more than 1000 pages in the log) and starts the log over
//! when no reader is using it; measured, that keeps the file near 4 MB under each write path.
//! It is no bound on its own: a write that is not stepped to its end skips that checkpoint (an
//! init flood grew the log to 650 MB in 10 s that way, see `ReturnedRows`), a long read or
//! another process can hold the log, and the file never shrinks from its largest size. So the
//! server also checkpoints: TRUNCATE waits for the readers of the log to finish (new readers
//! read the database file once the log is copied), then empties the file.

use super::{Engine, Result, ReturnedRows, Store, open::BUSY_TIMEOUT};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// The documented bound on the `-wal` file under any write load (docs/durability.md). The log is
/// checkpointed at a quarter of it; the rest is headroom for the writes made until the next
/// poll, at a rate well above the fastest measured write path.
pub const WAL_BOUND_BYTES: u64 = 64 << 20;
const CHECKPOINT_AT_BYTES: u64 = WAL_BOUND_BYTES / 4;
const POLL: Duration = Duration::from_millis(250);
/// A log left non-empty this long after the last checkpoint is emptied even if small, so it
/// shrinks back to nothing when writes stop.
const IDLE_CHECKPOINT: Duration = Duration::from_secs(5);
/// How long a checkpoint waits for readers of the log before giving up until the next poll. It
/// holds the writer connection while it waits, so this is also the longest it delays a write.
const CHECKPOINT_WAIT: &str = "PRAGMA busy_timeout = 500";

/// `<database>-wal`, where SQLite keeps the log of `database`.
pub(super) fn wal_path(database: &Path) -> PathBuf {
    let mut name = database.as_os_str().to_owned();
    name.push("-wal");
    PathBuf::from(name)
}

impl Store {
    /// The size of the SQLite write-ahead log in bytes (0 when there is none); `None` on
    /// PostgreSQL.
    pub fn wal_size(&self) -> Option<u64> {
        let wal = self.wal.as_deref()?;
        Some(std::fs::metadata(wal).map(|m| m.len()).unwrap_or(0))
    }

    /// Runs until dropped: checkpoints the log when it reaches a quarter of `WAL_BOUND_BYTES`,
    /// and empties a leftover log once writes pause. Returns at once on PostgreSQL.
    pub async fn keep_wal_small(self) {
        if self.engine != Engine::Sqlite {
            return;
        }
        let mut tick = tokio::time::interval(POLL);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        let mut last = Instant::now();
        let mut failing = false;
        loop {
            tick.tick().await;
            let size = self.wal_size().unwrap_or(0);
            let due = size >= CHECKPOINT_AT_BYTES || (size > 0 && last.elapsed() >= IDLE_CHECKPOINT);
            if !due || (failing && last.elapsed() < IDLE_CHECKPOINT) {
                continue;
            }
            last = Instant::now();
            match self.checkpoint_wal().await {
                Ok(done) => {
                    if failing {
                        tracing::info!("WAL checkpoints work again");
                    }
                    failing = false;
                    if !done {
                        tracing::debug!(wal_bytes = size, "WAL checkpoint waited too long for readers; retrying");
                    }
                }
                // Logged once per outage (a full disk fails every attempt until space returns).
                Err(e) if !failing => {
                    failing = true;
                    tracing::warn!(error = %e, wal_bytes = size, "WAL checkpoint failed; retrying every 5 s");
                }
                Err(_) => {}
            }
        }
    }

    /// One TRUNCATE checkpoint, on the writer connection: it waits its turn like a write, and
    /// no write lands while it runs. `Ok(false)` when readers kept it from finishing in time.
    pub async fn checkpoint_wal(&self) -> Result<bool> {
        let mut conn = self.write.acquire().await?;
        sqlx::query(CHECKPOINT_WAIT).execute(&mut *conn).await?;
        let result: Result<(i64, i64, i64)> =
            sqlx::query_as("PRAGMA wal_checkpoint(TRUNCATE)").fetch_all(&mut *conn).await.one();
        let restored = sqlx::query(BUSY_TIMEOUT).execute(&mut *conn).await;
        if restored.is_err() {
            // Do not hand out a writer with the short timeout: the pool opens a fresh one.
            conn.close_on_drop();
        }
        let (busy, _, _) = result?;
        restored?;
        Ok(busy == 0)
    }
}
