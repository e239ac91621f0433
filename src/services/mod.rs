//! Shared services with state that lives for the whole process: password hashing
//! (`password`), outbound HTTP (`outbound`) and mail (`mail`). Built once at start-up from the
//! configuration into `Services`, which `AppState` carries to every face that needs them.

pub mod mail;
pub mod outbound;
pub mod password;

use crate::config::Config;

#[derive(Debug, Clone)]
pub struct Services {
    pub passwords: password::Passwords,
    pub http: outbound::Http,
    /// `None` when no `smtp` is configured (`forgot` then says so).
    pub mail: Option<mail::Mailer>,
}

impl Services {
    /// The services as `config` asks for them; an error names the setting that is wrong.
    pub fn from_config(config: &Config) -> Result<Self, String> {
        let http =
            outbound::Http::new(config.webhook_allow_private).map_err(|e| format!("outbound HTTP client: {e}"))?;
        let mail = config.smtp.as_ref().map(mail::Mailer::new).transpose().map_err(|e| e.0)?;
        Ok(Self { passwords: password::Passwords::new(config.password_hash_concurrency), http, mail })
    }
}
