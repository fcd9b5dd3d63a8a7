-- PostgreSQL twin of ../sqlite/0008_server_secrets.sql.
CREATE TABLE server_secrets (
    name  TEXT COLLATE "C" PRIMARY KEY NOT NULL,
    value TEXT COLLATE "C" NOT NULL
);
