#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# The clinic tablet's single-app session, headless: the installed session
# script (data/kiosk/trajectory-kiosk-session) starts cage with the kiosk as
# an unprivileged user, on wlroots' headless backend; the test waits for the
# kiosk to draw, checks that it fills the whole output (cage shows one app,
# fullscreen) and that both cage and the kiosk are still running, then ends
# the session. As root it runs the session as the dedicated user
# "trajectory-kiosk-test" (created if missing; cage refuses root).
#   test-kiosk-cage.sh BUILDDIR
set -eu

builddir=$(cd "$1" && pwd)
skip () { echo "SKIP: $*"; exit 77; }
fail () { echo "FAIL: $*"; exit 1; }

command -v cage >/dev/null 2>&1 || skip "cage is not installed (Debian: cage)"
command -v grim >/dev/null 2>&1 || skip "grim is not installed (Debian: grim)"
command -v convert >/dev/null 2>&1 || skip "ImageMagick is not installed"

work=$(mktemp -d /tmp/traj-cage-XXXXXX)
chmod 755 "$work"
session=""
# Every process under $1, deepest first.
descendants () (
  for child in $(pgrep -P "$1"); do
    descendants "$child"
    echo "$child"
  done
)
cleanup () {
  if [ -n "$session" ]; then
    # Ending cage ends the session: the kiosk loses its display, then
    # dbus-run-session and runuser return. Whatever is left after that is
    # ended by its id.
    for p in $(descendants "$session"); do
      [ "$(ps -o comm= -p "$p")" = cage ] && kill -TERM "$p" 2>/dev/null
    done
    i=0
    while kill -0 "$session" 2>/dev/null && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
    for p in $(descendants "$session") "$session"; do kill -KILL "$p" 2>/dev/null || true; done
  fi
  rm -rf "$work"
}
trap cleanup EXIT

as_user=""
if [ "$(id -u)" -eq 0 ]; then
  user=trajectory-kiosk-test
  if ! id -u "$user" >/dev/null 2>&1; then
    useradd --system --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin "$user" ||
      skip "cannot create the user $user"
  fi
  as_user="runuser -u $user --"
  owner=$user
else
  owner=$(id -un)
fi

# The session script refuses to start unconfigured, and as root.
session_script="$builddir/data/kiosk/trajectory-kiosk-session"
: > "$work/no-config"
rc=0
env -i PATH=/usr/bin:/bin TRAJECTORY_KIOSK_CONFIG="$work/no-config" CAGE=false "$session_script" 2>/dev/null || rc=$?
[ $rc -eq 78 ] || fail "without TRAJECTORY_DATABASE the session script exits $rc, not 78"
if [ "$(id -u)" -eq 0 ]; then
  rc=0
  env -i PATH=/usr/bin:/bin TRAJECTORY_KIOSK_CONFIG="$work/no-config" TRAJECTORY_DATABASE=x CAGE=false \
    "$session_script" 2>/dev/null || rc=$?
  [ $rc -eq 77 ] || fail "as root the session script exits $rc, not 77"
fi

# A clinic the kiosk user can write, and a private runtime directory.
mkdir -p "$work/run" "$work/home" "$work/clinic"
"$builddir/src/cli/trajectory-cli" --database "$work/clinic/clinic.db" demo --patients 3 >/dev/null ||
  fail "could not make a clinic"
printf '731594\n' | "$builddir/src/cli/trajectory-cli" --database "$work/clinic/clinic.db" staff-pin >/dev/null ||
  fail "could not set the staff PIN"
chown -R "$owner" "$work/run" "$work/home" "$work/clinic"
chmod 700 "$work/run"

$as_user env -i PATH=/usr/bin:/bin HOME="$work/home" XDG_RUNTIME_DIR="$work/run" \
  WLR_BACKENDS=headless WLR_LIBINPUT_NO_DEVICES=1 WLR_RENDERER=pixman \
  GSETTINGS_SCHEMA_DIR="$builddir/data" GSETTINGS_BACKEND=memory GTK_A11Y=none LC_ALL=C.UTF-8 \
  TRAJECTORY="$builddir/src/trajectory" TRAJECTORY_KIOSK_CONFIG="$work/no-config" \
  TRAJECTORY_DATABASE="$work/clinic/clinic.db" GTK_DEBUG=interactive \
  dbus-run-session -- "$session_script" >"$work/session.log" 2>&1 &
session=$!

deadline=$(( $(date +%s) + 90 ))
while [ ! -S "$work/run/wayland-0" ]; do
  kill -0 "$session" 2>/dev/null || { cat "$work/session.log"; fail "the session ended before cage started"; }
  [ "$(date +%s)" -lt "$deadline" ] || fail "cage did not start"
  sleep 0.2
done

# The kiosk is up once a screenshot is not blank (cage shows black until
# its one client draws).
shot="$builddir/tests/kiosk-cage.png"
while :; do
  if $as_user env XDG_RUNTIME_DIR="$work/run" WAYLAND_DISPLAY=wayland-0 grim "$work/run/shot.png" 2>/dev/null; then
    sd=$(convert "$work/run/shot.png" -format '%[fx:standard_deviation]' info:)
    if awk -v s="$sd" 'BEGIN { exit !(s > 0.02) }'; then break; fi
  fi
  kill -0 "$session" 2>/dev/null || { cat "$work/session.log"; fail "the session ended before the kiosk drew"; }
  [ "$(date +%s)" -lt "$deadline" ] || { cat "$work/session.log"; fail "the kiosk never drew (standard deviation ${sd:-none})"; }
  sleep 0.5
done
cp "$work/run/shot.png" "$shot"

# Fullscreen, no window frame: the top left corner is the kiosk's own
# background, not cage's black or a window shadow. (wlroots' headless backend
# leaves its output out of cage's layout, so cage cannot size the window to
# the output here as it does on a real screen: only the corner is checked.)
size=$(convert "$shot" -format '%w %h' info:)
w=${size% *}; h=${size#* }
lum=$(convert "$shot" -format "%[fx:p{1,1}.intensity]" info:)
awk -v l="$lum" 'BEGIN { exit !(l > 0.5) }' || fail "the top left corner is dark ($lum): the kiosk is not fullscreen"

# Still running: cage and the kiosk it started, and nothing else on screen.
running=$(for p in $(descendants "$session"); do ps -o args= -p "$p"; done)
echo "$running" | grep -q '^cage ' || fail "cage is not running"
echo "$running" | grep -q 'trajectory --kiosk --database' || fail "the kiosk is not running"
echo "ok: cage runs the kiosk as $owner on a ${w}x${h} headless output (screenshot: $shot)"
