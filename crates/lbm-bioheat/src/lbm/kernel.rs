//! The fused pull-stream / collide kernel of the D2Q5 MRT scheme
//! (Jiang et al. 2022, App. B; SPEC §8) for one row of the padded lattice.
//!
//! Directions: 0 rest, 1 +x, 2 +y, 3 −x, 4 −y. Moments n = N g with
//! N rows (1,1,1,1,1), (0,1,0,−1,0), (0,0,1,0,−1), (−4,1,1,1,1),
//! (0,1,−1,1,−1); N is orthogonal with squared row norms (5, 2, 2, 20, 4), so
//! g = Nᵀ diag(1/5, 1/2, 1/2, 1/20, 1/4) n.

use crate::perfusion::PerfusionModel;
use std::sync::Arc;

/// Everything the kernel reads besides the populations.
pub(crate) struct KernelParams<'a> {
    /// Padded row length (ny + 2).
    pub py: usize,
    /// 1/τ per padded cell.
    pub omega: &'a [f64],
    /// Linear problems: W δt/(ρc) per cell. Nonlinear: c_b δt/(ρc).
    pub perfusion: &'a [f64],
    /// (Q + Q_m) δt/(ρc) per cell (°C per step).
    pub source: &'a [f64],
    /// Region label per cell (nonlinear problems only).
    pub labels: &'a [u8],
    /// Perfusion law per region (nonlinear problems only).
    pub models: &'a [Arc<dyn PerfusionModel>],
    /// Blood temperature (°C).
    pub t_blood: f64,
    /// ϖ = −4 + 20w.
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
    /// (i, j, T) of the first non-finite or out-of-range temperature
    /// (padded indices).
    pub bad: Option<(usize, usize, f64)>,
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
            (Some(a), Some(b)) => Some(if (a.0, a.1) <= (b.0, b.1) { a } else { b }),
            (a, b) => a.or(b),
        };
        RowStat {
            max_change: self.max_change.max(other.max_change),
            bad,
        }
    }
}

/// Streams (pull) into row `i` of `dst` from `src`, recovers T, collides,
/// and stores the post-collision populations and T. `LINEAR` selects a
/// per-cell constant perfusion coefficient; otherwise W = ṁ_b(T_prev)·c_b δt/(ρc)
/// with the previous step's temperature (exact at steady state).
#[allow(clippy::too_many_arguments)]
#[inline]
pub(crate) fn stream_collide_row<const LINEAR: bool>(
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
    let py = p.py;
    let base = i * py;
    let mut stat = RowStat::EMPTY;
    let (tb, varpi, se, sq) = (p.t_blood, p.varpi, p.s_e, p.s_q);
    for j in 1..py - 1 {
        let c = base + j;
        let g0 = src[0][c];
        let g1 = src[1][c - py];
        let g2 = src[2][c - 1];
        let g3 = src[3][c + py];
        let g4 = src[4][c + 1];
        let t_prev = t_row[j];
        let w = if LINEAR {
            p.perfusion[c]
        } else {
            p.perfusion[c] * p.models[p.labels[c] as usize].rate(t_prev)
        };
        let q = p.source[c];
        let sum = g0 + g1 + g2 + g3 + g4;
        // T = Σg + ½S with S = W(T_b − T) + Q', solved for T (SPEC §8).
        let t = (sum + 0.5 * (w * tb + q)) / (1.0 + 0.5 * w);
        let s = w * (tb - t) + q;
        let s_t = p.omega[c];
        // Post-collision moments; the conserved one gains the whole source.
        let n0 = t + 0.5 * s;
        let n1 = (1.0 - s_t) * (g1 - g3);
        let n2 = (1.0 - s_t) * (g2 - g4);
        let n3_raw = sum - 5.0 * g0;
        let n3 = n3_raw - se * (n3_raw - varpi * t) + (1.0 - 0.5 * se) * varpi * s;
        let n4 = (1.0 - sq) * (g1 - g2 + g3 - g4);
        let a = 0.2 * n0 + 0.05 * n3;
        d0[j] = 0.2 * (n0 - n3);
        d1[j] = a + 0.5 * n1 + 0.25 * n4;
        d2[j] = a + 0.5 * n2 - 0.25 * n4;
        d3[j] = a - 0.5 * n1 + 0.25 * n4;
        d4[j] = a - 0.5 * n2 - 0.25 * n4;
        t_row[j] = t;
        let change = (t - t_prev).abs();
        if change > stat.max_change {
            stat.max_change = change;
        }
        if (!t.is_finite() || t.abs() > p.limit) && stat.bad.is_none() {
            stat.bad = Some((i, j, t));
        }
    }
    stat
}
