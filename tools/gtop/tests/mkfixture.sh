#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# mkfixture.sh DIR VARIANT [FRAMES]
#
# Writes a fixture tree for `gtop --root=DIR`: frame directories 0/ 1/ ...
# each holding proc/ and sys/kernel/debug/ like a KVM host, plus a
# "clock" file.  Frame f is taken at monotonic time 100+f seconds; every
# counter grows by a fixed amount per frame, so the expected figures are
# exact (USER_HZ 100):
#
#   cpu0: hu 20 hs 21 guest 40 (gu 30 gs 10) st 4 id 15     (percent)
#   cpu1: hu 10 hs 10 guest 20 (gu  5 gs 15) st 0 id 60
#   all : hu 15 hs 15.5 guest 30 (gu 17.5 gs 12.5) st 2 id 37.5
#   VM 1000 "web" (QEMU, libvirt-style -name guest=web,..., -uuid): 2 vCPUs
#        %CPU 100 %GUEST 80 %GUSR 60 %GSYS 20 %HOST 20
#        exits 120/s (cpuid 100/s, io 20/s), exit time 0.8 ms/s
#        vcpu0 tid 1002: %CPU 55 guest 45 gu 35 gs 10; exits cpuid 60 io 10
#        vcpu1 tid 1003: %CPU 45 guest 35 gu 25 gs 10; exits cpuid 40 io 10
#   VM 2000 comm "evil) R 1 (x" (no name on its command line): 1 vCPU,
#        %CPU 30 %GUEST 25 %GUSR 5 %GSYS 20, EPT_VIOLATION exits 50/s
#   VM 3000 Firecracker "--id fc-1": vcpus "fc_vcpu 0/1", no debugfs
#        directory, so its exit columns are unknown; %CPU 10 guest 8
#   non-VMs: 1 init, 200 java (3 threads), 300 comm with a newline.
#   schedstat (every variant): vcpu0 of web waits 20 ms per second for a
#        CPU, vcpu1 30 ms; cgroup v2 paths: web in libvirt's
#        machine.slice, fc-1 in a Kubernetes pod.
#   Wall time of web (exit timing): vcpu0 45% guest (35 user, 10 sys),
#        5% VMM, 2% wait, 48% rest; vcpu1 35% guest (25/10), 5% VMM,
#        47% halted (50% less the 3% wait), 3% wait, 10% rest.
#   old: KVM's per-VM debugfs statistics of web: 120 exits/s, 10 halt
#        exits/s, halt_wait_ns +400 ms/s, halt_poll_success_ns +10 ms/s:
#        web is 40% guest, 4.5% kernel (stime less polling), 5% VMM,
#        20.5% halted, 2.5% wait, 27.5% rest of its two vCPUs' wall time.
#
# VARIANT:
#   new        the patched kernel, sysctl 1 (the figures above)
#   sysctl0    patched kernel, kernel.collect_guest_utilization = 0
#   old        stock kernel: no split columns, fields 53/54, sysctl or
#              exit_timing (vcpuN/pid only)
#   nodebugfs  patched kernel, debugfs not mounted (empty directory)
#   hostile    "new" plus: frame 2 runs VM 2000's counters backwards,
#              VM 3000 vanishes in frame 3 (listed, stat unreadable),
#              garbage exit_timing for VM 2000 in frame 3, a thread
#              listed without a stat file, many VMs (the list scrolls).
set -eu

dir=$1
variant=${2:-new}
frames=${3:-4}

split=1; sysctl=1; xt=1; debugfs=1
case $variant in
new|hostile) ;;
sysctl0) sysctl=0 ;;
old) split=0; sysctl=; xt=0 ;;
nodebugfs) debugfs=0 ;;
*) echo "mkfixture: unknown variant $variant" >&2; exit 2 ;;
esac

rm -rf "$dir"
mkdir -p "$dir"

put() {	# put FILE CONTENT (printf %b: \n and \0 escapes)
	mkdir -p "$(dirname "$1")"
	printf '%b' "$2" > "$1"
}

# pidstat PID COMM STATE UTIME STIME NLWP START CPU GUEST GU GS
pidstat() {
	line="$1 ($2) $3 1 $1 $1 0 -1 4194560 100 0 0 0 $4 $5 0 0 20 0 $6 0 $7"
	line="$line 123456789 300 18446744073709551615 1 1 0 0 0 0 0 4096"
	line="$line 0 0 0 0 17 $8 0 0 0 $9 0 0 0 0 0 0 0 0 0"
	if [ "$split" = 1 ]; then
		line="$line ${10} ${11}"
	fi
	printf '%s\n' "$line"
}

xtable() {	# xtable ROWS... ("reason count min max total avg sd user")
	printf '%-20s %10s %10s %10s %14s %10s %10s %10s %s\n' reason count \
		min_ns max_ns total_ns avg_ns stddev_ns user_exits future_col
	for r in "$@"; do
		# shellcheck disable=SC2086
		printf '%-20s %10s %10s %10s %14s %10s %10s %10s 7\n' $r
	done
}

f=0
while [ "$f" -lt "$frames" ]; do
	fr=$dir/$f
	p=$fr/proc
	dbg=$fr/sys/kernel/debug
	mkdir -p "$p" "$fr/sys/kernel/debug"
	put "$fr/clock" "$((100 + f)) $((1700000000 + f))\n"
	put "$p/uptime" "$((100 + f)).00 150.00\n"
	put "$p/loadavg" "0.50 0.40 0.30 2/345 6789\n"
	if [ -n "$sysctl" ]; then
		put "$p/sys/kernel/collect_guest_utilization" "$sysctl\n"
	fi

	# /proc/stat: user nice system idle iowait irq softirq steal guest
	# guest_nice [guest_user guest_system]
	c0="$((1000 + f*60)) 0 $((500 + f*20)) $((5000 + f*15)) 0 0"
	c0="$c0 $((10 + f)) $((7 + f*4)) $((400 + f*40)) 0"
	c1="$((800 + f*30)) 0 $((300 + f*10)) $((6000 + f*60)) 0 0 9 0"
	c1="$c1 $((200 + f*20)) 0"
	ca="$((1800 + f*90)) 0 $((800 + f*30)) $((11000 + f*75)) 0 0"
	ca="$ca $((19 + f)) $((7 + f*4)) $((600 + f*60)) 0"
	if [ "$split" = 1 ]; then
		gu0=$((300 + f*30)); gs0=$((100 + f*10))
		gu1=$((150 + f*5)); gs1=$((50 + f*15))
		c0="$c0 $gu0 $gs0"
		c1="$c1 $gu1 $gs1"
		ca="$ca $((gu0 + gu1)) $((gs0 + gs1))"
	fi
	put "$p/stat" "cpu  $ca\ncpu0 $c0\ncpu1 $c1\nintr 12345 0 0 1\nctxt 99\nbtime 1700000000\nprocesses 4000\n"

	# non-VM processes
	put "$p/1/stat" "$(pidstat 1 init S 100 200 1 1 0 0 0 0)\n"
	put "$p/1/cmdline" "/sbin/init\0"
	for t in 200 201 202; do
		put "$p/200/task/$t/stat" "$(pidstat $t java S 10 10 3 300 1 0 0 0)\n"
	done
	put "$p/200/stat" "$(pidstat 200 java S 30 30 3 300 1 0 0 0)\n"
	put "$p/200/cmdline" "java\0-jar\0app.jar\0"
	put "$p/300/stat" "$(pidstat 300 "new\nline" S 1 1 1 400 0 0 0 0)\n"
	put "$p/300/cmdline" "new\0"

	# VM 1000: QEMU with libvirt naming
	put "$p/1000/cmdline" "/usr/bin/qemu-system-x86_64\0-name\0guest=web,debug-threads=on\0-uuid\0C3F6E4E6-1B2A-4C5D-8E9F-0A1B2C3D4E5F\0-smp\0002\0"
	put "$p/1000/stat" "$(pidstat 1000 qemu-system-x86 S $((800 + f*90)) $((100 + f*10)) 4 5000 0 $((600 + f*80)) $((450 + f*60)) $((150 + f*20)))\n"
	put "$p/1000/task/1000/stat" "$(pidstat 1000 qemu-system-x86 S 5 5 4 5000 0 0 0 0)\n"
	put "$p/1000/task/1001/stat" "$(pidstat 1001 "IO mon_iothread" S 1 1 4 5001 1 0 0 0)\n"
	put "$p/1000/task/1002/stat" "$(pidstat 1002 "CPU 0/KVM" R $((500 + f*50)) $((50 + f*5)) 4 5002 0 $((400 + f*45)) $((300 + f*35)) $((100 + f*10)))\n"
	put "$p/1000/task/1003/stat" "$(pidstat 1003 "CPU 1/KVM" R $((300 + f*40)) $((50 + f*5)) 4 5002 1 $((200 + f*35)) $((150 + f*25)) $((50 + f*10)))\n"
	put "$p/1000/task/1002/schedstat" "$((5000000000 + f*550000000)) $((100000000 + f*20000000)) $((9000 + f*70))\n"
	put "$p/1000/task/1003/schedstat" "$((3000000000 + f*450000000)) $((200000000 + f*30000000)) $((7000 + f*50))\n"
	put "$p/1000/cgroup" "0::/machine.slice/machine-qemu\\\\x2d1\\\\x2dweb.scope/libvirt/emulator\n"

	# VM 2000: hostile comm, name from comm
	u2=$((100 + f*25)); s2=$((20 + f*5)); g2=$((50 + f*25))
	gu2=$((10 + f*5)); gs2=$((40 + f*20))
	if [ "$variant" = hostile ] && [ "$f" = 2 ]; then
		u2=0; s2=0; g2=0; gu2=0; gs2=0	# counters went backwards
	fi
	put "$p/2000/cmdline" "/opt/gvmm\0idle\0"
	put "$p/2000/stat" "$(pidstat 2000 "evil) R 1 (x" S $u2 $s2 2 6000 1 $g2 $gu2 $gs2)\n"
	put "$p/2000/task/2000/stat" "$(pidstat 2000 "evil) R 1 (x" S 1 1 2 6000 1 0 0 0)\n"
	put "$p/2000/task/2001/stat" "$(pidstat 2001 "CPU 0/KVM" R $u2 $s2 2 6001 1 $g2 $gu2 $gs2)\n"

	# VM 3000: Firecracker, not in debugfs
	if [ "$variant" = hostile ] && [ "$f" -ge 3 ]; then
		mkdir -p "$p/3000/task"	# vanished: no stat files
	else
		put "$p/3000/cmdline" "firecracker\0--id\0fc-1\0--api-sock\0/run/fc.sock\0"
		put "$p/3000/cgroup" "0::/kubepods.slice/kubepods-pod42.slice/cri-containerd-fc1.scope\n"
		put "$p/3000/stat" "$(pidstat 3000 firecracker S $((50 + f*9)) $((5 + f)) 3 7000 0 $((40 + f*8)) $((20 + f*4)) $((20 + f*4)))\n"
		put "$p/3000/task/3000/stat" "$(pidstat 3000 firecracker S 1 1 3 7000 0 0 0 0)\n"
		put "$p/3000/task/3001/stat" "$(pidstat 3001 "fc_vcpu 0" R $((25 + f*5)) 3 3 7001 0 $((20 + f*4)) $((10 + f*2)) $((10 + f*2)))\n"
		put "$p/3000/task/3002/stat" "$(pidstat 3002 "fc_vcpu 1" R $((24 + f*4)) 2 3 7001 1 $((20 + f*4)) $((10 + f*2)) $((10 + f*2)))\n"
	fi
	if [ "$variant" = hostile ]; then
		mkdir -p "$p/1000/task/1004"	# thread listed, stat gone
		i=0
		while [ $i -lt 30 ]; do	# many small VMs: the list scrolls
			pid=$((5000 + i))
			put "$p/$pid/cmdline" "gvmm\0--name\0many$i\0"
			put "$p/$pid/stat" "$(pidstat $pid gvmm S $((i + f*i)) 0 2 9000 0 $((f*i)) 0 0)\n"
			put "$p/$pid/task/$pid/stat" "$(pidstat $pid gvmm S 0 0 2 9000 0 0 0 0)\n"
			put "$p/$pid/task/$((pid + 1000))/stat" "$(pidstat $((pid + 1000)) "CPU 0/KVM" R $((i + f*i)) 0 2 9000 0 $((f*i)) 0 0)\n"
			i=$((i + 1))
		done
	fi

	# debugfs
	if [ "$debugfs" = 1 ]; then
		k=$dbg/kvm
		put "$k/halt_exits" "0\n"
		put "$k/1000-12/vcpu0/pid" "1002\n"
		put "$k/1000-12/vcpu1/pid" "1003\n"
		put "$k/2000-9/vcpu0/pid" "2001\n"
		if [ "$xt" = 0 ]; then	# a stock kernel's statistics
			put "$k/1000-12/exits" "$((5000 + f*120))\n"
			put "$k/1000-12/halt_exits" "$((300 + f*10))\n"
			put "$k/1000-12/halt_wait_ns" "$((9000000000 + f*400000000))\n"
			put "$k/1000-12/halt_poll_success_ns" "$((70000000 + f*10000000))\n"
			put "$k/1000-12/halt_poll_fail_ns" "5000000\n"
		fi
		if [ "$xt" = 1 ]; then
			put "$k/1000-12/vcpu0/exit_timing" "$(xtable \
				"cpuid $((1000 + f*60)) 800 15000 $((1000000 + f*240000)) 1000 100 0" \
				"io $((200 + f*10)) 2000 90000 $((4000000 + f*200000)) 20000 5000 $((200 + f*10))" \
				"<guest> $((1201 + f*70)) 100 4000000 $((900000000 + f*450000000)) 749000 10000 0" \
				"<halted> 3 100000 5000000 6000000 2000000 1000000 0")\n"
			put "$k/1000-12/vcpu1/exit_timing" "$(xtable \
				"cpuid $((500 + f*40)) 900 12000 $((600000 + f*160000)) 1200 90 0" \
				"io $((100 + f*10)) 2500 80000 $((2000000 + f*200000)) 20000 4000 $((100 + f*10))" \
				"<guest> $((601 + f*50)) 100 3000000 $((400000000 + f*350000000)) 665000 9000 0" \
				"<halted> $((10 + f)) 100000 9000000 $((60000000 + f*500000000)) 6000000 2000000 0")\n"
			if [ "$variant" = hostile ] && [ "$f" = 3 ]; then
				put "$k/2000-9/vcpu0/exit_timing" "garbage\x01\xff ( ) 12 -4\n"
			else
				put "$k/2000-9/vcpu0/exit_timing" "$(xtable \
					"EPT_VIOLATION $((70 + f*50)) 1500 25000 $((300000 + f*150000)) 3000 700 0" \
					"<guest> $((71 + f*50)) 200 5000000 $((100000000 + f*250000000)) 1000000 5000 0")\n"
			fi
		fi
	fi
	f=$((f + 1))
done
