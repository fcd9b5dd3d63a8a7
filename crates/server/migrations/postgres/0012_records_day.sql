-- PostgreSQL twin of ../sqlite/0012_records_day.sql.
ALTER TABLE records ADD COLUMN day TEXT COLLATE "C";

UPDATE records
SET day = substr(body::json #>> '{data,device_time}', 1, 10)
WHERE kind IN ('checkin', 'incident');

CREATE INDEX records_by_kind_day ON records (kind, day);
