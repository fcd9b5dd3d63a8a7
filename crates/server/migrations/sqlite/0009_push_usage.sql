-- What each account pushed in the last day (issue 13): one row per push that stored
-- something new, its new versions and their JSON bytes. The per-user push limit
-- (`gatewatch_model::quota`) sums them over a sliding 24 hours, in the database so every
-- server process agrees; rows older than the window are deleted as new ones are written.
CREATE TABLE push_usage (
    user_id TEXT NOT NULL,
    at      TEXT NOT NULL,
    records INTEGER NOT NULL,
    bytes   INTEGER NOT NULL
) STRICT;

CREATE INDEX push_usage_by_user ON push_usage (user_id, at);
