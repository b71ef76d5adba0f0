#!/usr/bin/env python3
"""SimPy side of the classic hold-model benchmark (see Benchmarks/README.md, kernel section).

N processes each loop `yield env.timeout(random.expovariate(1/mean))`; every completed hold is
one event. The queue therefore always holds N pending timeouts. Setup and a warm-up of about
one hold per process are excluded from the timing, so the figure is the steady-state event
rate. Prints one JSON line.
"""
import argparse
import json
import random
import time

import simpy


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--pending", type=int, default=1000)
    ap.add_argument("--events", type=int, default=1_000_000)
    ap.add_argument("--mean", type=float, default=100.0, help="mean hold, seconds")
    ap.add_argument("--seed", type=int, default=42)
    a = ap.parse_args()

    rng = random.Random(a.seed)
    expo = rng.expovariate
    rate = 1.0 / a.mean
    env = simpy.Environment()
    count = [0]

    def holder(env):
        timeout = env.timeout
        while True:
            yield timeout(expo(rate))
            count[0] += 1

    for _ in range(a.pending):
        env.process(holder(env))
    # Warm-up: about one hold per process, so the queue is in steady state.
    env.run(until=a.mean)
    start_count = count[0]
    # Each process fires at rate 1/mean, so `events` holds take events/pending*mean seconds.
    horizon = env.now + a.events / a.pending * a.mean
    t0 = time.perf_counter()
    env.run(until=horizon)
    wall = time.perf_counter() - t0
    n = count[0] - start_count
    print(json.dumps({"engine": "simpy", "version": simpy.__version__, "pending": a.pending,
                      "events": n, "wall_seconds": wall, "events_per_second": n / wall}))


if __name__ == "__main__":
    main()
