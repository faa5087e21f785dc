#!/usr/bin/env bash
# Sets up everything Xuncha needs on Debian 12 (as root, idempotently) and
# then runs the main job (`run`) or every test (`test`).
#
#   scripts/dev.sh run    build and open the desktop app (the sample park on first run)
#   scripts/dev.sh test   run all tests: Rust, UI components, end-to-end in the real webview
set -euo pipefail

cd "$(dirname "$0")/.."
verb="${1:-}"
case "$verb" in
  run|test) ;;
  *) echo "usage: scripts/dev.sh run|test" >&2; exit 2 ;;
esac

say() { printf '==> %s\n' "$*"; }

# System packages: a C compiler for the bundled SQLite; WebKitGTK and GTK
# for the Tauri window; Xvfb and WebKitWebDriver for end-to-end tests;
# a CJK font so that Chinese text renders; PostgreSQL for the server's
# tests against its shared backend; libdbus for the OS keyring, and a
# D-Bus daemon with gnome-keyring for the keyring's test; poppler and qpdf
# to check printed documents; LibreOffice Calc to check that exported
# workbooks open.
packages=(build-essential pkg-config ca-certificates curl git file
  libwebkit2gtk-4.1-dev libssl-dev libayatana-appindicator3-dev librsvg2-dev libxdo-dev
  xvfb xauth webkit2gtk-driver fonts-noto-cjk postgresql libdbus-1-dev dbus gnome-keyring
  poppler-utils qpdf libreoffice-calc-nogui)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  say "installing system packages: ${missing[*]}"
  if [ "$(id -u)" -ne 0 ]; then
    echo "need root to install: ${missing[*]} (run as root, or install them first)" >&2
    exit 1
  fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# Rust 1.85 or newer, from rustup. Debian 12's own rustc (1.63) is too old.
export PATH="$HOME/.cargo/bin:$PATH"
version_at_least() { [ "$(printf '%s\n%s\n' "$1" "$2" | sort -V | head -n1)" = "$2" ]; }
if ! command -v cargo >/dev/null 2>&1 || ! version_at_least "$(rustc --version | awk '{print $2}')" 1.85.0; then
  say "installing the Rust toolchain with rustup"
  if ! curl --proto '=https' --tlsv1.2 -sSf https://sh.rustup.rs | sh -s -- -y --profile minimal; then
    echo "could not install Rust: install Rust 1.85 or newer with rustup, then run this again" >&2
    exit 1
  fi
fi

# Node.js 22.22 or newer for the UI build (what the UI packages declare).
# Debian 12's nodejs is 18, so
# when no suitable Node is on the PATH, Debian's npm fetches the platform
# build of Node that the npm registry carries (node-linux-<arch>) and a
# current npm into .tools/node, once; later runs find them there.
NODE_VERSION=22.23.5
NPM_VERSION=10.9.9
tools="$PWD/.tools"
[ -x "$tools/node/bin/node" ] && export PATH="$tools/node/bin:$PATH"
if ! command -v node >/dev/null 2>&1 || ! version_at_least "$(node --version | tr -d v)" 22.22.2; then
  say "installing Node.js $NODE_VERSION into .tools/node (found: $(node --version 2>/dev/null || echo none))"
  if ! command -v npm >/dev/null 2>&1; then
    [ "$(id -u)" -eq 0 ] || { echo "need root to install Debian's npm, which fetches Node.js" >&2; exit 1; }
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends npm
  fi
  case "$(dpkg --print-architecture)" in
    amd64) arch=x64 ;;
    arm64) arch=arm64 ;;
    *) echo "no Node.js build for $(dpkg --print-architecture); install Node.js 22.22 or newer" >&2; exit 1 ;;
  esac
  fetch=$(mktemp -d)
  trap 'rm -rf "$fetch"' EXIT
  (cd "$fetch" && npm pack --silent "node-linux-$arch@$NODE_VERSION" "npm@$NPM_VERSION" >/dev/null)
  rm -rf "$tools/node"
  mkdir -p "$tools/node/lib/node_modules/npm"
  tar -xzf "$fetch/node-linux-$arch-$NODE_VERSION.tgz" -C "$tools/node" --strip-components=1
  tar -xzf "$fetch/npm-$NPM_VERSION.tgz" -C "$tools/node/lib/node_modules/npm" --strip-components=1
  ln -sf ../lib/node_modules/npm/bin/npm-cli.js "$tools/node/bin/npm"
  ln -sf ../lib/node_modules/npm/bin/npx-cli.js "$tools/node/bin/npx"
  chmod +x "$tools/node/bin/node" "$tools/node/lib/node_modules/npm/bin/npm-cli.js" "$tools/node/lib/node_modules/npm/bin/npx-cli.js"
  rm -rf "$fetch"
  trap - EXIT
  export PATH="$tools/node/bin:$PATH"
  hash -r
  version_at_least "$(node --version | tr -d v)" 22.22.2 || { echo "Node.js install failed" >&2; exit 1; }
fi

# UI packages, when the lock file changed since the last install.
if [ ! -f ui/node_modules/.package-lock.json ] || [ ui/package-lock.json -nt ui/node_modules/.package-lock.json ]; then
  say "installing UI packages"
  npm --prefix ui install --no-audit --no-fund
fi
say "building the UI"
npm --prefix ui run build

# Starts the local PostgreSQL cluster (creating it if the package made
# none) and a test role that may create the tests' scratch databases.
start_postgres() {
  local version port
  version=$(ls /usr/lib/postgresql | sort -V | tail -n1)
  if ! pg_lsclusters -h | grep -q .; then
    say "creating a PostgreSQL $version cluster"
    pg_createcluster "$version" main >/dev/null
  fi
  read -r version _ port status _ < <(pg_lsclusters -h | head -n1)
  if [ "$status" != online ]; then
    say "starting PostgreSQL $version on port $port"
    pg_ctlcluster "$version" main start
  fi
  pg() { runuser -u postgres -- psql -p "$port" -qAtX "$@"; }
  if [ "$(pg -c "SELECT 1 FROM pg_roles WHERE rolname = 'xuncha'")" != 1 ]; then
    pg -c "CREATE ROLE xuncha LOGIN CREATEDB PASSWORD 'xuncha'"
  fi
  # Tests drop their databases WITH (FORCE), which must be allowed to end
  # other sessions on them (an autovacuum worker, say).
  pg -c "GRANT pg_signal_backend TO xuncha" 2>/dev/null
  if [ "$(pg -c "SELECT 1 FROM pg_database WHERE datname = 'xuncha'")" != 1 ]; then
    pg -c "CREATE DATABASE xuncha OWNER xuncha"
  fi
  export XUNCHA_TEST_DATABASE_URL="postgres://xuncha:xuncha@127.0.0.1:$port/xuncha"
}

case "$verb" in
  run)
    say "building the desktop app"
    cargo build --locked -p xuncha-app
    if [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ]; then
      cat >&2 <<'MSG'
巡查桌面程序需要图形界面，但当前没有显示器（DISPLAY 未设置）。
The desktop app needs a display and none is set (no DISPLAY or WAYLAND_DISPLAY).
Run it on a desktop session, or under a virtual display:
  xvfb-run -a target/debug/xuncha-app --sample
The command line works without a display:
  target/debug/xuncha --db data/xuncha.db init --sample && target/debug/xuncha --db data/xuncha.db summary
MSG
      exit 1
    fi
    say "starting 巡查 (the sample park is loaded on first run)"
    exec target/debug/xuncha-app --sample
    ;;
  test)
    # The test tools, built once without optimisation (they do little
    # work) into one shared directory, so that their common dependencies
    # are compiled once.
    tool() {
      local bin=$1; shift
      command -v "$bin" >/dev/null 2>&1 && return
      say "installing $bin"
      CARGO_TARGET_DIR="$PWD/target/tools" cargo install --locked --debug "$@"
    }
    tool tauri-driver tauri-driver --version '^2'
    tool cargo-fuzz cargo-fuzz
    tool cargo-deny cargo-deny --version '^0.20'
    # The rules the build enforces: formatting, the dependency rules of
    # deny.toml, and lints with warnings as errors. Clippy lints our crates
    # while the one build below compiles them (what `cargo clippy` does, as
    # a build instead of a separate check), so dependencies are compiled
    # once. The UI's types were checked by vue-tsc in the UI build above.
    say "checking formatting and dependencies"
    cargo fmt --all --check
    cargo deny --locked check licenses bans sources
    export RUSTC_WORKSPACE_WRAPPER CLIPPY_ARGS
    RUSTC_WORKSPACE_WRAPPER="$(rustc --print sysroot)/bin/clippy-driver"
    [ -x "$RUSTC_WORKSPACE_WRAPPER" ] || { echo "clippy is missing: rustup component add clippy" >&2; exit 1; }
    CLIPPY_ARGS="-Dwarnings__CLIPPY_HACKERY__"
    start_postgres
    say "UI component tests"
    npm --prefix ui test
    # One build of every target: the end-to-end tests run the app binary,
    # and building it together with the tests keeps one set of features.
    say "building the desktop app and all tests, with lints"
    cargo build --workspace --all-targets --locked
    say "running all Rust tests (screenshots go to target/e2e-artifacts/, printed pages to target/print-artifacts/)"
    cargo test --workspace --locked
    # Coverage-guided fuzzing of the photo import path, bounded; libFuzzer's
    # instrumentation works on the stable toolchain without a sanitizer.
    say "fuzzing the photo import path for ${XUNCHA_FUZZ_SECONDS:-60} s"
    # Both fuzz crates build into one directory of their own (their
    # instrumentation flags must not touch the main build).
    unset RUSTC_WORKSPACE_WRAPPER CLIPPY_ARGS
    fuzz_target="$PWD/target/fuzz"
    (cd crates/xuncha-photo && cargo fuzz run import --sanitizer none --target-dir "$fuzz_target" -- -max_total_time="${XUNCHA_FUZZ_SECONDS:-60}")
    # The server's HTTP handlers on arbitrary requests from a signed-in laptop.
    say "fuzzing the server's HTTP handlers for ${XUNCHA_FUZZ_SECONDS:-60} s"
    (cd crates/xuncha-server && cargo fuzz run http --sanitizer none --target-dir "$fuzz_target" -- -max_total_time="${XUNCHA_FUZZ_SECONDS:-60}")
    ;;
esac
