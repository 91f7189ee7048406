#!/usr/bin/env bash
# `make run`: starts a local office server with a demo office, joins the
# demo library to it (once), and opens the desktop app on that library.
# A second "colleague" device, also joined, lets you watch sync: edit with
#   target/release/rounds --data target/demo-colleague edit <id> --set …
#   target/release/rounds --data target/demo-colleague sync
# and the change appears in the app. Everything lives under target/.
set -euo pipefail
cd "$(dirname "$0")/../.."

BIN=${CARGO_TARGET_DIR:-$PWD/target}/release
DATA=${DEMO_DATA:-$PWD/target/demo-data}
OFFICE=$PWD/target/demo-office
COLLEAGUE=$PWD/target/demo-colleague
LISTEN=${DEMO_LISTEN:-127.0.0.1:7878}
URL=http://$LISTEN

office() { "$BIN/rounds-office" --data "$OFFICE" "$@"; }

if [[ ! -d "$OFFICE" ]]; then
  office office create "儿科虚拟教研室" >/dev/null
fi

office serve --listen "$LISTEN" >target/demo-office.log 2>&1 &
OFFICE_PID=$!
trap 'kill $OFFICE_PID 2>/dev/null || true' EXIT
for _ in $(seq 50); do
  curl -s -o /dev/null "$URL/" && break
  sleep 0.1
done

join() { # dir name
  local dir=$1 name=$2
  if [[ ! -f "$dir/office-token" ]]; then
    local member code
    member=$(office member add "$name" | tail -1 | awk '{print $1}')
    code=$(office code "$member" 2>/dev/null | tail -1 | awk '{print $NF}')
    "$BIN/rounds" --data "$dir" profile --name "$name" >/dev/null
    "$BIN/rounds" --data "$dir" join "$URL" "$code" --device-name "demo" >/dev/null
  fi
}
join "$DATA" "王老师"
join "$COLLEAGUE" "李老师"
# The first time, the samples are shared with the office so the colleague
# has them too (they are fictional: the attestation is true).
if [[ $("$BIN/rounds" --data "$DATA" samples | grep -o '[0-9]\+' | head -1) != 0 ]]; then
  "$BIN/rounds" --data "$DATA" list --json |
    grep -o '"id": *"[^"]*"' | sed 's/.*"\([^"]*\)"$/\1/' |
    while read -r id; do "$BIN/rounds" --data "$DATA" share "$id" --attest >/dev/null; done
fi
"$BIN/rounds" --data "$DATA" sync >/dev/null || true
"$BIN/rounds" --data "$COLLEAGUE" sync >/dev/null || true

echo "Office: $URL (log in target/demo-office.log). Library: $DATA"
echo "A colleague's device: $BIN/rounds --data $COLLEAGUE …"
if ! ROUNDS_DATA="$DATA" "$BIN/rounds-desktop"; then
  echo "The desktop app could not start (no display?). The same library with the CLI:"
  "$BIN/rounds" --data "$DATA" list
fi
