-- A user's web-loader token (docs/client-api.md, "Web loader"): a random secret the seller
-- issues for one sign-in of a KeyAuth client's `login` with `username` + `token`. Stored as its
-- SHA-256 hex, used once, short-lived; never derived from the password hash (KeyAuth's is).
-- One per user: issuing another replaces it.
CREATE TABLE web_loader_tokens (
    user_id     BIGINT PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
    token_hash  TEXT    NOT NULL,
    expires_at  BIGINT NOT NULL
);
