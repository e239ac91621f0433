//! Password hashing for client users: Argon2id at the OWASP minimum (m = 19 MiB, t = 2, p = 1).
//! Each hash costs ~25 ms of a core and 19 MiB, so it runs on the blocking pool behind a
//! semaphore of `config.password_hash_concurrency` permits: a burst of logins queues there
//! instead of starving the cheap requests (init, check, key logins) on the async workers.

use argon2::{
    Algorithm, Argon2, Params, PasswordHash, PasswordHasher, PasswordVerifier, Version,
    password_hash::{SaltString, rand_core::OsRng},
};
use std::sync::{Arc, OnceLock};
use tokio::sync::Semaphore;

/// Hashing failed for a reason of the server (pool shut down, bad parameters), not the input.
#[derive(Debug)]
pub struct HashError(pub String);

fn argon2() -> Result<Argon2<'static>, HashError> {
    let params = Params::new(19_456, 2, 1, None).map_err(|e| HashError(e.to_string()))?;
    Ok(Argon2::new(Algorithm::Argon2id, Version::V0x13, params))
}

/// The process-wide permit pool, sized by the first caller's configuration (one server per
/// process in production; tests share it harmlessly).
fn permits(concurrency: usize) -> Arc<Semaphore> {
    static PERMITS: OnceLock<Arc<Semaphore>> = OnceLock::new();
    PERMITS.get_or_init(|| Arc::new(Semaphore::new(concurrency.max(1)))).clone()
}

async fn on_pool<T: Send + 'static>(
    concurrency: usize,
    work: impl FnOnce() -> Result<T, HashError> + Send + 'static,
) -> Result<T, HashError> {
    let _permit = permits(concurrency).acquire_owned().await.map_err(|e| HashError(e.to_string()))?;
    tokio::task::spawn_blocking(work).await.map_err(|e| HashError(e.to_string()))?
}

/// The PHC string (`$argon2id$v=19$m=19456,t=2,p=1$...`) of `password` with a fresh salt.
pub async fn hash(concurrency: usize, password: &str) -> Result<String, HashError> {
    let password = password.to_owned();
    on_pool(concurrency, move || {
        let salt = SaltString::generate(&mut OsRng);
        argon2()?.hash_password(password.as_bytes(), &salt).map(|h| h.to_string()).map_err(|e| HashError(e.to_string()))
    })
    .await
}

/// Whether `password` matches the stored PHC string (a malformed one never matches). The
/// parameters come from the string, so hashes made with other costs still verify.
pub async fn verify(concurrency: usize, password: &str, phc: &str) -> Result<bool, HashError> {
    let (password, phc) = (password.to_owned(), phc.to_owned());
    on_pool(concurrency, move || {
        let Ok(parsed) = PasswordHash::new(&phc) else { return Ok(false) };
        Ok(argon2()?.verify_password(password.as_bytes(), &parsed).is_ok())
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn hashes_with_owasp_parameters_and_verifies() {
        let h = hash(2, "hunter2").await.unwrap();
        assert!(h.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{h}");
        assert!(verify(2, "hunter2", &h).await.unwrap());
        assert!(!verify(2, "hunter3", &h).await.unwrap());
        assert!(!verify(2, "hunter2", "not a hash").await.unwrap());
        assert_ne!(hash(2, "hunter2").await.unwrap(), h, "fresh salt each time");
    }
}
