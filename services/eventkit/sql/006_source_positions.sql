-- Read-your-writes (positions.py): per origin (a site's service store), the latest commit position a
-- projector has passed on the event stream and the stream sequence it came at, written in the same
-- transaction as the projector's checkpoints. A query asked to wait for a position polls this.
CREATE TABLE source_positions (
    origin    text PRIMARY KEY,
    tx_id     bigint NOT NULL,
    position  bigint NOT NULL,
    seq       bigint NOT NULL
);
