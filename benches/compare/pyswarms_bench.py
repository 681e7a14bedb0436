"""pyswarms' GlobalBestPSO on Table C.1's functions, beside
`cargo run --release --example pso_benchmarks`.

The same work as the example: 20 particles, 300 iterations (6000
evaluations), c1 = c2 = 1.5, the same boxes (sphere and Rastrigin
[-5.12, 5.12]^d, Shubert [-10, 10]^2), seeds 0-9 (`np.random.seed`), the
median of the ten best values and the wall time per run (optimizer built and
run). Positions leaving the box are put back on its boundary
(`bh_strategy="nearest"`), as ours are clamped. Differences that remain:
pyswarms has no falling inertia, so it runs with constant w = 0.8 and
w = 0.4 (ours falls linearly 0.8 -> 0); it starts particles with random
velocities (ours start at rest); it evaluates the whole swarm as one
vectorized numpy call per iteration (ours call the function per particle,
sequentially).

Usage: python pyswarms_bench.py OURS_JSON [--json FILE]
OURS_JSON: the last line of the example's standard output.
Prints the Markdown table of docs/PERFORMANCE.md ("Beside pyswarms").
"""

import argparse
import json
import logging
import sys
import time

import numpy as np
import pyswarms
from pyswarms.single import GlobalBestPSO


def sphere(x):
    return np.sum(x * x, axis=1)


def rastrigin(x):
    return 10.0 * x.shape[1] + np.sum(x * x - 10.0 * np.cos(2.0 * np.pi * x), axis=1)


def shubert(x):
    i = np.arange(1, 6)

    def s(t):
        return np.sum(i * np.cos((i + 1) * t[:, None] + i), axis=1)

    return s(x[:, 0]) * s(x[:, 1])


CASES = [
    ("sphere5", "sphere 5-D", sphere, 5, 5.12),
    ("shubert2", "Shubert 2-D", shubert, 2, 10.0),
    ("rastrigin2", "Rastrigin 2-D", rastrigin, 2, 5.12),
    ("rastrigin5", "Rastrigin 5-D", rastrigin, 5, 5.12),
]


def run(f, dim, half, w, seed):
    np.random.seed(seed)
    t = time.perf_counter()
    opt = GlobalBestPSO(
        n_particles=20,
        dimensions=dim,
        options={"c1": 1.5, "c2": 1.5, "w": w},
        bounds=(-half * np.ones(dim), half * np.ones(dim)),
        bh_strategy="nearest",
    )
    cost, _ = opt.optimize(f, iters=300, verbose=False)
    return cost, time.perf_counter() - t


def fmt(v):
    if v == 0:
        return "0"
    if abs(v) >= 0.01 and abs(v) < 1e4:
        s = f"{v:.4g}" if abs(v) < 100 else f"{v:.2f}"
    else:
        s = f"{v:.2e}"
    return "\u2212" + s[1:] if s.startswith("-") else s


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("ours")
    ap.add_argument("--json")
    args = ap.parse_args()
    # pyswarms logs every run at INFO level; keep the output to the table.
    logging.disable(logging.INFO)
    with open(args.ours) as f:
        ours = json.loads(f.read().strip().splitlines()[-1])
    theirs = {}
    for key, _, f, dim, half in CASES:
        theirs[key] = {}
        for w in (0.8, 0.4):
            costs, times = [], []
            for seed in range(10):
                c, t = run(f, dim, half, w, seed)
                costs.append(c)
                times.append(t)
            costs.sort()
            theirs[key][str(w)] = {
                "median": 0.5 * (costs[4] + costs[5]),
                "best": costs[0],
                "ms_per_run": 1e3 * sum(times) / len(times),
            }
    print(f"pyswarms {pyswarms.__version__}, numpy {np.__version__}", file=sys.stderr)
    print("| function | pyswarms w = 0.8: median / time per run | pyswarms w = 0.4 "
          "| mnp-suite (w 0.8 → 0): median / time per run | speed-up |")
    print("|---|---|---|---|---|")
    for key, label, _, _, _ in CASES:
        a, b, o = theirs[key]["0.8"], theirs[key]["0.4"], ours[key]
        print(f"| {label} | {fmt(a['median'])} / {a['ms_per_run']:.1f} ms "
              f"| {fmt(b['median'])} / {b['ms_per_run']:.1f} ms "
              f"| {fmt(o['median'])} / {o['ms_per_run']:.2f} ms "
              f"| {a['ms_per_run'] / o['ms_per_run']:.0f}× |")
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"pyswarms": pyswarms.__version__, "theirs": theirs, "ours": ours}, f, indent=1)


if __name__ == "__main__":
    main()
