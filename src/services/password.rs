//! Password hashing for client users: Argon2id at the OWASP minimum (m = 19 MiB, t = 2, p = 1).
//! Each hash costs ~25 ms of a core and 19 MiB, so it runs on the blocking pool behind a
//! semaphore of `config.password_hash_concurrency` permits: a burst of logins queues there
//! instead of starving the cheap requests (init, check, key logins) on the async workers.
//! `Passwords` holds the permits and the pooled working memory; one lives in `Services`.
//! Bcrypt hashes (`$2y$`, `$2a$`, `$2b$`, as KeyAuth stores them) verify too, so imported users
//! keep their passwords; `is_legacy` tells the caller to replace such a hash after a sign-in.

use argon2::{
    Algorithm, Argon2, Block, Params, Version,
    password_hash::{Output, ParamsString, PasswordHash, Salt, SaltString, rand_core::OsRng},
};
use std::sync::{Arc, Mutex};
use tokio::sync::Semaphore;

/// Hashing failed for a reason of the server (pool shut down, bad parameters), not the input.
#[derive(Debug)]
pub struct HashError(pub String);

impl HashError {
    fn from(e: impl std::fmt::Display) -> Self {
        Self(e.to_string())
    }
}

const M_COST_KIB: u32 = 19_456;

fn params() -> Result<Params, HashError> {
    Params::new(M_COST_KIB, 2, 1, None).map_err(HashError::from)
}

/// Argon2's working memory (19 MiB per buffer), kept between hashes instead of allocated for
/// each: a fresh allocation costs ~5 000 page faults, and glibc parks freed blocks of that size
/// in per-thread arenas, so under a login burst the blocking pool's threads grew the resident
/// set past 280 MiB (licensd-bench). The semaphore bounds how many buffers exist at once.
type MemoryPool = Arc<Mutex<Vec<Vec<Block>>>>;

/// The password hasher: at most `concurrency` hashes at once, each on the blocking pool.
#[derive(Debug, Clone)]
pub struct Passwords {
    permits: Arc<Semaphore>,
    memory: MemoryPool,
}

impl Passwords {
    pub fn new(concurrency: usize) -> Self {
        Self { permits: Arc::new(Semaphore::new(concurrency.max(1))), memory: MemoryPool::default() }
    }

    /// The PHC string (`$argon2id$v=19$m=19456,t=2,p=1$...`) of `password` with a fresh salt.
    pub async fn hash(&self, password: &str) -> Result<String, HashError> {
        let (password, memory) = (password.to_owned(), self.memory.clone());
        self.on_pool(move || {
            let salt = SaltString::generate(&mut OsRng);
            let params = params()?;
            let argon = Argon2::new(Algorithm::Argon2id, Version::V0x13, params.clone());
            let mut out = [0u8; Params::DEFAULT_OUTPUT_LEN];
            compute(&memory, &argon, password.as_bytes(), salt.as_salt(), &mut out)?;
            let phc = PasswordHash {
                algorithm: Algorithm::Argon2id.ident(),
                version: Some(Version::V0x13.into()),
                params: ParamsString::try_from(&params).map_err(HashError::from)?,
                salt: Some(salt.as_salt()),
                hash: Some(Output::new(&out).map_err(HashError::from)?),
            };
            Ok(phc.to_string())
        })
        .await
    }

    /// Whether `password` matches the stored PHC string (a malformed one never matches). The
    /// parameters come from the string, so hashes made with other costs still verify. The
    /// digests are compared in constant time (`Output`'s equality; the bcrypt crate's `subtle`).
    pub async fn verify(&self, password: &str, phc: &str) -> Result<bool, HashError> {
        let (password, phc, memory) = (password.to_owned(), phc.to_owned(), self.memory.clone());
        self.on_pool(move || {
            if is_legacy(&phc) {
                // A malformed bcrypt string (bad cost, salt or length) is no match, not a fault.
                return Ok(bcrypt::verify(password.as_bytes(), &phc).unwrap_or(false));
            }
            let Some((argon, salt, expected)) = parse(&phc) else { return Ok(false) };
            let mut out = vec![0u8; expected.len()];
            if compute(&memory, &argon, password.as_bytes(), salt, &mut out).is_err() {
                return Ok(false);
            }
            Ok(Output::new(&out).is_ok_and(|o| o == expected))
        })
        .await
    }

    async fn on_pool<T: Send + 'static>(
        &self,
        work: impl FnOnce() -> Result<T, HashError> + Send + 'static,
    ) -> Result<T, HashError> {
        let _permit = self.permits.clone().acquire_owned().await.map_err(HashError::from)?;
        tokio::task::spawn_blocking(work).await.map_err(HashError::from)?
    }
}

/// Whether `hash` is a bcrypt hash (PHP's `$2y$`, OpenBSD's `$2a$` and `$2b$`), which a
/// successful sign-in replaces with Argon2id.
pub fn is_legacy(hash: &str) -> bool {
    ["$2y$", "$2a$", "$2b$"].iter().any(|p| hash.starts_with(p))
}

/// Argon2 of `password` with `salt` into `out`, on a pooled buffer. Every block is written
/// before it is read, so a buffer's previous contents never matter.
fn compute(pool: &MemoryPool, argon: &Argon2, password: &[u8], salt: Salt, out: &mut [u8]) -> Result<(), HashError> {
    let mut salt_buf = [0u8; 64];
    let salt = salt.decode_b64(&mut salt_buf).map_err(HashError::from)?;
    let blocks = argon.params().block_count();
    let mut memory = pool.lock().unwrap_or_else(|p| p.into_inner()).pop().unwrap_or_default();
    if memory.len() < blocks {
        memory.resize(blocks, Block::default());
    }
    let result = argon.hash_password_into_with_memory(password, salt, out, &mut memory[..blocks]);
    // A hash stored with a larger cost does not keep its bigger buffer around.
    if memory.len() <= params()?.block_count() {
        pool.lock().unwrap_or_else(|p| p.into_inner()).push(memory);
    }
    result.map_err(HashError::from)
}

/// The hasher, salt and digest of a stored PHC string; `None` when it is not a usable Argon2 hash.
fn parse(phc: &str) -> Option<(Argon2<'static>, Salt<'_>, Output)> {
    let parsed = PasswordHash::new(phc).ok()?;
    let algorithm = Algorithm::try_from(parsed.algorithm).ok()?;
    let version = match parsed.version {
        Some(v) => Version::try_from(v).ok()?,
        None => Version::default(),
    };
    let params = Params::try_from(&parsed).ok()?;
    Some((Argon2::new(algorithm, version, params), parsed.salt?, parsed.hash?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn hashes_with_owasp_parameters_and_verifies() {
        let p = Passwords::new(2);
        let h = p.hash("hunter2").await.unwrap();
        assert!(h.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{h}");
        assert!(p.verify("hunter2", &h).await.unwrap());
        assert!(!p.verify("hunter3", &h).await.unwrap());
        assert!(!p.verify("hunter2", "not a hash").await.unwrap());
        assert_ne!(p.hash("hunter2").await.unwrap(), h, "fresh salt each time");
    }

    /// The pooled buffer path agrees with the argon2 crate's own allocating hasher and verifier
    /// both ways, also after the buffer has been dirtied by other hashes.
    #[tokio::test]
    async fn pooled_memory_agrees_with_the_reference_implementation() {
        use argon2::{PasswordHasher, PasswordVerifier};
        let p = Passwords::new(1);
        let reference = Argon2::new(Algorithm::Argon2id, Version::V0x13, params().unwrap());
        for i in 0..3 {
            let pw = format!("pw-{i}");
            let ours = p.hash(&pw).await.unwrap();
            assert!(reference.verify_password(pw.as_bytes(), &PasswordHash::new(&ours).unwrap()).is_ok());
            let salt = SaltString::generate(&mut OsRng);
            let theirs = reference.hash_password(pw.as_bytes(), &salt).unwrap().to_string();
            assert!(p.verify(&pw, &theirs).await.unwrap());
            assert!(!p.verify("other", &theirs).await.unwrap());
        }
        // Other costs (older hashes) still verify.
        let cheap = Argon2::new(Algorithm::Argon2id, Version::V0x13, Params::new(1024, 1, 1, None).unwrap());
        let salt = SaltString::generate(&mut OsRng);
        let old = cheap.hash_password(b"legacy", &salt).unwrap().to_string();
        assert!(p.verify("legacy", &old).await.unwrap());
        assert!(!p.verify("legacy", "$argon2id$v=19$m=19456,t=2,p=1$bm9zYWx0$").await.unwrap());
    }

    /// KeyAuth's PHP hashes (`$2y$`) and the other bcrypt prefixes verify; malformed ones never do.
    #[tokio::test]
    async fn bcrypt_hashes_verify_and_are_legacy() {
        let p = Passwords::new(1);
        let b = bcrypt::hash_with_result("keyauth-pw", 4).unwrap();
        for version in [bcrypt::Version::TwoY, bcrypt::Version::TwoA, bcrypt::Version::TwoB] {
            let h = b.format_for_version(version);
            assert!(is_legacy(&h), "{h}");
            assert!(p.verify("keyauth-pw", &h).await.unwrap());
            assert!(!p.verify("keyauth-px", &h).await.unwrap());
        }
        assert!(!p.verify("keyauth-pw", "$2y$04$short").await.unwrap());
        assert!(!is_legacy(&p.hash("x").await.unwrap()));
    }
}
