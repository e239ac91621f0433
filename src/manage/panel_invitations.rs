//! Invitations to a seller's panel: an owner invites an email address with a role and passes
//! on the link (shown once); the invitee opens it within `INVITATION_DAYS` and chooses a
//! password, which creates their account. A link opens one account: the invitation is claimed
//! by a conditional update in the same transaction that creates the account, so racing
//! acceptances make one account, and a failure (the email has an account already) leaves
//! the invitation open.

use super::panel::{email_address, new_password_hash};
use super::{ManageError, Tenant, change};
use crate::domain::ids::SellerId;
use crate::domain::{panel::Role, secret, time::now_ms};
use crate::services::password::Passwords;
use crate::store::{
    Store,
    panel::PanelAccount,
    panel_invitations::{NewInvitation, PanelInvitation},
};

/// How long an invitation's link works.
pub const INVITATION_DAYS: i64 = 7;

/// A new invitation and its link's token (shown once; only its digest is stored).
pub struct Invited {
    pub invitation: PanelInvitation,
    pub token: String,
}

pub async fn invite(store: &Store, tenant: &Tenant, email: &str, role: &str) -> Result<Invited, ManageError> {
    let seller_id = tenant.seller_id();
    let email = email_address(email)?;
    let role = Role::parse(role).ok_or_else(|| ManageError::invalid("role", "must be owner, support or readonly"))?;
    if store.panel_account_by_email(&email).await?.is_some() {
        return Err(ManageError::Conflict { field: "email", message: "this email has a panel account already".into() });
    }
    let token = secret::new_token("invite");
    let token_hash = secret::hash_secret(&token);
    let now = now_ms();
    let expires_at = now + INVITATION_DAYS * 86_400_000;
    let new = NewInvitation {
        seller_id,
        email: &email,
        role,
        token_hash: &token_hash,
        invited_by: tenant.actor(),
        now,
        expires_at,
    };
    change(store, async |store| {
        let invitation = store.create_panel_invitation(new).await?;
        let target = format!("panel_invitation:{}", invitation.id);
        tenant.audit(store, "panel_invitation.create", target, &format!("{email} as {}", role.as_str())).await?;
        Ok(Invited { invitation, token })
    })
    .await
}

/// The seller's invitations that can still be accepted.
pub async fn open(store: &Store, tenant: &Tenant) -> Result<Vec<PanelInvitation>, ManageError> {
    Ok(store.open_panel_invitations(tenant.seller_id(), now_ms()).await?)
}

/// Revokes an invitation that was not accepted: its link stops working at once.
pub async fn revoke(store: &Store, tenant: &Tenant, id: i64) -> Result<PanelInvitation, ManageError> {
    let seller_id = tenant.seller_id();
    change(store, async |store| {
        let gone =
            store.revoke_panel_invitation(seller_id, id).await.map_err(ManageError::from_store("invitation", "id"))?;
        tenant.audit(store, "panel_invitation.revoke", format!("panel_invitation:{id}"), &gone.email).await?;
        Ok(gone)
    })
    .await
}

/// The invitation a link's `token` names, while it can be accepted.
pub async fn by_token(store: &Store, token: &str) -> Result<PanelInvitation, ManageError> {
    let found = store.open_panel_invitation(&secret::hash_secret(token), now_ms()).await?;
    found.ok_or(ManageError::NotFound("invitation (it may have expired or been used)"))
}

/// Accepts the invitation of `token` with the invitee's `password`: creates the account.
pub async fn accept(
    store: &Store,
    passwords: &Passwords,
    token: &str,
    password: &str,
) -> Result<PanelAccount, ManageError> {
    let hash = new_password_hash(passwords, password).await?;
    let token_hash = secret::hash_secret(token);
    change(store, async |store| {
        let invitation = store
            .claim_panel_invitation(&token_hash, now_ms())
            .await?
            .ok_or(ManageError::NotFound("invitation (it may have expired or been used)"))?;
        let seller_id: SellerId = invitation.seller_id;
        let account = store
            .create_panel_account(seller_id, &invitation.email, &hash, invitation.role.as_str(), now_ms())
            .await
            .map_err(ManageError::from_store("panel account", "email"))?;
        let newcomer = Tenant::system(seller_id, super::panel::actor(&account));
        let target = format!("panel_account:{}", account.id);
        let detail = format!("{} by invitation {}", account.email, invitation.id);
        newcomer.audit(store, "panel_account.add", target, &detail).await?;
        Ok(account)
    })
    .await
}
