-- Agent inventory: every AI agent that may call Rampart, with the identity it authenticates as,
-- who answers for it, and what it may use. `identity_key` is the one lookup key of its binding
-- (`principal:<id>` for a token subject or an API key principal, `client:<client id>`), unique so
-- one credential never maps to two agents.
CREATE TABLE agents (
  id                  TEXT PRIMARY KEY,
  name                TEXT NOT NULL,
  identity_key        TEXT NOT NULL UNIQUE,
  binding             JSONB NOT NULL,
  owner               TEXT,
  sponsor             TEXT,
  purpose             TEXT,
  allowed_deployments JSONB NOT NULL DEFAULT '[]'::jsonb,
  allowed_tools       JSONB NOT NULL DEFAULT '[]'::jsonb,
  datasets            JSONB NOT NULL DEFAULT '[]'::jsonb,
  status              TEXT NOT NULL,
  expires_at          BIGINT,
  created_at          BIGINT NOT NULL,
  created_by          TEXT,
  updated_at          BIGINT NOT NULL,
  last_seen_at        BIGINT
);

CREATE INDEX agents_created_idx ON agents (created_at DESC, id DESC);

-- API key hygiene: a key may be bound to networks (CIDR list); NULL means anywhere.
ALTER TABLE api_keys ADD COLUMN allowed_networks JSONB;
