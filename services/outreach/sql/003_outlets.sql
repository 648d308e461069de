-- Outlets (阵地) known from duty's events: a publication goes out only on an active, registered one.
CREATE TABLE outlets (
    outlet_id     text PRIMARY KEY,
    unit          text NOT NULL COLLATE "C",
    kind          text NOT NULL,
    name          text NOT NULL,
    status        text NOT NULL,          -- active | suspended | closed
    effective_on  date NOT NULL,          -- local date it runs from
    learned_at    timestamptz NOT NULL DEFAULT now()
);
