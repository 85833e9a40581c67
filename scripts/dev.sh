#!/usr/bin/env bash
# One-command set-up on any machine with npm: `scripts/dev.sh start` installs and serves the
# quickstart; `scripts/dev.sh test` installs and runs the tests. Gets Node 24 when the machine's
# Node is older than 22.18 (see scripts/use-node.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/use-node.sh
npm ci --no-audit --no-fund
bash scripts/ensure-bubblewrap.sh
case "${1:-start}" in
  start) exec npm start ;;
  test) exec npm test ;;
  *) echo "usage: scripts/dev.sh start|test" >&2; exit 2 ;;
esac
