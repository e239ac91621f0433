//! Buyers' keys in the customer panel. A buyer (a customer, known by the email of their orders)
//! asks for a code; it goes by mail to that address only, and shown back once it lists the keys
//! of the app that the buyer holds: every key a store order or the seller made for them, with
//! its state, so a lost order mail is not a lost key. The email is the buyer's proof, as in the
//! stores themselves: nothing is shown to whoever merely knows an address or an order number.
//!
//! The answer to a code request is the same whether or not the address bought anything, so the
//! form tells nobody who the seller's buyers are.

use super::{ManageError, Tenant, change};
use crate::domain::ids::CustomerId;
use crate::domain::{secret, time::now_ms, validate};
use crate::services::mail::Mailer;
use crate::store::{Store, apps::App, purchase_codes::BoughtKey};

/// How long a mailed code opens the list: the page's form token lives as long (ten minutes),
/// so a code is never still good on a form that can no longer be sent.
pub const CODE_TTL_MS: i64 = 10 * 60_000;
/// Wrong codes a code survives; then the buyer asks for a new one.
pub const MAX_ATTEMPTS: i64 = 5;
/// Most keys one list shows (the newest).
pub const SHOWN: i64 = 500;
/// Codes are 8 characters without look-alikes (0/O, 1/I/L): about 40 bits against at most
/// `MAX_ATTEMPTS` guesses per code.
const CODE_ALPHABET: &[u8] = b"ABCDEFGHJKMNPQRSTUVWXYZ23456789";
const CODE_LEN: usize = 8;

/// The buyer's tenant: their seller's objects, audited as `buyer:<customer id>`.
fn buyer_tenant(app: &App, customer_id: CustomerId) -> Tenant {
    Tenant::system(app.seller_id, format!("buyer:{customer_id}"))
}

/// The code as typed: spaces and dashes dropped, any case.
fn normalised(code: &str) -> String {
    code.chars().filter(|c| !matches!(c, ' ' | '-')).collect::<String>().to_ascii_uppercase()
}

/// Mails a new code to `email` when it bought keys of the app; does nothing visible otherwise.
/// Only the address is checked before the answer: finding the buyer, storing the code and the
/// mail all happen after it, so the answer takes as long for a buyer as for anyone. A code that
/// is still live (not used, expired or failed `MAX_ATTEMPTS` times) is not replaced, so asking
/// again neither sends more mail nor locks the buyer out of the code they have.
pub fn send_code(store: &Store, mailer: &Mailer, app: &App, email: &str) -> Result<(), ManageError> {
    let email = validate::email("email", email)?;
    let (store, mailer, app) = (store.clone(), mailer.clone(), app.clone());
    tokio::spawn(async move {
        if let Err(e) = mail_code(&store, &mailer, &app, &email).await {
            tracing::warn!(app_id = %app.id, error = %e, "customer panel: no keys code was mailed");
        }
    });
    Ok(())
}

async fn mail_code(store: &Store, mailer: &Mailer, app: &App, email: &str) -> Result<(), ManageError> {
    let Some(customer_id) = store.buyer_of_app(app.seller_id, app.id, email).await? else { return Ok(()) };
    let code = secret::random_string(CODE_ALPHABET, CODE_LEN);
    let hash = secret::hash_secret(&code);
    let now = now_ms();
    let made = change(store, async |store| {
        let made = store.put_purchase_code(customer_id, app.id, &hash, now, now + CODE_TTL_MS, MAX_ATTEMPTS).await?;
        if made {
            let tenant = buyer_tenant(app, customer_id);
            tenant.audit(store, "customer.keys_code", format!("app:{}", app.id), "mailed").await?;
        }
        Ok(made)
    })
    .await?;
    if !made {
        return Ok(());
    }
    let shown = format!("{}-{}", &code[..4], &code[4..]);
    let Err(e) = mailer.send_keys_code(email, &app.name, &shown, CODE_TTL_MS / 60_000).await else { return Ok(()) };
    tracing::warn!(app_id = %app.id, customer_id = %customer_id, error = %e.0, "customer panel: the keys code mail failed");
    // Dropped, so that asking again makes and mails another.
    store.spend_purchase_code(customer_id, app.id, &hash).await?;
    Ok(())
}

/// The buyer's keys of the app, for the code mailed to `email`; the code is spent. A wrong,
/// expired or used-up code and an address without keys are the same `Forbidden`.
pub async fn open(store: &Store, app: &App, email: &str, code: &str) -> Result<Vec<BoughtKey>, ManageError> {
    let email = validate::email("email", email).map_err(|_| ManageError::Forbidden)?;
    let Some(customer_id) = store.buyer_of_app(app.seller_id, app.id, &email).await? else {
        return Err(ManageError::Forbidden);
    };
    let Some(stored) = store.attempt_purchase_code(customer_id, app.id, now_ms(), MAX_ATTEMPTS).await? else {
        return Err(ManageError::Forbidden);
    };
    if !secret::constant_time_eq(secret::hash_secret(&normalised(code)).as_bytes(), stored.as_bytes()) {
        return Err(ManageError::Forbidden);
    }
    change(store, async |store| {
        if !store.spend_purchase_code(customer_id, app.id, &stored).await? {
            return Err(ManageError::Forbidden);
        }
        let tenant = buyer_tenant(app, customer_id);
        tenant.audit(store, "customer.keys_viewed", format!("app:{}", app.id), "").await?;
        Ok(store.bought_keys(customer_id, app.id, SHOWN).await?)
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_code_is_read_as_typed() {
        assert_eq!(normalised("abcd-efgh"), "ABCDEFGH");
        assert_eq!(normalised(" AbCd EfGh "), "ABCDEFGH");
    }
}
