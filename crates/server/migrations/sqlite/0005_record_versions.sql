-- Every version of every record the server accepted, for its history: records are never
-- hard-deleted (a mistake is voided), and a correction never loses what was there
-- before. `records` keeps the newest version of each id for the feed; this table keeps
-- them all, written in the same transaction as the push that brought them.
--
-- Columns as in `records`: `body` is the whole model::Record as JSON (the wire form),
-- `version` the Hlc string form (sorts like the Hlc), `device` the pushing device,
-- `received_at` the server's UTC clock when that version arrived.
CREATE TABLE record_versions (
    id          TEXT NOT NULL,
    version     TEXT NOT NULL,
    body        TEXT NOT NULL,
    received_at TEXT NOT NULL,
    device      TEXT NOT NULL,
    PRIMARY KEY (id, version)
) STRICT, WITHOUT ROWID;

-- The versions stored before this table existed: the newest of each record (older
-- ones were overwritten and are gone).
INSERT INTO record_versions (id, version, body, received_at, device)
SELECT id, version, body, received_at, device FROM records;

-- Append-only: a history that can be rewritten is not one.
CREATE TRIGGER record_versions_no_update BEFORE UPDATE ON record_versions
BEGIN
    SELECT RAISE(ABORT, 'record_versions is append-only');
END;

CREATE TRIGGER record_versions_no_delete BEFORE DELETE ON record_versions
BEGIN
    SELECT RAISE(ABORT, 'record_versions is append-only');
END;
