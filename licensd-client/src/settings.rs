//! The builder methods both clients of the client API have, written once.

/// Expands to the settings methods of a client whose `core` field is a [`crate::core::Core`].
macro_rules! settings_methods {
    () => {
        /// Pins the server's Ed25519 public key (64 hex digits, from `GET /api/info`, `GET /health`
        /// or `licensd`'s start-up log). Every answer must be signed by it.
        pub fn with_public_key(mut self, hex_key: &str) -> $crate::Result<Self> {
            self.core.key = Some($crate::verify::parse_key(hex_key)?);
            Ok(self)
        }

        /// Trust on first use: with no key pinned, take the key an `init` answer names in `pubkey`
        /// (checking that the answer verifies under it) and pin it for the rest of this client's
        /// life. Anyone who can answer that first `init` (a spoofed DNS name, a proxy) is then
        /// trusted, so prefer [`with_public_key`](Self::with_public_key); read the learned key with
        /// [`public_key`](Self::public_key) and store it to pin it next time.
        pub fn trust_on_first_use(mut self) -> Self {
            self.core.trust_on_first_use = true;
            self
        }

        /// The HWID sent with `register`, `login`, `loginEmail`, `license`, `checkblacklist` and `ban`.
        pub fn with_hwid(mut self, hwid: &str) -> Self {
            self.core.hwid = Some(hwid.to_owned());
            self
        }

        /// The program hash sent with `init` (for apps that check it).
        pub fn with_hash(mut self, hash: &str) -> Self {
            self.core.hash = Some(hash.to_owned());
            self
        }

        /// How far an answer's signed timestamp may be from the local clock (default 20 s, as
        /// KeyAuth clients allow). Older (or future) answers fail with `StaleTimestamp`.
        pub fn with_max_skew(mut self, max_skew: std::time::Duration) -> Self {
            self.core.max_skew = max_skew;
            self
        }

        /// The pinned (or learned) public key, hex.
        pub fn public_key(&self) -> Option<String> {
            self.core.key.map(|k| hex::encode(k.as_bytes()))
        }

        /// The current session id (after `init`, until `logout`, `ban` or `change_username`).
        pub fn session_id(&self) -> Option<&str> {
            self.core.session.as_deref()
        }

        /// Continues the session `session_id` (one another client opened with `init`, or one
        /// kept from before) instead of calling `init`.
        pub fn with_session(mut self, session_id: &str) -> Self {
            self.core.session = Some(session_id.to_owned());
            self
        }

        /// The `message` of the last answer whose call returned `Ok` (`Logged in!`, or the
        /// seller's rewording of it); `None` before any and after a call whose answer was refused
        /// by the server or by the checks.
        pub fn last_message(&self) -> Option<&str> {
            self.core.last_message.as_deref()
        }
    };
}
pub(crate) use settings_methods;
