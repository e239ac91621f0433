//! The SQLite write-ahead log's size during a scenario: its peak while wrk runs (sampled every
//! 20 ms) and its size when the load ends. The server keeps it under `WAL_BOUND_BYTES`.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

#[derive(Debug, Clone, Copy)]
pub struct WalSize {
    pub peak: u64,
    pub end: u64,
}

pub struct WalWatch {
    path: PathBuf,
    stop: Arc<AtomicBool>,
    peak: Arc<AtomicU64>,
    task: tokio::task::JoinHandle<()>,
}

fn size(path: &PathBuf) -> u64 {
    std::fs::metadata(path).map(|m| m.len()).unwrap_or(0)
}

impl WalWatch {
    pub fn start(path: PathBuf) -> Self {
        let (stop, peak) = (Arc::new(AtomicBool::new(false)), Arc::new(AtomicU64::new(0)));
        let task = tokio::spawn({
            let (path, stop, peak) = (path.clone(), stop.clone(), peak.clone());
            async move {
                while !stop.load(Ordering::Relaxed) {
                    peak.fetch_max(size(&path), Ordering::Relaxed);
                    tokio::time::sleep(Duration::from_millis(20)).await;
                }
            }
        });
        Self { path, stop, peak, task }
    }

    pub async fn finish(self) -> WalSize {
        self.stop.store(true, Ordering::Relaxed);
        let _ = self.task.await;
        let end = size(&self.path);
        WalSize { peak: self.peak.load(Ordering::Relaxed).max(end), end }
    }
}
