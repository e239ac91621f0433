-- IP blacklist entries are compared with the client's canonical address (lower-case IPv6);
-- entries added before were stored as typed. Duplicates that differ only in case collapse to
-- the oldest one first, so the lower-casing cannot break UNIQUE (app_id, kind, value).
DELETE FROM blacklist WHERE kind = 'ip' AND id NOT IN (
    SELECT MIN(id) FROM blacklist WHERE kind = 'ip' GROUP BY app_id, lower(value)
);
UPDATE blacklist SET value = lower(value) WHERE kind = 'ip' AND value <> lower(value);
