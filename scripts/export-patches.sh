#!/bin/bash
# Regenerate patches/ and the new kernel files from the development tree.
#
#   export-patches.sh [DEVTREE]   (default build/dev)
#
# DEVTREE is a git tree of pristine linux-source-6.12 (first commit) with
# one commit per patch on top.  Files that are new in the tree (untracked
# there) are copied back to their kernel paths in the repository; changes to
# existing files become patches/NNNN-*.patch and patches/series.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
dev=${1:-$top/build/dev}
base=$(git -C "$dev" rev-list --max-parents=0 HEAD)

rm -f "$top"/patches/*.patch
git -C "$dev" format-patch -q --no-signature --zero-commit -N \
	-o "$top/patches" "$base..HEAD"
(cd "$top/patches" && ls [0-9]*.patch) > "$top/patches/series"

git -C "$dev" ls-files --others -- kernel fs include virt arch Documentation | while read -r f; do
	mkdir -p "$top/$(dirname "$f")"
	cp "$dev/$f" "$top/$f"
done
cat "$top/patches/series"
