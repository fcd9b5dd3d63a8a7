-- PostgreSQL twin of ../sqlite/0007_accounts.sql.
CREATE TABLE users (
    id            TEXT COLLATE "C" PRIMARY KEY NOT NULL,
    username      TEXT COLLATE "C" NOT NULL UNIQUE,
    display_name  TEXT COLLATE "C" NOT NULL,
    role          TEXT COLLATE "C" NOT NULL CHECK (role IN ('officer', 'lead', 'admin')),
    schools       TEXT COLLATE "C" NOT NULL DEFAULT '[]',
    teams         TEXT COLLATE "C" NOT NULL DEFAULT '[]',
    password_hash TEXT COLLATE "C" NOT NULL,
    disabled      BIGINT NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1)),
    created_at    TEXT COLLATE "C" NOT NULL,
    updated_at    TEXT COLLATE "C" NOT NULL
);

CREATE TABLE sessions (
    token_hash   TEXT COLLATE "C" PRIMARY KEY NOT NULL,
    user_id      TEXT COLLATE "C" NOT NULL REFERENCES users (id),
    device       TEXT COLLATE "C" NOT NULL,
    user_agent   TEXT COLLATE "C" NOT NULL DEFAULT '',
    created_at   TEXT COLLATE "C" NOT NULL,
    last_seen_at TEXT COLLATE "C" NOT NULL,
    expires_at   TEXT COLLATE "C" NOT NULL,
    revoked_at   TEXT COLLATE "C"
);

CREATE INDEX sessions_by_user_device ON sessions (user_id, device);

-- SQLite gives every row a `rowid`; here it is a column of that name, so the same
-- statements (`RETURNING rowid`, `WHERE rowid = $1`) work on both.
CREATE TABLE login_failures (
    rowid BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    key   TEXT COLLATE "C" NOT NULL,
    at    TEXT COLLATE "C" NOT NULL
);

CREATE INDEX login_failures_by_key ON login_failures (key, at);

ALTER TABLE records ADD COLUMN author TEXT COLLATE "C";
ALTER TABLE records ADD COLUMN school TEXT COLLATE "C";

UPDATE records
SET school = (SELECT school_id FROM posts WHERE posts.id = records.body::json #>> '{data,post_id}')
WHERE kind IN ('checkin', 'incident');

UPDATE records SET school = body::json #>> '{data,school_id}' WHERE kind = 'team';

ALTER TABLE record_versions ADD COLUMN author TEXT COLLATE "C";
