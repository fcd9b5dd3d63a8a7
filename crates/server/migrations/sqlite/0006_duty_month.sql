-- What the duty report selects by, so a month's sessions are found through an index
-- instead of by reading and parsing every stored body (BENCHMARKS.md: three months of
-- one city's sessions took ~0.5 s that way, and it grows with every month kept).
--
-- `month`: for a duty session, the month of its start on its own clock, `YYYY-MM`
-- (`gatewatch_model::report::Month::of`). `team`: the team record's id of a duty
-- session or a volunteer. NULL for other kinds. Written by push with the row itself
-- (`feed::store`, same statement, same transaction), from the version it stores.
ALTER TABLE records ADD COLUMN month TEXT;
ALTER TABLE records ADD COLUMN team TEXT;

-- Rows stored before this migration. A stored `start` is RFC 3339 with the phone's
-- offset, so its first seven characters are that month.
UPDATE records
SET month = substr(json_extract(body, '$.data.start'), 1, 7),
    team = json_extract(body, '$.data.team')
WHERE kind = 'duty';

UPDATE records SET team = json_extract(body, '$.data.team') WHERE kind = 'volunteer';

-- `WHERE kind = 'duty' AND month = ? [AND team = ?]` without touching the rows it
-- skips (a row's later columns sit behind its body's overflow pages).
CREATE INDEX records_by_kind_month_team ON records (kind, month, team);
