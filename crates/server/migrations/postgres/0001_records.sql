-- PostgreSQL twin of ../sqlite/0001_records.sql: the same tables, columns and rules
-- (read the comments there). Differences, here and in every file of this folder:
--   * integers are BIGINT, so they read back as i64 exactly as SQLite's INTEGER does;
--   * every text column is COLLATE "C": bytewise order, as SQLite's BINARY, so versions,
--     timestamps and names sort the same on both (a locale collation would not);
--   * SQLite's STRICT and WITHOUT ROWID have no counterpart and need none.
CREATE TABLE records (
    id          TEXT COLLATE "C" PRIMARY KEY NOT NULL,
    kind        TEXT COLLATE "C" NOT NULL,
    version     TEXT COLLATE "C" NOT NULL,
    device      TEXT COLLATE "C" NOT NULL,
    body        TEXT COLLATE "C" NOT NULL,
    received_at TEXT COLLATE "C" NOT NULL,
    seq         BIGINT NOT NULL UNIQUE
);

-- The feed's counter. Its one row is also the write lock: every write transaction
-- locks it first (`db::Db::begin_write`), so seqs are handed out in commit order across
-- every server process, as SQLite's BEGIN IMMEDIATE does within one file.
CREATE TABLE feed (
    id       BIGINT PRIMARY KEY CHECK (id = 1),
    last_seq BIGINT NOT NULL CHECK (last_seq >= 0)
);

INSERT INTO feed (id, last_seq) VALUES (1, 0);
