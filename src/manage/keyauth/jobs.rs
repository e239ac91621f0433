//! KeyAuth imports started through the admin API: the upload is parsed before the answer, then
//! its rows go in the background, batch by batch (`import`), while a row of `import_jobs` counts
//! them. Any process answers a job's state from that row, so a seller behind several processes
//! polls wherever its requests land.

use super::{Import, MAX_ROWS, import};
use crate::domain::ids::AppId;
use crate::domain::time::now_ms;
use crate::manage::{Listed, ManageError, PageRequest, Tenant, change};
use crate::store::{Store, import_jobs::ImportJob};
use std::sync::{
    Arc,
    atomic::{AtomicU64, Ordering},
};
use std::time::Duration;

/// How often a running job writes its count, which also shows it is alive.
const TICK: Duration = Duration::from_secs(1);
/// A running job whose row has not moved for this long was cut off with its process (the
/// import is idempotent: starting it again adds what is missing).
pub const STALE_MS: i64 = 60_000;

/// Records the job and starts the import of `files` into the app; answers the job at once.
pub async fn start(store: &Store, tenant: &Tenant, app_id: AppId, files: Import) -> Result<ImportJob, ManageError> {
    let app = tenant.app(store, app_id).await?;
    if files.len() > MAX_ROWS {
        return Err(ManageError::invalid("file", format!("at most {MAX_ROWS} rows per import")));
    }
    let source = match (&files.users, &files.keys) {
        (Some(_), None) => "keyauth_users",
        (None, Some(_)) => "keyauth_keys",
        _ => "keyauth",
    };
    let job = change(store, async |store| {
        let job = store
            .create_import_job(app.seller_id, app.id, source, files.len() as i64, tenant.actor(), now_ms())
            .await?;
        let detail = format!("source={source} rows={}", job.rows_total);
        tenant.audit(store, "import.start", format!("import:{}", job.id), &detail).await?;
        Ok(job)
    })
    .await?;
    tokio::spawn(run(store.clone(), tenant.clone(), app.id, job.id, files));
    Ok(job)
}

/// The import itself, with a ticker writing its count until it ends (also when it panics: the
/// ticker stops when `stop` is dropped, and the job then shows as interrupted).
async fn run(store: Store, tenant: Tenant, app_id: AppId, id: i64, files: Import) {
    let total = files.len() as i64;
    let done = Arc::new(AtomicU64::new(0));
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let ticker = tokio::spawn(tick(store.clone(), id, done.clone(), stopped));
    let progress = |n| done.store(n, Ordering::Relaxed);
    let outcome = import(&store, &tenant, app_id, files, &progress).await;
    drop(stop);
    let _ = ticker.await;
    let rows = done.load(Ordering::Relaxed) as i64;
    let report = outcome.as_ref().map(|r| serde_json::to_string(r).unwrap_or_default());
    let result = match &report {
        // Every row was gone through (the skipped ones are in the report).
        Ok(json) => store.finish_import_job(id, total, Ok(json), now_ms()).await,
        Err(e) => store.finish_import_job(id, rows, Err(&shown_error(id, e)), now_ms()).await,
    };
    if let Err(e) = result {
        tracing::error!(job = id, error = %e, "could not record the end of an import");
    }
}

async fn tick(store: Store, id: i64, done: Arc<AtomicU64>, mut stopped: tokio::sync::oneshot::Receiver<()>) {
    let mut every = tokio::time::interval(TICK);
    every.tick().await;
    loop {
        // Stops only between writes: a write cut off half-way could leave its connection unusable.
        tokio::select! {
            _ = &mut stopped => return,
            _ = every.tick() => {}
        }
        let rows = done.load(Ordering::Relaxed) as i64;
        if let Err(e) = store.record_import_progress(id, rows, now_ms()).await {
            tracing::warn!(job = id, error = %e, "could not record an import's progress");
        }
    }
}

/// What the seller reads of a failure: the operation's own message, but not the database's.
fn shown_error(id: i64, e: &ManageError) -> String {
    match e {
        ManageError::Store(inner) => {
            tracing::error!(job = id, error = %inner, "an import failed");
            "the database failed; the server log has the cause (rows done so far stay; start the import again to add the rest)".into()
        }
        other => other.to_string(),
    }
}

/// The seller's job, `interrupted` if it stopped moving while running.
pub async fn get(store: &Store, tenant: &Tenant, id: i64) -> Result<ImportJob, ManageError> {
    let job = store.import_job(tenant.seller_id(), id).await.map_err(ManageError::from_store("import", "id"))?;
    Ok(shown(job, now_ms()))
}

/// The seller's jobs, newest first.
pub async fn list(store: &Store, tenant: &Tenant, page: PageRequest) -> Result<Listed<ImportJob>, ManageError> {
    let (page, meta) = page.page()?;
    let rows = store.list_import_jobs(tenant.seller_id(), page).await?;
    let total = store.count_import_jobs(tenant.seller_id()).await?;
    let now = now_ms();
    Ok(Listed::new(rows.into_iter().map(|j| shown(j, now)).collect(), meta, total))
}

fn shown(mut job: ImportJob, now: i64) -> ImportJob {
    if job.state == "running" && now - i64::from(job.updated_at) > STALE_MS {
        job.state = "interrupted".into();
    }
    job
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::ids::SellerId;

    fn job(state: &str, updated_at: i64) -> ImportJob {
        ImportJob {
            id: 1,
            seller_id: SellerId::from(1),
            app_id: AppId::from(1),
            source: "keyauth_users".into(),
            state: state.into(),
            rows_total: 10,
            rows_done: 2,
            report: None,
            error: None,
            started_by: "token:1".into(),
            created_at: 0.into(),
            updated_at: updated_at.into(),
        }
    }

    #[test]
    fn a_running_job_that_stopped_moving_is_interrupted() {
        let now = 1_000_000;
        assert_eq!(shown(job("running", now - 1_000), now).state, "running");
        assert_eq!(shown(job("running", now - STALE_MS - 1), now).state, "interrupted");
        assert_eq!(shown(job("done", now - STALE_MS - 1), now).state, "done");
        assert_eq!(shown(job("failed", 0), now).state, "failed");
    }
}
