-- The reseller dashboard (/reseller/dashboard/): one sign-in per reseller, set by its seller
-- (CLI `licensd reseller login set`), and its browser sessions. Replacing a reseller's sign-in
-- deletes the row and inserts a new one, so the old password's sessions end with it.
CREATE TABLE reseller_accounts (
    id            INTEGER PRIMARY KEY,
    reseller_id   INTEGER NOT NULL UNIQUE REFERENCES resellers(id) ON DELETE CASCADE,
    email         TEXT    NOT NULL UNIQUE,
    password_hash TEXT    NOT NULL,
    created_at    INTEGER NOT NULL
);

-- A signed-in browser, as 'panel_sessions': 'token_hash' is the SHA-256 hex of the cookie,
-- 'expires_at' the absolute end, 'last_used_at' the start of the idle time, 'csrf_token' the
-- value every form of the session must send back.
CREATE TABLE reseller_sessions (
    id           INTEGER PRIMARY KEY,
    account_id   INTEGER NOT NULL REFERENCES reseller_accounts(id) ON DELETE CASCADE,
    token_hash   TEXT    NOT NULL UNIQUE,
    csrf_token   TEXT    NOT NULL,
    created_at   INTEGER NOT NULL,
    last_used_at INTEGER NOT NULL,
    expires_at   INTEGER NOT NULL
);
CREATE INDEX reseller_sessions_account ON reseller_sessions (account_id);
CREATE INDEX reseller_sessions_expires ON reseller_sessions (expires_at);
