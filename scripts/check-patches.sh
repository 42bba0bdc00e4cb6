#!/bin/bash
# make check-patches: the patch series (patches/, see export-patches.sh) is
# complete, consistent, checkpatch clean and bisectable.
#
#  1. patches/series applies with fuzz 0 to pristine linux-source-6.12
#     (scripts/kernel.sh tree build/linux).
#  2. The new kernel files kept at their kernel paths in the repository
#     are exactly the files the series creates, with the same content.
#  3. Every patch is git format-patch output with a commit message, and
#     names no author and carries no sign-off (those come from whoever
#     generates the series: export-patches.sh --signed); the cover letter
#     has a subject and text and lists the series as it is.
#  4. checkpatch --strict is clean on every patch (sign-off aside) and on
#     every new file; and on the series signed by export-patches.sh
#     --signed (with a stand-in identity, so that it needs none from git,
#     as in CI), sign-offs included.
#  5. Bisectable: the test kernel (tinyconfig + config/test-kernel.config
#     + the KUnit suites) builds after each patch, incrementally, in one
#     object tree (build/check-patches/kernel, with ccache), modules and
#     modpost included.
#  6. A kernel without KVM (the same config, KVM off) builds none of the
#     new objects.
#
# CHECK_PATCHES_BUILD=0 leaves out 5 and 6.
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
src=$top/build/linux
pdir=$top/patches
cover=0000-cover-letter.patch
tarball=/usr/src/linux-source-6.12.tar.xz
pass=0 fail=0

ok()  { echo "ok - $*"; pass=$((pass + 1)); }
bad() { echo "not ok - $*"; fail=$((fail + 1)); }
# A check: ok or not ok, by the exit status of the command.
check() { local d=$1; shift; if "$@"; then ok "$d"; else bad "$d"; fi; }
not() { ! "$@"; }
finish() { echo "$pass passed, $fail failed"; [ "$fail" -eq 0 ]; exit; }

series() { grep -v -e '^#' -e '^$' "$pdir/series"; }
subject() {
	awk '/^$/ { exit } /^Subject: / { s = $0; on = 1; next }
	     on && /^[ \t]/ { s = s $0; next } { on = 0 }
	     END { sub(/^Subject: (\[PATCH[^]]*\] )?/, "", s); print s }' "$1"
}
# The paths a patch creates.
created() { awk '/^--- \/dev\/null$/ { getline; sub(/^\+\+\+ b\//, ""); print }' "$@"; }

# 1. The series applies.
if "$top/scripts/kernel.sh" tree "$src"; then
	ok "patches/series applies with fuzz 0"
else
	bad "patches/series applies with fuzz 0"
	finish
fi

# 2. The new files at their kernel paths are the series' own.
new=$(cd "$pdir" && created $(series) | sort)
kept=$(cd "$top" && git ls-files -co --exclude-standard -- kernel fs include virt arch Documentation | sort)
if [ "$new" = "$kept" ]; then
	ok "the repository keeps exactly the files the series creates ($(echo "$new" | wc -w))"
else
	bad "the repository keeps exactly the files the series creates"
	diff <(echo "$new") <(echo "$kept") | sed -n 's/^</#   created by the series, not in the repository:/p; s/^>/#   in the repository, not created by the series:/p'
fi
for f in $kept; do
	check "$f is as the series leaves it" cmp -s "$top/$f" "$src/$f"
done

# 3. Format, no identity, the cover letter.
n=0
for p in $(series); do
	n=$((n + 1))
	f=$pdir/$p
	if head -1 "$f" | grep -q '^From 0\{40\} ' && grep -q '^Subject: \[PATCH\] ' "$f" &&
	   [ "$(sed -n '/^Subject:/,/^---$/p' "$f" | wc -l)" -gt 5 ]; then
		ok "$p is a format-patch with a commit message"
	else
		bad "$p is a format-patch with a commit message"
	fi
done
strays=$(cd "$pdir" && ls *.patch | grep -vxF -f <(series; echo "$cover"))
check "patches/ holds the cover letter and the patches of patches/series only${strays:+ (not: $strays)}" \
	test -z "$strays"
ids=$(cd "$pdir" && grep -l -e '^From: ' -e '^Signed-off-by: ' "$cover" $(series))
check "the patches name no author and carry no sign-off${ids:+ (see $ids)}" test -z "$ids"
cover_ok() {
	local c=$pdir/$cover s
	[ -f "$c" ] && head -1 "$c" | grep -q '^From 0\{40\} ' || return 1
	s=$(subject "$c")
	[ -n "$s" ] && ! grep -q '\*\*\* \(SUBJECT\|BLURB\) HERE \*\*\*' "$c" || return 1
	# The list of patches after "Patches (N):", continuation lines joined.
	diff <(awk '/^Patches \([0-9]+\):$/ { on = 1; next } on && /^$/ { exit }
		    on && /^    / { sub(/^ +/, " "); l = l $0; next }
		    on { if (l != "") print l; l = $0; sub(/^  /, "", l) }
		    END { if (l != "") print l }' "$c") \
	     <(for p in $(series); do subject "$pdir/$p"; done) >/dev/null &&
		grep -qx "Patches ($n):" "$c"
}
check "$cover: a subject, a text, and the list of the $n patches" cover_ok

# 4. checkpatch, on absolute paths (relative ones give false whitespace
# errors).  It asks whether MAINTAINERS needs updating for every new file,
# unless the patch changes MAINTAINERS: instead, every new file must have a
# MAINTAINERS entry of its own (not only THE REST).
cp=$src/scripts/checkpatch.pl
checkpatch() {
	local d=$1 out; shift
	out=$(perl "$cp" --strict --no-tree --terse --ignore FILE_PATH_CHANGES "$@" 2>&1)
	if [ -z "$out" ]; then ok "$d"; else bad "$d"; echo "$out" | sed 's/^/#   /'; fi
}
for p in $(series); do
	checkpatch "checkpatch --strict $p" --no-signoff "$pdir/$p"
done
for f in $(echo "$kept" | grep -v '\.rst$'); do
	checkpatch "checkpatch --strict -f $f" -f "$src/$f"
done
for f in $new; do
	s=$(cd "$src" && perl scripts/get_maintainer.pl --no-git --no-git-fallback --sections -f "$f" 2>/dev/null |
		grep -v -e '^[A-Z]:' -e '^$' -e '^THE REST$' | paste -sd, -)
	check "$f has maintainers${s:+ ($s)}" test -n "$s"
done
signed=$(mktemp -d)
if GIT_AUTHOR_NAME="Check Patches" GIT_AUTHOR_EMAIL=check-patches@example.org \
	"$top/scripts/export-patches.sh" --signed "$signed" >/dev/null; then
	ok "export-patches.sh --signed writes the series with a git identity"
	for p in $(series); do
		checkpatch "checkpatch --strict $p, signed" "$signed/$p"
	done
	# Signed, a patch is the repository's one plus From:, Signed-off-by:
	# (after a blank line), its number and, in the cover letter, the
	# author of the patches.
	unsign() {
		awk '/^From: Check Patches / { next }
		     /^Signed-off-by: Check Patches / { held = 0; next }
		     held { print ""; held = 0 }
		     /^$/ { held = 1; next }
		     { sub(/^Subject: \[PATCH [0-9]+\/[0-9]+\] /, "Subject: [PATCH] ")
		       sub(/^Check Patches \(/, "Patches (")
		       print }
		     END { if (held) print "" }' "$1"
	}
	same=1
	for p in "$cover" $(series); do
		cmp -s <(unsign "$signed/$p") "$pdir/$p" || { same=0; echo "#   $p"; }
	done
	check "the signed series differs from patches/ by From:, Signed-off-by: and numbers only" \
		test $same = 1
else
	bad "export-patches.sh --signed writes the series with a git identity"
fi
rm -rf "$signed"

[ "${CHECK_PATCHES_BUILD:-1}" = 0 ] && finish

# 5. A kernel after each patch.  The tree build/check-patches/linux goes
# from pristine through every patch; only the files a patch changes get
# a new mtime, so each build is incremental (ccache does the rest).
B=$top/build/check-patches
tree=$B/linux obj=$B/kernel
jobs=$(nproc)
cc=gcc
command -v ccache >/dev/null && cc="ccache gcc"
export CCACHE_DIR=${CCACHE_DIR:-$HOME/.ccache}
export CCACHE_BASEDIR=${CCACHE_BASEDIR:-$top} CCACHE_NOHASHDIR=1
kmake() { nice make -C "$tree" CC="$cc" "$@"; }
mkdir -p "$B/logs"

# The KUnit suites of the series, in the same kernel as KVM's modules.
cat > "$B/kunit.config" <<'EOF'
CONFIG_KUNIT=y
CONFIG_RUNTIME_TESTING_MENU=y
# CONFIG_KUNIT_DEFAULT_ENABLED is not set
CONFIG_GUEST_UTIL_KUNIT_TEST=y
CONFIG_KVM_EXIT_TIMING_KUNIT_TEST=y
EOF
cat > "$B/nokvm.config" <<'EOF'
# CONFIG_VIRTUALIZATION is not set
# CONFIG_KVM is not set
# CONFIG_KUNIT is not set
# CONFIG_GUEST_UTIL_KUNIT_TEST is not set
EOF

if [ ! -f "$tree/.pristine" ] || [ "$(cat "$tree/.pristine")" != "$(stat -c %Y "$tarball")" ]; then
	rm -rf "$tree"
	mkdir -p "$tree"
	tar -xJf "$tarball" -C "$tree" --strip-components=1 || { bad "unpack $tarball"; finish; }
	stat -c %Y "$tarball" > "$tree/.pristine"
	: > "$B/touched"
fi
# Every file the series touches now or touched in an earlier run, and its
# pristine copy (new files have none).
touched=$( (cat "$B/touched" 2>/dev/null; cd "$pdir" && cat $(series) |
	sed -n 's/^+++ b\///p; s/^--- a\///p') | sort -u)
echo "$touched" > "$B/touched"
rm -rf "$B/pristine" "$B/state"
mkdir -p "$B/pristine"
# shellcheck disable=SC2046
tar -xJf "$tarball" -C "$B/pristine" --strip-components=1 \
	$(sed 's|^|linux-source-6.12/|' <<<"$touched") 2>/dev/null
cp -a "$B/pristine" "$B/state"

# Make the tree what the state is, for the touched files.
sync_tree() {
	local f
	for f in $touched; do
		if [ -f "$B/state/$f" ]; then
			cmp -s "$B/state/$f" "$tree/$f" && continue
			mkdir -p "$tree/$(dirname "$f")"
			cp "$B/state/$f" "$tree/$f"
		else
			rm -f "$tree/$f"
		fi
	done
}

# tinyconfig + the fragments (a later line wins); with -c, fail if the
# config lost an option of them.
configure() {
	local o=$1 strict=$2 line opt bad=0; shift 2
	kmake -s O="$o" tinyconfig >/dev/null &&
		"$tree/scripts/kconfig/merge_config.sh" -Q -m -O "$o" "$o/.config" "$@" >/dev/null &&
		kmake -s O="$o" olddefconfig >/dev/null || return 1
	[ "$strict" = -c ] || return 0
	while read -r line; do
		case "$line" in
		'# CONFIG_'*' is not set') opt=${line#\# }; opt=${opt%% *}
			grep -q "^$opt=" "$o/.config" && { echo "# lost: $line"; bad=1; } ;;
		CONFIG_*) grep -qx "$line" "$o/.config" || { echo "# lost: $line"; bad=1; } ;;
		esac
	done < <(cat "$@" | awk '
		/^CONFIG_[A-Za-z0-9_]+=/ { o = $0; sub(/=.*/, "", o) }
		/^# CONFIG_[A-Za-z0-9_]+ is not set/ { o = $2 }
		o != "" { if (!(o in v)) n[++k] = o; v[o] = $0; o = "" }
		END { for (i = 1; i <= k; i++) print v[n[i]] }')
	return $bad
}

build() {
	local o=$1 log=$2 targets=bzImage
	grep -q '^CONFIG_[A-Za-z0-9_]*=m$' "$o/.config" && targets="bzImage modules"
	# shellcheck disable=SC2086
	kmake O="$o" -j"$jobs" KCFLAGS=-Werror $targets > "$log" 2>&1
}

frags=("$top/config/test-kernel.config" "$B/kunit.config")
k=0
last=$(series | tail -1)
for p in $(series); do
	k=$((k + 1))
	if ! patch -d "$B/state" -p1 --fuzz=0 --no-backup-if-mismatch -s < "$pdir/$p"; then
		bad "$p applies on the ones before it"
		finish
	fi
	sync_tree
	strict=
	[ "$p" = "$last" ] && strict=-c
	t0=$(date +%s)
	log=$B/logs/$(printf %04d $k).log
	if ! configure "$obj" "$strict" "${frags[@]}" > "$log.config" 2>&1; then
		bad "$p: the test kernel's config${strict:+ (every option of the fragments)}"
		sed 's/^/#   /' "$log.config"
		finish
	fi
	if build "$obj" "$log"; then
		ok "$p: the test kernel builds ($(( $(date +%s) - t0 )) s)"
	else
		bad "$p: the test kernel builds (log: $log)"
		grep -E 'error|Error|undefined|warning' "$log" | head -20 | sed 's/^/#   /'
		finish
	fi
done
for o in GUEST_UTIL HAVE_KVM_GUEST_UTIL HAVE_KVM_EXIT_TIMING GUEST_UTIL_KUNIT_TEST \
	 KVM_EXIT_TIMING_KUNIT_TEST; do
	check "the test kernel has CONFIG_$o" grep -qx "CONFIG_$o=y" "$obj/.config"
done

# 6. The whole series, without KVM.
nokvm=$B/kernel-nokvm
t0=$(date +%s)
if configure "$nokvm" - "$top/config/test-kernel.config" "$B/nokvm.config" > "$B/logs/nokvm.log.config" 2>&1 &&
   build "$nokvm" "$B/logs/nokvm.log"; then
	ok "a kernel without KVM builds ($(( $(date +%s) - t0 )) s)"
	objs=$(cd "$pdir" && created $(series) | sed -n 's/\.c$/.o/p')
	left=$(for o in $objs; do [ -e "$nokvm/$o" ] && echo "$o"; done)
	check "a kernel without KVM has neither KVM nor CONFIG_GUEST_UTIL" \
		not grep -q -e '^CONFIG_KVM=' -e '^CONFIG_GUEST_UTIL=' "$nokvm/.config"
	check "a kernel without KVM builds none of the new objects${left:+ (built: $left)}" test -z "$left"
	check "a kernel without KVM has no guest_util sysctl nor static keys" \
		not grep -qw -e guest_util_key -e guest_exit_timing_key -e guest_util_sysctl \
		<(nm "$nokvm/vmlinux")
else
	bad "a kernel without KVM builds (log: $B/logs/nokvm.log)"
	sed 's/^/#   /' "$B/logs/nokvm.log.config"
	grep -E 'error|Error|undefined' "$B/logs/nokvm.log" | head -20 | sed 's/^/#   /'
fi
finish
