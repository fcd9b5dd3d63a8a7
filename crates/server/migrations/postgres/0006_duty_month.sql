-- PostgreSQL twin of ../sqlite/0006_duty_month.sql. Bodies are kept as text (a pull
-- returns exactly what was pushed); `::json` reads into them here.
ALTER TABLE records ADD COLUMN month TEXT COLLATE "C";
ALTER TABLE records ADD COLUMN team TEXT COLLATE "C";

UPDATE records
SET month = substr(body::json #>> '{data,start}', 1, 7),
    team = body::json #>> '{data,team}'
WHERE kind = 'duty';

UPDATE records SET team = body::json #>> '{data,team}' WHERE kind = 'volunteer';

CREATE INDEX records_by_kind_month_team ON records (kind, month, team);
