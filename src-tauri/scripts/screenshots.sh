#!/usr/bin/env bash
# Takes screenshots of the running app under Xvfb into docs/screenshots/:
# the empty library, the sample library in Chinese and in English, and an
# editor. Needs the debug builds of rounds-desktop and rounds (BIN_DIR).
set -euo pipefail
cd "$(dirname "$0")/../.."
BIN_DIR=${BIN_DIR:-target/debug}
OUT=${OUT:-docs/screenshots}
WORK=$(mktemp -d)
mkdir -p "$OUT"

shoot() { # lang-env name data xdg [xdotool steps...]
  local lang=$1 name=$2 data=$3 xdg=$4; shift 4
  LANG=$lang LANGUAGE=${lang%%.*} ROUNDS_DATA=$data XDG_DATA_HOME=$xdg XDG_CONFIG_HOME=$xdg/config XDG_CACHE_HOME=$xdg/cache \
    xvfb-run -a -s "-screen 0 1280x860x24" bash -c '
      "$0" & app=$!
      sleep 6
      xdotool search --sync --name "^Rounds$" windowmove 0 0 windowsize 1280 860 >/dev/null 2>&1 || true
      sleep 1
      for step in "$@"; do eval "$step"; sleep 1.5; done
      import -window root "$OUT_FILE"
      kill $app' "$BIN_DIR/rounds-desktop" "$@"
}
export OUT_FILE BIN_DIR

OUT_FILE=$OUT/empty-en.png shoot en_US.UTF-8 empty "$WORK/empty" "$WORK/xdg-empty"
"$BIN_DIR/rounds" --data "$WORK/lib" profile --name 王老师 >/dev/null
"$BIN_DIR/rounds" --data "$WORK/lib" samples >/dev/null
OUT_FILE=$OUT/library-zh.png shoot zh_CN.UTF-8 lib "$WORK/lib" "$WORK/xdg-zh"
OUT_FILE=$OUT/library-en.png shoot en_US.UTF-8 lib "$WORK/lib" "$WORK/xdg-en"
# xdotool cannot type Chinese without an input method; the end-to-end tests
# search in Chinese through WebDriver.
OUT_FILE=$OUT/search-en.png shoot en_US.UTF-8 lib "$WORK/lib" "$WORK/xdg-en" \
  'xdotool key ctrl+f' 'xdotool type --delay 80 "jaundice"'
# The first document of the list, opened by clicking its row.
OUT_FILE=$OUT/editor-zh.png shoot zh_CN.UTF-8 lib "$WORK/lib" "$WORK/xdg-zh" \
  'xdotool mousemove 640 240 click 1'
# Further down the same editor: a list field with its rows.
OUT_FILE=$OUT/editor-list-zh.png shoot zh_CN.UTF-8 lib "$WORK/lib" "$WORK/xdg-zh" \
  'xdotool mousemove 640 240 click 1' 'xdotool mousemove 640 500 click 5 click 5 click 5 click 5 click 5 click 5 click 5 click 5 click 5 click 5'
rm -rf "$WORK"
