-- Sandbox code approvals (issue 7): code whose SHA-256 (of its exact UTF-8 bytes) may run for
-- callers whose policy is `approvedCodeOnly: enforce`. An approval names its reviewer (the admin
-- principal), when, and the reviewed revision in version control (an https link). Revoking keeps
-- the row; approving a revoked hash again replaces it (the audit log keeps the history).
CREATE TABLE sandbox_approvals (
  id            TEXT PRIMARY KEY,
  sha256        TEXT NOT NULL UNIQUE,
  language      TEXT NOT NULL,
  reviewer      TEXT NOT NULL,
  approved_at   BIGINT NOT NULL,
  revision_url  TEXT NOT NULL CHECK (revision_url LIKE 'https://%'),
  note          TEXT,
  revoked_at    BIGINT,
  revoked_by    TEXT
);

CREATE INDEX sandbox_approvals_approved_idx ON sandbox_approvals (approved_at DESC, id DESC);
