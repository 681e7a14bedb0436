"""lbmpy's D2Q5 MRT kernel: MLUPS at the lattices of `cargo bench --bench lbm`.

The same D2Q5 MRT scheme as mnp-suite's LBM (crates/lbm-bioheat): velocities
(0,0), (0,+-1), (+-1,0); moments 1; x, y; x^2 + y^2; x^2 - y^2 (our matrix N);
relaxation rates 1/tau = 1 for the fluxes and 1.5, 1.5 for the higher
moments (s_e, s_q of Eq. B.4); equilibrium w_i T with w0 = 1/3, w = 1/6
(lbmpy 2.0 has no D2Q5 weights in its table: they are added below). Generated
as a pull-stream-collide kernel reading a zero velocity field (lbmpy's
advection-diffusion form), so its kernel carries no heat source, no
perfusion sink and no separate temperature field: 5 + 5 populations and a
2-component velocity, 96 B per update against our 120 B.

Each lattice is timed with OpenMP off (1 thread) and, separately compiled,
with OpenMP on 2 threads. No boundary condition is applied between steps
(the ghost layer keeps its values); ours writes the ghost populations of
its four edges every step, O(n) work beside the O(n^2) update.

Usage: python lbmpy_d2q5.py [--sizes 100,512,2048] [--threads 1,2]
           [--seconds 3] [--criterion DIR] [--json FILE]
Times lbmpy (MLUPS: the median of ~0.2 s samples over --seconds per case);
with --criterion, reads ours from DIR/lbm_step_linear and DIR/triad
(`cargo bench --bench lbm -- "triad|lbm_step_linear"`) and prints the
Markdown table of docs/PERFORMANCE.md ("Beside lbmpy").
"""

import argparse
import json
import sys
import time

import numpy as np
import sympy as sp


def build_kernel(openmp_threads):
    import pystencils as ps
    from lbmpy import LBMConfig, LBStencil, Method, create_lb_update_rule
    from lbmpy.maxwellian_equilibrium import get_weights
    from lbmpy.moments import MOMENT_SYMBOLS

    # lbmpy 2.0 knows no D2Q5 weights: w0 = 1/3, w1..4 = 1/6 (c_s^2 = 1/3).
    get_weights.weights[2][5] = {0: sp.Rational(1, 3), 1: sp.Rational(1, 6)}

    x, y = MOMENT_SYMBOLS[:2]
    stencil = LBStencil(((0, 0), (0, 1), (0, -1), (-1, 0), (1, 0)), theta0=sp.Rational(1, 3))
    src, dst = ps.fields("src(5), dst(5): double[2D]", layout="fzyx")
    velocity = ps.fields("u(2): double[2D]", layout="fzyx")
    config = LBMConfig(
        stencil=stencil,
        method=Method.MRT,
        nested_moments=[[sp.Integer(1)], [x, y], [x**2 + y**2], [x**2 - y**2]],
        # one rate per moment: T (its equilibrium is itself), the fluxes
        # 1/tau, s_e, s_q
        relaxation_rates=[0, 1.0, 1.0, 1.5, 1.5],
        compressible=True,
        zero_centered=False,
        equilibrium_order=1,
        velocity_input=velocity,
        streaming_pattern="pull",
        field_name="src",
        temporary_field_name="dst",
    )
    from lbmpy import LBMOptimisation

    opt = LBMOptimisation(symbolic_field=src, symbolic_temporary_field=dst)
    rule = create_lb_update_rule(lbm_config=config, lbm_optimisation=opt)
    kcfg = ps.CreateKernelConfig(
        target=ps.Target.CPU,
        ghost_layers=1,
    )
    if openmp_threads > 1:
        kcfg.cpu.openmp.enable = True
        kcfg.cpu.openmp.num_threads = openmp_threads
    return ps.create_kernel(rule, kcfg).compile(), rule


def check_scheme(rule):
    """The moment matrix and rates actually generated (printed once)."""
    method = rule.method
    return {
        "moments": [str(m) for m in method.moments],
        "relaxation_rates": [str(r) for r in method.relaxation_rates],
        "weights": [str(w) for w in method.weights],
    }


def check_kernel(kernel, rule):
    """One step on random populations against a plain numpy D2Q5 MRT step
    (pull, then m* = m - S (m - m_eq) with m_eq = N (w T)): the kernel is
    the scheme described above, to rounding."""
    n = 8
    rng = np.random.default_rng(0)
    src = np.asfortranarray(rng.random((n + 2, n + 2, 5)))
    dst = np.asfortranarray(np.zeros_like(src))
    u = np.asfortranarray(np.zeros((n + 2, n + 2, 2)))
    kernel(src=src, dst=dst, u=u)
    c = np.array(rule.method.stencil)
    m = np.array([[1] * 5, c[:, 0], c[:, 1], (c**2).sum(1), c[:, 0] ** 2 - c[:, 1] ** 2], float)
    s = np.diag([0.0, 1.0, 1.0, 1.5, 1.5])
    w = np.array([1 / 3, 1 / 6, 1 / 6, 1 / 6, 1 / 6])
    worst = 0.0
    for i in range(1, n + 1):
        for j in range(1, n + 1):
            f = np.array([src[i - c[q, 0], j - c[q, 1], q] for q in range(5)])
            mom = m @ f
            ref = np.linalg.solve(m, mom - s @ (mom - m @ (w * f.sum())))
            worst = max(worst, float(np.abs(ref - dst[i, j]).max()))
    if worst > 1e-12:
        raise SystemExit(f"lbmpy's kernel is not the D2Q5 MRT step described: max difference {worst:.2e}")
    return worst


def time_kernel(kernel, n, seconds, dims=2, q=5):
    """MLUPS of `kernel` on an n^dims lattice of q populations: the median of
    ~0.2 s samples over `seconds` (at least five)."""
    # One ghost layer on each side, as the kernel was generated with;
    # pystencils wants fzyx: index dimension slowest.
    shape = (n + 2,) * dims
    src = np.asfortranarray(np.full(shape + (q,), 37.0 / q))
    dst = np.asfortranarray(np.zeros_like(src))
    u = np.asfortranarray(np.zeros(shape + (dims,)))
    kernel(src=src, dst=dst, u=u)  # warm-up and page faults
    # calibrate: iterations per ~0.2 s sample
    t = time.perf_counter()
    it = 0
    while time.perf_counter() - t < 0.05:
        kernel(src=src, dst=dst, u=u)
        src, dst = dst, src
        it += 1
    per = (time.perf_counter() - t) / it
    iters = max(1, int(0.2 / per))
    samples = []
    end = time.perf_counter() + seconds
    while time.perf_counter() < end or len(samples) < 5:
        t = time.perf_counter()
        for _ in range(iters):
            kernel(src=src, dst=dst, u=u)
            src, dst = dst, src
        samples.append((time.perf_counter() - t) / iters)
    samples.sort()
    med = samples[len(samples) // 2]
    return n**dims / med / 1e6


def run(doc, name, default_sizes, build, check, dims, q, bytes_per_update, table_fn):
    """The command line shared by the lbmpy scripts: parse the arguments,
    build the kernel once per thread count, check it once (`check` returns
    a JSON-able description), time every lattice, write --json, and print
    the table (`table_fn(criterion_dir, sizes, threads, results)`) or the
    JSON."""
    ap = argparse.ArgumentParser(description=doc.splitlines()[0])
    ap.add_argument("--sizes", default=default_sizes)
    ap.add_argument("--threads", default="1,2")
    ap.add_argument("--seconds", type=float, default=3.0)
    ap.add_argument("--criterion")
    ap.add_argument("--json")
    args = ap.parse_args()
    import lbmpy
    import pystencils

    sizes = [int(s) for s in args.sizes.split(",")]
    threads = [int(s) for s in args.threads.split(",")]
    print(f"lbmpy {lbmpy.__version__}, pystencils {pystencils.__version__}", file=sys.stderr)
    results = {}
    scheme = None
    for t in threads:
        kernel, rule = build(t)
        if scheme is None:
            scheme = check(kernel, rule)
            print(f"scheme: {scheme}", file=sys.stderr)
        for n in sizes:
            mlups = time_kernel(kernel, n, args.seconds, dims=dims, q=q)
            results[f"{n}/{t}t"] = mlups
            print(f"lbmpy {name} {n}^{dims} {t} thread(s): {mlups:.1f} MLUPS", file=sys.stderr)
    out = {
        "lbmpy": lbmpy.__version__,
        "pystencils": pystencils.__version__,
        "bytes_per_update": bytes_per_update,
        "mlups": results,
        "scheme": scheme,
    }
    if args.json:
        with open(args.json, "w") as f:
            json.dump(out, f, indent=1)
    if args.criterion:
        table_fn(args.criterion, sizes, threads, results)
    else:
        print(json.dumps(out))


def main():
    def check(kernel, rule):
        scheme = check_scheme(rule)
        scheme["max_difference_from_numpy_step"] = check_kernel(kernel, rule)
        return scheme

    run(__doc__, "D2Q5 MRT", "100,512,2048", build_kernel, check, 2, 5, 96, table)


def table(root, sizes, threads, theirs):
    from common import criterion_median

    ours = {}
    for n in sizes:
        for t in threads:
            s = criterion_median(root, "lbm_step_linear", f"{n}/{t}t")
            ours[f"{n}/{t}t"] = None if s is None else n * n / s / 1e6
    triad = {}
    for t in threads:
        s = criterion_median(root, "triad", f"{t}t")
        triad[t] = None if s is None else 24 * (1 << 25) / s / 1e9

    def pair(d, n, digits=1):
        return " / ".join("–" if d.get(f"{n}/{t}t") is None else f"{d[f'{n}/{t}t']:.{digits}f}"
                          for t in threads)

    def ratios(n):
        r = []
        for t in threads:
            a, b = ours.get(f"{n}/{t}t"), theirs.get(f"{n}/{t}t")
            r.append("–" if a is None or b is None else f"{a / b:.2f}")
        return " / ".join(r)

    tt = " / ".join(str(t) for t in threads)
    print(f"| lattice | lbmpy D2Q5 MRT ({tt} threads) | mnp-suite ({tt} threads) "
          f"| ours / lbmpy MLUPS ({' / '.join(f'{t} t' for t in threads)}) | bandwidth, lbmpy vs ours (1 t) |")
    print("|---|---|---|---|---|")
    for n in sizes:
        a, b = theirs.get(f"{n}/1t"), ours.get(f"{n}/1t")
        if a is not None and b is not None:
            bw = f"{96 * a / 1e3:.1f} vs {120 * b / 1e3:.1f} GB/s ({120 * b / (96 * a):.0%})"
        else:
            bw = "–"
        print(f"| {n}² | {pair(theirs, n)} MLUPS | {pair(ours, n)} MLUPS | {ratios(n)} | {bw} |")
    tri = ", ".join(f"{triad[t]:.2f} GB/s on {t} thread{'s' if t > 1 else ''}"
                    for t in threads if triad[t] is not None)
    print(f"\n(triad in this run: {tri or '–'}.)")


if __name__ == "__main__":
    main()
