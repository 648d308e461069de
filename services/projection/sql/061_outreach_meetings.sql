-- Meetings (党组会专题研究, 联席会议, 形势研判 …) and the audit list of back-dated entries (补录).

-- Every recorded meeting: held_on is when it happened, recorded_at when Sanji learned it.
CREATE TABLE outreach_meetings (
    meeting_id   text PRIMARY KEY,
    unit         text NOT NULL COLLATE "C",
    kind         text NOT NULL,
    held_on      date NOT NULL,            -- local date (Asia/Shanghai)
    attendance   integer NOT NULL,
    facts        jsonb NOT NULL,           -- the full MeetingFacts
    source       text,
    external_id  text,
    recorded_at  timestamptz NOT NULL
);
CREATE INDEX outreach_meetings_unit_day ON outreach_meetings (unit, held_on);

-- Meetings per unit, kind and local month of when they were held: own and rolled up over the subtree.
CREATE TABLE meeting_monthly (
    path                text NOT NULL COLLATE "C",
    month               date NOT NULL,     -- first day of the local month
    kind                text NOT NULL,
    own_meetings        bigint NOT NULL DEFAULT 0,
    own_attendance      bigint NOT NULL DEFAULT 0,
    subtree_meetings    bigint NOT NULL DEFAULT 0,
    subtree_attendance  bigint NOT NULL DEFAULT 0,
    PRIMARY KEY (path, month, kind)
);

-- Every entry recorded more than BACKDATE_DAYS after it happened (contracts/occurrence.py), any record.
CREATE TABLE backdated_entries (
    record_type  text NOT NULL,            -- the event type that stated the fact
    record_id    text NOT NULL,
    unit         text NOT NULL COLLATE "C",
    happened_on  date NOT NULL,
    recorded_at  timestamptz NOT NULL,
    days_back    integer NOT NULL,
    reason       text,
    PRIMARY KEY (record_type, record_id)
);
CREATE INDEX backdated_entries_unit ON backdated_entries (unit, recorded_at);
