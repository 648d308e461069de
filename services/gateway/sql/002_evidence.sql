-- Who may download an evidence file: the units it was uploaded for. The bytes are stored once by their
-- sha256; each unit that uploaded them gets its own row, with the file name it gave.
CREATE TABLE evidence_grants (
    sha256        text NOT NULL,
    unit          text NOT NULL,
    filename      text NOT NULL,
    content_type  text NOT NULL,
    uploaded_by   text NOT NULL,
    uploaded_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (sha256, unit)
);
