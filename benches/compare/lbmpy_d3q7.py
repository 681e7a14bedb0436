"""lbmpy's D3Q7 MRT kernel: MLUPS at the lattices of `cargo bench --bench lbm`.

The same D3Q7 MRT scheme as mnp-suite's 3D LBM (crates/lbm-bioheat,
LbmSolver3): velocities 0, +-x, +-y, +-z; moments 1; x, y, z;
x^2 + y^2 + z^2; 2x^2 - y^2 - z^2, y^2 - z^2 (our matrix N); relaxation
rates 1/tau = 1 for the fluxes and 1.5 for the three higher moments;
equilibrium w_i T with w0 = 1/4, w = 1/8 (set below). Generated as a
pull-stream-collide kernel reading a zero velocity field (lbmpy's
advection-diffusion form): no heat source, no perfusion sink and no
separate temperature field: 7 + 7 populations and a 3-component velocity,
136 B per update against our 152 B.

Each lattice is timed with OpenMP off (1 thread) and, separately compiled,
with OpenMP on 2 threads; no boundary condition between steps (ours writes
its six faces' ghost populations every step, O(n^2) beside O(n^3)).

Usage: python lbmpy_d3q7.py [--sizes 64,256] [--threads 1,2] [--seconds 3]
           [--criterion DIR] [--json FILE]
With --criterion, reads ours from DIR/lbm3_step_linear and DIR/triad
(`cargo bench --bench lbm -- "triad|lbm3_step_linear"`) and prints the
Markdown table of docs/PERFORMANCE.md ("D3Q7 beside lbmpy").
"""

import numpy as np
import sympy as sp

from lbmpy_d2q5 import run

RATES = [0.0, 1.0, 1.0, 1.0, 1.5, 1.5, 1.5]
# `lbm3_step_linear` times pairs of steps (the AA pattern alternates two
# kinds of step): criterion's time per iteration covers this many updates
# of every cell.
STEPS_PER_ITERATION = 2
WEIGHTS = [0.25] + [0.125] * 6


def build_kernel(openmp_threads):
    import pystencils as ps
    from lbmpy import LBMConfig, LBMOptimisation, LBStencil, Method, create_lb_update_rule
    from lbmpy.maxwellian_equilibrium import get_weights
    from lbmpy.moments import MOMENT_SYMBOLS

    get_weights.weights[3][7] = {0: sp.Rational(1, 4), 1: sp.Rational(1, 8)}
    x, y, z = MOMENT_SYMBOLS[:3]
    stencil = LBStencil(
        ((0, 0, 0), (1, 0, 0), (-1, 0, 0), (0, 1, 0), (0, -1, 0), (0, 0, 1), (0, 0, -1)),
        theta0=sp.Rational(1, 4),
    )
    src, dst = ps.fields("src(7), dst(7): double[3D]", layout="fzyx")
    velocity = ps.fields("u(3): double[3D]", layout="fzyx")
    config = LBMConfig(
        stencil=stencil,
        method=Method.MRT,
        nested_moments=[
            [sp.Integer(1)],
            [x, y, z],
            [x**2 + y**2 + z**2],
            [2 * x**2 - y**2 - z**2, y**2 - z**2],
        ],
        relaxation_rates=RATES,
        compressible=True,
        zero_centered=False,
        # The discrete equilibrium w_i T (the weights set above); lbmpy's
        # continuous one would derive other D3Q7 weights.
        continuous_equilibrium=False,
        equilibrium_order=1,
        velocity_input=velocity,
        streaming_pattern="pull",
        field_name="src",
        temporary_field_name="dst",
    )
    opt = LBMOptimisation(symbolic_field=src, symbolic_temporary_field=dst)
    rule = create_lb_update_rule(lbm_config=config, lbm_optimisation=opt)
    kcfg = ps.CreateKernelConfig(target=ps.Target.CPU, ghost_layers=1)
    if openmp_threads > 1:
        kcfg.cpu.openmp.enable = True
        kcfg.cpu.openmp.num_threads = openmp_threads
    return ps.create_kernel(rule, kcfg).compile(), rule


def check_kernel(kernel, rule):
    """One step on random populations against a plain numpy D3Q7 MRT step."""
    n = 6
    rng = np.random.default_rng(0)
    src = np.asfortranarray(rng.random((n + 2,) * 3 + (7,)))
    dst = np.asfortranarray(np.zeros_like(src))
    u = np.asfortranarray(np.zeros((n + 2,) * 3 + (3,)))
    kernel(src=src, dst=dst, u=u)
    c = np.array(rule.method.stencil)
    m = np.array(
        [[1] * 7, c[:, 0], c[:, 1], c[:, 2], (c**2).sum(1),
         2 * c[:, 0] ** 2 - c[:, 1] ** 2 - c[:, 2] ** 2, c[:, 1] ** 2 - c[:, 2] ** 2],
        float,
    )
    s = np.diag(RATES)
    w = np.array(WEIGHTS)
    worst = 0.0
    for i in range(1, n + 1):
        for j in range(1, n + 1):
            for k in range(1, n + 1):
                f = np.array([src[i - c[q, 0], j - c[q, 1], k - c[q, 2], q] for q in range(7)])
                mom = m @ f
                ref = np.linalg.solve(m, mom - s @ (mom - m @ (w * f.sum())))
                worst = max(worst, float(np.abs(ref - dst[i, j, k]).max()))
    if worst > 1e-12:
        raise SystemExit(f"lbmpy's kernel is not the D3Q7 MRT step described: max difference {worst:.2e}")
    return worst


def main():
    def check(kernel, rule):
        return {"max_difference_from_numpy_step": check_kernel(kernel, rule)}

    run(__doc__, "D3Q7 MRT", "64,256", build_kernel, check, 3, 7, 136, table)


def table(root, sizes, threads, theirs):
    from common import criterion_median

    triad = {}
    for t in threads:
        s = criterion_median(root, "triad", f"{t}t")
        triad[t] = None if s is None else 24 * (1 << 25) / s / 1e9
    ours = {}
    for n in sizes:
        for t in threads:
            s = criterion_median(root, "lbm3_step_linear", f"{n}/{t}t")
            ours[f"{n}/{t}t"] = None if s is None else STEPS_PER_ITERATION * n**3 / s / 1e6

    def cell(d, key, fmt="{:.1f}"):
        return "–" if d.get(key) is None else fmt.format(d[key])

    tt = " / ".join(str(t) for t in threads)
    print(f"| lattice | lbmpy D3Q7 MRT ({tt} t), MLUPS | mnp-suite ({tt} t), MLUPS "
          f"| ours / lbmpy | ours: GB/s (152 B/update) and share of the triad, 1 t | ours: 2 t / 1 t |")
    print("|---|---|---|---|---|---|")
    for n in sizes:
        th = " / ".join(cell(theirs, f"{n}/{t}t") for t in threads)
        us = " / ".join(cell(ours, f"{n}/{t}t") for t in threads)
        ratio = " / ".join(
            "–" if ours.get(f"{n}/{t}t") is None or theirs.get(f"{n}/{t}t") is None
            else f"{ours[f'{n}/{t}t'] / theirs[f'{n}/{t}t']:.2f}" for t in threads)
        one = ours.get(f"{n}/1t")
        bw = "–" if one is None or triad.get(1) is None else \
            f"{152 * one / 1e3:.1f} GB/s, {152 * one / 1e3 / triad[1]:.0%}"
        two = ours.get(f"{n}/2t")
        speed = "–" if one is None or two is None else f"{two / one:.2f}×"
        print(f"| {n}³ | {th} | {us} | {ratio} | {bw} | {speed} |")
    tri = ", ".join(f"{triad[t]:.2f} GB/s on {t} thread{'s' if t > 1 else ''}"
                    for t in threads if triad[t] is not None)
    print(f"\n(triad in this run: {tri or '–'}.)")


if __name__ == "__main__":
    main()
