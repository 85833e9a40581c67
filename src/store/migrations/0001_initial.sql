-- Rampart schema, version 1. Times are epoch milliseconds (BIGINT), structured values JSONB.
-- Runs inside one transaction; both backends (PGlite and PostgreSQL) apply the same text.

CREATE TABLE api_keys (
  id             TEXT PRIMARY KEY,
  name           TEXT NOT NULL,
  -- SHA-256 (hex) of the key's secret part; the plaintext is never stored.
  secret_hash    TEXT NOT NULL,
  principal_id   TEXT NOT NULL,
  principal_kind TEXT NOT NULL,
  roles          JSONB NOT NULL DEFAULT '[]'::jsonb,
  limits         JSONB,
  created_at     BIGINT NOT NULL,
  created_by     TEXT,
  expires_at     BIGINT,
  revoked_at     BIGINT,
  last_used_at   BIGINT,
  rotated_from   TEXT
);

-- Keyset pagination of the key list, newest first.
CREATE INDEX api_keys_created_idx ON api_keys (created_at DESC, id DESC);
CREATE INDEX api_keys_principal_idx ON api_keys (principal_id);

CREATE TABLE audit_events (
  chain_id          TEXT NOT NULL,
  seq               BIGINT NOT NULL,
  id                TEXT NOT NULL,
  time              BIGINT NOT NULL,
  request_id        TEXT NOT NULL,
  plane             TEXT NOT NULL,
  action            TEXT NOT NULL,
  principal_id      TEXT,
  principal_kind    TEXT,
  api_key_id        TEXT,
  deployment        TEXT,
  decision          TEXT NOT NULL,
  reason            TEXT,
  code              TEXT,
  status            INTEGER NOT NULL,
  prompt_tokens     INTEGER,
  completion_tokens INTEGER,
  latency_ms        DOUBLE PRECISION NOT NULL,
  upstream          TEXT,
  source_ip         TEXT,
  details           JSONB,
  prev_hash         TEXT NOT NULL,
  hash              TEXT NOT NULL,
  -- One writer per (chain, seq): a second writer continuing the same chain gets a unique
  -- violation and re-chains instead of forking the chain.
  PRIMARY KEY (chain_id, seq)
);

-- The admin list pages newest first by (time, chain_id, seq); the filters narrow it.
CREATE INDEX audit_events_time_idx ON audit_events (time DESC, chain_id DESC, seq DESC);
CREATE INDEX audit_events_principal_idx ON audit_events (principal_id, time DESC);
CREATE INDEX audit_events_deployment_idx ON audit_events (deployment, time DESC);
CREATE INDEX audit_events_request_idx ON audit_events (request_id);
