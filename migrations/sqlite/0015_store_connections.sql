-- A seller's connection to a store's order webhooks (docs/stores.md): 'secret' is the signing
-- secret pasted into the store (it must be readable to verify signatures; it is shown to the
-- seller once), one connection per seller and store.
CREATE TABLE store_connections (
    id          INTEGER PRIMARY KEY,
    seller_id   INTEGER NOT NULL REFERENCES sellers(id) ON DELETE CASCADE,
    store       TEXT    NOT NULL,
    secret      TEXT    NOT NULL,
    created_at  INTEGER NOT NULL,
    UNIQUE (seller_id, store)
);

-- Which app and plan a store's product variant sells: 'variant' is the store's own variant id.
CREATE TABLE store_products (
    id              INTEGER PRIMARY KEY,
    connection_id   INTEGER NOT NULL REFERENCES store_connections(id) ON DELETE CASCADE,
    variant         TEXT    NOT NULL,
    app_id          INTEGER NOT NULL REFERENCES apps(id) ON DELETE CASCADE,
    plan_id         INTEGER NOT NULL REFERENCES plans(id) ON DELETE CASCADE,
    UNIQUE (connection_id, variant)
);
