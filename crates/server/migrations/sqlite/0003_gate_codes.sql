-- Rotating gate codes (see gatewatch_model::gatecode).
--
-- Each post has a secret (hex) that a lead's phone turns into the code shown at the
-- gate; existing posts get theirs at start-up (catalog::ensure_post_secrets), new ones
-- when they are created. Each stored check-in keeps the server's verdict on its code:
-- 'verified', 'unverified' (no code) or 'failed'; NULL for other record kinds.
ALTER TABLE posts ADD COLUMN secret TEXT;
ALTER TABLE records ADD COLUMN proof TEXT;
