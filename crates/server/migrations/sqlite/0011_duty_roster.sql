-- The duty roster, the school calendar and the supervisor role (issue 14;
-- docs/duty-roster.md).
--
-- `users.role` gains `supervisor` (所长 / 指挥室: scope = schools). SQLite cannot alter a
-- CHECK, so the table is rebuilt as sqlite.org/lang_altertable.html says ("making other
-- kinds of table schema changes": a new table, every row copied, the old one dropped,
-- the new one renamed). Its first step, turning foreign keys off, cannot be taken here:
-- sqlx runs every SQLite migration inside a transaction (it ignores `-- no-transaction`
-- for SQLite), where `PRAGMA foreign_keys` does nothing. So the one table referencing
-- `users`, `sessions`, is set aside and put back instead: dropping `users` then finds no
-- row referencing it, and the sessions come back over the same user ids, checked
-- against the new table. All in this one transaction; every session keeps working.
CREATE TEMP TABLE sessions_0011 AS SELECT * FROM sessions;
DELETE FROM sessions;

CREATE TABLE users_0011 (
    id            TEXT PRIMARY KEY NOT NULL,
    username      TEXT NOT NULL UNIQUE,
    display_name  TEXT NOT NULL,
    role          TEXT NOT NULL CHECK (role IN ('officer', 'lead', 'supervisor', 'admin')),
    schools       TEXT NOT NULL DEFAULT '[]',
    teams         TEXT NOT NULL DEFAULT '[]',
    password_hash TEXT NOT NULL,
    disabled      INTEGER NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1)),
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL
) STRICT;

INSERT INTO users_0011 (id, username, display_name, role, schools, teams, password_hash,
                        disabled, created_at, updated_at)
SELECT id, username, display_name, role, schools, teams, password_hash, disabled,
       created_at, updated_at
FROM users;

DROP TABLE users;

ALTER TABLE users_0011 RENAME TO users;

INSERT INTO sessions (token_hash, user_id, device, user_agent, created_at, last_seen_at,
                      expires_at, revoked_at, end_reason)
SELECT token_hash, user_id, device, user_agent, created_at, last_seen_at, expires_at,
       revoked_at, end_reason
FROM sessions_0011;

DROP TABLE sessions_0011;

-- A school's district (区), whose calendar entries apply to it unless its own do
-- (empty: national entries only), and the first day its windows count for 落实率
-- (`YYYY-MM-DD`; NULL: every day), so a school imported today is not missed on every
-- earlier day.
ALTER TABLE schools ADD COLUMN district TEXT NOT NULL DEFAULT '';
ALTER TABLE schools ADD COLUMN counted_from TEXT;

-- The school calendar (`gatewatch_model::calendar::CalendarEntry`): a rule over a span of
-- dates, both ends included, for a scope (`national`, `district:<name>`,
-- `school:<id>`). `windows` is a `special` day's `Vec<PeakWindow>` as JSON (`[]` for
-- the other rules). An admin's import is for one `year` and replaces that year's entries
-- of every scope the file names.
CREATE TABLE calendar_entries (
    scope      TEXT NOT NULL,
    from_date  TEXT NOT NULL,
    to_date    TEXT NOT NULL,
    rule       TEXT NOT NULL CHECK (rule IN ('off', 'on', 'special')),
    windows    TEXT NOT NULL DEFAULT '[]',
    name       TEXT NOT NULL DEFAULT '',
    year       INTEGER NOT NULL,
    updated_at TEXT NOT NULL,
    CHECK (from_date <= to_date)
) STRICT;

CREATE INDEX calendar_entries_by_scope ON calendar_entries (scope, year);

-- The duty roster: one row per officer per slot (gate × date × window), with the car
-- when one is named. An officer is in at most one slot of a date × window (the unique
-- index: what a `409 overlap` reports). `updated_by` is the manager who wrote it.
CREATE TABLE assignments (
    post_id     TEXT NOT NULL REFERENCES posts (id),
    date        TEXT NOT NULL,
    window_kind TEXT NOT NULL CHECK (window_kind IN ('morning', 'noon', 'afternoon')),
    officer     TEXT NOT NULL REFERENCES users (id),
    car         TEXT,
    updated_at  TEXT NOT NULL,
    updated_by  TEXT NOT NULL,
    PRIMARY KEY (post_id, date, window_kind, officer)
) STRICT;

CREATE UNIQUE INDEX assignments_one_slot_per_officer ON assignments (officer, date, window_kind);
-- The roster of a date range (a week grid, a month's report), gate by gate.
CREATE INDEX assignments_by_date ON assignments (date, post_id);
