-- The customer panel (/customer/{ownerid}/{app id}/): an app's end users sign in with their
-- username and password (or a key they redeemed), see their subscriptions, reset their HWID at
-- most once per 'hwid_reset_cooldown_secs', and change their password. Off unless the seller
-- turns 'customer_panel' on. 'hwid_reset_at' is the user's last reset of their own.
ALTER TABLE apps ADD COLUMN customer_panel INTEGER NOT NULL DEFAULT 0;
ALTER TABLE apps ADD COLUMN hwid_reset_cooldown_secs INTEGER NOT NULL DEFAULT 86400;
ALTER TABLE users ADD COLUMN hwid_reset_at INTEGER;

-- A signed-in browser, as 'panel_sessions'; the account is the app's user.
CREATE TABLE customer_sessions (
    id           INTEGER PRIMARY KEY,
    account_id   INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    token_hash   TEXT    NOT NULL UNIQUE,
    csrf_token   TEXT    NOT NULL,
    created_at   INTEGER NOT NULL,
    last_used_at INTEGER NOT NULL,
    expires_at   INTEGER NOT NULL
);
CREATE INDEX customer_sessions_account ON customer_sessions (account_id);
CREATE INDEX customer_sessions_expires ON customer_sessions (expires_at);
