-- PostgreSQL twin of ../sqlite/0003_gate_codes.sql.
ALTER TABLE posts ADD COLUMN secret TEXT COLLATE "C";
ALTER TABLE records ADD COLUMN proof TEXT COLLATE "C";
