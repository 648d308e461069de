-- Bearer tokens people manage with `sanji tokens`. Only the sha256 of a secret is kept: the secrets are
-- 32 random bytes, too many to guess, so a plain digest suffices (no salt or slow hash is needed).
CREATE TABLE tokens (
    id            text PRIMARY KEY,
    name          text NOT NULL UNIQUE,
    secret_sha256 bytea NOT NULL UNIQUE,
    unit          text NOT NULL,
    roles         text[] NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now(),
    expires_at    timestamptz,
    revoked_at    timestamptz,
    rotated_at    timestamptz,
    last_used_at  timestamptz
);
