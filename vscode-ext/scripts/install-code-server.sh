#!/bin/sh
# Installs code-server (VS Code for the browser) from the npm registry alone, for
# test-browser/codeserver.e2e.ts: `npm run test:code-server` with CODE_SERVER_BIN=DIR/node_modules/.bin/code-server.
# Its postinstall downloads ripgrep from GitHub, which an offline machine cannot reach, so
# the install runs without scripts and this does the postinstall's steps itself, with the
# system's rg. Needs node 20 (code-server 4.100.x) and, on Debian/Ubuntu:
#   apt-get install -y build-essential pkg-config python3 libkrb5-dev libx11-dev libxkbfile-dev libsecret-1-dev ripgrep
# Usage: scripts/install-code-server.sh [DIR]   (default ~/.cache/marathon-code-server)
set -eu
dir=${1:-$HOME/.cache/marathon-code-server}
version=${CODE_SERVER_VERSION:-4.100.3}
rg=$(command -v rg) || { echo "install-code-server: no rg on PATH (apt-get install ripgrep)" >&2; exit 1; }
mkdir -p "$dir"
cd "$dir"
[ -f package.json ] || echo '{"name": "marathon-code-server", "private": true}' > package.json
npm install --no-audit --no-fund --ignore-scripts "code-server@$version"
npm rebuild argon2
cd node_modules/code-server/lib/vscode
npm install --no-audit --no-fund --omit=dev --ignore-scripts
mkdir -p node_modules/@vscode/ripgrep/bin
cp "$rg" node_modules/@vscode/ripgrep/bin/rg
# node-pty's postinstall fails after building (it runs npx for compile_commands.json): check the .node files instead.
for m in @vscode/spdlog kerberos native-watchdog node-pty @vscode/deviceid; do
  npm rebuild "$m" >/dev/null 2>&1 || true
done
for f in node_modules/@vscode/spdlog/build/Release/spdlog.node node_modules/kerberos/build/Release/kerberos.node \
         node_modules/native-watchdog/build/Release/watchdog.node node_modules/node-pty/build/Release/pty.node; do
  [ -f "$f" ] || { echo "install-code-server: $f was not built" >&2; exit 1; }
done
ln -sfn node_modules node_modules.asar
(cd bin/remote-cli && ln -sf code-linux.sh code-server)
(cd bin/helpers && ln -sf browser-linux.sh browser.sh)
(cd extensions && npm install --no-audit --no-fund --omit=dev --ignore-scripts)
cd "$dir"
node_modules/.bin/code-server --config /dev/null --version
echo "CODE_SERVER_BIN=$dir/node_modules/.bin/code-server"
