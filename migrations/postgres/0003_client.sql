-- Client API 1.3: ending all sessions of a user (ban, username change) without a full scan.
CREATE INDEX sessions_user ON sessions (user_id);
