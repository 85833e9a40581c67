-- Guard detections: one row per finding, queryable by the admin API; threat detection and
-- incidents build on them. Never the matched value: `excerpt` is redacted.
CREATE TABLE detections (
  id               TEXT PRIMARY KEY,
  time             BIGINT NOT NULL,
  request_id       TEXT NOT NULL,
  principal_id     TEXT,
  deployment       TEXT,
  profile          TEXT NOT NULL,
  detector         TEXT NOT NULL,
  detector_version TEXT NOT NULL,
  category         TEXT NOT NULL,
  severity         TEXT NOT NULL,
  score            DOUBLE PRECISION NOT NULL,
  channel          TEXT NOT NULL,
  segment          TEXT NOT NULL,
  action           TEXT NOT NULL,
  rule             TEXT NOT NULL,
  explanation      TEXT NOT NULL,
  excerpt          TEXT NOT NULL
);

CREATE INDEX detections_time_idx ON detections (time DESC, id DESC);
CREATE INDEX detections_principal_idx ON detections (principal_id, time DESC);
CREATE INDEX detections_category_idx ON detections (category, time DESC);
CREATE INDEX detections_request_idx ON detections (request_id);
