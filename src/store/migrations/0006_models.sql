-- Model registry: every model artifact that may be deployed, by name and root digest (the
-- OpenSSF model-signing manifest digest over all its files), with where it came from, what its
-- signature and static scan found, and whether it was approved. One name may have many versions
-- (digests); a deployment names a model and optionally pins a digest.
CREATE TABLE models (
  id           TEXT PRIMARY KEY,
  name         TEXT NOT NULL,
  digest       TEXT NOT NULL,
  source       JSONB NOT NULL,
  location     TEXT,
  files        INTEGER NOT NULL,
  bytes        BIGINT NOT NULL,
  signature    JSONB NOT NULL,
  scan         JSONB NOT NULL,
  approval     JSONB NOT NULL,
  created_at   BIGINT NOT NULL,
  created_by   TEXT,
  updated_at   BIGINT NOT NULL,
  UNIQUE (name, digest)
);

CREATE INDEX models_name_idx ON models (name, created_at DESC, id DESC);
CREATE INDEX models_created_idx ON models (created_at DESC, id DESC);
