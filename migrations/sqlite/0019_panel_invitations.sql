-- Invitations to a seller's panel: an owner invites an email address with a role; the invitee
-- opens the link (its token, shown once; 'token_hash' is its SHA-256 hex) before 'expires_at'
-- and chooses a password, which creates the account. 'accepted_at' is set by one conditional
-- update, so a link opens one account however many times it is sent at once.
CREATE TABLE panel_invitations (
    id          INTEGER PRIMARY KEY,
    seller_id   INTEGER NOT NULL REFERENCES sellers(id) ON DELETE CASCADE,
    email       TEXT    NOT NULL,
    role        TEXT    NOT NULL CHECK (role IN ('owner', 'support', 'readonly')),
    token_hash  TEXT    NOT NULL UNIQUE,
    invited_by  TEXT    NOT NULL,
    created_at  INTEGER NOT NULL,
    expires_at  INTEGER NOT NULL,
    accepted_at INTEGER
);
CREATE INDEX panel_invitations_seller ON panel_invitations (seller_id);
