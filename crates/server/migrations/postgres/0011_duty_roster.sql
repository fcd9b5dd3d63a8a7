-- PostgreSQL twin of ../sqlite/0011_duty_roster.sql (here a CHECK can be replaced in
-- place: no table rebuild).
ALTER TABLE users DROP CONSTRAINT users_role_check;
ALTER TABLE users ADD CONSTRAINT users_role_check
    CHECK (role IN ('officer', 'lead', 'supervisor', 'admin'));

ALTER TABLE schools ADD COLUMN district TEXT COLLATE "C" NOT NULL DEFAULT '';
ALTER TABLE schools ADD COLUMN counted_from TEXT COLLATE "C";

CREATE TABLE calendar_entries (
    scope      TEXT COLLATE "C" NOT NULL,
    from_date  TEXT COLLATE "C" NOT NULL,
    to_date    TEXT COLLATE "C" NOT NULL,
    rule       TEXT COLLATE "C" NOT NULL CHECK (rule IN ('off', 'on', 'special')),
    windows    TEXT COLLATE "C" NOT NULL DEFAULT '[]',
    name       TEXT COLLATE "C" NOT NULL DEFAULT '',
    year       BIGINT NOT NULL,
    updated_at TEXT COLLATE "C" NOT NULL,
    CHECK (from_date <= to_date)
);

CREATE INDEX calendar_entries_by_scope ON calendar_entries (scope, year);

CREATE TABLE assignments (
    post_id     TEXT COLLATE "C" NOT NULL REFERENCES posts (id),
    date        TEXT COLLATE "C" NOT NULL,
    window_kind TEXT COLLATE "C" NOT NULL CHECK (window_kind IN ('morning', 'noon', 'afternoon')),
    officer     TEXT COLLATE "C" NOT NULL REFERENCES users (id),
    car         TEXT COLLATE "C",
    updated_at  TEXT COLLATE "C" NOT NULL,
    updated_by  TEXT COLLATE "C" NOT NULL,
    PRIMARY KEY (post_id, date, window_kind, officer)
);

CREATE UNIQUE INDEX assignments_one_slot_per_officer ON assignments (officer, date, window_kind);
CREATE INDEX assignments_by_date ON assignments (date, post_id);
