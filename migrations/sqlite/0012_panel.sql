-- The seller panel (/panel/): accounts of a seller's staff and their browser sessions.
-- 'role': owner (everything), support (bans, HWID resets, extending; no deletion, no secrets)
-- or readonly (looks only). 'totp_secret': base32, set once enrolled; 'totp_last_step': the
-- last accepted TOTP time step, so that each code signs in once. 'disabled_at': set, the
-- account cannot sign in and its sessions stop working.
CREATE TABLE panel_accounts (
    id             INTEGER PRIMARY KEY,
    seller_id      INTEGER NOT NULL REFERENCES sellers(id) ON DELETE CASCADE,
    email          TEXT    NOT NULL UNIQUE,
    password_hash  TEXT    NOT NULL,
    role           TEXT    NOT NULL CHECK (role IN ('owner', 'support', 'readonly')),
    totp_secret    TEXT,
    totp_last_step INTEGER,
    created_at     INTEGER NOT NULL,
    disabled_at    INTEGER
);
CREATE INDEX panel_accounts_seller ON panel_accounts (seller_id);

-- A signed-in browser. 'token_hash': SHA-256 hex of the cookie value (the cookie itself is
-- never stored). It ends at 'expires_at' (absolute) or when unused for the idle time after
-- 'last_used_at'. 'csrf_token': the value every form of the session must send back.
CREATE TABLE panel_sessions (
    id           INTEGER PRIMARY KEY,
    account_id   INTEGER NOT NULL REFERENCES panel_accounts(id) ON DELETE CASCADE,
    token_hash   TEXT    NOT NULL UNIQUE,
    csrf_token   TEXT    NOT NULL,
    created_at   INTEGER NOT NULL,
    last_used_at INTEGER NOT NULL,
    expires_at   INTEGER NOT NULL
);
CREATE INDEX panel_sessions_account ON panel_sessions (account_id);
CREATE INDEX panel_sessions_expires ON panel_sessions (expires_at);
