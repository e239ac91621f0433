-- Buyers see the keys they bought in the customer panel (/customer/{ownerid}/{app id}/keys):
-- the panel mails a short code to the email of the order, and the code shown back opens the list
-- once. One code per buyer and app at a time (a new one replaces it); only its SHA-256 digest is
-- kept, it ends at 'expires_at', and it is spent after 'attempts' reaches the panel's bound.
CREATE TABLE purchase_codes (
    id           INTEGER PRIMARY KEY,
    customer_id  INTEGER NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
    app_id       INTEGER NOT NULL REFERENCES apps(id) ON DELETE CASCADE,
    code_hash    TEXT    NOT NULL,
    attempts     INTEGER NOT NULL DEFAULT 0,
    created_at   INTEGER NOT NULL,
    expires_at   INTEGER NOT NULL,
    UNIQUE (customer_id, app_id)
);
