# Sourced by .ci/run: makes Node 24 LTS the `node` for the rest of the script.
#
# CI runs on Node 24 LTS whatever the machine has. When the `node` on PATH is older (Debian and
# Ubuntu ship Node 20, end-of-life since April 2026), Node 24 comes from the npm registry's `node`
# package, which carries the official binary and its C headers, into a cache outside the
# repository. npm_config_nodedir points native builds (node-gyp) at those headers, so a module
# compiled from source matches the ABI of the node that loads it.

NODE24_PREFIX="${PORTCULLIS_NODE24_PREFIX:-$HOME/.cache/portcullis/node24}"

node_major() { "${1:-node}" -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0; }

use_node24() {
  if [ "$(node_major)" -ge 24 ]; then
    echo "node $(node --version) on PATH is Node 24 or newer"
  else
    local cached="$NODE24_PREFIX/node_modules/.bin/node"
    if [ "$(node_major "$cached")" -ne 24 ]; then
      echo "node on PATH is $(node --version 2>/dev/null || echo 'missing'); installing Node 24 LTS into $NODE24_PREFIX"
      npm install --prefix "$NODE24_PREFIX" --no-audit --no-fund --no-save --loglevel=error node@24 >/dev/null
    fi
    export PATH="$NODE24_PREFIX/node_modules/.bin:$PATH"
    hash -r
    # The `node` package installs the binary of this platform as node-<os>-<arch>, headers in include/node.
    local headers
    headers="$(node -p '`${process.platform}-${process.arch}`')"
    export npm_config_nodedir="$NODE24_PREFIX/node_modules/node/node_modules/node-$headers"
    [ -f "$npm_config_nodedir/include/node/node_api.h" ] || {
      echo "Node 24 headers not found in $npm_config_nodedir" >&2
      return 1
    }
    echo "using Node 24 from $NODE24_PREFIX (headers for native builds: $npm_config_nodedir)"
  fi
  [ "$(node_major)" -ge 24 ] || {
    echo "could not make Node 24 the node on PATH" >&2
    return 1
  }
}
