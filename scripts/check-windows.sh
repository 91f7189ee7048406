#!/usr/bin/env bash
# What can be checked of the Windows build on Linux, where it cannot be run
# (Wine lacks bcryptprimitives.dll, which every Rust >= 1.78 exe imports:
# docs/desktop.md, "What is checked for Windows and what is not"):
#
#   - each program is a 64-bit Windows executable (PE32+, x86-64), the app
#     a GUI program (no console window) and the CLI a console one;
#   - WebView2Loader.dll is the x64 one;
#   - every DLL they import is one Windows 10 itself provides, or the
#     WebView2Loader.dll shipped beside them. A DLL from the build machine
#     (libgcc_s_seh-1.dll, libwinpthread-1.dll, libstdc++-6.dll) would
#     install fine and then fail to start on every teacher's PC;
#   - the installer is a Windows program that asks for no administrator
#     rights, and carries exactly these files (7-Zip reads NSIS archives).
#
# Usage: scripts/check-windows.sh DIR [INSTALLER]
#   DIR holds rounds-desktop.exe, rounds.exe and WebView2Loader.dll.
set -euo pipefail

dir=${1:?usage: scripts/check-windows.sh DIR [INSTALLER]}
installer=${2:-}
objdump=x86_64-w64-mingw32-objdump
for tool in "$objdump" 7z; do
  command -v "$tool" >/dev/null || {
    echo "check-windows: $tool is missing: scripts/setup.sh windows installs it" >&2
    exit 1
  }
done

# DLLs of Windows 10 itself (System32), lower case. combase.dll (COM and
# WinRT, since Windows 8) and rpcrt4.dll (RPC, UUIDs) come in through the
# windows crate's import libraries. Only what a Rust, Tauri
# or SQLite build can reasonably import; a new entry must be a DLL every
# Windows 10 x64 has, not one of a redistributable.
system_dlls=(
  kernel32.dll user32.dll ntdll.dll gdi32.dll advapi32.dll shell32.dll
  shlwapi.dll ole32.dll oleaut32.dll comctl32.dll comdlg32.dll uxtheme.dll
  dwmapi.dll userenv.dll ws2_32.dll bcrypt.dll bcryptprimitives.dll
  crypt32.dll secur32.dll ncrypt.dll msvcrt.dll version.dll imm32.dll
  winmm.dll propsys.dll shcore.dll dwrite.dll d2d1.dll setupapi.dll
  iphlpapi.dll powrprof.dll dbghelp.dll msimg32.dll gdiplus.dll
  combase.dll rpcrt4.dll
)

failed=0
fail() {
  echo "check-windows: FAIL: $*" >&2
  failed=1
}

is_allowed() { # dll (lower case), whether WebView2Loader.dll is shipped beside it
  local d=$1 beside=$2 s
  [[ $d == api-ms-win-* || $d == ext-ms-win-* ]] && return 0
  [[ $beside == yes && $d == webview2loader.dll ]] && return 0
  for s in "${system_dlls[@]}"; do [[ $d == "$s" ]] && return 0; done
  return 1
}

# file(1)'s words for each: the app is a GUI program, the CLI a console one.
check_exe() { # path, expected subsystem (GUI|console), may import WebView2Loader.dll
  local exe=$1 subsystem=$2 beside=$3 kind dlls d bad=()
  [[ -f $exe ]] || { fail "$exe is missing"; return; }
  kind=$(file -b "$exe")
  [[ $kind == "PE32+ executable ($subsystem) x86-64"* ]] ||
    fail "$exe: expected a PE32+ x86-64 $subsystem executable, file(1) says: $kind"
  dlls=$("$objdump" -p "$exe" | sed -n 's/^[[:space:]]*DLL Name: //p' | tr 'A-Z' 'a-z' | sort -u) ||
    { fail "$exe: objdump cannot read its imports"; return; }
  for d in $dlls; do
    is_allowed "$d" "$beside" || bad+=("$d")
  done
  if ((${#bad[@]})); then
    fail "$exe imports DLLs that Windows 10 does not provide: ${bad[*]}"
  fi
  echo "check-windows: $(basename "$exe"): $kind; imports $(echo $dlls | tr ' ' ',')"
}

check_exe "$dir/rounds-desktop.exe" GUI yes
check_exe "$dir/rounds.exe" console no

dll="$dir/WebView2Loader.dll"
if [[ -f $dll ]]; then
  kind=$(file -b "$dll")
  [[ $kind == "PE32+ executable (DLL)"*"x86-64"* ]] ||
    fail "$dll: expected the x64 DLL, file(1) says: $kind"
  echo "check-windows: WebView2Loader.dll: $kind"
else
  fail "$dll is missing (rounds-desktop.exe cannot start without it)"
fi

if [[ -n $installer ]]; then
  if [[ -f $installer ]]; then
    kind=$(file -b "$installer")
    # NSIS's installer stub is 32-bit, which 64-bit Windows runs.
    [[ $kind == PE32*executable*"(GUI)"* ]] || fail "$installer: not a Windows program: $kind"
    # A per-user install: Windows must not ask for an administrator.
    grep -aq 'requestedExecutionLevel level="asInvoker"' "$installer" ||
      fail "$installer does not run as the invoking user (RequestExecutionLevel user)"
    unpacked=$(mktemp -d)
    trap 'rm -rf "$unpacked"' EXIT
    if 7z x -y -bd -o"$unpacked" "$installer" >/dev/null; then
      for f in rounds-desktop.exe rounds.exe WebView2Loader.dll; do
        cmp -s "$dir/$f" "$unpacked/$f" || fail "$installer does not carry the $f that was built"
      done
      [[ -e $unpacked/uninstall.exe ]] || fail "$installer writes no uninstaller"
    else
      fail "7z cannot read $installer"
    fi
    echo "check-windows: $(basename "$installer"): $kind, $(du -h "$installer" | cut -f1)"
  else
    fail "$installer is missing"
  fi
fi

((failed == 0)) || exit 1
echo "check-windows: ok"
