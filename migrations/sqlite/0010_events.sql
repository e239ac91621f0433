-- What happened, one row per state change, written in the change's own transaction (a change
-- that rolls back leaves no event). The outbox that webhook deliveries read in id order (ids
-- only grow), and the source of per-day counts by type. 'subject' names what changed
-- ('license:12', 'user:7'): deliveries keep the order of one subject's events.
CREATE TABLE events (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    seller_id   INTEGER NOT NULL REFERENCES sellers(id) ON DELETE CASCADE,
    app_id      INTEGER,
    type        TEXT    NOT NULL,
    subject     TEXT    NOT NULL,
    payload     TEXT    NOT NULL,
    created_at  INTEGER NOT NULL
);
CREATE INDEX events_by_type_day ON events (seller_id, type, created_at);
CREATE INDEX events_by_subject ON events (subject, id);
CREATE INDEX events_by_seller ON events (seller_id, id);
