-- Units known from duty's events: an activity may only be logged for a registered unit.
CREATE TABLE known_units (
    path        text PRIMARY KEY COLLATE "C",
    name        text NOT NULL,
    kind        text NOT NULL,
    learned_at  timestamptz NOT NULL DEFAULT now()
);
