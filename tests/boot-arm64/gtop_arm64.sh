#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# gtop end to end on arm64: tests/boot/gtop.sh with arm64 KVM's names of
# the exits of its exit-heavy VM (gvmm's cpuid vCPU exits with HVC64, an
# hvc KVM answers in the kernel; its io vCPU with DABT_LOW, an MMIO store
# that goes out to the VMM), and without x86's pf_mmio_spte_created
# (arm64 gvmm dies on any MMIO access but its own: a VM still running
# stayed inside its memory).
d=$(dirname "$0")
. "$d/lib.sh"
run=/tmp/gtop_arm64_run.sh
sed -e 's/(reason \$X io /(reason $X DABT_LOW /g' \
    -e 's/(reason \$X cpuid /(reason $X HVC64 /g' \
    -e 's/top_exit \/tmp\/exits.json)\\" = io \]/top_exit \/tmp\/exits.json)\\" = DABT_LOW ]/' \
    -e "s/'\\^io +\\[1-9\\]/'^DABT_LOW +[1-9]/; s/'\\^cpuid +\\[1-9\\]/'^HVC64 +[1-9]/" \
    -e '/^mmio=.*pf_mmio_spte_created/d' \
    -e 's/^check "\[ .\$mmio. = 0 \]" .*/check "kill -0 $X" "vm-exits stayed inside its memory (arm64 gvmm dies on a stray MMIO access)"/' \
    -e '/^\. "\$(dirname "\$0")\/lib.sh"$/d' \
    "$d/gtop.sh" > "$run"
# every x86 name replaced, nothing else: gtop.sh still reads as expected
[ "$(grep -o 'reason \$X DABT_LOW ' "$run" | wc -l)" = 2 ] &&
	[ "$(grep -o 'reason \$X HVC64 ' "$run" | wc -l)" = 3 ] &&
	grep -q '= DABT_LOW \]' "$run" &&
	grep -q "'^DABT_LOW +\[1-9\]" "$run" && grep -q "'^HVC64 +\[1-9\]" "$run" &&
	grep -q 'arm64 gvmm dies on a stray MMIO' "$run" &&
	! grep -Eq 'reason \$X (io|cpuid) |= io \]|pf_mmio_spte|lib\.sh"$' "$run" ||
	bail "tests/boot/gtop.sh no longer reads as gtop_arm64.sh expects"
. "$run"
