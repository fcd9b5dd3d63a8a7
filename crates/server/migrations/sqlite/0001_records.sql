-- The change feed: one row per record id, holding the newest version the server has.
--
-- `body` is the full model::Record as JSON (the wire form), so a pull returns exactly
-- what was pushed. `version` is the Hlc string form, which sorts like the Hlc itself.
-- `seq` is the record's position in the feed; it is re-assigned (never reused) each time
-- a newer version replaces the row, so a pull after a cursor sees every id's newest
-- state once. Its UNIQUE constraint is also the index pulls scan (`WHERE seq > ?`).
CREATE TABLE records (
    id          TEXT PRIMARY KEY NOT NULL,
    kind        TEXT NOT NULL,
    version     TEXT NOT NULL,
    device      TEXT NOT NULL,
    body        TEXT NOT NULL,
    received_at TEXT NOT NULL,
    seq         INTEGER NOT NULL UNIQUE
) STRICT;

-- The last change sequence number handed out. A counter rather than MAX(seq) so a
-- number is never handed out twice, even if rows are ever deleted.
CREATE TABLE feed (
    id       INTEGER PRIMARY KEY CHECK (id = 1),
    last_seq INTEGER NOT NULL CHECK (last_seq >= 0)
) STRICT;

INSERT INTO feed (id, last_seq) VALUES (1, 0);
