-- What the 落实率 reports and the record sheets select by, so a range's check-ins and
-- incidents are found through an index instead of by reading every stored body's
-- device time (BENCHMARKS.md, "The per-officer report": a city month among three took
-- ~235 ms just to find that way, and it grows with every month kept).
--
-- `day`: for a check-in or an incident, the date of its device time in its own offset
-- (the day the officer's phone showed), `YYYY-MM-DD`; NULL for other kinds. Written by
-- push with the row itself (`feed::store`, same statement, same transaction).
ALTER TABLE records ADD COLUMN day TEXT;

-- Rows stored before this migration. A stored `device_time` is RFC 3339 with the
-- phone's offset, so its first ten characters are that date.
UPDATE records
SET day = substr(json_extract(body, '$.data.device_time'), 1, 10)
WHERE kind IN ('checkin', 'incident');

CREATE INDEX records_by_kind_day ON records (kind, day);
