//! The reseller dashboard's operations: the seller gives a reseller a sign-in (email and an
//! Argon2id password) or takes it away; the reseller signs in, sees its stock and to whom it
//! went. Key creation and revocation are `resellers::create_key` / `revoke_key`, run with the
//! reseller's own tenant (`reseller_tenant`).

use super::panel::{NewSession, check_password, email_address, new_password_hash};
use super::{Listed, ManageError, PageRequest, Tenant, change, resellers};
use crate::domain::ids::{ResellerId, SellerId};
use crate::domain::time::now_ms;
use crate::services::password::Passwords;
use crate::store::{
    Store,
    browser_sessions::SessionTable,
    licenses::{License, LicenseFilter},
    reseller_accounts::ResellerAccount,
    reseller_stock::PlanStock,
};

/// Gives reseller `id` of the seller the sign-in `email` / `password`, replacing an earlier one
/// (whose sessions end).
pub async fn set_login(
    store: &Store,
    passwords: &Passwords,
    tenant: &Tenant,
    id: ResellerId,
    email: &str,
    password: &str,
) -> Result<ResellerAccount, ManageError> {
    let email = email_address(email)?;
    let hash = new_password_hash(passwords, password).await?;
    change(store, async |store| {
        let r = resellers::get(store, tenant, id).await?;
        store
            .replace_reseller_account(r.id, &email, &hash, now_ms())
            .await
            .map_err(ManageError::from_store("reseller login", "email"))?;
        tenant.audit(store, "reseller.login.set", format!("reseller:{}", r.id), &email).await?;
        store.reseller_account(r.id).await?.ok_or(ManageError::NotFound("reseller login"))
    })
    .await
}

/// Takes the reseller's sign-in away; its sessions end at once.
pub async fn remove_login(store: &Store, tenant: &Tenant, id: ResellerId) -> Result<(), ManageError> {
    change(store, async |store| {
        let r = resellers::get(store, tenant, id).await?;
        if !store.delete_reseller_account(r.id).await? {
            return Err(ManageError::NotFound("reseller login"));
        }
        tenant.audit(store, "reseller.login.remove", format!("reseller:{}", r.id), "").await
    })
    .await
}

/// The tenant of a signed-in reseller: its seller's objects, audited as `reseller:<id>`. Every
/// dashboard operation also names the reseller itself, taken from the session, never the URL.
pub fn reseller_tenant(account: &ResellerAccount) -> Tenant {
    reseller_tenant_of(account.seller_id, account.reseller_id)
}

/// The tenant of reseller `reseller_id` of seller `seller_id`, audited as `reseller:<id>`.
pub(super) fn reseller_tenant_of(seller_id: SellerId, reseller_id: ResellerId) -> Tenant {
    Tenant::system(seller_id, format!("reseller:{reseller_id}"))
}

/// A fresh dashboard session: the cookie value (never stored) and the account.
pub struct SignedIn {
    pub cookie: String,
    pub account: ResellerAccount,
}

/// Checks email and password and opens a session of `max_secs`; every failure is the same
/// `Forbidden` (see `panel::sign_in`).
pub async fn sign_in(
    store: &Store,
    passwords: &Passwords,
    email: &str,
    password: &str,
    max_secs: i64,
) -> Result<SignedIn, ManageError> {
    let found = store.reseller_account_by_email(&email.trim().to_lowercase()).await?;
    let account = check_password(passwords, found, |a| &a.password_hash, password).await?;
    let fresh = NewSession::new("dash", max_secs);
    change(store, async |store| {
        fresh.store(store, SessionTable::Reseller, account.id).await?;
        reseller_tenant(&account).audit(store, "reseller.signin", format!("reseller:{}", account.reseller_id), "").await
    })
    .await?;
    Ok(SignedIn { cookie: fresh.cookie, account })
}

/// The reseller's stock per plan: sellable now and assigned.
pub async fn stock(store: &Store, account: &ResellerAccount) -> Result<Vec<PlanStock>, ManageError> {
    Ok(store.stock_by_plan(account.reseller_id, now_ms()).await?)
}

/// The reseller's licenses assigned to Discord users, newest first; `search` matches the key
/// or the Discord user id.
pub async fn assignments(
    store: &Store,
    account: &ResellerAccount,
    search: Option<&str>,
    page: PageRequest,
) -> Result<Listed<License>, ManageError> {
    let (page, meta) = page.page()?;
    let filter = LicenseFilter {
        reseller_id: Some(account.reseller_id),
        search: search.map(str::to_owned),
        state: Some("assigned".into()),
        ..LicenseFilter::default()
    };
    let (rows, total) = store.list_licenses(account.seller_id, &filter, page).await?;
    Ok(Listed::new(rows, meta, total))
}
