-- licensd schema, SQLite flavour. The PostgreSQL file of the same version holds the same tables with
-- that engine's types; queries in src/store use only the common subset of both dialects.
-- Times are unix milliseconds (UTC); flags are 0/1 integers so one SQL text serves both engines.

CREATE TABLE sellers (
    id          INTEGER PRIMARY KEY,
    ownerid     TEXT    NOT NULL UNIQUE,          -- public 10-character id used by client API 1.3
    name        TEXT    NOT NULL UNIQUE,
    key_prefix  TEXT    NOT NULL DEFAULT '',      -- prepended to generated keys, e.g. 'ps-'
    created_at  INTEGER NOT NULL
);

CREATE TABLE apps (
    id                   INTEGER PRIMARY KEY,
    seller_id            INTEGER NOT NULL REFERENCES sellers(id) ON DELETE CASCADE,
    name                 TEXT    NOT NULL,
    secret               TEXT    NOT NULL,        -- HMAC key for the LibreAuth `signature` header
    version              TEXT    NOT NULL DEFAULT '1.0',
    download_url         TEXT    NOT NULL DEFAULT '',
    customer_panel_link  TEXT    NOT NULL DEFAULT '',
    changelog            TEXT    NOT NULL DEFAULT '',
    enabled              INTEGER NOT NULL DEFAULT 1,
    paused               INTEGER NOT NULL DEFAULT 0,
    hwid_lock            INTEGER NOT NULL DEFAULT 1,
    force_hwid           INTEGER NOT NULL DEFAULT 0,
    hwid_min_len         INTEGER NOT NULL DEFAULT 0,
    program_hash         TEXT,                    -- when set, init must send a matching `hash`
    session_ttl_secs     INTEGER NOT NULL DEFAULT 21600,
    key_mask             TEXT    NOT NULL DEFAULT '******-******-******-******-******-******',
    key_case             TEXT    NOT NULL DEFAULT 'upper',
    min_username_len     INTEGER NOT NULL DEFAULT 1,
    request_limit_per_min INTEGER,                -- NULL: no per-app limit
    messages             TEXT    NOT NULL DEFAULT '{}',  -- JSON map of customised client messages
    created_at           INTEGER NOT NULL,
    updated_at           INTEGER NOT NULL,
    UNIQUE (seller_id, name)
);

CREATE TABLE plans (
    id             INTEGER PRIMARY KEY,
    app_id         INTEGER NOT NULL REFERENCES apps(id) ON DELETE CASCADE,
    name           TEXT    NOT NULL,
    level          INTEGER NOT NULL,
    duration_secs  INTEGER,                       -- default duration of keys; NULL: lifetime
    created_at     INTEGER NOT NULL,
    UNIQUE (app_id, name),
    UNIQUE (app_id, level)
);

CREATE TABLE resellers (
    id                 INTEGER PRIMARY KEY,
    seller_id          INTEGER NOT NULL REFERENCES sellers(id) ON DELETE CASCADE,
    name               TEXT    NOT NULL,
    key_prefix         TEXT    NOT NULL DEFAULT '',
    rate_limit_per_min INTEGER NOT NULL DEFAULT 100,
    created_at         INTEGER NOT NULL,
    UNIQUE (seller_id, name)
);

CREATE TABLE reseller_keys (
    id           INTEGER PRIMARY KEY,
    reseller_id  INTEGER NOT NULL REFERENCES resellers(id) ON DELETE CASCADE,
    label        TEXT    NOT NULL DEFAULT '',
    key_hash     TEXT    NOT NULL UNIQUE,         -- SHA-256 hex; the key itself is shown once
    created_at   INTEGER NOT NULL,
    revoked_at   INTEGER,
    last_used_at INTEGER
);

CREATE TABLE users (
    id             INTEGER PRIMARY KEY,
    app_id         INTEGER NOT NULL REFERENCES apps(id) ON DELETE CASCADE,
    username       TEXT    NOT NULL,
    email          TEXT,
    password_hash  TEXT,                          -- Argon2id PHC string; NULL for key-only users
    ip             TEXT,
    banned_reason  TEXT,
    totp_secret    TEXT,                          -- base32, pending until totp_enabled = 1
    totp_enabled   INTEGER NOT NULL DEFAULT 0,
    paused         INTEGER NOT NULL DEFAULT 0,
    created_at     INTEGER NOT NULL,
    last_login_at  INTEGER,
    UNIQUE (app_id, username)
);
CREATE INDEX users_app_email ON users (app_id, email);

CREATE TABLE user_hwids (
    user_id     INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    hwid        TEXT    NOT NULL,
    created_at  INTEGER NOT NULL,
    PRIMARY KEY (user_id, hwid)
);

CREATE TABLE licenses (
    id                 INTEGER PRIMARY KEY,
    seller_id          INTEGER NOT NULL REFERENCES sellers(id) ON DELETE CASCADE,
    app_id             INTEGER NOT NULL REFERENCES apps(id) ON DELETE CASCADE,
    plan_id            INTEGER NOT NULL REFERENCES plans(id) ON DELETE RESTRICT,
    key                TEXT    NOT NULL,
    duration_secs      INTEGER,                   -- NULL: lifetime (unless expires_at is fixed)
    expires_at         INTEGER,                   -- fixed at creation, or set when first used
    max_activations    INTEGER,                   -- NULL: unlimited
    activations        INTEGER NOT NULL DEFAULT 0, -- live instance count, kept by conditional writes
    active             INTEGER NOT NULL DEFAULT 1,
    banned_reason      TEXT,
    note               TEXT    NOT NULL DEFAULT '',
    reseller_id        INTEGER REFERENCES resellers(id) ON DELETE SET NULL,
    discord_user_id    TEXT,
    assigned_at        INTEGER,
    used_by_user_id    INTEGER REFERENCES users(id) ON DELETE SET NULL,
    used_at            INTEGER,
    order_id           INTEGER,
    customer_id        INTEGER,
    created_at         INTEGER NOT NULL,
    updated_at         INTEGER NOT NULL,
    UNIQUE (seller_id, key)
);
CREATE INDEX licenses_app ON licenses (app_id, id);
CREATE INDEX licenses_reseller ON licenses (reseller_id, discord_user_id);

CREATE TABLE instances (
    id          TEXT    PRIMARY KEY,              -- UUIDv4
    license_id  INTEGER NOT NULL REFERENCES licenses(id) ON DELETE CASCADE,
    seller_id   INTEGER NOT NULL REFERENCES sellers(id) ON DELETE CASCADE,
    name        TEXT    NOT NULL,
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL
);
CREATE INDEX instances_license ON instances (license_id, created_at);
CREATE INDEX instances_seller ON instances (seller_id, created_at);

CREATE TABLE subscriptions (
    id          INTEGER PRIMARY KEY,
    user_id     INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    plan_id     INTEGER NOT NULL REFERENCES plans(id) ON DELETE CASCADE,
    license_id  INTEGER REFERENCES licenses(id) ON DELETE SET NULL,  -- last key redeemed for it
    expires_at  INTEGER,                          -- NULL: lifetime
    paused      INTEGER NOT NULL DEFAULT 0,
    created_at  INTEGER NOT NULL,
    UNIQUE (user_id, plan_id)
);

CREATE TABLE sessions (
    id          TEXT    PRIMARY KEY,
    app_id      INTEGER NOT NULL REFERENCES apps(id) ON DELETE CASCADE,
    user_id     INTEGER REFERENCES users(id) ON DELETE CASCADE,
    validated   INTEGER NOT NULL DEFAULT 0,
    ip          TEXT    NOT NULL DEFAULT '',
    enckey      TEXT,
    created_at  INTEGER NOT NULL,
    expires_at  INTEGER NOT NULL
);
CREATE INDEX sessions_app_expiry ON sessions (app_id, expires_at);

CREATE TABLE api_tokens (
    id           INTEGER PRIMARY KEY,
    seller_id    INTEGER REFERENCES sellers(id) ON DELETE CASCADE,   -- NULL: operator token
    kind         TEXT    NOT NULL,               -- 'operator' | 'seller' (admin API) | 'store' (Licenses API)
    name         TEXT    NOT NULL DEFAULT '',
    token_hash   TEXT    NOT NULL UNIQUE,        -- SHA-256 hex; the token itself is shown once
    created_at   INTEGER NOT NULL,
    revoked_at   INTEGER,
    last_used_at INTEGER
);

CREATE TABLE blacklist (
    id          INTEGER PRIMARY KEY,
    app_id      INTEGER NOT NULL REFERENCES apps(id) ON DELETE CASCADE,
    kind        TEXT    NOT NULL,                -- 'hwid' | 'ip'
    value       TEXT    NOT NULL,
    reason      TEXT    NOT NULL DEFAULT '',
    created_at  INTEGER NOT NULL,
    UNIQUE (app_id, kind, value)
);

CREATE TABLE app_vars (
    id          INTEGER PRIMARY KEY,
    app_id      INTEGER NOT NULL REFERENCES apps(id) ON DELETE CASCADE,
    name        TEXT    NOT NULL,
    value       TEXT    NOT NULL,
    authed      INTEGER NOT NULL DEFAULT 1,      -- 1: needs a validated session
    UNIQUE (app_id, name)
);

CREATE TABLE user_vars (
    user_id     INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    name        TEXT    NOT NULL,
    value       TEXT    NOT NULL,
    readonly    INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (user_id, name)
);

CREATE TABLE client_logs (
    id          INTEGER PRIMARY KEY,
    app_id      INTEGER NOT NULL REFERENCES apps(id) ON DELETE CASCADE,
    username    TEXT,
    pcuser      TEXT,
    message     TEXT    NOT NULL,
    created_at  INTEGER NOT NULL
);
CREATE INDEX client_logs_app ON client_logs (app_id, created_at);

CREATE TABLE webhooks (
    id          INTEGER PRIMARY KEY,
    app_id      INTEGER NOT NULL REFERENCES apps(id) ON DELETE CASCADE,
    webid       TEXT    NOT NULL,
    url         TEXT    NOT NULL,
    user_agent  TEXT    NOT NULL DEFAULT 'licensd',
    authed      INTEGER NOT NULL DEFAULT 1,
    UNIQUE (app_id, webid)
);

CREATE TABLE files (
    id          INTEGER PRIMARY KEY,
    app_id      INTEGER NOT NULL REFERENCES apps(id) ON DELETE CASCADE,
    fileid      TEXT    NOT NULL,
    name        TEXT    NOT NULL,
    data        BLOB    NOT NULL,
    authed      INTEGER NOT NULL DEFAULT 1,
    created_at  INTEGER NOT NULL,
    UNIQUE (app_id, fileid)
);

CREATE TABLE chat_channels (
    id          INTEGER PRIMARY KEY,
    app_id      INTEGER NOT NULL REFERENCES apps(id) ON DELETE CASCADE,
    name        TEXT    NOT NULL,
    delay_secs  INTEGER NOT NULL DEFAULT 0,
    UNIQUE (app_id, name)
);

CREATE TABLE chat_messages (
    id          INTEGER PRIMARY KEY,
    channel_id  INTEGER NOT NULL REFERENCES chat_channels(id) ON DELETE CASCADE,
    author      TEXT    NOT NULL,
    message     TEXT    NOT NULL,
    created_at  INTEGER NOT NULL
);
CREATE INDEX chat_messages_channel ON chat_messages (channel_id, created_at);

CREATE TABLE chat_mutes (
    app_id      INTEGER NOT NULL REFERENCES apps(id) ON DELETE CASCADE,
    username    TEXT    NOT NULL,
    until       INTEGER NOT NULL,
    PRIMARY KEY (app_id, username)
);

CREATE TABLE audit_events (
    id          INTEGER PRIMARY KEY,
    seller_id   INTEGER REFERENCES sellers(id) ON DELETE CASCADE,
    actor       TEXT    NOT NULL,
    action      TEXT    NOT NULL,
    target      TEXT    NOT NULL DEFAULT '',
    detail      TEXT    NOT NULL DEFAULT '',
    created_at  INTEGER NOT NULL
);
CREATE INDEX audit_events_seller ON audit_events (seller_id, created_at);

-- Fixed-window counters shared by every server process (rate limits).
CREATE TABLE rate_limits (
    bucket      TEXT    NOT NULL,
    window_start INTEGER NOT NULL,
    count       INTEGER NOT NULL,
    PRIMARY KEY (bucket, window_start)
);

-- Stored answers for requests sent with an Idempotency-Key (Licenses API deactivate).
CREATE TABLE idempotency_keys (
    seller_id   INTEGER NOT NULL REFERENCES sellers(id) ON DELETE CASCADE,
    key         TEXT    NOT NULL,
    status      INTEGER NOT NULL,
    body        TEXT    NOT NULL,
    created_at  INTEGER NOT NULL,
    PRIMARY KEY (seller_id, key)
);
