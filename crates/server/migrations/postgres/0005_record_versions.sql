-- PostgreSQL twin of ../sqlite/0005_record_versions.sql.
CREATE TABLE record_versions (
    id          TEXT COLLATE "C" NOT NULL,
    version     TEXT COLLATE "C" NOT NULL,
    body        TEXT COLLATE "C" NOT NULL,
    received_at TEXT COLLATE "C" NOT NULL,
    device      TEXT COLLATE "C" NOT NULL,
    PRIMARY KEY (id, version)
);

INSERT INTO record_versions (id, version, body, received_at, device)
SELECT id, version, body, received_at, device FROM records;

-- Append-only: a history that can be rewritten is not one. (TRUNCATE too, which
-- PostgreSQL has and SQLite does not.)
CREATE FUNCTION record_versions_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'record_versions is append-only';
END;
$$;

CREATE TRIGGER record_versions_no_update BEFORE UPDATE ON record_versions
FOR EACH ROW EXECUTE FUNCTION record_versions_append_only();

CREATE TRIGGER record_versions_no_delete BEFORE DELETE ON record_versions
FOR EACH ROW EXECUTE FUNCTION record_versions_append_only();

CREATE TRIGGER record_versions_no_truncate BEFORE TRUNCATE ON record_versions
FOR EACH STATEMENT EXECUTE FUNCTION record_versions_append_only();
