#!/usr/bin/env bash
# Installs what building and testing Rounds needs on a fresh Debian or
# Ubuntu machine. Safe to run again: it skips what is already there.
set -euo pipefail

need_apt=()
have() { command -v "$1" >/dev/null 2>&1; }
pkg_installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"; }

# A C compiler and pkg-config build the bundled SQLite and other -sys crates;
# poppler-utils reads exported PDFs back in the tests (rounds-pdf, rounds-cli).
for p in build-essential pkg-config curl ca-certificates poppler-utils; do
  pkg_installed "$p" || need_apt+=("$p")
done
# PostgreSQL for the office's tests (scripts/with-postgres.sh makes a
# throw-away cluster with pg_virtualenv, from postgresql-common), when
# asked for: scripts/setup.sh desktop postgres (what `make test` runs).
if [[ " $* " == *" postgres "* ]]; then
  for p in postgresql postgresql-common; do
    pkg_installed "$p" || need_apt+=("$p")
  done
fi
# Valgrind, whose cachegrind counts the instructions of the benchmark's hot
# paths (rounds-bench; its quick run is part of `make test`), when asked
# for: scripts/setup.sh bench
if [[ " $* " == *" bench "* ]]; then
  pkg_installed valgrind || need_apt+=(valgrind)
fi
# Extra packages a later part of the build asks for (the desktop app and its
# end-to-end tests, which read printed PDFs back with poppler-utils),
# passed as arguments: scripts/setup.sh desktop
if [[ " $* " == *" desktop "* ]]; then
  for p in libwebkit2gtk-4.1-dev xvfb webkit2gtk-driver fonts-noto-cjk poppler-utils; do
    pkg_installed "$p" || need_apt+=("$p")
  done
  # Node.js builds the front end; a machine that has one (from NodeSource or
  # nvm) keeps it, others get Debian's.
  have node || need_apt+=(nodejs npm)
fi

# The Windows installer (`make windows`, scripts/windows.sh): mingw-w64 to
# link the Windows exe files, NSIS to package them, 7-Zip to read the
# installer back (scripts/check-windows.sh) and Node.js for the UI they
# embed. Only when asked for: scripts/setup.sh windows
if [[ " $* " == *" windows "* ]]; then
  for p in gcc-mingw-w64-x86-64-posix binutils-mingw-w64-x86-64 nsis p7zip-full; do
    pkg_installed "$p" || need_apt+=("$p")
  done
  have node || need_apt+=(nodejs npm)
fi

if ((${#need_apt[@]})); then
  sudo=""
  [[ $(id -u) -eq 0 ]] || sudo="sudo"
  echo "setup: installing ${need_apt[*]}"
  $sudo apt-get update -qq
  # `env` sets the variable for apt-get whether or not sudo is in front.
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need_apt[@]}"
fi

if ! have cargo; then
  if [[ -x "$HOME/.cargo/bin/cargo" ]]; then
    echo "setup: Rust is in ~/.cargo/bin; add it to PATH (source ~/.cargo/env)"
  else
    echo "setup: installing Rust with rustup"
    curl --proto '=https' --tlsv1.2 -sSf https://sh.rustup.rs | sh -s -- -y --profile minimal --component clippy,rustfmt
  fi
fi

# The Windows target's standard library comes only from rustup; without it
# scripts/windows.sh stops and says so.
if [[ " $* " == *" windows "* ]] && have rustup; then
  rustup target list --installed | grep -qx x86_64-pc-windows-gnu ||
    rustup target add x86_64-pc-windows-gnu ||
    echo "setup: could not install the Rust target x86_64-pc-windows-gnu (is static.rust-lang.org reachable?)" >&2
fi
