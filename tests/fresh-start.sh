#!/usr/bin/env bash
# The README's first command as a newcomer meets it (issue 12 §2): `./dev run` from
# this checkout under Xvfb, with an empty HOME and XDG folders and nothing of
# Trajectory installed. Passes when the app comes up, shows the demo clinic's
# patient list (read through accessibility, as a screen reader would), draws a
# window that is not blank, is still up 15 s after starting, and quits cleanly
# on Ctrl+Q. `./dev test` runs it after the suite and counts it as one test.
# The screenshot is kept in _build/meson-logs/fresh-start.png.
set -uo pipefail
cd "$(dirname "$0")/.."

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -m 700 "$work/home" "$work/runtime"
shot=$PWD/_build/meson-logs/fresh-start.png
mkdir -p "$(dirname "$shot")"
rm -f "$shot"

cat >"$work/probe.py" <<'PY'
# The patient list of the running app, through AT-SPI: exit 0 when it has rows.
import sys
import pyatspi
for app in pyatspi.Registry.getDesktop(0):
    if app is None or app.name != "trajectory":
        continue
    lists = pyatspi.findAllDescendants(app, lambda a: a.getRoleName() == "list" and a.name == "Patients")
    for l in lists:
        if l.childCount > 0:
            first = [x.name for x in pyatspi.findAllDescendants(l.getChildAtIndex(0), lambda a: a.getRoleName() == "label")]
            print(f"patient list: {l.childCount} rows, the first: {' · '.join(first)}")
            sys.exit(0)
sys.exit(1)
PY

cat >"$work/inner.sh" <<'SH'
# Runs inside Xvfb and a fresh session bus, with nothing but this environment.
log=$W/run.log
./dev run >"$log" 2>&1 &
pid=$!
start=$SECONDS
fail () {
  echo "fresh-start: FAILED: $*"
  echo "  the last lines of ./dev run:"
  tail -n 8 "$log" | sed 's/^/    /'
  kill "$pid" 2>/dev/null
  exit 1
}
# The first run may build and install packages: a generous deadline.
until /usr/bin/python3 "$W/probe.py" >"$W/probe.out" 2>/dev/null; do
  kill -0 "$pid" 2>/dev/null || fail "./dev run exited before showing the patient list"
  [ $((SECONDS - start)) -lt 240 ] || fail "no patient list after 240 s"
  sleep 0.5
done
cat "$W/probe.out"
while [ $((SECONDS - start)) -lt 15 ]; do
  kill -0 "$pid" 2>/dev/null || fail "the app exited within 15 s"
  sleep 0.5
done
kill -0 "$pid" 2>/dev/null || fail "the app exited within 15 s"
import -window root "$SHOT"
sd=$(convert "$SHOT" -format '%[fx:standard_deviation]' info:)
echo "screenshot standard deviation: $sd"
awk -v sd="$sd" 'BEGIN { exit !(sd > 0.05) }' || fail "the screenshot is blank"
# Quit as a user would.
win=$(xdotool search --onlyvisible --name '^Trajectory$' | head -n 1)
[ -n "$win" ] || fail "no window named Trajectory"
xdotool windowfocus --sync "$win" key --clearmodifiers ctrl+q
for _ in $(seq 1 40); do
  kill -0 "$pid" 2>/dev/null || break
  sleep 0.25
done
kill -0 "$pid" 2>/dev/null && fail "Ctrl+Q did not quit within 10 s"
wait "$pid"
status=$?
[ $status -eq 0 ] || fail "the app exited with status $status"
echo "fresh-start: ok"
SH

# No schema may be installed where GLib would find it: that is the point.
if env -i PATH="$PATH" XDG_DATA_HOME="$work/home/.local/share" gsettings list-schemas 2>/dev/null |
   grep -qx 'io.github.trajectory.Trajectory'; then
  echo "fresh-start: note: the schema is installed on this machine, so this does not prove the uninstalled case"
fi

timeout 300 xvfb-run -a -s '-screen 0 1280x800x24' \
  bash -c 'exec env -i PATH="$PATH" HOME="$0/home" XDG_RUNTIME_DIR="$0/runtime" \
             DISPLAY="$DISPLAY" XAUTHORITY="$XAUTHORITY" W="$0" SHOT="$1" \
             dbus-run-session -- bash "$0/inner.sh"' "$work" "$shot" 2>"$work/stderr" |
  grep -v '^SpiRegistry daemon is running'
status=${PIPESTATUS[0]}
if [ $status -eq 124 ]; then
  echo "fresh-start: FAILED: timed out"
fi
[ $status -eq 0 ] || sed -n '1,20p' "$work/stderr" | grep -v dbus-daemon | sed 's/^/    /'
exit $status
