//! The one error type of the SDK: every way a call can fail, each its own variant, so a program
//! can tell "the server said no" from "this answer cannot be trusted" from "no answer at all".

/// What went wrong with a call.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The server answered (signed and verified) with `success: false`: its `message` (possibly
    /// reworded by the seller) and its stable integer `code` (see the server's `messages.rs`).
    #[error("refused by the server ({code}): {message}")]
    Refused {
        /// The failure's stable code (never 68, which means success).
        code: i64,
        /// The text the server sent.
        message: String,
    },
    /// `init` with a `version` that is not the application's current one: the program is outdated.
    #[error("this version is outdated; download the new one from {download:?}")]
    OutdatedVersion {
        /// The download URL the seller configured (may be empty).
        download: String,
    },
    /// The server does not know this `name` + `ownerid` pair (the signed `KeyAuth_Invalid` answer).
    #[error("the application (name and ownerid) is not known to the server")]
    UnknownApp,
    /// No answer: connecting, sending or receiving the headers failed, or timed out.
    #[error("transport error: {0}")]
    Transport(#[source] reqwest::Error),
    /// The answer's body broke off before its end (the connection closed early).
    #[error("the answer was truncated: {0}")]
    Truncated(#[source] reqwest::Error),
    /// The answer lacks `x-signature-ed25519` or `x-signature-timestamp`, or they are not well-formed.
    #[error("the answer carries no valid signature headers: {0}")]
    MissingSignature(&'static str),
    /// The Ed25519 signature does not verify under the pinned public key: the body or the
    /// timestamp was altered, or the answer was forged.
    #[error("the answer's signature does not verify under the pinned public key")]
    BadSignature,
    /// The answer is validly signed by another key than the pinned one: the server was re-keyed or
    /// this is not the server the program was built for. Detected on `init`, whose answer names
    /// the key that signed it.
    #[error("the server signs with public key {served}, not the pinned {pinned}")]
    WrongPublicKey {
        /// The key the client trusts (hex).
        pinned: String,
        /// The key the server's answer names and verifies under (hex).
        served: String,
    },
    /// The signed timestamp is further from the local clock than the allowed skew: a replayed or
    /// delayed answer (or a badly set clock).
    #[error("stale answer: signed at {timestamp}, local time {now} (allowed skew {max_skew_secs} s)")]
    StaleTimestamp {
        /// The answer's `x-signature-timestamp` (unix seconds).
        timestamp: i64,
        /// The local clock (unix seconds).
        now: i64,
        /// The allowed difference in seconds.
        max_skew_secs: u64,
    },
    /// A verified answer that is not what the protocol promises (not JSON, members missing or of
    /// the wrong type, another `ownerid` echoed).
    #[error("unparsable answer: {0}")]
    Malformed(String),
    /// No public key is pinned and trust on first use was not allowed, or it was but the `init`
    /// answer names no valid key to learn (as the `KeyAuth_Invalid` and `invalidver` answers do):
    /// no answer can be trusted.
    #[error("no public key to verify with: pin one with with_public_key (or allow trust on first use)")]
    NoPublicKey,
    /// The public key given to `with_public_key` is not 64 hex digits of a valid Ed25519 key.
    #[error("invalid public key: {0}")]
    InvalidPublicKey(String),
    /// An action that needs a session was called before a successful `init` (or after `logout`).
    #[error("no session: call init first")]
    NoSession,
    /// The Licenses API refused the request: its HTTP status and `message`.
    #[error("Licenses API answered {status}: {message}")]
    Licenses {
        /// The HTTP status (401, 403, 404, 422, 429, ...).
        status: u16,
        /// The answer's `message` member.
        message: String,
    },
}

/// The SDK's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;
