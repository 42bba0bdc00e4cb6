#!/bin/bash
# The patch series, patches/, is the source of the kernel side: every patch
# adds or changes what it needs, new files included, one logical change
# each, plus a cover letter.  The new kernel files are kept at their kernel
# paths in the repository too (kernel/, include/, virt/, Documentation/...),
# generated from the series; scripts/check-patches.sh proves they agree.
#
# The series in the repository names no author and carries no sign-off:
# those come from whoever generates a series to send or to git am (--signed).
#
#   export-patches.sh [DEVTREE]
#       Regenerate patches/ from DEVTREE (default build/dev): a git tree
#       of pristine linux-source-6.12 (its first commit) with one commit per
#       patch on top.  patches/NNNN-*.patch and patches/series (the patches
#       to apply, in order) come from git format-patch, without From: and
#       Signed-off-by: lines; patches/0000-cover-letter.patch keeps its
#       subject and text (written by hand, above the "Patches (N):" line)
#       and gets the list of patches and the diffstat anew.  Then the new
#       kernel files are regenerated from the series (as --files does).
#   export-patches.sh --files DIR
#       Write the files the series creates, as the series leaves them, to
#       DIR at their kernel paths; nothing else is needed for it.
#   export-patches.sh --signed DIR
#       Write the series to send, or to apply with git am, to DIR: the cover
#       letter and the patches of patches/series, numbered [PATCH n/N], with
#       From: and Signed-off-by: of your git identity (git config user.name
#       and user.email; GIT_AUTHOR_NAME and GIT_AUTHOR_EMAIL override them).
#       Fails if there is none.
#   export-patches.sh --init [DEVTREE]
#       Make DEVTREE (default build/dev) from pristine linux-source-6.12 and
#       the signed series (git am): your git identity is the author.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
pdir=$top/patches
tarball=/usr/src/linux-source-6.12.tar.xz
cover=0000-cover-letter.patch

die() { echo "export-patches.sh: $*" >&2; exit 1; }

# The patches to apply, in order (patches/series without comments).
series() { grep -v -e '^#' -e '^$' "$pdir/series"; }

# Subject of a patch file, unfolded, without its [PATCH...] prefix.
subject() {
	awk '/^$/ { exit } /^Subject: / { s = $0; on = 1; next }
	     on && /^[ \t]/ { s = s $0; next } { on = 0 }
	     END { sub(/^Subject: (\[PATCH[^]]*\] )?/, "", s); print s }' "$1"
}

# Drop the author (From: and its continuation lines) from the header, and
# every Signed-off-by: and the blank lines they leave at the end from the
# message of format-patch output.
neutralize() {
	awk 'hdr == 0 && /^$/ { hdr = 1; print; next }
	     hdr == 0 && /^From: / { skip = 1; next }
	     hdr == 0 && skip && /^[ \t]/ { next }
	     hdr == 0 { skip = 0; print; next }
	     hdr == 1 && /^---$/ { hdr = 2; blank = 0 }
	     hdr == 1 && /^Signed-off-by: / { next }
	     hdr == 1 && /^$/ { blank++; next }
	     { while (blank > 0) { print ""; blank-- } print }
	     END { while (blank > 0) { print ""; blank-- } }' "$1"
}

# The paths the series creates (new files), in order.
created() {
	local p
	for p in $(series); do
		awk '/^--- \/dev\/null$/ { getline; sub(/^\+\+\+ b\//, ""); print }' "$pdir/$p"
	done
}

files() {
	local out=$1 tmp p inc=() f
	mkdir -p "$out"
	tmp=$(mktemp -d)
	for f in $(created); do inc+=("--include=$f"); done
	[ ${#inc[@]} -gt 0 ] || { rm -rf "$tmp"; return 0; }
	# Outside any git repository: git apply as a better patch(1), which
	# can leave out the changes to files that are not new.
	for p in $(series); do
		(cd "$tmp" && git apply "${inc[@]}" "$pdir/$p") ||
			{ rm -rf "$tmp"; die "$p: the new files do not apply"; }
	done
	(cd "$tmp" && find . -type f -printf '%P\n') | while read -r f; do
		mkdir -p "$out/$(dirname "$f")"
		cp "$tmp/$f" "$out/$f"
	done
	rm -rf "$tmp"
}

# Your identity, "Name <email>", from git.
ident() {
	local name email
	name=${GIT_AUTHOR_NAME:-$(git -C "$top" config user.name || true)}
	email=${GIT_AUTHOR_EMAIL:-$(git -C "$top" config user.email || true)}
	[ -n "$name" ] && [ -n "$email" ] ||
		die "no git identity: git config --global user.name 'Your Name'; git config --global user.email you@example.org"
	printf '%s <%s>\n' "$name" "$email"
}

signed() {
	local out=$1 id from n total i p f
	id=$(ident)
	from=$id
	# A name that is not plain ASCII is MIME-encoded, as format-patch does.
	if LC_ALL=C grep -q '[^ -~]' <<<"${id% <*}"; then
		from="=?UTF-8?b?$(printf '%s' "${id% <*}" | base64 -w0)?= <${id##* <}"
	fi
	mkdir -p "$out"
	total=$(series | wc -l)
	i=0
	for p in "$cover" $(series); do
		f=$pdir/$p
		[ -f "$f" ] || die "$f missing"
		awk -v from="$from" -v id="$id" -v name="${id% <*}" -v n="$i" -v total="$total" \
		    -v cover="$([ "$p" = "$cover" ] && echo 1 || echo 0)" '
			NR == 1 { print; print "From: " from; next }
			hdr == 0 && /^Subject: \[PATCH\] / {
				sub(/^Subject: \[PATCH\] /, "Subject: [PATCH " n "/" total "] ")
			}
			hdr == 0 && /^$/ { hdr = 1 }
			cover && /^Patches \([0-9]+\):$/ { sub(/^Patches/, name) }
			!cover && hdr == 1 && /^---$/ {
				if (prev != "" && prev !~ /^[A-Za-z-]+: /) print ""
				print "Signed-off-by: " id
				hdr = 2
			}
			{ print; prev = $0 }' "$f" > "$out/$p"
		i=$((i + 1))
	done
	echo "export-patches.sh: $((total + 1)) files in $out, from $id"
}

init() {
	local dev=$1 tmp
	[ -e "$dev" ] && die "$dev exists"
	[ -f "$tarball" ] || die "$tarball missing (apt-get install linux-source-6.12)"
	tmp=$(mktemp -d)
	signed "$tmp" >/dev/null
	mkdir -p "$dev"
	tar -xJf "$tarball" -C "$dev" --strip-components=1
	git -C "$dev" init -q
	git -C "$dev" add -A -f .
	git -C "$dev" commit -q -m "pristine linux-source-6.12"
	git -C "$dev" am -q $(for p in $(series); do echo "$tmp/$p"; done)
	rm -rf "$tmp"
	git -C "$dev" log --oneline
}

export_series() {
	local dev=$1 base tmp new f p subj blurb n old
	base=$(git -C "$dev" rev-list --max-parents=0 HEAD)
	tmp=$(mktemp -d)
	new=$tmp/new
	mkdir -p "$new"
	git -C "$dev" format-patch -q --cover-letter -N --no-signature --zero-commit --abbrev=12 \
		-o "$tmp/raw" "$base..HEAD"
	for f in "$tmp"/raw/[0-9]*.patch; do
		neutralize "$f" > "$new/$(basename "$f")"
	done
	# The cover letter: its subject and text from the one in patches/.
	old=$pdir/$cover
	if [ -f "$old" ]; then
		subj=$(subject "$old")
		blurb=$(awk 'hdr && /^Patches \([0-9]+\):$/ { exit }
			     hdr { print } /^$/ { hdr = 1 }' "$old")
	else
		echo "export-patches.sh: no $old yet: write its subject and text" >&2
		subj='*** SUBJECT HERE ***'
		blurb='*** BLURB HERE ***'
	fi
	n=$(ls "$tmp"/raw/[0-9]*.patch | grep -vc "/$cover\$")
	printf '%s\n' "$blurb" | sed -e :a -e '/^\n*$/{$d;N;ba' -e '}' > "$tmp/blurb"
	awk -v subj="$subj" -v date="$(git -C "$dev" log -1 --format=%aD HEAD)" \
	    -v blurbfile="$tmp/blurb" -v n="$n" '
		hdr == 0 && /^Date: / { print "Date: " date; next }
		hdr == 0 && /^Subject: / { print "Subject: [PATCH] " subj; skip = 1; next }
		hdr == 0 && skip && /^[ \t]/ { next }
		{ skip = 0 }
		hdr == 0 && /^$/ { hdr = 1; print; next }
		hdr == 1 && /^\*\*\* BLURB HERE \*\*\*$/ {
			while ((getline l < blurbfile) > 0) print l
			next
		}
		hdr == 1 && /^[^ ].* \([0-9]+\):$/ { print "Patches (" n "):"; next }
		{ print }' "$new/$cover" > "$tmp/cover"
	mv "$tmp/cover" "$new/$cover"

	rm -f "$pdir"/*.patch
	cp "$new"/*.patch "$pdir/"
	(cd "$pdir" && ls [0-9]*.patch | grep -v "^$cover\$") > "$pdir/series"
	rm -rf "$tmp"

	# The new kernel files, from the series.
	tmp=$(mktemp -d)
	files "$tmp"
	for f in $(cd "$top" && git ls-files -- kernel fs include virt arch Documentation); do
		[ -f "$tmp/$f" ] || { rm -f "$top/$f"; echo "export-patches.sh: $f is no new file of the series: removed"; }
	done
	(cd "$tmp" && find . -type f -printf '%P\n') | while read -r f; do
		mkdir -p "$top/$(dirname "$f")"
		cmp -s "$tmp/$f" "$top/$f" || cp "$tmp/$f" "$top/$f"
	done
	rm -rf "$tmp"
	for p in "$cover" $(series); do
		echo "$p: $(subject "$pdir/$p")"
	done
}

case "${1:-}" in
--files) files "${2:?--files DIR}" ;;
--signed) signed "${2:?--signed DIR}" ;;
--init) init "${2:-$top/build/dev}" ;;
-*) sed -n '2,/^set /p' "$0" | sed '$d; s/^# \{0,1\}//' >&2; exit 2 ;;
*) export_series "${1:-$top/build/dev}" ;;
esac
