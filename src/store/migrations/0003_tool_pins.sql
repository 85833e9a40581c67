-- First-seen tool-definition pins (tool poisoning detection): the hash of a tool's name,
-- description and parameters the first time a deployment and principal offered it. Only hashes.
CREATE TABLE tool_pins (
  key        TEXT PRIMARY KEY,
  hash       TEXT NOT NULL,
  created_at BIGINT NOT NULL
);
