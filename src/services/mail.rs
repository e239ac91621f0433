//! Outgoing mail (the client API's `forgot`, bought keys, the customer panel's codes), through the operator's SMTP server (`config.smtp`) with lettre.
//!
//! URL forms (as documented in config.rs): `smtps://user:pass@host:465` (TLS from the start),
//! `smtp://user:pass@host:587` (STARTTLS required), `smtp://host:25?tls=none` (plain text, for
//! a local relay). lettre itself reads a bare `smtp://` as plain text, so the URL is translated.
//! `Mailer` is built once at start-up from that configuration (a URL or sender that does not
//! parse stops the start) and lives in `Services`; it connects for each message.

use crate::config::SmtpConfig;
use lettre::{
    AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor, message::Mailbox, message::header::ContentType,
};
use std::time::Duration;

/// How long one delivery may take before `forgot` gives up.
const SEND_TIMEOUT: Duration = Duration::from_secs(15);

#[derive(Debug)]
pub struct MailError(pub String);

/// The URL as lettre understands it: `tls=none` dropped, a bare `smtp://` made STARTTLS-only.
fn lettre_url(url: &str) -> String {
    if !url.starts_with("smtp://") {
        return url.to_owned();
    }
    let (base, query) = url.split_once('?').unwrap_or((url, ""));
    let mut params: Vec<&str> = query.split('&').filter(|p| !p.is_empty()).collect();
    if params.contains(&"tls=none") {
        params.retain(|p| *p != "tls=none");
    } else if !params.iter().any(|p| p.starts_with("tls=")) {
        params.push("tls=required");
    }
    if params.is_empty() { base.to_owned() } else { format!("{base}?{}", params.join("&")) }
}

/// The configured SMTP transport and sender.
#[derive(Clone)]
pub struct Mailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
}

impl std::fmt::Debug for Mailer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The transport holds the SMTP credentials.
        f.debug_struct("Mailer").field("from", &self.from).finish_non_exhaustive()
    }
}

impl Mailer {
    pub fn new(smtp: &SmtpConfig) -> Result<Self, MailError> {
        let from: Mailbox = smtp.from.parse().map_err(|e| MailError(format!("smtp.from: {e}")))?;
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(&lettre_url(&smtp.url))
            .map_err(|e| MailError(format!("smtp.url: {e}")))?
            .timeout(Some(SEND_TIMEOUT))
            .build();
        Ok(Self { transport, from })
    }

    /// Mails `password`, the replacement password of `username` in app `app_name`, to `to`.
    pub async fn send_password_reset(
        &self,
        to: &str,
        app_name: &str,
        username: &str,
        password: &str,
    ) -> Result<(), MailError> {
        let body = format!(
            "A new password was requested for the account \"{username}\" of {app_name}.\n\n\
             New password: {password}\n\n\
             It replaces your old password the first time you log in with it, and expires in 24 hours.\n\
             If you did not ask for this, ignore this message: your current password keeps working.\n"
        );
        self.send_text(to, format!("{app_name}: your new password"), body).await
    }

    /// Mails the license keys of a paid order to its buyer `to`.
    pub async fn send_license_keys(&self, to: &str, keys: &[String]) -> Result<(), MailError> {
        let body = format!("Thank you for your order. Your license key:\n\n{}\n", keys.join("\n"));
        self.send_text(to, "Your license key", body).await
    }

    /// Mails the code that shows a buyer their keys of `app_name` in the customer panel, valid
    /// for `minutes`.
    pub async fn send_keys_code(&self, to: &str, app_name: &str, code: &str, minutes: i64) -> Result<(), MailError> {
        let body = format!(
            "Your code to see your license keys of {app_name}:\n\n{code}\n\n\
             Enter it on the page where you asked for it. It works once, for {minutes} minutes.\n\
             If you did not ask for it, ignore this message.\n"
        );
        self.send_text(to, format!("{app_name}: your code"), body).await
    }

    /// A plain-text message from the configured sender.
    async fn send_text(&self, to: &str, subject: impl Into<String>, body: String) -> Result<(), MailError> {
        let to: Mailbox = to.parse().map_err(|e| MailError(format!("recipient: {e}")))?;
        let message = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(subject)
            .header(ContentType::TEXT_PLAIN)
            .body(body)
            .map_err(|e| MailError(e.to_string()))?;
        self.send(message).await
    }

    async fn send(&self, message: Message) -> Result<(), MailError> {
        match tokio::time::timeout(SEND_TIMEOUT, self.transport.send(message)).await {
            Ok(Ok(_)) => Ok(()),
            Ok(Err(e)) => Err(MailError(e.to_string())),
            Err(_) => Err(MailError("timed out".into())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::lettre_url;

    #[test]
    fn urls_default_to_starttls_and_honour_tls_none() {
        assert_eq!(lettre_url("smtp://u:p@h:587"), "smtp://u:p@h:587?tls=required");
        assert_eq!(lettre_url("smtp://h:25?tls=none"), "smtp://h:25");
        assert_eq!(lettre_url("smtp://h:25?tls=opportunistic"), "smtp://h:25?tls=opportunistic");
        assert_eq!(lettre_url("smtps://u:p@h"), "smtps://u:p@h");
    }
}
