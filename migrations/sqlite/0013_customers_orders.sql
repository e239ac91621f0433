-- Customers (buyers, per seller) and their orders from a store (Sell.app, Lemon Squeezy, Stripe),
-- and licenses pointing at them. Every seller has one default customer (email '') that keys
-- without a buyer belong to, so every API can show an integer customer id (docs/stores.md).

CREATE TABLE customers (
    id          INTEGER PRIMARY KEY,
    seller_id   INTEGER NOT NULL REFERENCES sellers(id) ON DELETE CASCADE,
    email       TEXT    NOT NULL,                -- '' only for the seller's default customer
    name        TEXT    NOT NULL DEFAULT '',
    created_at  INTEGER NOT NULL,
    UNIQUE (seller_id, email)
);

-- 'store': where the order was placed (sellapp, lemonsqueezy, stripe, manual); 'external_id':
-- the store's own order id, unique per seller and store so a replayed webhook finds its order.
-- 'amount' in the currency's minor units; 'state': paid, refunded or chargeback.
CREATE TABLE orders (
    id           INTEGER PRIMARY KEY,
    seller_id    INTEGER NOT NULL REFERENCES sellers(id) ON DELETE CASCADE,
    store        TEXT    NOT NULL,
    external_id  TEXT    NOT NULL,
    app_id       INTEGER REFERENCES apps(id) ON DELETE SET NULL,
    plan_id      INTEGER REFERENCES plans(id) ON DELETE SET NULL,
    customer_id  INTEGER NOT NULL REFERENCES customers(id),
    amount       INTEGER NOT NULL DEFAULT 0,
    currency     TEXT    NOT NULL DEFAULT '',
    state        TEXT    NOT NULL DEFAULT 'paid',
    created_at   INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL,
    UNIQUE (seller_id, store, external_id)
);
CREATE INDEX orders_customer ON orders (customer_id);

INSERT INTO customers (seller_id, email, name, created_at) SELECT id, '', '', created_at FROM sellers;

-- The old columns had no table behind them and nothing ever set them: replace them with columns
-- that reference the new tables (SQLite adds a foreign key only with a new column).
ALTER TABLE licenses DROP COLUMN order_id;
ALTER TABLE licenses DROP COLUMN customer_id;
ALTER TABLE licenses ADD COLUMN order_id INTEGER REFERENCES orders(id) ON DELETE SET NULL;
ALTER TABLE licenses ADD COLUMN customer_id INTEGER REFERENCES customers(id) ON DELETE SET NULL;
UPDATE licenses SET customer_id = (SELECT c.id FROM customers c WHERE c.seller_id = licenses.seller_id AND c.email = '');
CREATE INDEX licenses_customer ON licenses (customer_id);
CREATE INDEX licenses_order ON licenses (order_id);
-- The Lemon Squeezy API finds a key by its text alone (no token names the seller).
CREATE INDEX licenses_key ON licenses (key);
