#!/usr/bin/env bash
# Builds the Debian package of the desktop app, offline:
# target/release/bundle/deb/xuncha_<version>_amd64.deb (installs /usr/bin/xuncha-app and a 巡查 menu entry)
# (run scripts/dev.sh test or run once first, so that tools and packages are installed).
set -euo pipefail
cd "$(dirname "$0")/.."
npm --prefix ui run build
# Only the deb bundle: AppImage downloads tools at build time and cannot be built offline.
ui/node_modules/.bin/tauri build --bundles deb
ls -l target/release/bundle/deb/*.deb
# Install with: apt install ./target/release/bundle/deb/xuncha_<version>_amd64.deb
