#!/usr/bin/env bash
# The sandbox's OS backend (docs/sandbox.md) isolates code with bubblewrap, Debian's package
# `bubblewrap`. Installs it when missing and this user may (root, or passwordless sudo); never
# fails: without it the sandbox refuses to run code, says so in /readyz, and its tests say they
# are skipped.
if ! command -v bwrap >/dev/null 2>&1; then
  echo "rampart: installing bubblewrap (for the code sandbox)" >&2
  if [ "$(id -u)" = 0 ]; then
    apt-get install -y --no-install-recommends bubblewrap >/dev/null 2>&1 ||
      { apt-get update >/dev/null 2>&1 && apt-get install -y --no-install-recommends bubblewrap >/dev/null 2>&1; } || true
  else
    sudo -n apt-get install -y --no-install-recommends bubblewrap >/dev/null 2>&1 || true
  fi
  command -v bwrap >/dev/null 2>&1 || echo "rampart: bubblewrap is not installed: the code sandbox will refuse to run" >&2
fi
true
