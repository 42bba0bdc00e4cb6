#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""abuse.py PORT PID SECONDS - hostile clients against gtop --listen on
127.0.0.1:PORT while a well-behaved client scrapes every 0.25 s.

Hostile clients: slow (a byte every 0.2 s, never finishing), silent
(connect, send nothing), endless headers (megabytes as fast as possible),
malformed requests (random bytes, bad methods, paths, versions), and
clients that send a request and never read the answer.  Prints one
"key=value" line of figures; exit status 1 when a good scrape failed.
"""
import os
import random
import socket
import sys
import threading
import time

port, pid, secs = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3])
stop = time.monotonic() + secs
lock = threading.Lock()
fig = {"bad_answers": 0, "bad_sent": 0, "slow_cut": 0, "endless_cut": 0}


def conn():
    s = socket.create_connection(("127.0.0.1", port), timeout=5)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return s


def count(k, n=1):
    with lock:
        fig[k] += n


def slow():
    try:
        s = conn()
        s.sendall(b"GET /metrics HTTP/1.1\r\nX-Slow: ")
        while time.monotonic() < stop:
            s.sendall(b"a")
            time.sleep(0.2)
    except OSError:
        count("slow_cut")	# gtop hung up on us: fine


def silent():
    try:
        s = conn()
        while time.monotonic() < stop:
            time.sleep(0.5)
        s.close()
    except OSError:
        pass


def endless():
    chunk = b"X-Endless: " + b"y" * 1000 + b"\r\n"
    while time.monotonic() < stop:
        try:
            s = conn()
            s.sendall(b"GET /metrics HTTP/1.1\r\n")
            while time.monotonic() < stop:
                s.sendall(chunk * 64)
        except OSError:
            count("endless_cut")


BAD = [b"\x16\x03\x01\x00\xa5\x01\x00\x00\xa1\x03\x03",
       b"POST /metrics HTTP/1.1\r\nContent-Length: 5\r\n\r\nhello",
       b"GET /../../etc/passwd HTTP/1.1\r\n\r\n",
       b"GET /metrics HTTP/9.9\r\n\r\n", b"GET /metrics\r\n\r\n",
       b"GET /metrics HTTP/1.1\r\n folded: x\r\n\r\n",
       b"\r\n" * 3000, b"GET /" + b"a" * 8000 + b" HTTP/1.1\r\n\r\n"]


def malformed():
    rnd = random.Random(7)
    while time.monotonic() < stop:
        req = rnd.choice(BAD + [bytes(rnd.randrange(256)
                                      for _ in range(rnd.randrange(1, 300)))])
        try:
            s = conn()
            s.sendall(req)
            s.shutdown(socket.SHUT_WR)
            s.recv(4096)
            s.close()
            count("bad_sent")
        except OSError:
            count("bad_sent")


def deaf():
    socks = []
    while time.monotonic() < stop:
        try:
            s = conn()
            s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1024)
            s.sendall(b"GET /metrics HTTP/1.1\r\n\r\n")
            socks.append(s)	# never read
            if len(socks) > 8:
                socks.pop(0).close()
        except OSError:
            pass
        time.sleep(0.3)


def scrape():
    t0 = time.monotonic()
    s = conn()
    s.sendall(b"GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n")
    data = b""
    while True:
        b = s.recv(65536)
        if not b:
            break
        data += b
    s.close()
    return time.monotonic() - t0, data


def rss():
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return -1


def samples(body):
    for line in body.split(b"\n"):
        if line.startswith(b"gtop_samples_total "):
            return int(line.split()[1])
    return -1


_, body = scrape()
s0, t0 = samples(body), time.monotonic()
rss0 = rss()
threads = [threading.Thread(target=f, daemon=True) for f in
           [slow] * 40 + [silent] * 20 + [endless] * 4 + [malformed] * 4 +
           [deaf] * 2]
for t in threads:
    t.start()
lat, fails, rssmax = [], 0, rss0
while time.monotonic() < stop:
    try:
        dt, body = scrape()
        if not body.startswith(b"HTTP/1.1 200 OK\r\n") or \
           b"\ngtop_vms " not in body:
            fails += 1
        else:
            lat.append(dt)
    except OSError:
        fails += 1
    rssmax = max(rssmax, rss())
    time.sleep(0.25)
for t in threads:
    t.join(timeout=6)
_, body = scrape()
s1, t1 = samples(body), time.monotonic()
lat.sort()
print("scrapes=%d failed=%d latency_p50_ms=%.1f latency_max_ms=%.1f "
      "samples_per_s=%.1f rss_kb_start=%d rss_kb_max=%d malformed_sent=%d "
      "slow_cut=%d endless_cut=%d" %
      (len(lat), fails, 1e3 * lat[len(lat) // 2] if lat else -1,
       1e3 * lat[-1] if lat else -1, (s1 - s0) / (t1 - t0), rss0, rssmax,
       fig["bad_sent"], fig["slow_cut"], fig["endless_cut"]))
sys.exit(1 if fails or not lat else 0)
