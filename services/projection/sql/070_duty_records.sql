-- The duty view's records the summaries quote (duty_records.py). Cadences per outlet kind and social
-- organizations' party coverage keep their validity intervals in duty_history (subjects 'cadence:<city>'
-- with the kind as attribute, and 'unit:<path>' with attribute 'party_coverage').
CREATE TABLE duty_half_year_reports (
    unit               text NOT NULL COLLATE "C",
    half_year          text NOT NULL,           -- 2025-H1
    due_at             timestamptz NOT NULL,
    deadline_estimated boolean,
    reported_at        timestamptz,
    reported_to        text,
    summary            text,
    late               boolean,
    overdue_at         timestamptz,             -- when the deadline timer flagged it unmade
    PRIMARY KEY (unit, half_year)
);

CREATE TABLE duty_organization_inspections (
    unit          text NOT NULL COLLATE "C",
    inspection_id text NOT NULL,
    inspected_on  date NOT NULL,
    inspector     text NOT NULL,
    summary       text,
    PRIMARY KEY (unit, inspection_id)
);
