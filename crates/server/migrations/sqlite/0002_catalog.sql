-- The catalog: schools with their peak windows, and posts (the gates officers check in
-- at). Managed by an admin (`/api/admin/*`), pulled by phones (`/api/schools`,
-- `/api/posts`). An empty catalog is seeded with the demo data at start-up, in Rust
-- (`catalog::seed_demo`), so the demo lives in one place: gatewatch-model.
--
-- `windows` is the JSON of the model's `Vec<PeakWindow>`, as the wire shows it.
-- `updated_at` is the server's UTC clock when the row last changed; writing the same
-- content again leaves it alone.
CREATE TABLE schools (
    id                 TEXT PRIMARY KEY NOT NULL,
    name               TEXT NOT NULL,
    lead_minutes       INTEGER NOT NULL CHECK (lead_minutes >= 0),
    utc_offset_minutes INTEGER NOT NULL,
    windows            TEXT NOT NULL,
    updated_at         TEXT NOT NULL
) STRICT;

-- A post's school name is the school's: joined on read, never copied.
CREATE TABLE posts (
    id         TEXT PRIMARY KEY NOT NULL,
    school_id  TEXT NOT NULL REFERENCES schools (id),
    gate       TEXT NOT NULL,
    updated_at TEXT NOT NULL
) STRICT;

CREATE INDEX posts_by_school ON posts (school_id);
