//! Seller panel accounts (created by the operator or a seller's owner, with a role and an
//! optional TOTP second factor) and their sign-in, which opens a browser session.

use super::{ManageError, Tenant, change};
use crate::domain::ids::SellerId;
use crate::domain::{panel::Role, secret, time::now_ms, totp, validate};
use crate::services::password::{HashError, Passwords};
use crate::store::{Store, StoreError, browser_sessions::SessionTable, panel::PanelAccount};

/// The tenant of a signed-in account: its seller's objects, audited as `panel:<account id>`.
pub fn account_tenant(account: &PanelAccount) -> Tenant {
    Tenant::system(account.seller_id, actor(account))
}

/// Shortest password a panel account may have.
pub const MIN_PASSWORD_CHARS: usize = 12;

/// Creates an account of the seller; `password` is hashed with Argon2id.
pub async fn add(
    store: &Store,
    passwords: &Passwords,
    tenant: &Tenant,
    email: &str,
    role: &str,
    password: &str,
) -> Result<PanelAccount, ManageError> {
    let seller_id = tenant.seller_id();
    let email = email_address(email)?;
    let role = Role::parse(role).ok_or_else(|| ManageError::invalid("role", "must be owner, support or readonly"))?;
    let hash = new_password_hash(passwords, password).await?;
    change(store, async |store| {
        let account = store
            .create_panel_account(seller_id, &email, &hash, role.as_str(), now_ms())
            .await
            .map_err(ManageError::from_store("panel account", "email"))?;
        tenant.audit(store, "panel_account.add", format!("panel_account:{}", account.id), &email).await?;
        Ok(account)
    })
    .await
}

pub async fn list(store: &Store, tenant: &Tenant) -> Result<Vec<PanelAccount>, ManageError> {
    Ok(store.panel_accounts(tenant.seller_id()).await?)
}

/// The seller's account `id`; another seller's answers like a missing one.
pub async fn get(store: &Store, tenant: &Tenant, id: i64) -> Result<PanelAccount, ManageError> {
    let seller_id = tenant.seller_id();
    store.panel_account(seller_id, id).await.map_err(ManageError::from_store("panel account", "id"))
}

/// The account of the seller with `reference` as its id or email.
pub async fn resolve(store: &Store, seller_id: SellerId, reference: &str) -> Result<PanelAccount, ManageError> {
    let by_email = store.panel_account_by_email(&reference.trim().to_lowercase()).await?;
    match (by_email, reference.parse::<i64>()) {
        (Some(a), _) if a.seller_id == seller_id => Ok(a),
        (_, Ok(id)) => store.panel_account(seller_id, id).await.map_err(ManageError::from_store("panel account", "id")),
        _ => Err(ManageError::NotFound("panel account")),
    }
}

/// Deletes the account; its sessions end with it.
pub async fn remove(store: &Store, tenant: &Tenant, id: i64) -> Result<(), ManageError> {
    let seller_id = tenant.seller_id();
    change(store, async |store| {
        store.delete_panel_account(seller_id, id).await.map_err(ManageError::from_store("panel account", "id"))?;
        tenant.audit(store, "panel_account.remove", format!("panel_account:{id}"), "").await
    })
    .await
}

/// Gives the account a fresh TOTP secret (replacing any earlier one); returns the secret's
/// `otpauth://` URI, to be shown once.
pub async fn enrol_totp(store: &Store, tenant: &Tenant, id: i64) -> Result<String, ManageError> {
    let seller_id = tenant.seller_id();
    let secret = totp::new_secret();
    change(store, async |store| {
        let account =
            store.panel_account(seller_id, id).await.map_err(ManageError::from_store("panel account", "id"))?;
        store.set_panel_totp(seller_id, id, &secret).await?;
        tenant.audit(store, "panel_account.totp", format!("panel_account:{id}"), "").await?;
        totp::otpauth_url(&secret, "licensd", &account.email)
            .ok_or_else(|| ManageError::invalid("email", "cannot be an authenticator label"))
    })
    .await
}

/// Changes the signed-in `account`'s password from `current` to `new` and signs out its other
/// sessions (the one `session_id` stays): whoever learnt the old password is out at once.
pub async fn change_password(
    store: &Store,
    passwords: &Passwords,
    account: &PanelAccount,
    session_id: i64,
    current: &str,
    new: &str,
) -> Result<(), ManageError> {
    if !passwords.verify(current, &account.password_hash).await.map_err(hashing_stopped)? {
        return Err(ManageError::invalid("current", "is not your current password"));
    }
    let hash = new_password_hash(passwords, new).await?;
    change(store, async |store| {
        if !store.replace_panel_password_hash(account.id, &account.password_hash, &hash).await? {
            return Err(ManageError::Conflict { field: "password", message: "The password changed meanwhile.".into() });
        }
        store.end_other_browser_sessions(SessionTable::Panel, account.id, session_id).await?;
        let target = format!("panel_account:{}", account.id);
        account_tenant(account).audit(store, "panel_account.password", target, &account.email).await
    })
    .await
}

/// Turns on (or replaces) the signed-in `account`'s TOTP with `secret`, which the panel showed
/// its owner (who gave their password again first, `confirm_password`): a `code` of the secret
/// proves their authenticator app holds it, so that a mistyped scan never locks them out. The
/// code's time step counts as used, as at sign-in.
pub async fn enrol_own_totp(
    store: &Store,
    account: &PanelAccount,
    secret: &str,
    code: &str,
) -> Result<(), ManageError> {
    let fresh = secret.len() == 32 && secret.bytes().all(|b| b.is_ascii_uppercase() || (b'2'..=b'7').contains(&b));
    if !fresh {
        return Err(ManageError::invalid("secret", "is not one this panel made; open the page again"));
    }
    let now_secs = u64::try_from(now_ms() / 1000).unwrap_or_default();
    let step = totp::verify(secret, code, now_secs)
        .ok_or_else(|| ManageError::invalid("code", "is not the code your authenticator app shows now"))?;
    change(store, async |store| {
        store.set_panel_totp(account.seller_id, account.id, secret).await?;
        store.accept_panel_totp_step(account.id, step).await?;
        account_tenant(account).audit(store, "panel_account.totp", format!("panel_account:{}", account.id), "").await
    })
    .await
}

/// Turns the signed-in `account`'s TOTP off (after `confirm_password`): a current `code` proves
/// the authenticator app is at hand, so a stolen session cookie and password alone cannot weaken
/// the account. The code's time step counts as used, as at sign-in.
pub async fn remove_own_totp(store: &Store, account: &PanelAccount, code: &str) -> Result<(), ManageError> {
    let Some(secret) = account.totp_secret.as_deref() else {
        return Err(ManageError::invalid("code", "no authenticator code is on for this account"));
    };
    let wrong = || ManageError::invalid("code", "is not the code your authenticator app shows now");
    let now_secs = u64::try_from(now_ms() / 1000).unwrap_or_default();
    let step = totp::verify(secret, code, now_secs).ok_or_else(wrong)?;
    change(store, async |store| {
        if !store.accept_panel_totp_step(account.id, step).await? {
            return Err(wrong());
        }
        if !store.clear_panel_totp(account.id, secret).await? {
            return Err(ManageError::Conflict {
                field: "code",
                message: "The authenticator code changed meanwhile.".into(),
            });
        }
        let target = format!("panel_account:{}", account.id);
        account_tenant(account).audit(store, "panel_account.totp_off", target, "").await
    })
    .await
}

/// What a browser presents at sign-in.
pub struct Credentials<'a> {
    pub email: &'a str,
    pub password: &'a str,
    /// The TOTP code; needed when the account is enrolled.
    pub code: &'a str,
}

/// A fresh session: the cookie value (never stored) and the account.
pub struct SignedIn {
    pub cookie: String,
    pub account: PanelAccount,
}

/// Checks the credentials and opens a session of `max_secs`. Every failure is the same
/// `Forbidden`, so the answer never tells which part was wrong or whether the email exists;
/// an unknown email still costs one hash.
pub async fn sign_in(
    store: &Store,
    passwords: &Passwords,
    creds: &Credentials<'_>,
    max_secs: i64,
) -> Result<SignedIn, ManageError> {
    let email = creds.email.trim().to_lowercase();
    let account = store.panel_account_by_email(&email).await?.filter(|a| a.disabled_at.is_none());
    let account = check_password(passwords, account, |a| &a.password_hash, creds.password).await?;
    if let Some(secret) = &account.totp_secret {
        let now_secs = u64::try_from(now_ms() / 1000).unwrap_or_default();
        let step = totp::verify(secret, creds.code, now_secs).ok_or(ManageError::Forbidden)?;
        if !store.accept_panel_totp_step(account.id, step).await? {
            return Err(ManageError::Forbidden);
        }
    }
    let fresh = NewSession::new("panel", max_secs);
    change(store, async |store| {
        fresh.store(store, SessionTable::Panel, account.id).await?;
        account_tenant(&account).audit(store, "panel.signin", format!("panel_account:{}", account.id), "").await
    })
    .await?;
    Ok(SignedIn { cookie: fresh.cookie, account })
}

/// Checks that `password` is the signed-in `account`'s own, before the panel shows a secret
/// (a new admin token, a webhook's signing secret): a session left open on someone else's
/// screen is not enough for that. A wrong one is an `Invalid` password field.
pub async fn confirm_password(
    passwords: &Passwords,
    account: &PanelAccount,
    password: &str,
) -> Result<(), ManageError> {
    match check_password(passwords, Some(account), |a| &a.password_hash, password).await {
        Err(ManageError::Forbidden) => Err(ManageError::invalid("password", "is not your password")),
        other => other.map(drop),
    }
}

/// `account` if `password` is its password; else the same `Forbidden` for a wrong password
/// and an unknown account, which still costs one hash.
pub(super) async fn check_password<A>(
    passwords: &Passwords,
    account: Option<A>,
    hash_of: impl Fn(&A) -> &str,
    password: &str,
) -> Result<A, ManageError> {
    let Some(account) = account else {
        passwords.verify(password, DUMMY_HASH).await.map_err(hashing_stopped)?;
        return Err(ManageError::Forbidden);
    };
    if passwords.verify(password, hash_of(&account)).await.map_err(hashing_stopped)? {
        Ok(account)
    } else {
        Err(ManageError::Forbidden)
    }
}

/// The parts of a browser session about to be stored: the cookie (never stored, only its
/// digest), the CSRF token, and its start and absolute end.
pub(super) struct NewSession {
    pub cookie: String,
    pub csrf: String,
    pub now: i64,
    pub expires_at: i64,
}

impl NewSession {
    pub fn new(kind: &str, max_secs: i64) -> Self {
        let now = now_ms();
        let expires_at = now.saturating_add(max_secs.saturating_mul(1000));
        Self { cookie: secret::new_token(kind), csrf: secret::new_session_id(), now, expires_at }
    }

    /// Stores the session (its cookie's digest) for `account_id` of the face's account table.
    pub async fn store(&self, store: &Store, table: SessionTable, account_id: i64) -> Result<(), StoreError> {
        let digest = secret::hash_secret(&self.cookie);
        store.create_browser_session(table, account_id, &digest, &self.csrf, self.now, self.expires_at).await
    }
}

/// A new password: long enough, bounded, hashed with Argon2id.
pub(super) async fn new_password_hash(passwords: &Passwords, password: &str) -> Result<String, ManageError> {
    if password.chars().count() < MIN_PASSWORD_CHARS {
        return Err(ManageError::invalid("password", format!("must be at least {MIN_PASSWORD_CHARS} characters")));
    }
    validate::bounded("password", password, 200)?;
    passwords.hash(password).await.map_err(hashing_stopped)
}

/// Hashing fails only when the blocking pool is gone (the process is shutting down; the
/// parameters are constants): like a database that cannot serve, the request may be retried.
pub(super) fn hashing_stopped(e: HashError) -> ManageError {
    tracing::warn!(error = %e.0, "panel: password hashing unavailable");
    ManageError::Store(StoreError::Unavailable(sqlx::Error::PoolClosed))
}

/// The audit actor of a panel account.
pub fn actor(account: &PanelAccount) -> String {
    format!("panel:{}", account.id)
}

/// A valid Argon2id hash of a random password nobody knows: verified against when the email
/// is unknown, so that such a sign-in takes as long as a wrong password.
const DUMMY_HASH: &str =
    "$argon2id$v=19$m=19456,t=2,p=1$ZHVtbXlzYWx0ZHVtbXk$W0nI7Hkm5dXfV8pXnE1mZxq3aJm8qG2lJ8Ue4pTbQqs";

/// A lowercased, trimmed email address of a plausible shape.
pub(super) fn email_address(value: &str) -> Result<String, ManageError> {
    let email = validate::name("email", value, 254)?.to_lowercase();
    let ok = email.split_once('@').is_some_and(|(l, d)| !l.is_empty() && d.contains('.') && !d.starts_with('.'))
        && !email.contains(char::is_whitespace);
    if ok { Ok(email) } else { Err(ManageError::invalid("email", "must be an email address")) }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The stand-in hash must parse as Argon2id with the real costs, or an unknown email would
    /// answer without hashing, faster than a known one.
    #[test]
    fn dummy_hash_costs_what_a_real_one_does() {
        let parsed = argon2::password_hash::PasswordHash::new(DUMMY_HASH).unwrap();
        assert_eq!(parsed.algorithm, argon2::Algorithm::Argon2id.ident());
        let params = argon2::Params::try_from(&parsed).unwrap();
        assert_eq!((params.m_cost(), params.t_cost(), params.p_cost()), (19_456, 2, 1));
        assert!(parsed.salt.is_some() && parsed.hash.is_some());
    }

    #[test]
    fn emails_are_checked_and_lowercased() {
        assert_eq!(email_address(" Bob@Example.COM ").unwrap(), "bob@example.com");
        for bad in ["", "bob", "@example.com", "bob@localhost", "bob@.com", "b ob@example.com"] {
            assert!(email_address(bad).is_err(), "{bad:?}");
        }
    }
}
