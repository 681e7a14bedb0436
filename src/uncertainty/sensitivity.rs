//! Variance-based global sensitivity: Sobol first-order and total indices
//! by the Saltelli scheme, with bootstrap confidence intervals.
//!
//! For a model y = f(x) of d independent inputs, the first-order index
//! S_i = V[E(y | x_i)]/V(y) is the share of the variance x_i explains
//! alone, the total index S_Ti = E[V(y | x_~i)]/V(y) its share with all its
//! interactions (Sobol 2001). From two N-point samples A and B and the d
//! matrices A_B^(i) (A with column i from B), N(d + 2) evaluations in all,
//!
//! - S_i ≈ (1/N) Σ_j f(B)_j (f(A_B^(i))_j − f(A)_j) / V (Saltelli et al.
//!   2010, Table 2 (b));
//! - S_Ti ≈ (1/2N) Σ_j (f(A)_j − f(A_B^(i))_j)² / V (Jansen 1999; Saltelli
//!   et al. 2010, Table 2 (f)),
//!
//! with V the variance of f over A and B together and f(B) centred on
//! their mean in S_i (the same expectation, a much smaller variance when
//! the output's mean is large against its spread; SALib centres too).
//! A and B are the two halves of a 2d-dimensional scrambled Sobol
//! sequence. Confidence intervals are percentile intervals of the indices
//! recomputed on rows resampled with replacement (seeded).

use crate::error::{Error, Result};
use crate::uncertainty::sampling::{Sampling, unit_points};
use crate::uncertainty::statistics::percentile_sorted;
use rand::rngs::ChaCha8Rng;
use rand::{RngExt, SeedableRng};

/// The design of a sensitivity analysis.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SaltelliSettings {
    /// N, the base sample size (a power of two suits the Sobol points).
    pub base_samples: usize,
    /// Seed of the scrambling and of the bootstrap.
    pub seed: u64,
    /// Bootstrap resamples for the intervals (0: no intervals).
    pub bootstrap: usize,
    /// Confidence level of the intervals, in (0, 1).
    pub confidence: f64,
}

impl Default for SaltelliSettings {
    /// N = 1024, seed 0, 200 resamples, 95 % intervals.
    fn default() -> Self {
        Self {
            base_samples: 1024,
            seed: 0,
            bootstrap: 200,
            confidence: 0.95,
        }
    }
}

impl SaltelliSettings {
    fn check(&self) -> Result<()> {
        if self.base_samples < 2 {
            return Err(Error::Invalid {
                name: "base samples",
                reason: format!("must be at least 2, got {}", self.base_samples),
            });
        }
        if !(self.confidence > 0.0 && self.confidence < 1.0) {
            return Err(Error::Invalid {
                name: "confidence",
                reason: format!("must lie in (0, 1), got {}", self.confidence),
            });
        }
        Ok(())
    }
}

/// The evaluation points of a Saltelli design: N rows of A, N of B, then
/// N of each A_B^(i), i = 1…d (N(d + 2) rows of d coordinates in (0, 1)).
///
/// # Errors
/// Invalid settings, `dims` of 0, or more points than the Sobol sequence
/// has.
pub fn saltelli_points(dims: usize, settings: &SaltelliSettings) -> Result<Vec<Vec<f64>>> {
    settings.check()?;
    let n = settings.base_samples;
    let ab = unit_points(n, 2 * dims, Sampling::Sobol, settings.seed)?;
    let mut rows = Vec::with_capacity(n * (dims + 2));
    rows.extend(ab.iter().map(|p| p[..dims].to_vec()));
    rows.extend(ab.iter().map(|p| p[dims..].to_vec()));
    for i in 0..dims {
        rows.extend(ab.iter().map(|p| {
            let mut a = p[..dims].to_vec();
            a[i] = p[dims + i];
            a
        }));
    }
    Ok(rows)
}

/// First-order and total Sobol indices with their confidence intervals.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct SobolIndices {
    /// S_i per input.
    pub first: Vec<f64>,
    /// S_Ti per input.
    pub total: Vec<f64>,
    /// [low, high] of S_i (empty without bootstrap, or when no resample
    /// varies).
    pub first_interval: Vec<[f64; 2]>,
    /// [low, high] of S_Ti (empty without bootstrap).
    pub total_interval: Vec<[f64; 2]>,
    /// V(y) over A and B.
    pub variance: f64,
    /// Model evaluations, N(d + 2).
    pub evaluations: usize,
}

/// S_i and S_Ti from the values at the rows `rows` (indices into A's N
/// rows) of the design.
fn indices_on(values: &[f64], n: usize, dims: usize, rows: &[usize]) -> (Vec<f64>, Vec<f64>) {
    let (fa, fb) = (&values[..n], &values[n..2 * n]);
    let m = rows.len() as f64;
    let mean = rows.iter().map(|&j| fa[j] + fb[j]).sum::<f64>() / (2.0 * m);
    let var = rows
        .iter()
        .map(|&j| (fa[j] - mean).powi(2) + (fb[j] - mean).powi(2))
        .sum::<f64>()
        / (2.0 * m);
    let mut first = Vec::with_capacity(dims);
    let mut total = Vec::with_capacity(dims);
    for i in 0..dims {
        let fab = &values[(2 + i) * n..(3 + i) * n];
        // f(B) centred: the same expectation (E[f(A_B) − f(A)] = 0), a far
        // smaller variance when the output's mean is large against its
        // spread (as SALib centres its outputs).
        let s: f64 = rows
            .iter()
            .map(|&j| (fb[j] - mean) * (fab[j] - fa[j]))
            .sum();
        let t: f64 = rows.iter().map(|&j| (fa[j] - fab[j]).powi(2)).sum();
        first.push(s / m / var);
        total.push(0.5 * t / m / var);
    }
    (first, total)
}

/// The indices from `values`, the model at [`saltelli_points`]`(dims,
/// settings)` in that order.
///
/// # Errors
/// A wrong number of values, a non-finite value, or an output that does
/// not vary (V = 0: no index is defined).
pub fn sobol_indices_from(
    values: &[f64],
    dims: usize,
    settings: &SaltelliSettings,
) -> Result<SobolIndices> {
    settings.check()?;
    let n = settings.base_samples;
    if values.len() != n * (dims + 2) {
        return Err(Error::Shape {
            what: "model values of the Saltelli design",
            expected: n * (dims + 2),
            found: values.len(),
        });
    }
    if let Some(v) = values.iter().find(|v| !v.is_finite()) {
        return Err(Error::Invalid {
            name: "model output",
            reason: format!("is not finite ({v}) at a Saltelli point"),
        });
    }
    let all: Vec<usize> = (0..n).collect();
    let (first, total) = indices_on(values, n, dims, &all);
    let variance = {
        let y = &values[..2 * n];
        let mean = y.iter().sum::<f64>() / y.len() as f64;
        y.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / y.len() as f64
    };
    if variance.is_nan() || variance <= 0.0 {
        return Err(Error::Invalid {
            name: "model output",
            reason: "does not vary over the samples: Sobol indices are undefined".into(),
        });
    }
    let (mut first_interval, mut total_interval) = (Vec::new(), Vec::new());
    if settings.bootstrap > 0 {
        let mut rng = ChaCha8Rng::seed_from_u64(settings.seed ^ 0xb007_5742_a9e1_0001);
        let mut fs = vec![Vec::with_capacity(settings.bootstrap); dims];
        let mut ts = vec![Vec::with_capacity(settings.bootstrap); dims];
        let mut rows = vec![0usize; n];
        for _ in 0..settings.bootstrap {
            for r in rows.iter_mut() {
                *r = rng.random_range(0..n);
            }
            let (f, t) = indices_on(values, n, dims, &rows);
            // A resample whose output does not vary defines no index.
            if f.iter().chain(&t).any(|v| !v.is_finite()) {
                continue;
            }
            for i in 0..dims {
                fs[i].push(f[i]);
                ts[i].push(t[i]);
            }
        }
        let tail = 50.0 * (1.0 - settings.confidence);
        let interval = |v: &mut Vec<f64>| -> Result<[f64; 2]> {
            v.sort_by(f64::total_cmp);
            Ok([
                percentile_sorted(v, tail)?,
                percentile_sorted(v, 100.0 - tail)?,
            ])
        };
        if !fs[0].is_empty() {
            first_interval = fs.iter_mut().map(interval).collect::<Result<_>>()?;
            total_interval = ts.iter_mut().map(interval).collect::<Result<_>>()?;
        }
    }
    Ok(SobolIndices {
        first,
        total,
        first_interval,
        total_interval,
        variance,
        evaluations: values.len(),
    })
}

/// Sobol indices of `model` over `dims` inputs given as probabilities in
/// (0, 1) (map them through each input's quantile function), evaluated at
/// the Saltelli points in parallel with the `rayon` feature (each value
/// depends on its point only, so the indices do not depend on the thread
/// count).
///
/// # Errors
/// As [`saltelli_points`] and [`sobol_indices_from`], or the first error
/// of `model` (in point order).
pub fn sobol_indices<F>(dims: usize, settings: &SaltelliSettings, model: F) -> Result<SobolIndices>
where
    F: Fn(&[f64]) -> Result<f64> + Sync,
{
    let points = saltelli_points(dims, settings)?;
    #[cfg(feature = "rayon")]
    let values: Vec<Result<f64>> = {
        use rayon::prelude::*;
        points.par_iter().map(|p| model(p)).collect()
    };
    #[cfg(not(feature = "rayon"))]
    let values: Vec<Result<f64>> = points.iter().map(|p| model(p)).collect();
    // The first error in point order, whatever the thread count.
    let values: Result<Vec<f64>> = values.into_iter().collect();
    sobol_indices_from(&values?, dims, settings)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::f64::consts::PI;

    /// The Ishigami function (a = 7, b = 0.1) on x ∈ (−π, π)³ and its
    /// closed-form indices (Ishigami and Homma 1990; Sobol' and Levitan
    /// 1999): V1 = ½(1 + bπ⁴/5)², V2 = a²/8, V3 = 0, V13 = 8b²π⁸/225.
    #[test]
    fn ishigami_indices_are_recovered_within_their_intervals() {
        let (a, b) = (7.0, 0.1);
        let model = |u: &[f64]| {
            let x: Vec<f64> = u.iter().map(|u| -PI + 2.0 * PI * u).collect();
            Ok(x[0].sin() + a * x[1].sin().powi(2) + b * x[2].powi(4) * x[0].sin())
        };
        let v1 = 0.5 * (1.0 + b * PI.powi(4) / 5.0).powi(2);
        let v2 = a * a / 8.0;
        let v13 = 8.0 * b * b * PI.powi(8) / 225.0;
        let v = v1 + v2 + v13;
        let exact_first = [v1 / v, v2 / v, 0.0];
        let exact_total = [(v1 + v13) / v, v2 / v, v13 / v];
        let settings = SaltelliSettings {
            base_samples: 4096,
            seed: 1,
            bootstrap: 200,
            confidence: 0.95,
        };
        let s = sobol_indices(3, &settings, model).unwrap();
        assert_eq!(s.evaluations, 4096 * 5);
        assert!((s.variance - v).abs() < 0.02 * v, "{} vs {v}", s.variance);
        for i in 0..3 {
            assert!(
                (s.first[i] - exact_first[i]).abs() < 0.02,
                "S{i} = {}",
                s.first[i]
            );
            assert!(
                (s.total[i] - exact_total[i]).abs() < 0.02,
                "ST{i} = {}",
                s.total[i]
            );
            let [lo, hi] = s.total_interval[i];
            assert!(lo <= s.total[i] && s.total[i] <= hi && hi - lo < 0.1);
        }
        // x3 acts only through its interaction with x1.
        assert!(s.first[2].abs() < 0.01 && s.total[2] > 0.2);
        // The same seed gives the same indices.
        assert_eq!(s, sobol_indices(3, &settings, model).unwrap());
    }

    #[test]
    fn constant_outputs_and_wrong_lengths_are_refused() {
        let settings = SaltelliSettings {
            base_samples: 8,
            ..SaltelliSettings::default()
        };
        let e = sobol_indices(2, &settings, |_| Ok(1.0))
            .unwrap_err()
            .to_string();
        assert!(e.contains("does not vary"), "{e}");
        assert!(sobol_indices_from(&[0.0; 10], 2, &settings).is_err());
        let zero = SaltelliSettings {
            base_samples: 0,
            ..settings
        };
        assert!(saltelli_points(2, &zero).is_err());
    }
}
