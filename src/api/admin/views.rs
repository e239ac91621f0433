//! The admin API's wire types: what each resource looks like on the wire, converted from the
//! store rows and operation results with `From`. Flags are booleans (the rows hold 0/1),
//! secrets appear only in the types that must show them: an app's HMAC secret in `AppDetail`
//! (show, create, rotate), a token's or reseller key's secret only in the answer that creates it.

use crate::manage::{self, Listed, licenses, resellers};
use crate::store;
use serde::Serialize;
use serde_json::Value;
use utoipa::ToSchema;

/// `{"data": ...}`: one resource or result.
#[derive(Debug, Serialize, ToSchema)]
pub struct Data<T> {
    pub data: T,
}

/// `{"data": [...], "meta": {"page", "limit", "total"}}`: a page of a counted list.
#[derive(Debug, Serialize, ToSchema)]
pub struct Page<T> {
    pub data: Vec<T>,
    pub meta: PageMeta,
}

#[derive(Debug, Clone, Copy, Serialize, ToSchema)]
pub struct PageMeta {
    pub page: i64,
    pub limit: i64,
    /// Rows in the whole list.
    pub total: i64,
}

/// `{"data": [...], "meta": {"page", "limit"}}`: a page of a client-data table, read a page
/// at a time and never counted.
#[derive(Debug, Serialize, ToSchema)]
pub struct ClientPage<T> {
    pub data: Vec<T>,
    pub meta: ClientPageMeta,
}

#[derive(Debug, Clone, Copy, Serialize, ToSchema)]
pub struct ClientPageMeta {
    pub page: i64,
    pub limit: i64,
}

impl<R, T: From<R>> From<Listed<R>> for Page<T> {
    fn from(l: Listed<R>) -> Self {
        let m = l.meta;
        Self {
            data: l.data.into_iter().map(T::from).collect(),
            meta: PageMeta { page: m.page, limit: m.limit, total: m.total },
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Seller {
    pub id: i64,
    /// The KeyAuth `ownerid` of the seller's apps.
    pub ownerid: String,
    pub name: String,
    pub key_prefix: String,
    pub created_at: i64,
}

impl From<store::sellers::Seller> for Seller {
    fn from(s: store::sellers::Seller) -> Self {
        Self {
            id: s.id.get(),
            ownerid: s.ownerid,
            name: s.name,
            key_prefix: s.key_prefix,
            created_at: s.created_at.get(),
        }
    }
}

/// An API token; its secret is never stored and only shown by `CreatedToken`.
#[derive(Debug, Serialize, ToSchema)]
pub struct Token {
    pub id: i64,
    pub seller_id: Option<i64>,
    /// The one app a sellerapi token acts for.
    pub app_id: Option<i64>,
    /// operator, seller, store or sellerapi.
    pub kind: String,
    pub name: String,
    pub created_at: i64,
    pub revoked_at: Option<i64>,
    pub last_used_at: Option<i64>,
}

impl From<store::tokens::ApiToken> for Token {
    fn from(t: store::tokens::ApiToken) -> Self {
        Self {
            id: t.id,
            seller_id: t.seller_id.map(i64::from),
            app_id: t.app_id.map(i64::from),
            kind: t.kind.as_str().to_owned(),
            name: t.name,
            created_at: t.created_at.get(),
            revoked_at: t.revoked_at.map(i64::from),
            last_used_at: t.last_used_at.map(i64::from),
        }
    }
}

/// A new token and, this once, its secret.
#[derive(Debug, Serialize, ToSchema)]
pub struct CreatedToken {
    pub data: Token,
    /// The bearer secret; not retrievable later.
    pub token: String,
}

/// An app's settings, without its secret.
#[derive(Debug, Serialize, ToSchema)]
pub struct App {
    pub id: i64,
    pub seller_id: i64,
    pub name: String,
    pub version: String,
    pub download_url: String,
    pub customer_panel_link: String,
    pub changelog: String,
    pub enabled: bool,
    pub paused: bool,
    pub hwid_lock: bool,
    pub force_hwid: bool,
    pub hwid_min_len: i64,
    /// No program hash check when null.
    pub program_hash: Option<String>,
    pub session_ttl_secs: i64,
    pub key_mask: String,
    pub key_case: String,
    pub min_username_len: i64,
    /// No per-app request limit when null.
    pub request_limit_per_min: Option<i64>,
    /// Customised client API messages: message id -> text.
    #[schema(value_type = Object)]
    pub messages: Value,
    /// Whether the app's users may sign in to the customer panel.
    pub customer_panel: bool,
    /// Seconds between two HWID resets of a user's own in the customer panel.
    pub hwid_reset_cooldown_secs: i64,
    /// Whether `init` asks for a client token and its file hash (KeyAuth's token system).
    pub token_system: bool,
    pub created_at: i64,
    pub updated_at: i64,
}

impl From<store::apps::App> for App {
    fn from(a: store::apps::App) -> Self {
        // The column holds a JSON object written by `manage::apps`; anything else shows as `{}`.
        let messages = serde_json::from_str::<Value>(&a.messages)
            .ok()
            .filter(Value::is_object)
            .unwrap_or_else(|| Value::Object(Default::default()));
        Self {
            id: a.id.get(),
            seller_id: a.seller_id.get(),
            name: a.name,
            version: a.version,
            download_url: a.download_url,
            customer_panel_link: a.customer_panel_link,
            changelog: a.changelog,
            enabled: a.enabled,
            paused: a.paused,
            hwid_lock: a.hwid_lock,
            force_hwid: a.force_hwid,
            hwid_min_len: a.hwid_min_len,
            program_hash: a.program_hash,
            session_ttl_secs: a.session_ttl_secs,
            key_mask: a.key_mask,
            key_case: a.key_case.as_str().to_owned(),
            min_username_len: a.min_username_len,
            request_limit_per_min: a.request_limit_per_min,
            messages,
            customer_panel: a.customer_panel,
            hwid_reset_cooldown_secs: a.hwid_reset_cooldown_secs,
            token_system: a.token_system,
            created_at: a.created_at.get(),
            updated_at: a.updated_at.get(),
        }
    }
}

/// An app with its HMAC secret (the KeyAuth `secret` of the client's `signature` check).
#[derive(Debug, Serialize, ToSchema)]
pub struct AppDetail {
    #[serde(flatten)]
    pub app: App,
    pub secret: String,
}

impl From<manage::apps::AppDetail> for AppDetail {
    fn from(d: manage::apps::AppDetail) -> Self {
        Self { app: d.app.into(), secret: d.secret }
    }
}

impl From<manage::apps::AppDetail> for App {
    fn from(d: manage::apps::AppDetail) -> Self {
        d.app.into()
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Plan {
    pub id: i64,
    pub app_id: i64,
    pub name: String,
    pub level: i64,
    /// Lifetime when null.
    pub duration_secs: Option<i64>,
    pub created_at: i64,
}

impl From<store::plans::Plan> for Plan {
    fn from(p: store::plans::Plan) -> Self {
        Self {
            id: p.id.get(),
            app_id: p.app_id.get(),
            name: p.name,
            level: p.level,
            duration_secs: p.duration_secs,
            created_at: p.created_at.get(),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct License {
    pub id: i64,
    pub seller_id: i64,
    pub app_id: i64,
    pub plan_id: i64,
    pub key: String,
    pub duration_secs: Option<i64>,
    pub expires_at: Option<i64>,
    pub max_activations: Option<i64>,
    pub activations: i64,
    pub active: bool,
    pub banned_reason: Option<String>,
    pub note: String,
    pub reseller_id: Option<i64>,
    pub discord_user_id: Option<String>,
    pub assigned_at: Option<i64>,
    pub used_by_user_id: Option<i64>,
    pub used_at: Option<i64>,
    pub order_id: Option<i64>,
    pub customer_id: Option<i64>,
    pub created_at: i64,
    pub updated_at: i64,
}

impl From<store::licenses::License> for License {
    fn from(l: store::licenses::License) -> Self {
        Self {
            id: l.id.get(),
            seller_id: l.seller_id.get(),
            app_id: l.app_id.get(),
            plan_id: l.plan_id.get(),
            key: l.key,
            duration_secs: l.duration_secs,
            expires_at: l.expires_at.map(i64::from),
            max_activations: l.max_activations,
            activations: l.activations,
            active: l.active,
            banned_reason: l.banned_reason,
            note: l.note,
            reseller_id: l.reseller_id.map(i64::from),
            discord_user_id: l.discord_user_id,
            assigned_at: l.assigned_at.map(i64::from),
            used_by_user_id: l.used_by_user_id.map(i64::from),
            used_at: l.used_at.map(i64::from),
            order_id: l.order_id,
            customer_id: l.customer_id.map(i64::from),
            created_at: l.created_at.get(),
            updated_at: l.updated_at.get(),
        }
    }
}

/// Keys made by one generate call.
#[derive(Debug, Serialize, ToSchema)]
pub struct Generated {
    pub count: usize,
    pub keys: Vec<String>,
}

impl From<licenses::Generated> for Generated {
    fn from(g: licenses::Generated) -> Self {
        Self { count: g.count, keys: g.keys }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ImportReport {
    pub imported: usize,
    /// Keys already present (or repeated in the file); existing rows are never overwritten.
    pub duplicates: Vec<String>,
}

impl From<licenses::ImportReport> for ImportReport {
    fn from(r: licenses::ImportReport) -> Self {
        Self { imported: r.imported, duplicates: r.duplicates }
    }
}

/// An import of the admin API (`/admin/v1/imports/{id}`).
#[derive(Debug, Serialize, ToSchema)]
pub struct ImportJob {
    pub id: i64,
    pub app_id: i64,
    /// `keyauth_users` or `keyauth_keys`.
    pub source: String,
    /// `running`, `done`, `failed`, or `interrupted` (its server process ended while it ran;
    /// starting it again adds what is missing).
    pub state: String,
    /// Rows of the file (users and their subscriptions count as the users).
    pub rows_total: i64,
    /// Rows committed so far (counted every second while running).
    pub rows_done: i64,
    /// Once `done`: what the import did.
    pub report: Option<manage::keyauth::ImportReport>,
    /// Once `failed`: why. Batches committed before it stay.
    pub error: Option<String>,
    /// Audit actor that started it (`token:12`).
    pub started_by: String,
    pub created_at: i64,
    pub updated_at: i64,
}

impl From<store::import_jobs::ImportJob> for ImportJob {
    fn from(j: store::import_jobs::ImportJob) -> Self {
        Self {
            id: j.id,
            app_id: j.app_id.get(),
            source: j.source,
            state: j.state,
            rows_total: j.rows_total,
            rows_done: j.rows_done,
            report: j.report.as_deref().and_then(|r| serde_json::from_str(r).ok()),
            error: j.error,
            started_by: j.started_by,
            created_at: j.created_at.into(),
            updated_at: j.updated_at.into(),
        }
    }
}

/// One exported license; plans and resellers are named, so a file moves between servers.
#[derive(Debug, Serialize, ToSchema)]
pub struct ExportRecord {
    pub key: String,
    pub app: String,
    pub plan: String,
    pub duration_secs: Option<i64>,
    pub expires_at: Option<i64>,
    pub max_activations: Option<i64>,
    pub activations: i64,
    pub banned_reason: Option<String>,
    pub note: String,
    pub reseller: Option<String>,
    pub discord_user_id: Option<String>,
    pub used_at: Option<i64>,
    pub created_at: i64,
}

impl From<licenses::ExportRecord> for ExportRecord {
    fn from(r: licenses::ExportRecord) -> Self {
        Self {
            key: r.key,
            app: r.app,
            plan: r.plan,
            duration_secs: r.duration_secs,
            expires_at: r.expires_at,
            max_activations: r.max_activations,
            activations: r.activations,
            banned_reason: r.banned_reason,
            note: r.note,
            reseller: r.reseller,
            discord_user_id: r.discord_user_id,
            used_at: r.used_at,
            created_at: r.created_at,
        }
    }
}

/// An end user of an app (no password hash, no TOTP secret).
#[derive(Debug, Serialize, ToSchema)]
pub struct User {
    pub id: i64,
    pub app_id: i64,
    pub username: String,
    pub email: Option<String>,
    pub ip: Option<String>,
    pub banned_reason: Option<String>,
    pub totp_enabled: bool,
    pub paused: bool,
    pub created_at: i64,
    pub last_login_at: Option<i64>,
}

impl From<store::users::User> for User {
    fn from(u: store::users::User) -> Self {
        Self {
            id: u.id.get(),
            app_id: u.app_id.get(),
            username: u.username,
            email: u.email,
            ip: u.ip,
            banned_reason: u.banned_reason,
            totp_enabled: u.totp_enabled,
            paused: u.paused,
            created_at: u.created_at.get(),
            last_login_at: u.last_login_at.map(i64::from),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct UserSubscription {
    pub id: i64,
    pub plan_id: i64,
    /// The plan's name.
    pub plan: String,
    pub level: i64,
    pub license_id: Option<i64>,
    pub expires_at: Option<i64>,
    pub paused: bool,
    pub created_at: i64,
}

impl From<store::users::UserSubscription> for UserSubscription {
    fn from(s: store::users::UserSubscription) -> Self {
        Self {
            id: s.id,
            plan_id: s.plan_id.get(),
            plan: s.plan,
            level: s.level,
            license_id: s.license_id.map(i64::from),
            expires_at: s.expires_at.map(i64::from),
            paused: s.paused,
            created_at: s.created_at.get(),
        }
    }
}

/// A user with the HWIDs bound to it and its subscriptions.
#[derive(Debug, Serialize, ToSchema)]
pub struct UserDetail {
    #[serde(flatten)]
    pub user: User,
    pub hwids: Vec<String>,
    pub subscriptions: Vec<UserSubscription>,
}

impl From<manage::users::UserDetail> for UserDetail {
    fn from(d: manage::users::UserDetail) -> Self {
        Self {
            user: d.user.into(),
            hwids: d.hwids,
            subscriptions: d.subscriptions.into_iter().map(Into::into).collect(),
        }
    }
}

/// What a HWID reset removed.
#[derive(Debug, Serialize, ToSchema)]
pub struct HwidsRemoved {
    pub hwids_removed: u64,
}

/// How many sessions were ended.
#[derive(Debug, Serialize, ToSchema)]
pub struct Ended {
    pub ended: u64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Reseller {
    pub id: i64,
    pub seller_id: i64,
    pub name: String,
    pub key_prefix: String,
    pub rate_limit_per_min: i64,
    pub created_at: i64,
}

impl From<store::resellers::Reseller> for Reseller {
    fn from(r: store::resellers::Reseller) -> Self {
        Self {
            id: r.id.get(),
            seller_id: r.seller_id.get(),
            name: r.name,
            key_prefix: r.key_prefix,
            rate_limit_per_min: r.rate_limit_per_min,
            created_at: r.created_at.get(),
        }
    }
}

/// A reseller's API key; its secret is only shown by `CreatedResellerKey`.
#[derive(Debug, Serialize, ToSchema)]
pub struct ResellerKey {
    pub id: i64,
    pub reseller_id: i64,
    pub label: String,
    pub created_at: i64,
    pub revoked_at: Option<i64>,
    pub last_used_at: Option<i64>,
}

impl From<store::resellers::ResellerKey> for ResellerKey {
    fn from(k: store::resellers::ResellerKey) -> Self {
        Self {
            id: k.id,
            reseller_id: k.reseller_id.get(),
            label: k.label,
            created_at: k.created_at.get(),
            revoked_at: k.revoked_at.map(i64::from),
            last_used_at: k.last_used_at.map(i64::from),
        }
    }
}

/// A seller's panel account (never its password or TOTP secret); the CLI's `seller user` answers.
#[derive(Debug, Serialize)]
pub struct PanelAccount {
    pub id: i64,
    pub seller_id: i64,
    pub email: String,
    /// `owner`, `support` or `readonly`.
    pub role: &'static str,
    pub created_at: i64,
    pub disabled_at: Option<i64>,
}

impl From<store::panel::PanelAccount> for PanelAccount {
    fn from(a: store::panel::PanelAccount) -> Self {
        Self {
            id: a.id,
            seller_id: a.seller_id.get(),
            email: a.email,
            role: a.role.as_str(),
            created_at: a.created_at.get(),
            disabled_at: a.disabled_at.map(i64::from),
        }
    }
}

/// A reseller's sign-in to the reseller dashboard (never its password).
#[derive(Debug, Serialize, ToSchema)]
pub struct ResellerLogin {
    pub reseller_id: i64,
    pub email: String,
    pub created_at: i64,
}

impl From<store::reseller_accounts::ResellerAccount> for ResellerLogin {
    fn from(a: store::reseller_accounts::ResellerAccount) -> Self {
        Self { reseller_id: a.reseller_id.get(), email: a.email, created_at: a.created_at.get() }
    }
}

/// A new reseller key and, this once, its secret.
#[derive(Debug, Serialize, ToSchema)]
pub struct CreatedResellerKey {
    pub data: ResellerKey,
    /// The key for the Reseller API; not retrievable later.
    pub key: String,
}

/// What `POST /resellers/{id}/stock` did: moved existing licenses, or generated new ones.
#[derive(Debug, Serialize, ToSchema)]
#[serde(untagged)]
pub enum StockAdded {
    Moved(Moved),
    Generated(Generated),
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Moved {
    /// Licenses moved into the stock (ones assigned already, or not the seller's, are skipped).
    pub moved: u64,
}

impl From<resellers::Moved> for Moved {
    fn from(m: resellers::Moved) -> Self {
        Self { moved: m.moved }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AuditEvent {
    pub id: i64,
    pub seller_id: Option<i64>,
    /// `token:<id>` or `cli`.
    pub actor: String,
    pub action: String,
    pub target: String,
    pub detail: String,
    pub created_at: i64,
}

impl From<store::audit::AuditEvent> for AuditEvent {
    fn from(e: store::audit::AuditEvent) -> Self {
        Self {
            id: e.id,
            seller_id: e.seller_id.map(i64::from),
            actor: e.actor,
            action: e.action,
            target: e.target,
            detail: e.detail,
            created_at: e.created_at.get(),
        }
    }
}

/// A buyer. The seller's default customer (the one of keys sold to nobody in particular) has
/// an empty email.
#[derive(Debug, Serialize, ToSchema)]
pub struct Customer {
    pub id: i64,
    pub seller_id: i64,
    pub email: String,
    pub name: String,
    pub created_at: i64,
}

impl From<store::customers::Customer> for Customer {
    fn from(c: store::customers::Customer) -> Self {
        Self {
            id: c.id.get(),
            seller_id: c.seller_id.get(),
            email: c.email,
            name: c.name,
            created_at: c.created_at.get(),
        }
    }
}

/// A seller's overview.
#[derive(Debug, Serialize, ToSchema)]
pub struct Overview {
    pub apps: i64,
    /// End users of all the seller's apps.
    pub users: i64,
    /// Users who signed in within the 30 days counted, or are online now.
    pub active_users: i64,
    /// Users with a live signed-in session now.
    pub online_users: i64,
    /// Licenses by state: `all`, `unused`, `used`, `banned`, `assigned`, counted as the license
    /// list filters them (they overlap: a banned key never used is also unused).
    pub licenses: std::collections::BTreeMap<String, i64>,
    /// Events per UTC day (unix ms of its start) and type, since `since`; days without events
    /// are left out.
    pub daily: Vec<DailyEvents>,
    /// The start of the first day counted (unix ms).
    pub since: i64,
    /// The latest audit rows, newest first.
    pub recent_audit: Vec<AuditEvent>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DailyEvents {
    pub day: i64,
    #[serde(rename = "type")]
    pub kind: String,
    pub count: i64,
}

impl From<manage::overview::Overview> for Overview {
    fn from(o: manage::overview::Overview) -> Self {
        const DAY_MS: i64 = 86_400_000;
        Self {
            apps: o.apps as i64,
            users: o.users,
            active_users: o.active_users,
            online_users: o.online_users,
            licenses: o.licenses.into_iter().map(|(state, n)| (state.to_owned(), n)).collect(),
            daily: o
                .daily
                .into_iter()
                .map(|d| DailyEvents { day: d.day * DAY_MS, kind: d.kind, count: d.count })
                .collect(),
            since: o.first_day * DAY_MS,
            recent_audit: o.recent.into_iter().map(AuditEvent::from).collect(),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AppVar {
    pub id: i64,
    pub app_id: i64,
    pub name: String,
    pub value: String,
    /// Only a validated session may read it.
    pub authed: bool,
}

impl From<store::client_data::AppVar> for AppVar {
    fn from(v: store::client_data::AppVar) -> Self {
        Self { id: v.id, app_id: v.app_id.get(), name: v.name, value: v.value, authed: v.authed }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct UserVar {
    pub user_id: i64,
    pub name: String,
    pub value: String,
    /// The client may read it but not change it (the seller still can).
    pub readonly: bool,
}

impl From<store::client_data::UserVar> for UserVar {
    fn from(v: store::client_data::UserVar) -> Self {
        Self { user_id: v.user_id.get(), name: v.name, value: v.value, readonly: v.readonly }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ClientLog {
    pub id: i64,
    pub app_id: i64,
    pub username: Option<String>,
    pub pcuser: Option<String>,
    pub message: String,
    pub created_at: i64,
}

impl From<store::client_data::ClientLog> for ClientLog {
    fn from(l: store::client_data::ClientLog) -> Self {
        Self {
            id: l.id,
            app_id: l.app_id.get(),
            username: l.username,
            pcuser: l.pcuser,
            message: l.message,
            created_at: l.created_at.get(),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct BlacklistEntry {
    pub id: i64,
    pub app_id: i64,
    /// `hwid` or `ip`.
    pub kind: String,
    pub value: String,
    pub reason: String,
    pub created_at: i64,
}

impl From<store::client_admin::BlacklistEntry> for BlacklistEntry {
    fn from(b: store::client_admin::BlacklistEntry) -> Self {
        Self {
            id: b.id,
            app_id: b.app_id.get(),
            kind: b.kind,
            value: b.value,
            reason: b.reason,
            created_at: b.created_at.get(),
        }
    }
}

/// A client token of the app's token system (KeyAuth's "tokens"); the token itself is shown
/// only when it is made.
#[derive(Debug, Serialize, ToSchema)]
pub struct ClientToken {
    pub id: i64,
    pub app_id: i64,
    /// The token's last four characters.
    pub hint: String,
    /// `license`, `user` or `other`: what `assigned` names.
    pub kind: String,
    pub assigned: String,
    /// The file hash its first `init` locked; null until then.
    pub file_hash: Option<String>,
    pub banned: bool,
    pub reason: String,
    pub created_at: i64,
    /// When it was first used: its first `init` locked the file hash, or it was imported with one.
    pub used_at: Option<i64>,
}

impl From<store::client_tokens::ClientToken> for ClientToken {
    fn from(t: store::client_tokens::ClientToken) -> Self {
        Self {
            id: t.id,
            app_id: t.app_id.get(),
            hint: t.hint,
            kind: t.kind,
            assigned: t.assigned,
            file_hash: t.file_hash,
            banned: t.banned,
            reason: t.reason,
            created_at: t.created_at.get(),
            used_at: t.used_at.map(|u| u.get()),
        }
    }
}

/// A client token just made: `token` is shown this once (only its digest is kept).
#[derive(Debug, Serialize, ToSchema)]
pub struct MadeClientToken {
    pub token: String,
    #[serde(flatten)]
    pub row: ClientToken,
}

impl From<crate::manage::client_tokens::MadeToken> for MadeClientToken {
    fn from(m: crate::manage::client_tokens::MadeToken) -> Self {
        Self { token: m.token, row: m.row.into() }
    }
}

/// A session that has not expired.
#[derive(Debug, Serialize, ToSchema)]
pub struct LiveSession {
    /// The SHA-256 digest of the client's session id (the id itself is not stored).
    pub id: String,
    pub user_id: Option<i64>,
    pub username: Option<String>,
    pub validated: bool,
    pub ip: String,
    pub created_at: i64,
    pub expires_at: i64,
}

impl From<store::client_admin::LiveSession> for LiveSession {
    fn from(s: store::client_admin::LiveSession) -> Self {
        Self {
            id: s.id,
            user_id: s.user_id.map(i64::from),
            username: s.username,
            validated: s.validated,
            ip: s.ip,
            created_at: s.created_at.get(),
            expires_at: s.expires_at.get(),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Webhook {
    pub id: i64,
    pub app_id: i64,
    pub webid: String,
    pub url: String,
    pub user_agent: String,
    /// Only a validated session may call it.
    pub authed: bool,
}

impl From<store::webhooks::Webhook> for Webhook {
    fn from(w: store::webhooks::Webhook) -> Self {
        Self {
            id: w.id,
            app_id: w.app_id.get(),
            webid: w.webid,
            url: w.url,
            user_agent: w.user_agent,
            authed: w.authed,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct FileInfo {
    pub id: i64,
    pub app_id: i64,
    pub fileid: String,
    pub name: String,
    /// Bytes.
    pub size: i64,
    /// Only a validated session may download it.
    pub authed: bool,
    pub created_at: i64,
}

impl From<store::files::FileInfo> for FileInfo {
    fn from(f: store::files::FileInfo) -> Self {
        Self {
            id: f.id,
            app_id: f.app_id.get(),
            fileid: f.fileid,
            name: f.name,
            size: f.size,
            authed: f.authed,
            created_at: f.created_at.get(),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ChatChannel {
    pub id: i64,
    pub app_id: i64,
    pub name: String,
    /// Least seconds between one user's messages.
    pub delay_secs: i64,
}

impl From<store::chat::ChatChannel> for ChatChannel {
    fn from(c: store::chat::ChatChannel) -> Self {
        Self { id: c.id, app_id: c.app_id.get(), name: c.name, delay_secs: c.delay_secs }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ChatMessage {
    pub id: i64,
    pub channel_id: i64,
    pub author: String,
    pub message: String,
    pub created_at: i64,
}

impl From<store::chat::ChatMessage> for ChatMessage {
    fn from(m: store::chat::ChatMessage) -> Self {
        Self {
            id: m.id,
            channel_id: m.channel_id,
            author: m.author,
            message: m.message,
            created_at: m.created_at.get(),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ChatMute {
    pub app_id: i64,
    pub username: String,
    /// Unix milliseconds.
    pub until: i64,
}

impl From<store::chat::ChatMute> for ChatMute {
    fn from(m: store::chat::ChatMute) -> Self {
        Self { app_id: m.app_id.get(), username: m.username, until: m.until.get() }
    }
}

/// An event webhook endpoint, without its signing secret.
#[derive(Debug, Serialize, ToSchema)]
pub struct WebhookEndpoint {
    pub id: i64,
    pub seller_id: i64,
    pub url: String,
    /// The event types it takes (`*`, `license.*`, `user.banned`, ...).
    pub events: Vec<String>,
    /// `json` (the signed event) or `discord` (the event as a Discord embed).
    pub format: String,
    pub enabled: bool,
    pub created_at: i64,
    pub updated_at: i64,
}

impl From<store::event_webhooks::Endpoint> for WebhookEndpoint {
    fn from(e: store::event_webhooks::Endpoint) -> Self {
        Self {
            events: e.patterns(),
            id: e.id,
            seller_id: e.seller_id.get(),
            url: e.url,
            format: e.format.as_str().to_owned(),
            enabled: e.enabled,
            created_at: e.created_at.get(),
            updated_at: e.updated_at.get(),
        }
    }
}

/// A new endpoint and, this once, its signing secret.
#[derive(Debug, Serialize, ToSchema)]
pub struct CreatedWebhookEndpoint {
    #[serde(flatten)]
    pub endpoint: WebhookEndpoint,
    /// The HMAC-SHA256 key of the `licensd-signature` header; not retrievable later.
    pub secret: String,
}

impl From<manage::event_webhooks::CreatedEndpoint> for CreatedWebhookEndpoint {
    fn from(c: manage::event_webhooks::CreatedEndpoint) -> Self {
        Self { endpoint: c.endpoint.into(), secret: c.secret }
    }
}

/// One event's delivery to one endpoint (the delivery log).
#[derive(Debug, Serialize, ToSchema)]
pub struct WebhookDelivery {
    pub id: i64,
    pub endpoint_id: i64,
    pub event_id: i64,
    /// The event's type.
    #[serde(rename = "type")]
    pub kind: String,
    /// pending, delivered or failed.
    pub state: String,
    pub attempts: i64,
    pub next_attempt_at: i64,
    /// The HTTP status of the last attempt, if it got one.
    pub last_status: Option<i64>,
    pub last_error: String,
    pub created_at: i64,
    pub updated_at: i64,
}

impl From<store::event_webhooks::Delivery> for WebhookDelivery {
    fn from(d: store::event_webhooks::Delivery) -> Self {
        Self {
            id: d.id,
            endpoint_id: d.endpoint_id,
            event_id: d.event_id,
            kind: d.kind,
            state: d.state,
            attempts: d.attempts,
            next_attempt_at: d.next_attempt_at.get(),
            last_status: d.last_status,
            last_error: d.last_error,
            created_at: d.created_at.get(),
            updated_at: d.updated_at.get(),
        }
    }
}

/// How many deliveries were made due again.
#[derive(Debug, Serialize, ToSchema)]
pub struct Redelivered {
    pub redelivered: u64,
}

impl From<manage::event_webhooks::Redelivered> for Redelivered {
    fn from(r: manage::event_webhooks::Redelivered) -> Self {
        Self { redelivered: r.redelivered }
    }
}

/// A seller's connection to a store's order webhooks; `secret` only in the answer that made it.
#[derive(Debug, Serialize, ToSchema)]
pub struct StoreConnection {
    pub id: i64,
    pub seller_id: i64,
    /// `lemonsqueezy`.
    pub store: String,
    /// Which app and plan each of the store's variants sells.
    pub products: Vec<store::store_connections::ProductMap>,
    /// Where the store posts its webhooks, below the server's base URL.
    pub webhook_path: String,
    /// The signing secret to paste into the store; not retrievable later.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub secret: Option<String>,
    pub created_at: i64,
}

impl From<manage::store_connections::ConnectionView> for StoreConnection {
    fn from(c: manage::store_connections::ConnectionView) -> Self {
        Self {
            id: c.connection.id,
            seller_id: c.connection.seller_id.get(),
            store: c.connection.store,
            products: c.products,
            webhook_path: c.webhook_path,
            secret: c.secret,
            created_at: c.connection.created_at.get(),
        }
    }
}
