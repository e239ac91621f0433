-- The deployment's own facts, one row each. 'public_key': the Ed25519 public key (hex) this
-- database's answers are signed with, recorded on first start. A process whose signing key
-- differs (a lost, regenerated or mistyped key file) refuses to start rather than sign answers
-- that every client pinning the old key rejects; `licensd key rotate` changes it on purpose.
CREATE TABLE deployment (
    name        TEXT    PRIMARY KEY,
    value       TEXT    NOT NULL,
    updated_at  INTEGER NOT NULL
);
