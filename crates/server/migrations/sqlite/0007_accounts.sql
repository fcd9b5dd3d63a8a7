-- Accounts, sessions and who pushed what (issue 5).
--
-- `users`: one row per person. `role` is officer / lead / admin; `schools` and `teams`
-- are the user's scope as JSON arrays of school ids and team record ids. The password
-- is kept only as an argon2id PHC string. A disabled user cannot log in, and every
-- session of theirs stops working at once (sessions are checked against the user on
-- every request).
CREATE TABLE users (
    id            TEXT PRIMARY KEY NOT NULL,
    username      TEXT NOT NULL UNIQUE,
    display_name  TEXT NOT NULL,
    role          TEXT NOT NULL CHECK (role IN ('officer', 'lead', 'admin')),
    schools       TEXT NOT NULL DEFAULT '[]',
    teams         TEXT NOT NULL DEFAULT '[]',
    password_hash TEXT NOT NULL,
    disabled      INTEGER NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1)),
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL
) STRICT;

-- `sessions`: one row per login. The cookie holds a random token; only its SHA-256 is
-- stored, so a copy of the database opens no session. `device` is the phone's device
-- id (as in its record versions), so an admin can list and revoke a user's devices.
-- Kept in the database, not in memory: any server process behind a load balancer can
-- check any session.
CREATE TABLE sessions (
    token_hash   TEXT PRIMARY KEY NOT NULL,
    user_id      TEXT NOT NULL REFERENCES users (id),
    device       TEXT NOT NULL,
    user_agent   TEXT NOT NULL DEFAULT '',
    created_at   TEXT NOT NULL,
    last_seen_at TEXT NOT NULL,
    expires_at   TEXT NOT NULL,
    revoked_at   TEXT
) STRICT;

CREATE INDEX sessions_by_user_device ON sessions (user_id, device);

-- Failed logins of the last hour, per account (`account:<username>`) and per client
-- address (`address:<ip>`): the rate limit counts them here, so it holds across server
-- processes. Rows older than the window are deleted as new ones are written.
CREATE TABLE login_failures (
    key TEXT NOT NULL,
    at  TEXT NOT NULL
) STRICT;

CREATE INDEX login_failures_by_key ON login_failures (key, at);

-- Who first pushed each record (the user id), and the scope columns a pull filters by:
-- `school` for check-ins and incidents (their post's school) and for teams. Records
-- stored before accounts existed have no author: only admins may change them.
ALTER TABLE records ADD COLUMN author TEXT;
ALTER TABLE records ADD COLUMN school TEXT;

UPDATE records
SET school = (SELECT school_id FROM posts WHERE posts.id = json_extract(records.body, '$.data.post_id'))
WHERE kind IN ('checkin', 'incident');

UPDATE records SET school = json_extract(body, '$.data.school_id') WHERE kind = 'team';

-- Which user pushed each version (NULL before accounts): the history shows it.
ALTER TABLE record_versions ADD COLUMN author TEXT;
