#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# cli.sh - batch mode and command line tests against fixture trees
# (tests/mkfixture.sh) and, when possible, the live host with gvmm.
#   GTOP=binary  O=build dir   needs: jq, promtool (Debian: prometheus)
set -u
here=$(cd "$(dirname "$0")" && pwd)
GTOP=${GTOP:?}
O=${O:?}
GVMM=${GVMM:-$(cd "$here/../../.." && pwd)/build/tests/gvmm}
fx=$O/fixtures
tmp=$O/cli.tmp
mkdir -p "$fx" "$tmp"
pass=0
fail=0

ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }
# t NAME COMMAND...: the command must succeed
t() { n=$1; shift; if "$@" > /dev/null 2>&1; then ok; else bad "$n"; fi; }
# jqt NAME FILE FILTER: jq -e FILTER on every line of FILE
jqt() {
	if [ -s "$2" ] && jq -e "$3" "$2" > /dev/null 2>&1; then ok; else
		bad "$1: jq '$3' on $2"; fi
}
# usage ARGS...: exit status 2, message on stderr, nothing on stdout
usage() {
	"$GTOP" "$@" > "$tmp/out" 2> "$tmp/err" < /dev/null
	rc=$?
	if [ $rc = 2 ] && [ -s "$tmp/err" ] && [ ! -s "$tmp/out" ]; then ok; else
		bad "usage error for '$*': rc=$rc"; fi
}

for v in new old sysctl0 nodebugfs hostile; do
	sh "$here/mkfixture.sh" "$fx/$v" "$v" 4
done
run() { r=$1; shift; "$GTOP" --root="$fx/$r" -b -d 0.05 "$@"; }

# --- command line --------------------------------------------------------
t help "$GTOP" --help
"$GTOP" --help | grep -q 'Usage: gtop' && ok || bad "help text"
"$GTOP" --version | grep -Eq '^gtop [0-9]' && ok || bad version
usage -d -1
usage -d 0
usage -d x
usage -n x
usage -n 0
usage -n
usage -o xml
usage --sort=bogus
usage --bogus
usage -q
usage extra
usage --listen=
usage --listen=x:1
usage --listen=65536
usage --listen=::1:80
usage --listen=9101 -b
usage --listen=9101 -o json
"$GTOP" --root="$fx/new" < /dev/null > "$tmp/out" 2> "$tmp/err"
[ $? = 1 ] && grep -q 'not a terminal' "$tmp/err" && ok || bad "no tty"

# --- JSON on the patched kernel ------------------------------------------
run new -n 3 -o json > "$tmp/new.json"; rc=$?
[ $rc = 0 ] && ok || bad "json rc $rc"
[ "$(wc -l < "$tmp/new.json")" = 3 ] && ok || bad "3 JSON lines"
jqt json-valid "$tmp/new.json" '.time > 0'
j="$tmp/new.json"
jqt order "$j" '[.vms[].pid] == [1000, 2000, 3000]'
jqt web "$j" '.vms[0] | .name == "web" and .cpu_pct == 100 and
	.guest_pct == 80 and .guest_user_pct == 60 and
	.guest_system_pct == 20 and .host_pct == 20 and
	.exits_per_s == 120 and .exit_time_pct == 0.08 and
	.top_exit == "cpuid" and .nvcpus == 2'
jqt web-vcpus "$j" '.vms[0].vcpus | length == 2 and .[0].index == 0 and
	.[0].tid == 1002 and .[0].cpu_pct == 55 and .[0].guest_user_pct == 35
	and .[1].tid == 1003 and .[1].exits_per_s == 50 and
	.[1].last_cpu == 1'
jqt hostile-name "$j" '.vms[1].name == "evil) R 1 (x" and
	.vms[1].guest_system_pct == 20 and .vms[1].top_exit == "EPT_VIOLATION"'
# wall time of web (mkfixture.sh): parts and rest add up to 100
jqt wall-vm "$j" '.vms[0] | .wall_guest_pct == 40 and
	.wall_guest_user_pct == 30 and .wall_guest_system_pct == 10 and
	.wall_host_kernel_pct == 0 and .wall_vmm_user_pct == 5 and
	.wall_halted_pct == 23.5 and .wall_wait_pct == 2.5 and
	.wall_rest_pct == 29 and .sources == "guest=exit_timing split=stat kernel=exit_timing vmm=stat halted=exit_timing wait=schedstat exits=exit_timing"'
jqt wall-vcpu "$j" '.vms[0].vcpus[1] | .wall_guest_pct == 35 and
	.wall_halted_pct == 47 and .wall_wait_pct == 3 and .wall_rest_pct == 10
	and .wait_seconds > 0.2'
jqt wall-sum "$j" '[.vms[], .vms[].vcpus[] | select(.wall_rest_pct != null) |
	.wall_guest_pct + .wall_host_kernel_pct + .wall_vmm_user_pct +
	(.wall_halted_pct // 0) + (.wall_wait_pct // 0) + .wall_rest_pct |
	. > 99.99 and . < 100.01] | all and length == 8'
# no schedstat, no exit timing for fc-1: wait and halted unknown, not 0
jqt wall-unknown "$j" '.vms[2] | .wall_wait_pct == null and
	.wall_halted_pct == null and .wall_host_kernel_pct != null and
	.cgroup == "/kubepods.slice/kubepods-pod42.slice/cri-containerd-fc1.scope"'
jqt identity "$j" '.vms[0].uuid == "c3f6e4e6-1b2a-4c5d-8e9f-0a1b2c3d4e5f"
	and (.vms[0].cgroup | startswith("/machine.slice/machine-qemu"))
	and .vms[1].uuid == null and .vms[1].cgroup == null'
run new -n 1 -o json -f kubepods > "$tmp/f.json"
jqt filter-cgroup "$tmp/f.json" '[.vms[].name] == ["fc-1"]'
run new -n 1 -o json -f c3f6e4e6 > "$tmp/f.json"
jqt filter-uuid "$tmp/f.json" '[.vms[].name] == ["web"]'
jqt firecracker "$j" '.vms[2] | .name == "fc-1" and .exits_per_s == null
	and .exit_time_pct == null and .cpu_pct == 10 and
	(.vcpus | map(.index) == [0, 1])'
jqt cpus "$j" '.cpu_total.host_user_pct == 15 and
	.cpu_total.host_system_pct == 15.5 and .cpu_total.guest_pct == 30 and
	.cpu_total.guest_user_pct == 17.5 and .cpu_total.steal_pct == 2 and
	.cpu_total.idle_pct == 37.5 and (.cpus | length == 2) and
	.cpus[1].guest_system_pct == 15 and .cpus[0].host_system_pct == 21'
jqt schema "$j" '.schema == 2'
tail -1 "$j" > "$tmp/new3.json"
jqt counters "$tmp/new3.json" '.vms[0] | .cpu_seconds == 12 and
	.guest_seconds == 8.4 and .guest_user_seconds == 6.3 and
	.guest_system_seconds == 2.1 and .exit_count == 2160 and
	.exit_seconds == 0.01 and .halted_seconds == 1.566'
jqt counters-unknown "$tmp/new3.json" '.vms[2].exit_count == null and
	.vms[2].exit_seconds == null and .vms[2].guest_user_seconds == 0.32 and
	.cpus[1].guest_user_seconds == 1.65'
jqt status "$j" '.guest_split == "on" and .sysctl == 1 and
	.exit_timing == "ok" and .vm_count == 3 and .vcpu_count == 5 and
	.interval > 0'
# sorting by any field, both directions
run new -n 1 -o json --sort=guest_user > "$tmp/s.json"
jqt sort-gu "$tmp/s.json" '[.vms[].pid] == [1000, 2000, 3000]'
run new -n 1 -o json --sort=name > "$tmp/s.json"
jqt sort-name "$tmp/s.json" '[.vms[].name] == ["evil) R 1 (x", "fc-1", "web"]'
run new -n 1 -o json --sort=pid -R > "$tmp/s.json"
jqt sort-pid-r "$tmp/s.json" '[.vms[].pid] == [3000, 2000, 1000]'
run new -n 1 -o json --sort=exits_per_s -R > "$tmp/s.json"
jqt sort-unknown-last "$tmp/s.json" '[.vms[].pid] == [2000, 1000, 3000]'
run new -n 1 -o json -f fc > "$tmp/s.json"
jqt filter "$tmp/s.json" '[.vms[].pid] == [3000]'
run new -n 1 -o json -x > "$tmp/x.json"
jqt exit-reasons "$tmp/x.json" '.vms[0].exit_reasons | map(.reason) ==
	["io", "cpuid"] and .[1].exits_per_s == 100 and .[0].user_exits > 0'
jqt exit-guest "$tmp/x.json" '.vms[0].guest.reason == "<guest>" and
	.vms[0].halted.count > 0 and .vms[2].exit_reasons == null'

# --- degraded kernels ------------------------------------------------------
run old -n 1 -o json > "$tmp/old.json"
jqt old "$tmp/old.json" '.guest_split == "unsupported" and .sysctl == null
	and .exit_timing == "unsupported" and .vms[0].guest_pct == 80 and
	.vms[0].guest_user_pct == null and .cpu_total.guest_pct == 30 and
	.cpu_total.guest_user_pct == null and .vms[0].exits_per_s == null and
	.vms[0].kvm_stat_exits_per_s == 120 and
	.vms[0].exit_time_pct == null and .vms[0].halt_exits_per_s == 10 and
	(.vms[0].sources | test("halted=kvm_stats")) and .vms[0].vcpus[0].exits_per_s == null
	and .kvm_stats == "ok"'
jqt new-kvm-stats-unused "$tmp/new.json" '.kvm_stats == "unused"'
run old -n 1 > "$tmp/old.txt"
grep -q 'Guest split: n/a, kernel lacks guest_user/guest_system' \
	"$tmp/old.txt" && ok || bad "old status line"
grep -Eq '^ +1000 web +2 +100\.0 +80\.0 +- +- +20\.0 +- +- - +120 +\[g+svh+\.+\] +[^ ]+ +- /machine\.slice/' \
	"$tmp/old.txt" && ok || bad "old: dashes in the text table"
run sysctl0 -n 1 -o json > "$tmp/s0.json"
jqt sysctl0 "$tmp/s0.json" '.guest_split == "off" and .sysctl == 0 and
	.vms[0].guest_user_pct == null and .vms[0].guest_pct == 80 and
	.exit_timing == "off" and .vms[0].exits_per_s == null and
	.vms[0].exit_time_pct == null'
run sysctl0 -n 1 | grep -q 'kernel.collect_guest_utilization=0 (set it to 1)' \
	&& ok || bad "sysctl0 status"
run nodebugfs -n 1 -o json > "$tmp/nd.json"
jqt nodebugfs "$tmp/nd.json" '.exit_timing == "not_mounted" and
	.vms[0].exits_per_s == null and .vms[0].guest_user_pct == 60'
run nodebugfs -n 1 | grep -q 'debugfs not mounted' && ok || bad nd-status

# --- hostile input: backwards counters, vanishing processes, garbage ---
run hostile -n 4 -o json > "$tmp/h.json"; rc=$?
[ $rc = 0 ] && [ "$(wc -l < "$tmp/h.json")" = 4 ] && ok || bad "hostile rc $rc"
jqt hostile-json "$tmp/h.json" '.vms | length > 0'
jqt hostile-nonneg "$tmp/h.json" '[.vms[] | .cpu_pct, .guest_pct, .host_pct,
	.exits_per_s, (.vcpus[] | .cpu_pct) | select(. != null)] | all(. >= 0)'
sed -n 2p "$tmp/h.json" > "$tmp/h2.json"
jqt backwards "$tmp/h2.json" '.vms[] | select(.pid == 2000) | .cpu_pct == 0
	and .guest_pct == 0'
sed -n 3p "$tmp/h.json" > "$tmp/h3.json"
jqt vanished "$tmp/h3.json" '[.vms[].pid] | index(3000) == null'
jqt garbage-xt "$tmp/h3.json" '.vms[] | select(.pid == 2000) |
	.exits_per_s == null and .cpu_pct >= 0'
jqt many "$tmp/h3.json" '.vm_count == 32 and .exit_timing == "ok"'

# --- CSV ---------------------------------------------------------------------
run new -n 2 -o csv -H > "$tmp/c.csv"
head -1 "$tmp/c.csv" | grep -q '^schema,time,kind,pid,index,tid,name,nvcpus,' \
	&& ok || bad "csv header"
[ "$(grep -c ',vm,' "$tmp/c.csv")" = 6 ] && ok || bad "csv vm rows"
[ "$(grep -c ',vcpu,' "$tmp/c.csv")" = 10 ] && ok || bad "csv vcpu rows"
[ "$(awk -F, '{print NF}' "$tmp/c.csv" | sort -u)" = 41 ] && ok ||
	bad "csv column count"
grep -q '^2,1700000001.000,vm,1000,,,web,2,,100.00,80.00,60.00,20.00,20.00,0.08,120.00,cpuid,10.00,6.80,5.10,1.70,1920,0.008400000,0.566000000,' \
	"$tmp/c.csv" && ok || bad "csv values"
grep -q '^2,1700000001.000,vm,3000,,,fc-1,2,,10.00,8.00,4.00,4.00,2.00,,,,0.65,0.48,0.24,0.24,,,,' \
	"$tmp/c.csv" && ok || bad "csv: unknown counters empty"

# --- Prometheus ------------------------------------------------------------
for v in new old hostile nodebugfs; do
	run $v -n 1 -o prometheus > "$tmp/$v.prom"
	if promtool check metrics < "$tmp/$v.prom" > "$tmp/promtool.out" 2>&1
	then ok; else bad "promtool $v: $(cat "$tmp/promtool.out")"; fi
done
u='uuid="c3f6e4e6-1b2a-4c5d-8e9f-0a1b2c3d4e5f",cgroup="/machine.slice/machine-qemu\\\\x2d1\\\\x2dweb.scope/libvirt/emulator"'
grep -q "^gtop_vm_guest_user_seconds_total{vm=\"web\",$u,pid=\"1000\"} 5.1\$" \
	"$tmp/new.prom" && ok || bad "prom value"
grep -q "^gtop_vcpu_exits_total{vm=\"web\",$u,pid=\"1000\",vcpu=\"1\",tid=\"1003\"} 650\$" \
	"$tmp/new.prom" && ok || bad "prom vcpu"
grep -q "^gtop_vm_exit_seconds_total{vm=\"web\",$u,pid=\"1000\",reason=\"io\"} 0.0064\$" \
	"$tmp/new.prom" && ok || bad "prom exit reason"
grep -q '^gtop_vm_cpu_seconds_total{vm="fc-1",cgroup="/kubepods.slice/kubepods-pod42.slice/cri-containerd-fc1.scope",pid="3000"} 0.65$' \
	"$tmp/new.prom" && ok || bad "prom: no uuid label without a uuid"
grep -Eq '_ratio|_per_second|node_|mode=' "$tmp/new.prom" && bad "prom: gauges" || ok
grep -q 'guest_user_seconds' "$tmp/old.prom" && bad "prom: unknown exported" || ok
grep -q '^gtop_vcpu_wait_seconds_total{vm="web",.*,vcpu="0",tid="1002"} 0.12$' \
	"$tmp/new.prom" && ok || bad "prom: schedstat wait counter"
grep -q '^gtop_vm_kvm_stat_exits_total{vm="web",.*pid="1000"} 5120$' \
	"$tmp/old.prom" && ok || bad "prom: KVM statistics on a stock kernel"
grep -q '^gtop_vm_kvm_stat_halted_seconds_total{vm="web",.*pid="1000"} 9.485$' \
	"$tmp/old.prom" && ok || bad "prom: KVM halted seconds"
grep -q '^gtop_kvm_stats_readable 1$' "$tmp/old.prom" && ok ||
	bad "prom: kvm_stats_readable"
grep -q 'wall_' "$tmp/new.prom" && bad "prom: shares exported" || ok
grep -q '^gtop_vcpu_system_seconds_total{vm="web",.*,vcpu="1",tid="1003"} 0.55$' \
	"$tmp/new.prom" && ok || bad "prom: system seconds counter"
run sysctl0 -n 1 -o prometheus > "$tmp/s0.prom"
grep -Eq 'guest_user_seconds|exits_total|exit_seconds' "$tmp/s0.prom" &&
	bad "prom: frozen counters exported" || ok

# --- text --------------------------------------------------------------------
run new -n 2 -H > "$tmp/t.txt"
[ "$(grep -c '^gtop - ' "$tmp/t.txt")" = 2 ] && ok || bad "text iterations"
grep -Eq '^ +PID NAME +VCPU +%CPU +%GUEST +%GUSR +%GSYS +%HOST +EXIT% +EXITS/s TOP EXIT +KEXIT/s +WALL TIME CPU HIST USR HIST CGROUP$' \
	"$tmp/t.txt" && ok || bad "text header"
grep -Eq '^ +1003 `- vcpu1 @1 +45\.0 +35\.0 +25\.0 +10\.0 +10\.0 ' \
	"$tmp/t.txt" && ok || bad "text vcpu row"
grep -q '^%Cpu(s): 15.0 hu, 15.5 hs, 30.0 guest ( 17.5 gu, 12.5 gs),  2.0 st, 37.5 id$' \
	"$tmp/t.txt" && ok || bad "text cpu line"

# sparklines: one cell per refresh, newest right, "_.:-=+*#" in ASCII
LC_ALL=C run new -n 3 > "$tmp/t.txt"
grep -Eq '^ +1000 web .*\] +== +\*\* /machine' "$tmp/t.txt" && ok ||
	bad "text sparklines: web at 100% of 2 vCPUs, 75% guest user"
grep -Eq '^ +3000 fc-1 .*\] +__ +== /kube' "$tmp/t.txt" && ok ||
	bad "text sparklines: fc-1 at 10% of 2 vCPUs, 50% guest user"
LC_ALL=C.UTF-8 run new -n 2 > "$tmp/t.txt"
grep -q '] *▅▅ *▇▇ /machine' "$tmp/t.txt" && ok || bad "UTF-8 sparklines"

# --- recording: -w, -r, same output as the live run -------------------------
rec=$tmp/rec
rm -f "$rec".*
run new -n 3 -o json -w "$rec.new" > "$tmp/rl.json"; rc=$?
[ $rc = 0 ] && [ -s "$rec.new" ] && ok || bad "record: rc $rc"
"$GTOP" -r "$rec.new" -b -o json > "$tmp/rr.json"; rc=$?
[ $rc = 0 ] && [ -s "$tmp/rr.json" ] && cmp -s "$tmp/rl.json" "$tmp/rr.json" &&
	ok || bad "replay: JSON differs from the live run (rc $rc)"
for f in text csv prometheus; do
	run new -n 3 -o $f -H -x > "$tmp/rl.$f"
	"$GTOP" -r "$rec.new" -b -o $f -H -x > "$tmp/rr.$f"
	cmp -s "$tmp/rl.$f" "$tmp/rr.$f" && ok ||
		bad "replay: $f differs from the live run"
done
# hostile frames: a VM vanishes, counters run backwards, garbage
for v in hostile old sysctl0; do
	run $v -n 3 -o json -w "$rec.$v" > "$tmp/hl.json"
	"$GTOP" -r "$rec.$v" -b -o json > "$tmp/hr.json"
	cmp -s "$tmp/hl.json" "$tmp/hr.json" && ok || bad "replay of $v"
done
# -n, --begin, --end (the frames are at Unix time 1700000000 + f)
n() { "$GTOP" -r "$rec.new" -b -o json "$@" | wc -l; }
[ "$(n -n 2)" = 2 ] && ok || bad "replay -n 2"
[ "$(n --begin=+2)" = 2 ] && ok || bad "replay --begin=+2"
"$GTOP" -r "$rec.new" -b -o json --begin=@1700000003 > "$tmp/b.json"
jqt begin "$tmp/b.json" '.time == 1700000003 and .interval == 1'
[ "$(n --end=+2)" = 2 ] && ok || bad "replay --end=+2"
[ "$(n --begin=+1 --end=@1700000001)" = 1 ] && ok || bad "replay one refresh"
"$GTOP" -r "$rec.new" -b --begin=+1h > "$tmp/out" 2> "$tmp/err"
[ $? = 1 ] && grep -q 'no sample at or after +1h' "$tmp/err" && ok ||
	bad "--begin after the end"
# the recorder alone: no output; a second run appends a session
"$GTOP" --root="$fx/new" -d 0.05 -n 2 -w "$rec.only" > "$tmp/out"; rc=$?
[ $rc = 0 ] && [ ! -s "$tmp/out" ] && ok || bad "recorder alone: rc $rc"
[ "$("$GTOP" -r "$rec.only" -b -o json | wc -l)" = 2 ] && ok ||
	bad "recorder alone: 2 refreshes"
run new -n 1 -o json -w "$rec.only" > /dev/null
[ "$("$GTOP" -r "$rec.only" -b -o json | wc -l)" = 3 ] && ok ||
	bad "appended session: 2 + 1 refreshes"
# a torn last record: skipped with a note, cut off by the next writer
sz=$(wc -c < "$rec.new")
head -c $((sz - 7)) "$rec.new" > "$rec.torn"
"$GTOP" -r "$rec.torn" -b -o json > "$tmp/out" 2> "$tmp/err"; rc=$?
[ $rc = 0 ] && [ "$(wc -l < "$tmp/out")" = 2 ] &&
	grep -q 'ignored a torn last record' "$tmp/err" && ok ||
	bad "torn record: rc $rc, $(cat "$tmp/err")"
run new -n 1 -o json -w "$rec.torn" > /dev/null 2> "$tmp/err"
grep -q 'cut off a torn last record' "$tmp/err" && ok || bad "torn record cut"
[ "$("$GTOP" -r "$rec.torn" -b -o json 2> /dev/null | wc -l)" = 3 ] && ok ||
	bad "torn record: 2 + 1 refreshes"
# bad files: a message and exit status 1, no output
badrec() {	# badrec NAME FILE MESSAGE
	"$GTOP" -r "$2" -b > "$tmp/out" 2> "$tmp/err"
	rc=$?
	if [ $rc = 1 ] && [ ! -s "$tmp/out" ] && grep -q -- "$3" "$tmp/err"
	then ok; else bad "$1: rc $rc, $(cat "$tmp/err")"; fi
}
: > "$rec.empty"
badrec empty "$rec.empty" 'empty file, not a gtop recording'
echo 'cpu 1 2 3 4' > "$rec.text"
badrec garbage "$rec.text" 'not a gtop recording'
head -c 20 "$rec.new" > "$rec.short"
badrec truncated "$rec.short" 'truncated header (20 bytes)'
head -c 32 "$rec.new" > "$rec.short"
badrec header-only "$rec.short" 'no samples recorded'
badrec directory "$tmp" 'not a regular file'
badrec missing "$rec.missing" 'No such file or directory'
python3 - "$rec.new" "$rec.v9" "$rec.dmg" << 'PY'
import struct, sys, zlib
d = bytearray(open(sys.argv[1], 'rb').read())
v = bytearray(d)
v[8] = 9
v[28:32] = struct.pack('<I', zlib.crc32(bytes(v[:28])))
open(sys.argv[2], 'wb').write(v)
n = struct.unpack('<I', d[32:36])[0]	# damage the second record
d[32 + 8 + n + 8 + 20] ^= 0x55
open(sys.argv[3], 'wb').write(d)
PY
badrec version "$rec.v9" 'recording format version 9; this gtop reads version 5'
"$GTOP" -r "$rec.dmg" -b -o json > "$tmp/out" 2> "$tmp/err"
[ $? = 1 ] && grep -q 'damaged record 1 at offset' "$tmp/err" && ok ||
	bad "damaged record: $(cat "$tmp/err")"
# -w on something that is not a recording: refused, left alone
cp "$rec.text" "$rec.keep"
run new -n 1 -w "$rec.keep" > "$tmp/out" 2> "$tmp/err"
[ $? = 1 ] && grep -q 'cannot record to .*: not a gtop recording' "$tmp/err" &&
	cmp -s "$rec.text" "$rec.keep" && ok || bad "-w over a non-recording"
usage -r x --root=y
usage -r x --listen=0
usage --begin=12:00
usage -r x --begin=noon
usage -r x --end=+5y
usage -w ''
usage -r ''
usage -r x -w x

# --- live host -------------------------------------------------------------
if [ -x "$GVMM" ] && [ -w /dev/kvm ]; then
	"$GVMM" --name "cli live" -q -t 8 idle user > "$tmp/gvmm.out" 2>&1 &
	gp=$!
	sleep 1
	"$GTOP" -b -n 1 -d 0.3 -o json > "$tmp/live.json"
	jqt live "$tmp/live.json" "[.vms[] | select(.pid == $gp)] | length == 1
		and .[0].name == \"cli live\" and .[0].nvcpus == 2 and
		.[0].cpu_pct > 20 and (.[0].vcpus | map(.index) == [0, 1])"
	"$GTOP" --no-libproc2 -b -n 1 -d 0.3 -o json > "$tmp/live2.json"
	jqt live-own-lister "$tmp/live2.json" "[.vms[] | select(.pid == $gp)] |
		length == 1 and .[0].nvcpus == 2 and
		(.[0].vcpus | map(.index) == [0, 1])"
	if [ "$(id -u)" = 0 ] && [ -d /sys/kernel/debug/kvm ] &&
	   command -v setpriv > /dev/null; then
		setpriv --reuid=65534 --regid=65534 --clear-groups \
			"$GTOP" -b -n 1 -d 0.1 -o json > "$tmp/nobody.json"
		jqt non-root "$tmp/nobody.json" '.exit_timing == "denied"'
	fi
	kill "$gp" 2> /dev/null
	wait "$gp" 2> /dev/null
else
	echo "skip: live tests (no $GVMM or /dev/kvm)"
fi

echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
