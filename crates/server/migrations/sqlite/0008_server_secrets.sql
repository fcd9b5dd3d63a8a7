-- Secrets every server process must share (issue 13), one row each, made by the first
-- process that needs it: `device_cookie_key` signs the device cookies of the login
-- limit (crates/server/src/device_cookie.rs). A copy of the database holds them, as it
-- holds the password hashes.
CREATE TABLE server_secrets (
    name  TEXT PRIMARY KEY NOT NULL,
    value TEXT NOT NULL
) STRICT;
