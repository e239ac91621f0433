-- Seller API tokens (kind 'sellerapi') act for one app, as KeyAuth's seller key does: 'app_id'
-- names it. NULL for every other kind, which acts for a whole seller (or, operator, for all).
ALTER TABLE api_tokens ADD COLUMN app_id BIGINT REFERENCES apps(id) ON DELETE CASCADE;
