//! Moving a KeyAuth app over (issue 17): its users with their bcrypt hashes (accepted at sign-in
//! and replaced by Argon2id there), subscriptions, HWIDs, IPs and bans, and its keys with state,
//! level, expiry, note and who used them, and the client tokens of its token system (with their
//! locked file hashes and bans). Existing users, keys and tokens are never touched, so a second
//! import of the same files changes nothing. Each batch of rows is one operation with its audit
//! row; a bad row is reported with its reason and the others import.

pub mod jobs;
pub mod parse;
mod rows;

use super::{ManageError, Tenant, change, licenses::Progress, plans};
use crate::domain::ids::{AppId, PlanId};
use crate::domain::time::now_ms;
use crate::store::{
    Store,
    keyauth_import::{ImportedKey, ImportedUser},
    plans::Plan,
};
use parse::{Broken, Row, UsersFile};
use serde::{Deserialize, Serialize};
use std::collections::{HashMap, HashSet};

/// Rows per operation (transaction and audit row): large files import in steps, and progress
/// moves with each.
const BATCH: usize = 2_000;
/// Most rows of one file.
pub const MAX_ROWS: usize = 1_000_000;

/// What to import: the parsed files, and KeyAuth subscription names mapped to licensd plans
/// (a name not mapped is a plan of the same name, created when missing).
#[derive(Debug, Default)]
pub struct Import {
    pub users: Option<UsersFile>,
    pub keys: Option<(Vec<Row>, Vec<Broken>)>,
    pub tokens: Option<(Vec<Row>, Vec<Broken>)>,
    pub plans: HashMap<String, String>,
}

impl Import {
    /// Rows to work through, for a progress bar.
    pub fn len(&self) -> usize {
        let rows = |f: &Option<(Vec<Row>, Vec<Broken>)>| f.as_ref().map_or(0, |f| f.0.len());
        self.users.as_ref().map_or(0, |u| u.users.len()) + rows(&self.keys) + rows(&self.tokens)
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Skipped {
    /// Where the row is: `users[12]`, `keys[3]`, `line 7`.
    pub row: String,
    pub reason: String,
}

/// What an import did (kept as JSON with a finished admin API job).
#[derive(Debug, Clone, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[schema(as = KeyauthImportReport)]
pub struct ImportReport {
    pub users_new: usize,
    /// Users the app already had (left as they are).
    pub users_existing: usize,
    pub subscriptions_new: usize,
    pub keys_new: usize,
    pub keys_existing: usize,
    /// Client tokens of the token system (`docs/client-api-data.md`); absent in reports of
    /// imports made before tokens were.
    #[serde(default)]
    pub tokens_new: usize,
    #[serde(default)]
    pub tokens_existing: usize,
    pub plans_created: Vec<String>,
    pub skipped: Vec<Skipped>,
}

pub async fn import(
    store: &Store,
    tenant: &Tenant,
    app_id: AppId,
    files: Import,
    progress: Progress<'_>,
) -> Result<ImportReport, ManageError> {
    let seller_id = tenant.seller_id();
    let app = tenant.app(store, app_id).await?;
    if files.len() > MAX_ROWS {
        return Err(ManageError::invalid("file", format!("at most {MAX_ROWS} rows per import")));
    }
    let mut report = ImportReport::default();
    let mut plans = Plans { store, tenant, app_id: app.id, map: files.plans, known: None, created: Vec::new() };
    let now = now_ms();
    let mut done = 0;
    if let Some(file) = files.users {
        let users = users(&mut plans, &mut report, file, now).await?;
        for batch in users.chunks(BATCH) {
            let added = change(store, async |store| {
                let added = store.import_users(app.id, batch).await?;
                let detail = format!("users={} subscriptions={}", added.rows, added.subscriptions);
                tenant.audit(store, "keyauth.import_users", format!("app:{}", app.id), &detail).await?;
                Ok(added)
            })
            .await?;
            report.users_new += added.rows;
            report.users_existing += batch.len() - added.rows;
            report.subscriptions_new += added.subscriptions;
            done += batch.len();
            progress(done as u64);
        }
    }
    if let Some((rows, broken)) = files.keys {
        let keys = keys(&mut plans, &mut report, rows, broken, now).await?;
        for batch in keys.chunks(BATCH) {
            let added = change(store, async |store| {
                let added = store.import_keys(seller_id, app.id, batch, now).await?;
                let detail = format!("keys={added}");
                tenant.audit(store, "keyauth.import_keys", format!("app:{}", app.id), &detail).await?;
                Ok(added)
            })
            .await?;
            report.keys_new += added;
            report.keys_existing += batch.len() - added;
            done += batch.len();
            progress(done as u64);
        }
    }
    if let Some((rows, broken)) = files.tokens {
        let tokens = tokens(&mut report, rows, broken);
        for batch in tokens.chunks(BATCH) {
            let added = change(store, async |store| {
                let mut added = 0;
                for t in batch {
                    added += usize::from(store.insert_client_token(app.id, &t.as_new(), now).await?.is_some());
                }
                let detail = format!("tokens={added}");
                tenant.audit(store, "keyauth.import_tokens", format!("app:{}", app.id), &detail).await?;
                Ok(added)
            })
            .await?;
            report.tokens_new += added;
            report.tokens_existing += batch.len() - added;
            done += batch.len();
            progress(done as u64);
        }
    }
    report.plans_created = plans.created;
    Ok(report)
}

/// The users of the file with their subscriptions; the rest are reported.
async fn users(
    plans: &mut Plans<'_>,
    report: &mut ImportReport,
    file: UsersFile,
    now: i64,
) -> Result<Vec<ImportedUser>, ManageError> {
    skip_broken(report, file.broken);
    let mut users = Vec::with_capacity(file.users.len());
    let mut index: HashMap<String, usize> = HashMap::new();
    for row in &file.users {
        match rows::user(row, now) {
            Ok(u) if index.contains_key(&u.username) => skip(report, row, "repeated username".into()),
            Ok(u) => {
                index.insert(u.username.clone(), users.len());
                users.push(u);
            }
            Err(reason) => skip(report, row, reason),
        }
    }
    for row in &file.subscriptions {
        let (name, plan_name, expires) = match rows::subscription(row) {
            Ok(s) => s,
            Err(reason) => {
                skip(report, row, reason);
                continue;
            }
        };
        let Some(&i) = index.get(&name) else {
            skip(report, row, format!("no user {name:?} among the imported users"));
            continue;
        };
        let plan_id = plans.by_name(&plan_name).await?;
        let subs = &mut users[i].subscriptions;
        // One subscription a plan: two of KeyAuth's (its export names every one "default")
        // become the one that runs longest.
        match subs.iter_mut().find(|(p, _)| *p == plan_id) {
            Some(s) => s.1 = later(s.1, expires),
            None => subs.push((plan_id, expires)),
        }
    }
    Ok(users)
}

/// The keys of the file with their plans; the rest are reported.
async fn keys(
    plans: &mut Plans<'_>,
    report: &mut ImportReport,
    rows: Vec<Row>,
    broken: Vec<Broken>,
    now: i64,
) -> Result<Vec<ImportedKey>, ManageError> {
    skip_broken(report, broken);
    let mut seen = HashSet::new();
    let mut keys = Vec::with_capacity(rows.len());
    for row in &rows {
        match rows::key(row, now) {
            Ok((k, _)) if !seen.insert(k.key.clone()) => skip(report, row, "repeated key".into()),
            Ok((mut k, level)) => {
                k.plan_id = plans.by_level(level).await?;
                keys.push(k);
            }
            Err(reason) => skip(report, row, reason),
        }
    }
    Ok(keys)
}

/// The tokens of the file; the rest are reported.
fn tokens(report: &mut ImportReport, rows: Vec<Row>, broken: Vec<Broken>) -> Vec<rows::ImportedToken> {
    skip_broken(report, broken);
    let mut seen = HashSet::new();
    let mut tokens = Vec::with_capacity(rows.len());
    for row in &rows {
        match rows::token(row) {
            Ok(t) if !seen.insert(t.digest.clone()) => skip(report, row, "repeated token".into()),
            Ok(t) => tokens.push(t),
            Err(reason) => skip(report, row, reason),
        }
    }
    tokens
}

fn skip(report: &mut ImportReport, row: &Row, reason: String) {
    report.skipped.push(Skipped { row: row.at.clone(), reason });
}

fn skip_broken(report: &mut ImportReport, broken: Vec<Broken>) {
    report.skipped.extend(broken.into_iter().map(|b| Skipped { row: b.at, reason: b.reason }));
}

/// The later of two expiries, `None` being lifetime.
fn later(a: Option<i64>, b: Option<i64>) -> Option<i64> {
    Some(a?.max(b?))
}

/// The app's plans as the import finds or creates them (each creation its own audited operation).
struct Plans<'a> {
    store: &'a Store,
    tenant: &'a Tenant,
    app_id: AppId,
    map: HashMap<String, String>,
    known: Option<Vec<Plan>>,
    created: Vec<String>,
}

impl Plans<'_> {
    async fn all(&mut self) -> Result<&mut Vec<Plan>, ManageError> {
        if self.known.is_none() {
            self.known = Some(self.store.list_plans(self.app_id).await?);
        }
        Ok(self.known.get_or_insert_default())
    }

    /// The plan of a KeyAuth subscription name (through the mapping), created when missing at
    /// level 1 if that is free (KeyAuth's "default" subscription is level 1), else above the rest.
    async fn by_name(&mut self, keyauth_name: &str) -> Result<PlanId, ManageError> {
        let name = self.map.get(keyauth_name).cloned().unwrap_or_else(|| keyauth_name.to_owned());
        let all = self.all().await?;
        if let Some(p) = all.iter().find(|p| p.name == name) {
            return Ok(p.id);
        }
        let level = match all.iter().any(|p| p.level == 1) {
            false => 1,
            true => all.iter().map(|p| p.level).max().unwrap_or(0) + 1,
        };
        self.create(&name, level).await
    }

    /// The plan of a key's level, created when missing ("default" for level 1, as in KeyAuth).
    async fn by_level(&mut self, level: i64) -> Result<PlanId, ManageError> {
        let all = self.all().await?;
        if let Some(p) = all.iter().find(|p| p.level == level) {
            return Ok(p.id);
        }
        let name = match level == 1 && !all.iter().any(|p| p.name == "default") {
            true => "default".to_owned(),
            false => format!("level {level}"),
        };
        self.create(&name, level).await
    }

    async fn create(&mut self, name: &str, level: i64) -> Result<PlanId, ManageError> {
        let plan = plans::create(self.store, self.tenant, self.app_id, name, level, None).await?;
        self.created.push(plan.name.clone());
        let id = plan.id;
        self.all().await?.push(plan);
        Ok(id)
    }
}
