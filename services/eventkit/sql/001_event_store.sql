-- The event store of one service schema. The events table is also the relay's outbox.
CREATE TABLE events (
    position       bigserial PRIMARY KEY,
    -- The writing transaction's id: readers only go past it once every older transaction has
    -- finished (pg_snapshot_xmin), so an event that commits late is never skipped (trap 1).
    tx_id          xid8 NOT NULL DEFAULT pg_current_xact_id(),
    stream_id      text NOT NULL,
    stream_version integer NOT NULL CHECK (stream_version >= 1),
    event_id       uuid NOT NULL UNIQUE,
    event_type     text NOT NULL,
    unitpath       text NOT NULL COLLATE "C",
    occurred_at    timestamptz NOT NULL,
    envelope       jsonb NOT NULL,
    -- Hash chain per stream: sha256(previous hash || canonical envelope).
    hash           bytea NOT NULL,
    recorded_at    timestamptz NOT NULL DEFAULT now(),
    UNIQUE (stream_id, stream_version)
);
CREATE INDEX events_commit_order ON events (tx_id, position);

-- Progress of the relay (and of anything else reading the store in commit order).
CREATE TABLE store_checkpoints (
    name      text PRIMARY KEY,
    tx_id     xid8 NOT NULL,
    position  bigint NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now()
);

-- Commands already applied, by their idempotency key: a retried request gets the same reply.
CREATE TABLE processed_commands (
    command_id  text PRIMARY KEY,
    reply       jsonb NOT NULL,
    recorded_at timestamptz NOT NULL DEFAULT now()
);

-- Events from other services that a reaction consumer has already applied (idempotency).
CREATE TABLE inbox (
    consumer    text NOT NULL,
    event_id    uuid NOT NULL,
    stream_seq  bigint,
    handled_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (consumer, event_id)
);

-- Checkpoints of projectors that read JetStream: the stream sequence applied last.
CREATE TABLE stream_checkpoints (
    name       text PRIMARY KEY,
    seq        bigint NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now()
);

-- Commands refused (bad input, no permission, a domain rule): what an operator looks at first.
CREATE TABLE rejections (
    id          bigserial PRIMARY KEY,
    command     text NOT NULL,
    actor       text,
    code        text NOT NULL,
    message     text NOT NULL,
    fields      jsonb NOT NULL DEFAULT '[]',
    recorded_at timestamptz NOT NULL DEFAULT now()
);
