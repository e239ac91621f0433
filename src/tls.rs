//! HTTPS: the rustls configuration of the listener, from certificate files (`tls_cert`,
//! `tls_key`) or from an ACME CA (`acme_domains`) through `rustls-acme`, which orders the
//! certificate, answers the CA's TLS-ALPN-01 or HTTP-01 challenge and renews at two thirds of the
//! certificate's lifetime. The ACME account key and the certificate live in `<data_dir>/acme`
//! (mode 0700), so a restart, or another process on the same data directory, reuses them
//! instead of ordering again.

use crate::config::{AcmeChallenge, Config};
use crate::fsmode;
use anyhow::Context;
use futures_util::StreamExt;
use rustls::{
    ClientConfig, RootCertStore, ServerConfig,
    pki_types::{CertificateDer, PrivateKeyDer, pem::PemObject},
};
use rustls_acme::{AcmeConfig, caches::DirCache, tower::TowerHttp01ChallengeService};
use std::{path::Path, sync::Arc};
use tokio_rustls::TlsAcceptor;

/// The ALPN protocol of TLS-ALPN-01 validation connections (RFC 8737).
pub const ACME_TLS_ALPN: &[u8] = b"acme-tls/1";

/// Where the HTTPS listener's certificates come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source<'a> {
    Files { cert: &'a Path, key: &'a Path },
    Acme,
}

/// The configured source of certificates, `None` for plain HTTP; an error names the keys that
/// do not fit together.
pub fn source(config: &Config) -> Result<Option<Source<'_>>, String> {
    let files = config.tls_cert.is_some() || config.tls_key.is_some();
    let acme = !config.acme_domains.is_empty();
    if files && acme {
        return Err("tls_cert/tls_key and acme_domains exclude each other: choose files or ACME".into());
    }
    let pair = match (&config.tls_cert, &config.tls_key) {
        (Some(cert), Some(key)) => Some(Source::Files { cert, key }),
        (None, None) => None,
        _ => return Err("tls_cert and tls_key go together".into()),
    };
    if !acme && (config.acme_email.is_some() || config.acme_ca_file.is_some()) {
        return Err("acme_email and acme_ca_file need acme_domains".into());
    }
    if acme && config.acme_challenge == AcmeChallenge::Http01 && config.http_redirect_listen.is_none() {
        return Err("acme_challenge = \"http-01\" needs http_redirect_listen (the CA connects to port 80)".into());
    }
    if !files && !acme && config.http_redirect_listen.is_some() {
        return Err("http_redirect_listen needs HTTPS (tls_cert/tls_key or acme_domains)".into());
    }
    Ok(pair.or(acme.then_some(Source::Acme)))
}

/// The HTTPS side of a server: what accepts TLS, and what answers the CA's HTTP-01 requests.
pub struct Tls {
    pub acceptor: TlsAcceptor,
    /// Set when the CA checks names over HTTP (`acme_challenge = "http-01"`).
    pub http01: Option<TowerHttp01ChallengeService>,
    /// Orders and renews the ACME certificate for as long as the server lives.
    renewal: Option<tokio::task::JoinHandle<()>>,
}

impl Drop for Tls {
    fn drop(&mut self) {
        if let Some(task) = self.renewal.take() {
            task.abort();
        }
    }
}

/// Builds the HTTPS side as configured (`None`: plain HTTP). With ACME this starts ordering the
/// certificate in the background; until it arrives, handshakes fail (no certificate to show).
pub fn setup(config: &Config) -> anyhow::Result<Option<Tls>> {
    match source(config).map_err(anyhow::Error::msg)? {
        None => Ok(None),
        Some(Source::Files { cert, key }) => {
            let server = from_files(cert, key)?;
            Ok(Some(Tls { acceptor: TlsAcceptor::from(Arc::new(server)), http01: None, renewal: None }))
        }
        Some(Source::Acme) => acme(config).map(Some),
    }
}

/// What `check-config` reports: the HTTPS set-up as configured, its files read and checked
/// the way `serve` reads them, without ordering a certificate.
pub fn check(config: &Config) -> Result<String, String> {
    match source(config)? {
        None => Ok("plain HTTP (no tls_cert or acme_domains)".into()),
        Some(Source::Files { cert, key }) => {
            from_files(cert, key).map_err(|e| format!("{e:#}"))?;
            Ok("HTTPS with the certificate in tls_cert".into())
        }
        Some(Source::Acme) => {
            if let Some(ca) = &config.acme_ca_file {
                client_trusting(ca).map_err(|e| format!("{e:#}"))?;
            }
            Ok(format!("HTTPS by ACME from {} for {}", config.acme_directory, config.acme_domains.join(", ")))
        }
    }
}

fn provider() -> Arc<rustls::crypto::CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

fn from_files(cert: &Path, key: &Path) -> anyhow::Result<ServerConfig> {
    let chain = CertificateDer::pem_file_iter(cert)
        .and_then(|certs| certs.collect::<Result<Vec<_>, _>>())
        .with_context(|| format!("tls_cert {}: not a readable PEM certificate chain", cert.display()))?;
    anyhow::ensure!(!chain.is_empty(), "tls_cert {} holds no certificate", cert.display());
    let key = PrivateKeyDer::from_pem_file(key)
        .with_context(|| format!("tls_key {}: not a readable PEM private key", key.display()))?;
    let mut server = ServerConfig::builder_with_provider(provider())
        .with_safe_default_protocol_versions()?
        .with_no_client_auth()
        .with_single_cert(chain, key)
        .context("tls_cert and tls_key do not form a usable certificate (does the key belong to it?)")?;
    // HTTP/1.1 is all the listener speaks; a client that offers ALPN must accept it.
    server.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(server)
}

fn acme(config: &Config) -> anyhow::Result<Tls> {
    let dir = config.data_dir.join("acme");
    fsmode::create_private_dir(&dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let mut acme = AcmeConfig::new(&config.acme_domains)
        .contact(config.acme_email.iter().map(|e| format!("mailto:{e}")))
        .directory(&config.acme_directory)
        .challenge_type(match config.acme_challenge {
            AcmeChallenge::TlsAlpn01 => rustls_acme::UseChallenge::TlsAlpn01,
            AcmeChallenge::Http01 => rustls_acme::UseChallenge::Http01,
        })
        .cache(DirCache::new(dir));
    if let Some(ca) = &config.acme_ca_file {
        acme = acme.client_tls_config(Arc::new(client_trusting(ca)?));
    }
    let mut state = acme.state();
    let http01 = (config.acme_challenge == AcmeChallenge::Http01).then(|| state.http01_challenge_tower_service());
    let mut server = ServerConfig::builder_with_provider(provider())
        .with_safe_default_protocol_versions()?
        .with_no_client_auth()
        .with_cert_resolver(state.resolver());
    server.alpn_protocols = vec![b"http/1.1".to_vec(), ACME_TLS_ALPN.to_vec()];
    let renewal = tokio::spawn(async move {
        // The stream never ends: each item is one step (order, deploy, store, wait to renew).
        while let Some(event) = state.next().await {
            match event {
                Ok(done) => tracing::info!(event = ?done, "ACME"),
                Err(e) => tracing::warn!(error = ?e, "ACME step failed; retrying with back-off"),
            }
        }
    });
    Ok(Tls { acceptor: TlsAcceptor::from(Arc::new(server)), http01, renewal: Some(renewal) })
}

/// A TLS client for the ACME directory trusting only the roots in `ca` (a private CA).
fn client_trusting(ca: &Path) -> anyhow::Result<ClientConfig> {
    let mut roots = RootCertStore::empty();
    let certs = CertificateDer::pem_file_iter(ca)
        .and_then(|certs| certs.collect::<Result<Vec<_>, _>>())
        .with_context(|| format!("acme_ca_file {}: not a readable PEM file", ca.display()))?;
    let (added, _) = roots.add_parsable_certificates(certs);
    anyhow::ensure!(added > 0, "acme_ca_file {} holds no usable certificate", ca.display());
    Ok(ClientConfig::builder_with_provider(provider())
        .with_safe_default_protocol_versions()?
        .with_root_certificates(roots)
        .with_no_client_auth())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_that_do_not_fit_together_are_named() {
        let with = |adjust: fn(&mut Config)| {
            let mut c = Config::default();
            adjust(&mut c);
            source(&c).map(|s| s.map(|s| matches!(s, Source::Acme)))
        };
        assert_eq!(with(|_| {}), Ok(None));
        assert_eq!(with(|c| (c.tls_cert, c.tls_key) = (Some("c".into()), Some("k".into()))), Ok(Some(false)));
        assert_eq!(with(|c| c.acme_domains = vec!["a.example".into()]), Ok(Some(true)));
        assert!(with(|c| c.tls_key = Some("k".into())).unwrap_err().contains("go together"));
        assert!(
            with(|c| {
                (c.tls_cert, c.tls_key) = (Some("c".into()), Some("k".into()));
                c.acme_domains = vec!["a.example".into()];
            })
            .unwrap_err()
            .contains("exclude each other")
        );
        assert!(
            with(|c| {
                c.acme_domains = vec!["a.example".into()];
                c.acme_challenge = AcmeChallenge::Http01;
            })
            .unwrap_err()
            .contains("needs http_redirect_listen")
        );
        assert!(with(|c| c.http_redirect_listen = Some("127.0.0.1:80".parse().unwrap())).is_err());
        assert!(with(|c| c.acme_email = Some("a@b".into())).is_err());
    }
}
