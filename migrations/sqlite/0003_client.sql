-- Client API 1.3: ending all sessions of a user (ban, username change) without a full scan.
CREATE INDEX sessions_user ON sessions (user_id);

-- `forgot` mails a new password that only replaces the old one when it is first used to log in,
-- so knowing a user's name and email is not enough to lock them out.
CREATE TABLE password_resets (
    user_id        INTEGER PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
    password_hash  TEXT    NOT NULL,
    expires_at     INTEGER NOT NULL
);
