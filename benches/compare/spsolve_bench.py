"""scipy.sparse.linalg.spsolve on the Newton systems written by
`cargo run --release --example steady_solver` (Matrix Market files).

For each grid n: reads SYSTEM_DIR/newton_{n}.mtx and newton_{n}_rhs.mtx,
converts the matrix to CSC once (outside the timing), and times
`spsolve(a, b)` (SuperLU, scipy's default COLAMD ordering): the median of
21 runs (5 at 400^2), the same counts as the example's own median. Reports
the relative residual |Ax - b| / |b|.

Usage: python spsolve_bench.py SYSTEM_DIR [--sizes 100,200,400] [--ours FILE]
           [--json FILE]
With --ours (the example's standard output), prints the Markdown table of
docs/PERFORMANCE.md ("Beside scipy.sparse.linalg.spsolve"): our
multigrid-CG solve of the same system to a relative residual of 1e-10,
timed by the example (median of 21 solves, 5 at 400^2).
"""

import argparse
import json
import sys
import time

import numpy as np
import scipy
import scipy.io
import scipy.sparse.linalg as sla


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("system_dir")
    ap.add_argument("--sizes", default="100,200,400")
    ap.add_argument("--ours")
    ap.add_argument("--json")
    args = ap.parse_args()
    results = {}
    for n in (int(s) for s in args.sizes.split(",")):
        a = scipy.io.mmread(f"{args.system_dir}/newton_{n}.mtx").tocsc()
        b = np.asarray(scipy.io.mmread(f"{args.system_dir}/newton_{n}_rhs.mtx")).ravel()
        runs = 21 if n < 400 else 5
        ts = []
        for _ in range(runs):
            t = time.perf_counter()
            x = sla.spsolve(a, b)
            ts.append(time.perf_counter() - t)
        ts.sort()
        res = float(np.linalg.norm(a @ x - b) / np.linalg.norm(b))
        results[str(n)] = {"ms": 1e3 * ts[len(ts) // 2], "residual": res, "runs": runs,
                           "rows": a.shape[0], "nnz": int(a.nnz)}
        print(f"{n}^2: spsolve {1e3 * ts[len(ts) // 2]:.2f} ms (median of {runs}), "
              f"residual {res:.1e}", file=sys.stderr)
    out = {"scipy": scipy.__version__, "numpy": np.__version__, "sizes": results}
    if args.json:
        with open(args.json, "w") as f:
            json.dump(out, f, indent=1)
    if args.ours:
        table(args.ours, results)
    else:
        print(json.dumps(out))


def table(path, theirs):
    from common import last_json_line

    ours = {str(s["n"]): s for s in last_json_line(path)["sizes"]}
    print("| grid | scipy `spsolve` (direct; residual) | mnp-suite MG-CG to 10⁻¹⁰ (CG iterations) | ratio |")
    print("|---|---|---|---|")
    for n, t in theirs.items():
        o = ours.get(n)
        if o is None:
            continue
        ms = t["ms"]
        sp = f"{ms:.1f} ms" if ms < 100 else f"{ms:.0f} ms"
        om = o["linear_solve_ms"]
        r = ms / om
        print(f"| {n}² | {sp} ({t['residual']:.1e}) | {om:.2f} ms ({o['linear_solve_cg_iterations']}) "
              f"| {r:.2g}× faster |" if r >= 1 else f"| {n}² | {sp} ({t['residual']:.1e}) | {om:.2f} ms "
              f"({o['linear_solve_cg_iterations']}) | {1 / r:.2g}× slower |")
    cold = {n: o["cold_ms"] for n, o in ours.items()}
    print(f"\n(ours, whole nonlinear solve from 37 °C in the same run, single-run medians: "
          + ", ".join(f"{v:.2f} ms at {n}²" for n, v in cold.items()) + ")")


if __name__ == "__main__":
    main()
