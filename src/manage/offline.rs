//! Offline license files (docs/offline-licenses.md): a usable license checked out as a signed
//! file bound to a machine. `checkout` is the seller's operation (admin API, CLI); `Issuer::issue`
//! is what every face ends in, the client API and the Licenses API included, so the usability
//! rule and the file's terms are decided in one place. A banned, switched-off or expired license
//! (or one of a disabled or paused app) gets no file, so it stops at the app's next refresh.

use super::{ManageError, Tenant};
use crate::domain::ids::LicenseId;
use crate::domain::offline::{self, AppRef, LicenseRef, Machine, MachineKind, Payload, PlanRef, TermError};
use crate::domain::{time::now_ms, usable, validate};
use crate::{signing::Signer, state::AppState, store::Store, store::licenses::License};
use serde::{Deserialize, Serialize};

/// What the seller asks for.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CheckoutRequest {
    /// Seconds until the app must refresh online; default and maximum `offline_ttl_secs`.
    pub ttl_secs: Option<i64>,
    /// Bind the file to this HWID (client API machines).
    pub hwid: Option<String>,
    /// Bind the file to this instance of the license (Licenses API machines).
    pub instance_id: Option<String>,
    /// The seller's feature names, signed into the file.
    #[serde(default)]
    pub entitlements: Vec<String>,
}

/// A checked-out file and its terms (unix ms, like every other time of the admin API).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct OfflineFile {
    #[schema(value_type = i64)]
    pub license_id: LicenseId,
    pub issued_at: i64,
    pub refresh_by: i64,
    pub expires_at: Option<i64>,
    /// The public key (hex) that signed it.
    pub public_key: String,
    /// The armoured file, to save or paste as it is.
    pub file: String,
}

/// Signs files: the store to read the license's app, plan and seller, the deployment's key and
/// the longest TTL.
pub struct Issuer<'a> {
    pub store: &'a Store,
    pub signer: &'a Signer,
    pub max_ttl_secs: i64,
}

impl<'a> Issuer<'a> {
    pub fn of(state: &'a AppState) -> Self {
        Self { store: &state.store, signer: &state.signer, max_ttl_secs: state.config.offline_ttl_secs }
    }

    /// The file of `license` bound to `machine`, if the license may be used now.
    pub async fn issue(
        &self,
        license: &License,
        machine: Option<Machine>,
        ttl_secs: Option<i64>,
        entitlements: Vec<String>,
    ) -> Result<OfflineFile, ManageError> {
        let now = now_ms();
        let app =
            self.store.app(license.seller_id, license.app_id).await.map_err(ManageError::from_store("app", "id"))?;
        usable::license(app.flags(), license.facts(), now).map_err(refused)?;
        let expires_at =
            offline::license_end(license.expires_at.map(i64::from), license.duration_secs).map_err(term)?;
        let ttl = offline::ttl(ttl_secs, self.max_ttl_secs).map_err(term)?;
        let entitlements = offline::entitlements(entitlements).map_err(term)?;
        let plan = self.store.plan(app.id, license.plan_id).await.map_err(ManageError::from_store("plan", "id"))?;
        let seller = self.store.seller(license.seller_id).await.map_err(ManageError::from_store("seller", "id"))?;
        let issued_at = offline::secs(now);
        let payload = Payload {
            app: AppRef { id: app.id.get(), name: app.name },
            entitlements,
            expires_at: expires_at.map(offline::secs),
            issued_at,
            license: LicenseRef { id: license.id.get(), key: license.key.clone() },
            machine,
            ownerid: seller.ownerid,
            plan: PlanRef { level: plan.level, name: plan.name },
            refresh_by: issued_at + ttl,
            ttl,
            v: offline::VERSION,
        };
        let file = offline::encode(&payload, self.signer.public_hex(), |m| self.signer.sign_message(m));
        Ok(OfflineFile {
            license_id: license.id,
            issued_at: issued_at * 1000,
            refresh_by: payload.refresh_by * 1000,
            expires_at: payload.expires_at.map(|s| s * 1000),
            public_key: self.signer.public_hex().to_owned(),
            file,
        })
    }
}

/// The seller's checkout of license `id` (admin API, CLI), audited as `license.checkout`.
pub async fn checkout(
    issuer: &Issuer<'_>,
    tenant: &Tenant,
    id: LicenseId,
    req: CheckoutRequest,
) -> Result<OfflineFile, ManageError> {
    let store = issuer.store;
    let seller_id = tenant.seller_id();
    let license = store.license(seller_id, id).await.map_err(ManageError::from_store("license", "id"))?;
    let machine = match (req.hwid.as_deref(), req.instance_id.as_deref()) {
        (Some(_), Some(_)) => {
            return Err(ManageError::invalid("instance_id", "bind to a hwid or an instance, not both"));
        }
        (Some(hwid), None) => Some(Machine { id: validate::name("hwid", hwid, 256)?, kind: MachineKind::Hwid }),
        (None, Some(instance)) => {
            let found = store.instance(seller_id, license.id, instance).await;
            let instance = found.map_err(ManageError::from_store("instance", "id"))?;
            Some(Machine { id: instance.id, kind: MachineKind::Instance })
        }
        (None, None) => None,
    };
    let detail = match &machine {
        Some(Machine { id, kind: MachineKind::Hwid }) => format!("hwid={id}"),
        Some(Machine { id, kind: MachineKind::Instance }) => format!("instance={id}"),
        None => String::new(),
    };
    let file = issuer.issue(&license, machine, req.ttl_secs, req.entitlements).await?;
    tenant.audit(store, "license.checkout", format!("license:{id}"), &detail).await?;
    Ok(file)
}

/// A license the usability rule refuses: a conflict with its state, named like the rule names it.
fn refused(denial: usable::Denial) -> ManageError {
    use usable::Denial::*;
    let message = match denial {
        AppDisabled => "the app is disabled",
        AppPaused => "the app is paused",
        LicenseBanned => "the license is banned",
        LicenseInactive => "the license is switched off",
        LicenseExpired => "the license has expired",
        UserBanned | UserPaused | NoSubscription | SubscriptionPaused => "the license cannot be used now",
    };
    ManageError::Conflict { field: "license", message: message.to_owned() }
}

fn term(e: TermError) -> ManageError {
    match e {
        TermError::NotStarted => ManageError::Conflict { field: "license", message: e.to_string() },
        TermError::Ttl(_) => ManageError::invalid("ttl_secs", e.to_string()),
        TermError::Entitlements => ManageError::invalid("entitlements", e.to_string()),
    }
}
