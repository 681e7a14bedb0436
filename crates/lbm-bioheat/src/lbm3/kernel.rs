//! The fused pull-stream / collide kernel of the D3Q7 MRT scheme for one
//! row (along z) of the padded lattice.
//!
//! Directions: 0 rest, 1 +x, 2 −x, 3 +y, 4 −y, 5 +z, 6 −z. Moments n = N g
//! with N rows (1,1,1,1,1,1,1), (0,1,−1,0,0,0,0), (0,0,0,1,−1,0,0),
//! (0,0,0,0,0,1,−1), (−6,1,1,1,1,1,1), (0,2,2,−1,−1,−1,−1),
//! (0,0,0,1,1,−1,−1): orthogonal with squared row norms
//! (7, 2, 2, 2, 42, 12, 4), so g = Nᵀ diag(1/7, 1/2, 1/2, 1/2, 1/42, 1/12,
//! 1/4) n. The conserved moment is E = r⁻¹T (r = (ρc)₀/(ρc)), the moving
//! populations' equilibrium w T and the rest one's E − 6wT, as in the D2Q5
//! kernel (Karani & Huber 2015's conservative form): the energy moment's
//! equilibrium is −6E + 42wT; the three flux moments relax with 1/τ, the
//! energy moment with s_e and the two second-order ones with s_q.

use crate::lbm::kernel::{KernelParams, RowStat, watched_row};

/// Collides one row of `n` cells whose first interior cell has padded
/// index `base`: `input[q]` holds the pre-collision populations of
/// direction q (already streamed), `output[q]` receives the post-collision
/// ones and `t_row` the temperatures (all cut to the row's n cells). The
/// streaming modes differ only in where these windows lie. `LINEAR` and
/// `HETERO` as in the D2Q5 kernel.
#[allow(clippy::too_many_arguments)]
#[inline(always)]
fn row_generic<const LINEAR: bool, const HETERO: bool>(
    base: usize,
    n: usize,
    input: [&[f64]; 7],
    output: [&mut [f64]; 7],
    t_row: &mut [f64],
    p: &KernelParams<'_>,
) -> RowStat {
    let [s0, s1, s2, s3, s4, s5, s6] = input;
    let (s0, s1, s2, s3) = (&s0[..n], &s1[..n], &s2[..n], &s3[..n]);
    let (s4, s5, s6) = (&s4[..n], &s5[..n], &s6[..n]);
    let omega = &p.omega[base..base + n];
    let ratio = if HETERO {
        &p.ratio[base..base + n]
    } else {
        &p.omega[base..base + n] // not read
    };
    let perf = &p.perfusion[base..base + n];
    let source = &p.source[base..base + n];
    let labels = &p.labels[base..base + n];
    let [d0, d1, d2, d3, d4, d5, d6] = output;
    let (d0, d1, d2, d3) = (&mut d0[..n], &mut d1[..n], &mut d2[..n], &mut d3[..n]);
    let (d4, d5, d6, tr) = (&mut d4[..n], &mut d5[..n], &mut d6[..n], &mut t_row[..n]);
    let (tb, varpi, se, sq) = (p.t_blood, p.varpi, p.s_e, p.s_q);
    // Blocks of the row, reduced after each (as in D2Q5).
    watched_row(tr, base, p.limit, |start, end, tr| {
        for j in start..end {
            let (g0, g1, g2, g3) = (s0[j], s1[j], s2[j], s3[j]);
            let (g4, g5, g6) = (s4[j], s5[j], s6[j]);
            let sum = g0 + g1 + g2 + g3 + g4 + g5 + g6;
            let r = if HETERO { ratio[j] } else { 1.0 };
            let e = if LINEAR {
                (sum + source[j]) * perf[j]
            } else {
                let w = perf[j] * p.models[labels[j] as usize].rate(tr[j]);
                (sum + 0.5 * (w * tb + source[j])) / (1.0 + 0.5 * w * r)
            };
            let t = if HETERO { r * e } else { e };
            let s = 2.0 * (e - sum);
            let keep = 1.0 - omega[j];
            let n0 = e + 0.5 * s;
            let jx = keep * (g1 - g2);
            let jy = keep * (g3 - g4);
            let jz = keep * (g5 - g6);
            let ne_raw = sum - 7.0 * g0;
            let (ne_eq, ne_src) = if HETERO {
                (-6.0 * e + (varpi + 6.0) * t, -6.0 + (varpi + 6.0) * r)
            } else {
                (varpi * t, varpi)
            };
            let ne = ne_raw - se * (ne_raw - ne_eq) + (1.0 - 0.5 * se) * ne_src * s;
            let nxx = (1.0 - sq) * (2.0 * (g1 + g2) - g3 - g4 - g5 - g6);
            let nww = (1.0 - sq) * (g3 + g4 - g5 - g6);
            let a = n0 / 7.0 + ne / 42.0;
            let (bx, byz) = (a + nxx / 6.0, a - nxx / 12.0);
            d0[j] = (n0 - ne) / 7.0;
            d1[j] = bx + 0.5 * jx;
            d2[j] = bx - 0.5 * jx;
            d3[j] = byz + 0.5 * jy + 0.25 * nww;
            d4[j] = byz - 0.5 * jy + 0.25 * nww;
            d5[j] = byz + 0.5 * jz - 0.25 * nww;
            d6[j] = byz - 0.5 * jz - 0.25 * nww;
            tr[j] = t;
        }
    })
}

/// [`row_generic`] compiled for AVX2; bit-identical to the baseline build
/// (no fused multiply–add is formed).
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
fn row_avx2<const LINEAR: bool, const HETERO: bool>(
    base: usize,
    n: usize,
    input: [&[f64]; 7],
    output: [&mut [f64]; 7],
    t_row: &mut [f64],
    p: &KernelParams<'_>,
) -> RowStat {
    row_generic::<LINEAR, HETERO>(base, n, input, output, t_row, p)
}

/// [`row_generic`] with the widest instruction set the CPU offers, for the
/// problem's linearity and heterogeneity.
#[inline]
pub(crate) fn collide_row3(
    (linear, hetero): (bool, bool),
    base: usize,
    n: usize,
    input: [&[f64]; 7],
    output: [&mut [f64]; 7],
    t_row: &mut [f64],
    p: &KernelParams<'_>,
) -> RowStat {
    macro_rules! dispatch {
        ($f:ident) => {
            match (linear, hetero) {
                (true, false) => $f::<true, false>(base, n, input, output, t_row, p),
                (true, true) => $f::<true, true>(base, n, input, output, t_row, p),
                (false, false) => $f::<false, false>(base, n, input, output, t_row, p),
                (false, true) => $f::<false, true>(base, n, input, output, t_row, p),
            }
        };
    }
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("avx2") {
        // SAFETY: calling a function compiled with
        // `target_feature(enable = "avx2")` requires only that the CPU
        // supports AVX2, detected just above.
        return unsafe { dispatch!(row_avx2) };
    }
    dispatch!(row_generic)
}
