-- PostgreSQL twin of ../sqlite/0002_catalog.sql (see 0001 for how the twins differ).
CREATE TABLE schools (
    id                 TEXT COLLATE "C" PRIMARY KEY NOT NULL,
    name               TEXT COLLATE "C" NOT NULL,
    lead_minutes       BIGINT NOT NULL CHECK (lead_minutes >= 0),
    utc_offset_minutes BIGINT NOT NULL,
    windows            TEXT COLLATE "C" NOT NULL,
    updated_at         TEXT COLLATE "C" NOT NULL
);

CREATE TABLE posts (
    id         TEXT COLLATE "C" PRIMARY KEY NOT NULL,
    school_id  TEXT COLLATE "C" NOT NULL REFERENCES schools (id),
    gate       TEXT COLLATE "C" NOT NULL,
    updated_at TEXT COLLATE "C" NOT NULL
);

CREATE INDEX posts_by_school ON posts (school_id);
