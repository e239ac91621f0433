-- Imports started through the admin API: the upload is parsed at once, then its rows go in
-- batches in the background while this row counts them ('rows_done' of 'rows_total') and
-- 'updated_at' moves at least every few seconds. Any process answers a job's state from here;
-- a 'running' job whose 'updated_at' stopped moving was cut off (its process ended) and is shown
-- as interrupted. 'report' is the finished import's JSON report, 'error' why one failed.
CREATE TABLE import_jobs (
    id          INTEGER PRIMARY KEY,
    seller_id   INTEGER NOT NULL REFERENCES sellers(id) ON DELETE CASCADE,
    app_id      INTEGER NOT NULL REFERENCES apps(id) ON DELETE CASCADE,
    source      TEXT    NOT NULL,
    state       TEXT    NOT NULL CHECK (state IN ('running', 'done', 'failed')),
    rows_total  INTEGER NOT NULL,
    rows_done   INTEGER NOT NULL DEFAULT 0,
    report      TEXT,
    error       TEXT,
    started_by  TEXT    NOT NULL,
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL
);
CREATE INDEX import_jobs_seller ON import_jobs (seller_id, id);
