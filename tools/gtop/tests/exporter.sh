#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# exporter.sh - gtop --listen end to end, on 127.0.0.1 only:
#   - on a fixture tree: scraped with curl, checked by promtool, the same
#     text as the batch Prometheus output of the same sample, HTTP status
#     codes, bind errors;
#   - scraped by a real Prometheus server (Debian's prometheus package,
#     temp config and data dir, bounded time, killed at the end) whose
#     query results equal gtop's own batch JSON;
#   - on this machine's /proc under hostile clients (tests/abuse.py):
#     slow, silent, endless and malformed requests must not stall
#     sampling, delay a good scrape or grow memory.
#   GTOP=binary  O=build dir   needs: curl, promtool/prometheus, jq, python3
set -u
here=$(cd "$(dirname "$0")" && pwd)
GTOP=${GTOP:?}
O=${O:?}
tmp=$O/exporter.tmp
fx=$O/fixtures/exporter
rm -rf "$tmp"
mkdir -p "$tmp"
pass=0
fail=0
kill_list=""

ok() { pass=$((pass + 1)); echo "ok $*"; }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }
cleanup() {
	for p in $kill_list; do kill "$p" 2> /dev/null; done
	for p in $kill_list; do wait "$p" 2> /dev/null; done
	kill_list=""
}
trap cleanup EXIT INT TERM

# start NAME ARGS...: gtop in the background; sets $gp and $port
start() {
	n=$1
	shift
	"$GTOP" "$@" > "$tmp/$n.out" 2> "$tmp/$n.err" &
	gp=$!
	kill_list="$kill_list $gp"
	port=
	i=0
	while [ $i -lt 50 ] && [ -z "$port" ]; do
		port=$(sed -n 's|^gtop: serving http://127\.0\.0\.1:\([0-9]*\)/metrics$|\1|p' \
			"$tmp/$n.err")
		[ -z "$port" ] && sleep 0.1
		i=$((i + 1))
	done
	[ -n "$port" ]
}
# code URL [CURL ARGS]: HTTP status
code() {
	u=$1
	shift
	curl -s -o /dev/null -m 5 -w '%{http_code}' "$@" "$u"
}
need() { command -v "$1" > /dev/null 2>&1; }

for c in curl promtool jq; do
	need $c || { echo "FAIL: $c missing (scripts/deps.sh)"; \
		     echo "0 passed, 1 failed"; exit 1; }
done
sh "$here/mkfixture.sh" "$fx" new 4

# --- fixture: curl, promtool, same text as batch ---------------------------
if start fx --root="$fx" --listen=:0 -d 0.1; then ok "listening"; else
	bad "gtop --listen did not start: $(cat "$tmp/fx.err")"; fi
sleep 0.6	# the four frames are read by now; the last one stays
url=http://127.0.0.1:$port/metrics
t0=$(date +%s%N)
rc=$(curl -s -m 5 -o "$tmp/fx.prom" -w '%{http_code}' "$url")
t1=$(date +%s%N)
echo "scrape of the fixture: $(( (t1 - t0) / 1000000 )) ms, $(wc -c < "$tmp/fx.prom") bytes"
[ "$rc" = 200 ] && ok "GET /metrics 200" || bad "GET /metrics: $rc"
if promtool check metrics < "$tmp/fx.prom" > "$tmp/promtool.out" 2>&1; then
	ok "promtool check metrics"; else
	bad "promtool: $(cat "$tmp/promtool.out")"; fi
# the last of three iterations: frame 3, as the exporter's last sample
"$GTOP" --root="$fx" -b -d 0.05 -n 3 -o prometheus |
	awk '/^# HELP gtop_info /{b=""} {b=b $0 "\n"} END{printf "%s", b}' \
	> "$tmp/batch.prom"
# the exporter adds its own samples_total and sample_cpu_seconds
grep -v -e '^gtop_samples_total' -e '^gtop_sample_cpu_seconds' \
	-e '^# [A-Z]* gtop_samples_total' -e '^# [A-Z]* gtop_sample_cpu_seconds' \
	"$tmp/fx.prom" > "$tmp/fx-core.prom"
if cmp -s "$tmp/fx-core.prom" "$tmp/batch.prom"; then
	ok "served text = batch -o prometheus of the same sample"; else
	bad "served text differs from batch: $(diff "$tmp/batch.prom" \
		"$tmp/fx-core.prom" | head -5)"; fi
grep -q '^gtop_vm_guest_user_seconds_total{vm="web",uuid="c3f6e4e6-1b2a-4c5d-8e9f-0a1b2c3d4e5f",cgroup="/machine.slice/machine-qemu\\\\x2d1\\\\x2dweb.scope/libvirt/emulator",pid="1000"} 6.3$' \
	"$tmp/fx.prom" && ok "counter value" || bad "counter value"
curl -s -m 5 -D "$tmp/h" -o /dev/null "$url"
grep -qi '^content-type: text/plain; version=0.0.4' "$tmp/h" && ok "content type" ||
	bad "content type: $(cat "$tmp/h")"
[ "$(code "http://127.0.0.1:$port/")" = 404 ] && ok "/ 404" || bad "/ not 404"
[ "$(code "http://127.0.0.1:$port/metricsx")" = 404 ] && ok "404" || bad "/metricsx"
[ "$(code "$url" -X POST -d x=1)" = 405 ] && ok "POST 405" || bad "POST not 405"
[ "$(code "$url" -I)" = 405 ] && ok "HEAD 405" || bad "HEAD not 405"
[ "$(code "$url" -X DELETE)" = 405 ] && ok "DELETE 405" || bad "DELETE not 405"
[ "$(code "$url" -0)" = 200 ] && ok "HTTP/1.0 200" || bad "HTTP/1.0"
[ "$(code "$url?x=1")" = 200 ] && ok "query string 200" || bad "query string"
[ "$(code "$url" -H "$(head -c 5000 /dev/zero | tr '\0' a): b")" = 431 ] &&
	ok "huge header 431" || bad "huge header not 431"
if need ss; then
	ss -ltnH "sport = :$port" | grep -q '127\.0\.0\.1:' &&
		ok "bound to 127.0.0.1" || bad "not bound to 127.0.0.1"
fi
"$GTOP" --root="$fx" --listen="127.0.0.1:$port" > /dev/null 2> "$tmp/busy.err"
rc=$?
[ $rc = 1 ] && grep -q "cannot listen on 127.0.0.1:$port: Address already in use" \
	"$tmp/busy.err" && ok "port in use: exit 1" || bad "port in use: rc $rc"
kill -0 "$gp" 2> /dev/null && ok "alive after the bad requests" ||
	bad "gtop died"
"$GTOP" --root="$fx" --listen=127.0.0.1:0 -n 2 -d 0.05 2> /dev/null
[ $? = 0 ] && ok "-n 2 ends the exporter" || bad "-n 2 exit status"

# --- a real Prometheus server -----------------------------------------------
if need prometheus && need python3; then
	pport=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
	cat > "$tmp/prometheus.yml" <<-EOF
	global:
	  scrape_interval: 1s
	  scrape_timeout: 1s
	scrape_configs:
	  - job_name: gtop
	    static_configs:
	      - targets: ['127.0.0.1:$port']
	EOF
	timeout 60 prometheus --config.file="$tmp/prometheus.yml" \
		--storage.tsdb.path="$tmp/prom-data" \
		--web.listen-address="127.0.0.1:$pport" \
		--log.level=warn > "$tmp/prometheus.log" 2>&1 &
	pp=$!
	kill_list="$kill_list $pp"
	api="http://127.0.0.1:$pport/api/v1/query"
	q() { curl -s -m 5 -G "$api" --data-urlencode "query=$1" |
		jq -r '.data.result[0].value[1] // empty' 2> /dev/null; }
	i=0
	gu=
	while [ $i -lt 40 ] && [ -z "$gu" ]; do
		sleep 0.5
		gu=$(q 'gtop_vm_guest_user_seconds_total{pid="1000"}')
		i=$((i + 1))
	done
	echo "prometheus: first query answered after $((i / 2)) s"
	"$GTOP" --root="$fx" -b -d 0.05 -n 3 -o json | tail -1 > "$tmp/batch.json"
	want=$(jq -r '.vms[] | select(.pid == 1000) | .guest_user_seconds' \
		"$tmp/batch.json")
	[ -n "$gu" ] && [ "$(jq -n "$gu == $want")" = true ] &&
		ok "prometheus: guest_user_seconds $gu = batch $want" ||
		bad "prometheus: guest_user_seconds '$gu', batch '$want' ($(tail -3 "$tmp/prometheus.log"))"
	ex=$(q 'sum(gtop_vm_exits_total{pid="1000"})')
	want=$(jq -r '.vms[] | select(.pid == 1000) | .exit_count' "$tmp/batch.json")
	[ -n "$ex" ] && [ "$(jq -n "$ex == $want")" = true ] &&
		ok "prometheus: sum of exits by reason $ex = batch $want" ||
		bad "prometheus: exits '$ex', batch '$want'"
	es=$(q 'sum(gtop_vcpu_exit_seconds_total{pid="1000"})')
	want=$(jq -r '.vms[] | select(.pid == 1000) | .exit_seconds' "$tmp/batch.json")
	[ -n "$es" ] && [ "$(jq -n "($es - $want) | fabs < 1e-9")" = true ] &&
		ok "prometheus: exit seconds $es = batch $want" ||
		bad "prometheus: exit seconds '$es', batch '$want'"
	up=$(q 'up{job="gtop"}')
	[ "$up" = 1 ] && ok "prometheus: up 1" || bad "prometheus: up '$up'"
	kill "$pp" 2> /dev/null
	wait "$pp" 2> /dev/null
else
	bad "prometheus or python3 missing (scripts/deps.sh)"
fi
cleanup

# --- the real /proc under hostile clients ------------------------------------
if need python3; then
	if start live --listen=127.0.0.1:0 -d 0.1; then
		url=http://127.0.0.1:$port/metrics
		curl -s -m 5 "$url" > "$tmp/live.prom"
		promtool check metrics < "$tmp/live.prom" > "$tmp/promtool.out" 2>&1 &&
			ok "promtool on this host's /proc" ||
			bad "promtool live: $(cat "$tmp/promtool.out")"
		if python3 "$here/abuse.py" "$port" "$gp" 6 > "$tmp/abuse.out" \
			2> "$tmp/abuse.err"; then
			ok "good scrapes all answered under abuse"; else
			bad "abuse: $(cat "$tmp/abuse.out" "$tmp/abuse.err" | tail -5)"; fi
		echo "abuse: $(cat "$tmp/abuse.out")"
		a=$(cat "$tmp/abuse.out")
		val() { echo "$a" | tr ' ' '\n' | sed -n "s/^$1=//p"; }
		sps=$(val samples_per_s)
		r0=$(val rss_kb_start)
		r1=$(val rss_kb_max)
		lmax=$(val latency_max_ms)
		# -d 0.1: about 10 samples/s unless something stalls the loop
		[ -n "$sps" ] && [ "$(jq -n "$sps >= 6")" = true ] &&
			ok "sampling kept up ($sps/s)" || bad "sampling stalled: $sps/s"
		[ -n "$r1" ] && [ $((r1 - r0)) -lt 2048 ] &&
			ok "memory: RSS $r0 -> $r1 kB" || bad "memory grew: $r0 -> $r1 kB"
		[ -n "$lmax" ] && [ "$(jq -n "$lmax < 1000")" = true ] &&
			ok "slowest good scrape $lmax ms" || bad "slow scrape: $lmax ms"
		kill -0 "$gp" 2> /dev/null && ok "alive after abuse" || bad "died"
		[ "$(code "$url")" = 200 ] && ok "serves after abuse" ||
			bad "no answer after abuse"
	else
		bad "gtop --listen on /proc did not start: $(cat "$tmp/live.err")"
	fi
else
	bad "python3 missing"
fi
cleanup

echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
