//! The fused pull-stream / collide kernel of the D2Q5 MRT scheme
//! (Jiang et al. 2022, App. B) for one row of the padded lattice.
//!
//! Directions: 0 rest, 1 +x, 2 +y, 3 −x, 4 −y. Moments n = N g with
//! N rows (1,1,1,1,1), (0,1,0,−1,0), (0,0,1,0,−1), (−4,1,1,1,1),
//! (0,1,−1,1,−1); N is orthogonal with squared row norms (5, 2, 2, 20, 4), so
//! g = Nᵀ diag(1/5, 1/2, 1/2, 1/20, 1/4) n.
//!
//! Conserved moment: n₀ = Σg = E = r⁻¹T with r = (ρc)₀/(ρc) per cell, the
//! energy density in units of a reference (ρc)₀; the moving populations'
//! equilibrium is w T. Where (ρc) is uniform, r = 1 and E = T (the
//! `HETERO = false` path, which skips reading r).

use crate::perfusion::PerfusionModel;
use std::sync::Arc;

/// Everything the D2Q5 and D3Q7 kernels read besides the populations.
pub(crate) struct KernelParams<'a> {
    /// Padded strides: D2Q5 [ny + 2, 1] (the first is the row length);
    /// D3Q7 [(ny + 2)(nz + 2), nz + 2] along x and y.
    pub strides: [usize; 2],
    /// 1/τ per padded cell.
    pub omega: &'a [f64],
    /// r = (ρc)₀/(ρc) per padded cell (read only when (ρc) varies).
    pub ratio: &'a [f64],
    /// Linear problems: a = 1/(1 + rW'/2) per cell, with W' = W δt/(ρc)₀.
    /// Nonlinear: c_b δt/(ρc)₀.
    pub perfusion: &'a [f64],
    /// Linear problems: c₁ = ½(W' T_b + Q') per cell. Nonlinear: Q' =
    /// (Q + Q_m) δt/(ρc)₀ (°C per step where r = 1).
    pub source: &'a [f64],
    /// Region label per cell (nonlinear problems only).
    pub labels: &'a [u8],
    /// Perfusion law per region (nonlinear problems only).
    pub models: &'a [Arc<dyn PerfusionModel>],
    /// Blood temperature (°C).
    pub t_blood: f64,
    /// ϖ = −4 + 20w (D2Q5) or −6 + 42w (D3Q7).
    pub varpi: f64,
    /// s_e.
    pub s_e: f64,
    /// s_q.
    pub s_q: f64,
    /// |T| limit for divergence.
    pub limit: f64,
}

/// What one row reports: the largest |ΔT| and the first bad cell.
#[derive(Debug, Clone, Copy)]
pub(crate) struct RowStat {
    pub max_change: f64,
    /// (padded index, T) of the first non-finite or out-of-range
    /// temperature.
    pub bad: Option<(usize, f64)>,
}

impl RowStat {
    pub const EMPTY: RowStat = RowStat {
        max_change: 0.0,
        bad: None,
    };

    /// Combines two rows' reports; the result does not depend on the order
    /// in which rows were processed.
    pub fn merge(self, other: RowStat) -> RowStat {
        let bad = match (self.bad, other.bad) {
            (Some(a), Some(b)) => Some(if a.0 <= b.0 { a } else { b }),
            (a, b) => a.or(b),
        };
        RowStat {
            max_change: self.max_change.max(other.max_change),
            bad,
        }
    }
}

/// Runs `update(start, end, t_row)` over the row's cells in blocks of 256
/// and reports the row: the update loop carries no reduction (a
/// floating-point max reduction would stop it vectorizing), so each
/// block's old temperatures are kept in an L1-resident buffer and the
/// largest |ΔT|, the largest |T| and any NaN are reduced after the block.
/// A non-finite or out-of-range temperature (|T| > `limit`) is reported
/// with its padded index (`base` + its place in the row), found by a cold
/// re-scan.
#[inline(always)]
pub(crate) fn watched_row(
    t_row: &mut [f64],
    base: usize,
    limit: f64,
    mut update: impl FnMut(usize, usize, &mut [f64]),
) -> RowStat {
    const BLOCK: usize = 256;
    let n = t_row.len();
    let (mut max_change, mut max_abs, mut nan) = (0.0f64, 0.0f64, false);
    let mut prev = [0.0f64; BLOCK];
    let mut start = 0;
    while start < n {
        let end = (start + BLOCK).min(n);
        let prev = &mut prev[..end - start];
        prev.copy_from_slice(&t_row[start..end]);
        update(start, end, t_row);
        for (&t, &t_prev) in t_row[start..end].iter().zip(prev.iter()) {
            max_change = max_change.max((t - t_prev).abs());
            max_abs = max_abs.max(t.abs());
            nan |= t.is_nan();
        }
        start = end;
    }
    let bad = if nan || max_abs > limit {
        t_row
            .iter()
            .position(|t| !t.is_finite() || t.abs() > limit)
            .map(|j| (base + j, t_row[j]))
    } else {
        None
    };
    RowStat { max_change, bad }
}

/// Streams (pull) into row `i` of `dst` from `src`, recovers E and T,
/// collides, and stores the post-collision populations and T. `LINEAR`
/// selects a per-cell constant perfusion coefficient; otherwise
/// W = ṁ_b(T_prev)·c_b δt/(ρc)₀ with the previous step's temperature (exact
/// at steady state). `HETERO` reads r = (ρc)₀/(ρc) per cell; without it
/// r = 1.
///
/// Every array is cut to the row's n = py − 2 interior cells before the
/// loop, so the loop has no bounds checks and no branches (divergence is
/// detected from reductions, and the row re-scanned only when it happened):
/// the linear path vectorizes.
#[allow(clippy::too_many_arguments)]
#[inline(always)]
fn stream_collide_row_generic<const LINEAR: bool, const HETERO: bool>(
    i: usize,
    src: [&[f64]; 5],
    d0: &mut [f64],
    d1: &mut [f64],
    d2: &mut [f64],
    d3: &mut [f64],
    d4: &mut [f64],
    t_row: &mut [f64],
    p: &KernelParams<'_>,
) -> RowStat {
    let py = p.strides[0];
    let n = py - 2;
    let base = i * py + 1; // first interior cell of the row
    let s0 = &src[0][base..base + n];
    let s1 = &src[1][base - py..base - py + n];
    let s2 = &src[2][base - 1..base - 1 + n];
    let s3 = &src[3][base + py..base + py + n];
    let s4 = &src[4][base + 1..base + 1 + n];
    let omega = &p.omega[base..base + n];
    let ratio = if HETERO {
        &p.ratio[base..base + n]
    } else {
        &p.omega[base..base + n] // not read
    };
    let perf = &p.perfusion[base..base + n];
    let source = &p.source[base..base + n];
    let labels = &p.labels[base..base + n];
    let (d0, d1, d2) = (&mut d0[1..1 + n], &mut d1[1..1 + n], &mut d2[1..1 + n]);
    let (d3, d4, tr) = (&mut d3[1..1 + n], &mut d4[1..1 + n], &mut t_row[1..1 + n]);
    let (tb, varpi, se, sq) = (p.t_blood, p.varpi, p.s_e, p.s_q);
    let _ = tb; // used by the nonlinear path only
    watched_row(tr, base, p.limit, |start, end, tr| {
        for j in start..end {
            let (g0, g1, g2, g3, g4) = (s0[j], s1[j], s2[j], s3[j], s4[j]);
            let sum = g0 + g1 + g2 + g3 + g4;
            let r = if HETERO { ratio[j] } else { 1.0 };
            // E = Σg + ½S with S = W'(T_b − T) + Q' and T = rE, solved for E
            // (Jiang et al. 2022, App. B); then S = 2(E − Σg) exactly. The
            // linear form needs no division.
            let e = if LINEAR {
                (sum + source[j]) * perf[j]
            } else {
                let w = perf[j] * p.models[labels[j] as usize].rate(tr[j]);
                (sum + 0.5 * (w * tb + source[j])) / (1.0 + 0.5 * w * r)
            };
            let t = if HETERO { r * e } else { e };
            let s = 2.0 * (e - sum);
            let s_t = omega[j];
            // Post-collision moments; the conserved one gains the whole
            // source. The energy moment's equilibrium is −4E + 20wT
            // (ϖT where r = 1), and the source enters it as its E-derivative.
            let n0 = e + 0.5 * s;
            let n1 = (1.0 - s_t) * (g1 - g3);
            let n2 = (1.0 - s_t) * (g2 - g4);
            let n3_raw = sum - 5.0 * g0;
            let (n3_eq, n3_src) = if HETERO {
                (-4.0 * e + (varpi + 4.0) * t, -4.0 + (varpi + 4.0) * r)
            } else {
                (varpi * t, varpi)
            };
            let n3 = n3_raw - se * (n3_raw - n3_eq) + (1.0 - 0.5 * se) * n3_src * s;
            let n4 = (1.0 - sq) * (g1 - g2 + g3 - g4);
            let a = 0.2 * n0 + 0.05 * n3;
            d0[j] = 0.2 * (n0 - n3);
            d1[j] = a + 0.5 * n1 + 0.25 * n4;
            d2[j] = a + 0.5 * n2 - 0.25 * n4;
            d3[j] = a - 0.5 * n1 + 0.25 * n4;
            d4[j] = a - 0.5 * n2 - 0.25 * n4;
            tr[j] = t;
        }
    })
}

/// [`stream_collide_row_generic`] compiled for AVX2 (4 doubles per vector
/// instead of SSE2's 2). Rust never fuses a·b + c on its own, so this gives
/// bit-identical results to the baseline build.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
#[allow(clippy::too_many_arguments)]
fn stream_collide_row_avx2<const LINEAR: bool, const HETERO: bool>(
    i: usize,
    src: [&[f64]; 5],
    d0: &mut [f64],
    d1: &mut [f64],
    d2: &mut [f64],
    d3: &mut [f64],
    d4: &mut [f64],
    t_row: &mut [f64],
    p: &KernelParams<'_>,
) -> RowStat {
    stream_collide_row_generic::<LINEAR, HETERO>(i, src, d0, d1, d2, d3, d4, t_row, p)
}

/// One row of the step, with the widest instruction set the CPU offers
/// (AVX2 when detected at run time, else the baseline build). The AVX2 copy
/// is 25 % faster on the 2048² lattice (docs/PERFORMANCE.md).
#[allow(clippy::too_many_arguments)]
#[inline]
pub(crate) fn stream_collide_row<const LINEAR: bool, const HETERO: bool>(
    i: usize,
    src: [&[f64]; 5],
    d0: &mut [f64],
    d1: &mut [f64],
    d2: &mut [f64],
    d3: &mut [f64],
    d4: &mut [f64],
    t_row: &mut [f64],
    p: &KernelParams<'_>,
) -> RowStat {
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("avx2") {
        // SAFETY: the only precondition of calling a function compiled with
        // `target_feature(enable = "avx2")` is that the CPU supports AVX2,
        // which was detected just above.
        return unsafe {
            stream_collide_row_avx2::<LINEAR, HETERO>(i, src, d0, d1, d2, d3, d4, t_row, p)
        };
    }
    stream_collide_row_generic::<LINEAR, HETERO>(i, src, d0, d1, d2, d3, d4, t_row, p)
}

#[cfg(all(test, target_arch = "x86_64"))]
mod tests {
    use super::*;
    use crate::perfusion::{HealthyTissuePerfusion, TumorPerfusion};

    /// The AVX2 build of the row kernel gives the same bits as the baseline
    /// build, on the linear and the nonlinear path.
    #[test]
    fn avx2_and_baseline_rows_are_bit_identical() {
        if !std::arch::is_x86_feature_detected!("avx2") {
            eprintln!("no AVX2 on this CPU: the AVX2 kernel cannot run, nothing to compare");
            return;
        }
        let (nx, ny) = (3usize, 301usize); // a row longer than one block
        let py = ny + 2;
        let len = (nx + 2) * py;
        let wave = |k: usize, a: f64| 0.2 * 37.0 + a * ((k as f64) * 0.37).sin();
        let src: Vec<Vec<f64>> = (0..5)
            .map(|q| (0..len).map(|k| wave(k + 7 * q, 0.05)).collect())
            .collect();
        let omega: Vec<f64> = (0..len)
            .map(|k| 1.0 / (0.8 + 0.4 * ((k % 13) as f64 / 13.0)))
            .collect();
        let coef_a: Vec<f64> = (0..len).map(|k| 1e-3 * (1.0 + (k % 7) as f64)).collect();
        let coef_b: Vec<f64> = (0..len).map(|k| 1e-2 * ((k % 5) as f64)).collect();
        let labels: Vec<u8> = (0..len).map(|k| (k % 2) as u8).collect();
        let models: Vec<Arc<dyn PerfusionModel>> =
            vec![Arc::new(HealthyTissuePerfusion), Arc::new(TumorPerfusion)];
        let ratio: Vec<f64> = (0..len).map(|k| 0.8 + 0.05 * (k % 4) as f64).collect();
        let p = KernelParams {
            strides: [py, 1],
            omega: &omega,
            ratio: &ratio,
            perfusion: &coef_a,
            source: &coef_b,
            labels: &labels,
            models: &models,
            t_blood: 37.0,
            varpi: -2.0 / 3.0,
            s_e: 1.5,
            s_q: 1.5,
            limit: 1e3,
        };
        let srcs = [&src[0][..], &src[1], &src[2], &src[3], &src[4]];
        let run = |avx: bool, linear: bool, hetero: bool| -> Vec<Vec<f64>> {
            let mut d: Vec<Vec<f64>> = (0..6).map(|_| vec![0.0; py]).collect();
            d[5] = (0..py).map(|j| 40.0 + 0.01 * j as f64).collect();
            let [d0, d1, d2, d3, d4, t] = &mut d[..] else {
                unreachable!()
            };
            macro_rules! row {
                ($f:ident, $l:literal, $h:literal) => {
                    $f::<$l, $h>(2, srcs, d0, d1, d2, d3, d4, t, &p)
                };
            }
            // SAFETY: AVX2 support was checked at the top of the test.
            unsafe {
                match (avx, linear, hetero) {
                    (true, true, true) => row!(stream_collide_row_avx2, true, true),
                    (true, true, false) => row!(stream_collide_row_avx2, true, false),
                    (true, false, true) => row!(stream_collide_row_avx2, false, true),
                    (true, false, false) => row!(stream_collide_row_avx2, false, false),
                    (false, true, true) => row!(stream_collide_row_generic, true, true),
                    (false, true, false) => row!(stream_collide_row_generic, true, false),
                    (false, false, true) => row!(stream_collide_row_generic, false, true),
                    (false, false, false) => row!(stream_collide_row_generic, false, false),
                };
            }
            d
        };
        for linear in [true, false] {
            for hetero in [true, false] {
                let (a, b) = (run(true, linear, hetero), run(false, linear, hetero));
                for (x, y) in a.iter().flatten().zip(b.iter().flatten()) {
                    assert_eq!(
                        x.to_bits(),
                        y.to_bits(),
                        "linear = {linear}, hetero = {hetero}"
                    );
                }
            }
        }
    }
}
