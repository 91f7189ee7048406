#!/usr/bin/env bash
# Builds the Windows installer on Linux: target/windows/Rounds-setup-<version>.exe
# (`make windows`, which builds the UI first and installs the tools with
# scripts/setup.sh windows). See docs/desktop.md, "Windows".
#
# The exe files are cross-compiled for x86_64-pc-windows-gnu with Debian's
# mingw-w64 (the msvc target's SDK cannot be fetched here) and packaged by
# packaging/windows/rounds.nsi with Debian's makensis (Tauri's NSIS step
# downloads a helper DLL at build time). Ends with scripts/check-windows.sh.
set -euo pipefail
cd "$(dirname "$0")/.."

target=x86_64-pc-windows-gnu
die() {
  echo "windows: $*" >&2
  exit 1
}

for tool in x86_64-w64-mingw32-gcc makensis; do
  command -v "$tool" >/dev/null || die "$tool is missing: run scripts/setup.sh windows"
done
if ! rustup target list --installed 2>/dev/null | grep -qx "$target"; then
  die "the Rust standard library for $target is not installed, and only rustup can provide it.
Run: rustup target add $target
(It comes from rustup's server, static.rust-lang.org; where that is not reachable, build the
installer on a machine where it is. Nothing else here can stand in for it.)"
fi
[[ -f ui/dist/index.html ]] || die "ui/dist is missing: run make ui first (the app embeds it)"

# The version and WebView2Loader.dll's location, from the locked dependency
# graph: the DLL comes inside the webview2-com-sys crate the app links.
read -r version loader < <(cargo metadata --locked --format-version 1 --filter-platform "$target" |
  python3 -c '
import json, os, sys
m = json.load(sys.stdin)
pkgs = {p["name"]: p for p in m["packages"]}
sys_crate = os.path.dirname(pkgs["webview2-com-sys"]["manifest_path"])
print(pkgs["rounds-desktop"]["version"], os.path.join(sys_crate, "x64", "WebView2Loader.dll"))
')
[[ -f $loader ]] || die "WebView2Loader.dll is not where webview2-com-sys keeps it: $loader"

# Stripped as the .deb is: the release profile keeps line tables for
# profiling, which would double the download over a slow link.
echo "windows: building Rounds $version for $target"
CARGO_PROFILE_RELEASE_STRIP=debuginfo cargo build --release --locked --target "$target" \
  -p rounds-desktop -p rounds-cli

bin="${CARGO_TARGET_DIR:-target}/$target/release"
out=target/windows
stage="$out/stage"
rm -rf "$stage"
mkdir -p "$stage"
cp "$bin/rounds-desktop.exe" "$stage/rounds-desktop.exe"
cp "$bin/rounds.exe" "$stage/rounds.exe"
cp "$loader" "$stage/WebView2Loader.dll"
cp icons/icon.ico "$stage/icon.ico"

setup="$out/Rounds-setup-$version.exe"
makensis -V2 -INPUTCHARSET UTF8 -DVERSION="$version" -DSRC="$PWD/$stage" -DOUTFILE="$PWD/$setup" \
  packaging/windows/rounds.nsi
echo "windows: wrote $setup"

scripts/check-windows.sh "$stage" "$setup"
