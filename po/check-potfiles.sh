#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Checks that po/POTFILES.in lists exactly the files that hold translatable
# strings, so a new .c or .ui file cannot silently drop out of translation.
#
# Usage: po/check-potfiles.sh [SOURCE_ROOT]
#
# A file under src/, ui/ or data/ needs a POTFILES.in line when it has
#   - .c/.h:  _( , N_( , C_( , NC_( , g_dgettext( , ngettext( , ... (spaces allowed before "(")
#   - .ui:    translatable="yes"
#   - data/:  any *.desktop.in, *.metainfo.xml.in, or a *.gschema.xml with a gettext-domain
# Every POTFILES.in line must name a file that exists.

set -u
export LC_ALL=C

root=${1:-$(dirname "$0")/..}
cd "$root" || { echo "check-potfiles: cannot enter source root '$root'" >&2; exit 2; }

potfiles=po/POTFILES.in
if [[ ! -f $potfiles ]]; then
  echo "check-potfiles: $potfiles not found under '$root'" >&2
  exit 2
fi

# Entries: strip comments, surrounding blanks and an optional "[type: ...]" prefix.
mapfile -t listed < <(sed -e 's/#.*//' -e 's/^[[:space:]]*\(\[[^]]*\][[:space:]]*\)\{0,1\}//' \
                          -e 's/[[:space:]]*$//' "$potfiles" | grep -v '^$')

declare -A in_list=()
status=0
dups=()
for f in "${listed[@]}"; do
  [[ -n ${in_list[$f]:-} ]] && dups+=("$f")
  in_list[$f]=1
done

# Files that need translating.
c_re='(^|[^A-Za-z0-9_])(N_|C_|NC_|_|g_dgettext|g_dngettext|g_dpgettext2?|ngettext|gettext|dgettext|pgettext)[[:space:]]*\('
needed=()
while IFS= read -r -d '' f; do
  f=${f#./}
  case $f in
    *.c|*.h)
      # A "#define _(s) ..." line is not a use.
      grep -vE '^[[:space:]]*#[[:space:]]*define' "$f" | grep -qE "$c_re" && needed+=("$f") ;;
    *.ui)
      grep -qE 'translatable="(yes|true|1)"' "$f" && needed+=("$f") ;;
    *.desktop.in|*.metainfo.xml.in|*.appdata.xml.in)
      needed+=("$f") ;;
    *.gschema.xml)
      grep -q 'gettext-domain=' "$f" && needed+=("$f") ;;
  esac
done < <(find src ui data \( -name '.*' -prune \) -o -type f \
              \( -name '*.c' -o -name '*.h' -o -name '*.ui' -o -name '*.desktop.in' \
                 -o -name '*.metainfo.xml.in' -o -name '*.appdata.xml.in' -o -name '*.gschema.xml' \) \
              -print0 2>/dev/null | sort -z)

missing=()
for f in "${needed[@]}"; do
  [[ -z ${in_list[$f]:-} ]] && missing+=("$f")
done

stale=()
for f in "${listed[@]}"; do
  [[ -f $f ]] || stale+=("$f")
done

if (( ${#missing[@]} )); then
  status=1
  echo "po/POTFILES.in is missing ${#missing[@]} file(s) with translatable strings."
  echo "Add these lines to po/POTFILES.in:"
  printf '  %s\n' "${missing[@]}"
fi
if (( ${#stale[@]} )); then
  status=1
  echo "po/POTFILES.in lists ${#stale[@]} file(s) that do not exist."
  echo "Remove these lines from po/POTFILES.in:"
  printf '  %s\n' "${stale[@]}"
fi
if (( ${#dups[@]} )); then
  status=1
  echo "po/POTFILES.in lists ${#dups[@]} file(s) more than once."
  echo "Remove the repeated lines from po/POTFILES.in:"
  printf '  %s\n' "${dups[@]}"
fi

if (( status == 0 )); then
  echo "po/POTFILES.in lists all ${#needed[@]} file(s) with translatable strings."
fi
exit $status
