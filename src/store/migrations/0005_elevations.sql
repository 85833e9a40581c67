-- Just-in-time role activations (elevations). A principal asks for a role for a while; another
-- administrator approves or denies; an approved elevation grants the role from starts_at until
-- expires_at (exclusive), unless revoked first. Rows are never deleted: they are the history.
CREATE TABLE elevations (
  id             TEXT PRIMARY KEY,
  principal_id   TEXT NOT NULL,
  principal_kind TEXT NOT NULL,
  role           TEXT NOT NULL,
  justification  TEXT NOT NULL,
  duration_ms    BIGINT NOT NULL,
  -- 'required' or 'auto' (as configured when it was requested)
  approval       TEXT NOT NULL,
  -- pending | approved | denied | revoked | expired
  status         TEXT NOT NULL,
  requested_at   BIGINT NOT NULL,
  decided_at     BIGINT,
  decided_by     TEXT,
  decision_note  TEXT,
  starts_at      BIGINT,
  expires_at     BIGINT,
  revoked_at     BIGINT,
  revoked_by     TEXT
);

-- The list pages newest first; every instance loads the approved ones often.
CREATE INDEX elevations_requested_idx ON elevations (requested_at DESC, id DESC);
CREATE INDEX elevations_principal_idx ON elevations (principal_id, requested_at DESC);
CREATE INDEX elevations_approved_idx ON elevations (expires_at) WHERE status = 'approved';
