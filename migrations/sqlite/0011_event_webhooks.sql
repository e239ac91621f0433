-- A seller's event webhook endpoints. 'events': the event types it takes, space-separated
-- patterns ('*', 'license.*', 'user.banned'). 'secret': the HMAC signing key (it must be
-- readable to sign; it is shown to the seller once). 'format': 'json' (the signed event) or
-- 'discord' (a Discord webhook URL: the event as an embed). 'cursor': the last event id fanned
-- out into deliveries for this endpoint (a new endpoint starts at the newest event).
CREATE TABLE webhook_endpoints (
    id          INTEGER PRIMARY KEY,
    seller_id   INTEGER NOT NULL REFERENCES sellers(id) ON DELETE CASCADE,
    url         TEXT    NOT NULL,
    events      TEXT    NOT NULL,
    secret      TEXT    NOT NULL,
    format      TEXT    NOT NULL DEFAULT 'json',
    enabled     INTEGER NOT NULL DEFAULT 1,
    cursor      INTEGER NOT NULL DEFAULT 0,
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL
);
CREATE INDEX webhook_endpoints_seller ON webhook_endpoints (seller_id);

-- One event to one endpoint. 'state': pending, delivered or failed. A process takes a due
-- delivery by setting 'lease_until' in a conditional update, so with several processes each
-- delivery is attempted by one of them at a time; one subject's deliveries go in id order.
CREATE TABLE webhook_deliveries (
    id              INTEGER PRIMARY KEY,
    endpoint_id     INTEGER NOT NULL REFERENCES webhook_endpoints(id) ON DELETE CASCADE,
    event_id        INTEGER NOT NULL REFERENCES events(id) ON DELETE CASCADE,
    subject         TEXT    NOT NULL,
    state           TEXT    NOT NULL DEFAULT 'pending',
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL,
    lease_until     INTEGER NOT NULL DEFAULT 0,
    last_status     INTEGER,
    last_error      TEXT    NOT NULL DEFAULT '',
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL,
    UNIQUE (endpoint_id, event_id)
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (state, next_attempt_at);
CREATE INDEX webhook_deliveries_order ON webhook_deliveries (endpoint_id, subject, id);
