//! A seller's overview: licenses by state, users (all, active, online), events per day, the latest audit rows. Read
//! only; the panel's first page.

use super::{ManageError, PageRequest, Tenant, audit, licenses};
use crate::store::{Store, audit::AuditEvent, events::DailyCount};

pub const DAYS: i64 = 30;
const DAY_MS: i64 = 86_400_000;

#[derive(Debug, Clone)]
pub struct Overview {
    pub apps: usize,
    pub users: i64,
    /// Users who signed in within the `DAYS`, or are online now.
    pub active_users: i64,
    /// Users with a live signed-in session now.
    pub online_users: i64,
    /// `(state, count)`: all, then unused, used, banned, assigned.
    pub licenses: Vec<(&'static str, i64)>,
    /// The first UTC day (days since the epoch) of the `DAYS` that `daily` covers.
    pub first_day: i64,
    pub daily: Vec<DailyCount>,
    pub recent: Vec<AuditEvent>,
}

pub async fn overview(store: &Store, tenant: &Tenant, now: i64) -> Result<Overview, ManageError> {
    let seller_id = tenant.seller_id();
    let apps = store.list_apps(seller_id).await?;
    let mut users = 0;
    for app in &apps {
        users += store.count_users(app.id, None).await?;
    }
    let mut counts = Vec::new();
    for state in [None, Some("unused"), Some("used"), Some("banned"), Some("assigned")] {
        let q = licenses::ListQuery {
            seller_id: Some(seller_id),
            state: state.map(str::to_owned),
            limit: Some(1),
            ..Default::default()
        };
        counts.push((state.unwrap_or("all"), licenses::list(store, tenant, &q).await?.meta.total));
    }
    let first_day = now / DAY_MS - (DAYS - 1);
    let daily = store.daily_event_counts(seller_id, first_day * DAY_MS).await?;
    let (active_users, online_users) = store.user_activity(seller_id, first_day * DAY_MS, now).await?;
    let recent = audit::list_of(store, tenant, PageRequest::new(Some(10), None)).await?.data;
    Ok(Overview { apps: apps.len(), users, active_users, online_users, licenses: counts, first_day, daily, recent })
}
