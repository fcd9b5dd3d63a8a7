-- Why a session was ended (issue 13), so a phone is told apart: `revoked` (an admin
-- revoked the device, reset the password or disabled the account: the phone drops what
-- the server has), `logout`, `password_changed` (the user changed it elsewhere). NULL:
-- still open, or ended before this column existed (answered as an expired session).
ALTER TABLE sessions ADD COLUMN end_reason TEXT;
