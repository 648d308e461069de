-- Records imported from other systems, by (source, external id): a record sent again is a duplicate.
-- Written in the same transaction as the activities the import appends.
CREATE TABLE imported_activities (
    source       text NOT NULL,
    external_id  text NOT NULL,
    activity_id  text NOT NULL,
    row_number   integer,
    imported_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (source, external_id)
);
