#!/bin/bash
# The patch series applies with fuzz 0 to pristine linux-source-6.12, every
# patch is a git format-patch with a commit message, and checkpatch --strict
# is clean on every patch and every new kernel file (sign-off aside).
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
src=$top/build/linux
pass=0 fail=0

ok()  { echo "ok - $*"; pass=$((pass + 1)); }
bad() { echo "not ok - $*"; fail=$((fail + 1)); }

if "$top/scripts/kernel.sh" tree "$src"; then
	ok "patches/series applies with fuzz 0"
else
	bad "patches/series applies with fuzz 0"
	echo "$pass passed, $fail failed"
	exit 1
fi

cp=$src/scripts/checkpatch.pl
while read -r p; do
	case "$p" in ''|'#'*) continue ;; esac
	f=$top/patches/$p
	if head -1 "$f" | grep -q '^From 0\{40\} ' && grep -q '^Subject: \[PATCH' "$f" &&
	   [ "$(sed -n '/^Subject:/,/^---$/p' "$f" | wc -l)" -gt 5 ]; then
		ok "$p is a format-patch with a commit message"
	else
		bad "$p is a format-patch with a commit message"
	fi
	out=$(perl "$cp" --strict --no-tree --no-signoff --terse "$f" 2>&1)
	if [ -z "$out" ]; then
		ok "checkpatch --strict $p"
	else
		bad "checkpatch --strict $p"; echo "$out" | sed 's/^/#   /'
	fi
done < "$top/patches/series"

for f in $(cd "$top" && git ls-files -co --exclude-standard -- kernel fs include virt arch Documentation | grep -v "\.rst$"); do
	out=$(cd "$top" && perl "$cp" --strict --no-tree --terse -f "$f" 2>&1)
	if [ -z "$out" ]; then
		ok "checkpatch --strict -f $f"
	else
		bad "checkpatch --strict -f $f"; echo "$out" | sed 's/^/#   /'
	fi
done

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
