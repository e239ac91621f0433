-- KeyAuth's "token system": with 'token_system' on, the client API's init asks for a token (a
-- file the seller hands to each copy of the program) and the file's hash. A token is known by
-- its SHA-256 digest only ('digest'; 'hint' is its last four characters, to tell tokens apart in
-- a listing). 'assigned' says what the seller made it for (a key, a username: a label, as in
-- KeyAuth). 'file_hash' is locked by the first init that presents the token; later inits must
-- send the same. A banned token refuses init with its 'reason'.
ALTER TABLE apps ADD COLUMN token_system INTEGER NOT NULL DEFAULT 0;
CREATE TABLE client_tokens (
    id          INTEGER PRIMARY KEY,
    app_id      INTEGER NOT NULL REFERENCES apps(id) ON DELETE CASCADE,
    digest      TEXT    NOT NULL,
    hint        TEXT    NOT NULL,
    kind        TEXT    NOT NULL CHECK (kind IN ('license', 'user', 'other')),
    assigned    TEXT    NOT NULL DEFAULT '',
    file_hash   TEXT,
    banned      INTEGER NOT NULL DEFAULT 0,
    reason      TEXT    NOT NULL DEFAULT '',
    created_at  INTEGER NOT NULL,
    used_at     INTEGER,
    UNIQUE (app_id, digest)
);
