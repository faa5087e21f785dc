#!/usr/bin/env bash
# Sets up everything Xuncha needs on Debian 12 (as root, idempotently) and
# then runs the main job (`run`) or every test (`test`).
#
#   scripts/dev.sh run    create data/xuncha.db with the sample park and print its summary
#   scripts/dev.sh test   run all tests
set -euo pipefail

cd "$(dirname "$0")/.."
verb="${1:-}"
case "$verb" in
  run|test) ;;
  *) echo "usage: scripts/dev.sh run|test" >&2; exit 2 ;;
esac

say() { printf '==> %s\n' "$*"; }

# System packages: a C compiler for the bundled SQLite, and the usual tools.
packages=(build-essential pkg-config ca-certificates curl git)
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
rust_ok() {
  command -v cargo >/dev/null 2>&1 || return 1
  local v
  v=$(rustc --version | awk '{print $2}')
  [ "$(printf '%s\n1.85.0\n' "$v" | sort -V | head -n1)" = "1.85.0" ]
}
if ! rust_ok; then
  say "installing the Rust toolchain with rustup"
  if ! curl --proto '=https' --tlsv1.2 -sSf https://sh.rustup.rs | sh -s -- -y --profile minimal; then
    echo "could not install Rust: install Rust 1.85 or newer with rustup, then run this again" >&2
    exit 1
  fi
  rust_ok || { echo "Rust 1.85 or newer is needed; found $(rustc --version)" >&2; exit 1; }
fi

case "$verb" in
  run)
    say "building xuncha"
    cargo build --locked -p xuncha-cli
    db="${XUNCHA_DB:-data/xuncha.db}"
    ./target/debug/xuncha --db "$db" init --sample
    ./target/debug/xuncha --db "$db" summary
    echo
    echo "数据库：$db"
    echo "试试：./target/debug/xuncha --db $db search 食品"
    ;;
  test)
    say "running all tests"
    cargo test --workspace --locked
    ;;
esac
