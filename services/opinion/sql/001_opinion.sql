-- Units known from duty's events: cases are reported for, owned by and dispatched to these only.
CREATE TABLE known_units (
    path        text PRIMARY KEY COLLATE "C",
    name        text NOT NULL,
    kind        text NOT NULL,
    retired_on  date,
    learned_at  timestamptz NOT NULL DEFAULT now()
);

-- Items taken in from monitoring systems, by their source and external id: a repeat is answered with
-- the original case and stores nothing. Written in the same transaction as the case's first event.
CREATE TABLE ingested (
    source       text NOT NULL,
    external_id  text NOT NULL,
    case_id      text NOT NULL,
    received_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (source, external_id)
);
