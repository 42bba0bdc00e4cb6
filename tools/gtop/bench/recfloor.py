#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
#
# recfloor.py - the entropy floor of a recording of bench/synth.c's
# host: the bits a vCPU's sample cannot do without, whatever the coder,
# from what the generator draws at random (per vCPU and 2 s interval),
# at the resolution gtop records (RECORDING.md: times in whole
# microseconds, four of them in steps).  The part of each group of
# record-report.md's "Where the bits go"; no keyframes, names or heads.
#
#   python3 tools/gtop/bench/recfloor.py
import math

STEP = 2.0
MEAN_NS = [900, 1500, 1200, 3500, 9000, 800]     # synth.c mean_ns
BUSY = [250, 50, 250, 300, 100, 50]              # exits/s, busy vCPU
LIGHT = [15, 20, 20, 3, 1, 0]                    # light vCPU (mixed)


def H(ps):
    return -sum(p * math.log2(p) for p in ps if p > 0)


def count_bits(m):
    """c = floor(m (1 + 0.2 (2 u1 - 1)) + u2): synth.c exit_mix()."""
    if m == 0:
        return 0.0
    lo, w = 0.8 * m, 0.4 * m

    def cdf(x):         # P(lo + w u1 + u2 <= x)
        n = 400
        return sum(min(max((x - (j + 0.5) / n - lo) / w, 0), 1)
                   for j in range(n)) / n
    ks = range(int(lo) - 2, int(lo + w) + 3)
    return H([cdf(k + 1) - cdf(k) for k in ks])


def gauss_bits(sd_us, step_us=1.0):
    """A Gaussian of sd_us seen in steps of step_us."""
    sd = sd_us / step_us
    return math.log2(sd * math.sqrt(2 * math.pi * math.e)) if sd > 0.3 else 0


def unif_bits(width_us, step_us=1.0):
    return max(math.log2(width_us / step_us), 0)


def maxmin_bits(rate):
    # synth.c events(): max += U(0, 2 mean) ns with p 0.05, else min -=
    # 1..10 with p 0.95 x 0.02
    b = 0
    for r, m in zip(rate, MEAN_NS):
        if r:
            b += H([0.05, 0.95]) + 0.05 * math.log2(2 * m)
            b += H([0.019, 0.981]) + 0.019 * math.log2(10)
    return b


def floor(rate, times):
    n = [r * STEP for r in rate]
    rows = {
        "exit counts": sum(count_bits(x) for x in n),
        # a reason's time given its count: n exits of mean m, deviation
        # 0.4 m each (the vCPU's own mean is learnt)
        "exit times given the counts": sum(
            gauss_bits(0.4 * m * math.sqrt(x) / 1e3) if x else 0
            for x, m in zip(n, MEAN_NS)),
        "exits' min and max": maxmin_bits(rate) + times.pop("guest max"),
    }
    rows.update(times)
    return rows


# busy: wait W ~ U(2 ms +- 1 ms), in us (moves < 8.192 ms: step 1); the
# halts H ~ N(100 x 200 us, 2 ms); the rest R ~ U(4 ms +- 2 ms), half
# of it in run time.  run = w - H - W - R/2 (steps of 256 us) tells
# H + R/2; <halted> (steps of 4 us) then tells H, R/2 being left;
# <guest> = w - e - H - W - R follows.  Guest user share U(0.6 +- 0.06)
# of ~190 ticks; the other ticks are floors of cumulative times (about
# 2 bits); the CPU: another one of 32 with p 0.1; <guest>'s max as a
# reason's (mean ~1 ms).
busy = floor(BUSY, {
    "run, wait, <guest>, <halted> times":
        unif_bits(2000) + gauss_bits(math.hypot(2000, 2000 / math.sqrt(12)),
                                     256) + unif_bits(2000, 4),
    "clock ticks": unif_bits(0.12 * 190) + 2.0,
    "processor": H([0.9, 0.1]) + 0.1 * 5,
    "guest max": H([0.05, 0.95]) + 0.05 * math.log2(2e6),
})
# light: guest g ~ U(40 ms +- 8 ms) (steps of 8 us), W ~ U(200 us
# +- 100), run = g + e + R/2 (steps of 8 us) tells R/2 given g, <halted>
# = w - e - g - W - R (steps of 256 us) follows; ticks: guest user half
# of ~4 ticks, the rest floors.
light = floor(LIGHT, {
    "run, wait, <guest>, <halted> times":
        unif_bits(16000, 8) + unif_bits(200) + unif_bits(2000, 8),
    "clock ticks": 2.0,
    "processor": H([0.9, 0.1]) + 0.1 * 5,
    "guest max": H([0.05, 0.95]) + 0.05 * math.log2(2 * 40e6 / 60),
})
mib = 500 * 4 * 3600 / STEP / 8 / 1048576      # MiB an hour a bit
print("| part | busy vCPU | light vCPU | mixed (20% busy) |")
print("|---|---:|---:|---:|")
for k in busy:
    print("| %s | %.1f | %.1f | %.1f |" % (k, busy[k], light[k],
                                         0.2 * busy[k] + 0.8 * light[k]))
tb, tl = sum(busy.values()), sum(light.values())
print("| total, bits a vCPU a sample | %.1f | %.1f | %.1f |" %
      (tb, tl, 0.2 * tb + 0.8 * tl))
print("| MiB an hour, 500 x 4 every 2 s | %.2f | %.2f | %.2f |" %
      (tb * mib, tl * mib, (0.2 * tb + 0.8 * tl) * mib))
