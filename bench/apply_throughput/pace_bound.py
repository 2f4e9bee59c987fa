#!/usr/bin/env python3
"""What pace can any sender reach at 10 calls per sliding second, counted on arrival, when each
call spends an independent U(0, T) in transit? (bench/README.md, "Why not 0.95".)

Monte Carlo of the emulator's rule (providers/alicloud/emulator/rate_window.cc: a call is refused
when 10 admitted arrivals lie in the second before it; refused calls do not count), for
  open:     sends (1 s + margin) / 10 apart, as certform did before;
  anchored: certform's RateLimiter with answers: a slot goes one window after the latest arrival
            the answers to the calls 10..20 slots back show (answer time less the fastest round
            trip), or (1 s + margin) after the send 10 back if earlier; at least half an
            interval after the previous slot.
Throttled calls are not retried here: the share is of first attempts.
Usage: pace_bound.py [T_MS] [SERVER_JITTER_MS]   (defaults 100 and 20, the bench's 0-100 ms case)
"""
import random
import sys
from collections import deque


def simulate(margin, transit, server_jitter, anchored, calls=100000, rate=10, seed=1):
    rnd = random.Random(seed)
    interval = (1 + margin) / rate
    sends, arrivals, answers = [], [], []
    fastest = float("inf")
    for k in range(calls):
        if k < rate:
            s = sends[-1] + interval if sends else 0.0
        else:
            s = max(sends[-1] + interval / 2, sends[k - rate] + rate * interval)
            group = range(max(0, k - 2 * rate), k - rate + 1)
            # Answers known when the slot is reserved, about 0.3 s before it.
            if anchored and k >= 2 * rate and all(answers[i] <= s - 0.3 for i in group):
                latest = max(answers[i] - fastest for i in group)
                s = max(sends[-1] + interval / 2, min(s, latest + 1))
        t = rnd.uniform(0, transit)
        latency = 0.02 + rnd.uniform(0, server_jitter)  # the bench's answer time: 20 + U(0, 20) ms
        sends.append(s)
        arrivals.append(s + t)
        answers.append(s + t + latency)
        if k >= 1:
            fastest = min(fastest, answers[k - 1] - sends[k - 1])
    admitted, throttled = deque(), 0
    for a in sorted(arrivals):
        while admitted and admitted[0] <= a - 1:
            admitted.popleft()
        if len(admitted) >= rate:
            throttled += 1
        else:
            admitted.append(a)
    pace = (calls - 1) / (sends[-1] * rate)
    return throttled / calls, pace


def main():
    transit = (float(sys.argv[1]) if len(sys.argv) > 1 else 100) / 1000
    jitter = (float(sys.argv[2]) if len(sys.argv) > 2 else 20) / 1000
    for anchored in (False, True):
        for margin_ms in (25, 50, 70, 80, 86, 90, 100, 150):
            share, pace = simulate(margin_ms / 1000, transit, jitter, anchored)
            print(f"{'anchored' if anchored else 'open    '} margin {margin_ms:3d} ms: "
                  f"pace {pace:.3f} x the limit, throttled {share * 100:5.2f}%")


if __name__ == "__main__":
    main()
