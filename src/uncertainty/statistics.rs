//! Summaries of a sampled output: mean, standard deviation, percentiles
//! (numpy's default linear interpolation) and the conditional value at
//! risk of the lower tail.

use crate::error::{Error, Result};

fn check_sorted(sorted: &[f64]) -> Result<()> {
    if sorted.is_empty() {
        return Err(Error::Invalid {
            name: "sample size",
            reason: "no values to summarize".into(),
        });
    }
    if let Some(v) = sorted.iter().find(|v| !v.is_finite()) {
        return Err(Error::Invalid {
            name: "sampled output",
            reason: format!("is not finite ({v})"),
        });
    }
    Ok(())
}

/// The p-th percentile (p ∈ [0, 100]) of `sorted` (ascending), interpolated
/// linearly between order statistics as numpy's
/// `percentile(..., method="linear")`: position (n − 1)·p/100.
///
/// # Errors
/// No value, a non-finite one, or p outside [0, 100].
pub fn percentile_sorted(sorted: &[f64], p: f64) -> Result<f64> {
    check_sorted(sorted)?;
    if !(0.0..=100.0).contains(&p) {
        return Err(Error::Invalid {
            name: "percentile",
            reason: format!("must lie in [0, 100], got {p}"),
        });
    }
    let n = sorted.len();
    let h = (n - 1) as f64 * (p / 100.0);
    let lo = (h.floor() as usize).min(n - 1);
    let hi = (lo + 1).min(n - 1);
    Ok(sorted[lo] + (h - lo as f64) * (sorted[hi] - sorted[lo]))
}

/// CVaR_β of the lower tail: the mean of the worst (lowest) fraction β of
/// `sorted` (ascending), counting the boundary value fractionally, so
/// CVaR_β = (1/(βn)) (Σ_{i<k} y_(i) + (βn − k) y_(k)) with k = ⌊βn⌋
/// (Rockafellar and Uryasev 2002, for an empirical distribution). β = 1
/// gives the mean.
///
/// # Errors
/// No value, a non-finite one, or β outside (0, 1].
pub fn lower_cvar_sorted(sorted: &[f64], beta: f64) -> Result<f64> {
    check_sorted(sorted)?;
    if !(beta > 0.0 && beta <= 1.0) {
        return Err(Error::Invalid {
            name: "CVaR fraction β",
            reason: format!("must lie in (0, 1], got {beta}"),
        });
    }
    let n = sorted.len();
    let m = beta * n as f64;
    let k = (m.floor() as usize).min(n);
    let mut s: f64 = sorted[..k].iter().sum();
    if k < n {
        s += (m - k as f64) * sorted[k];
    }
    Ok(s / m)
}

/// Statistics of one sampled output.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct Summary {
    /// Sample size.
    pub n: usize,
    /// Mean.
    pub mean: f64,
    /// Standard deviation (with n − 1; 0 for one value).
    pub sd: f64,
    /// Smallest value.
    pub min: f64,
    /// 5th percentile.
    pub p5: f64,
    /// 10th percentile.
    pub p10: f64,
    /// Median.
    pub p50: f64,
    /// 90th percentile.
    pub p90: f64,
    /// 95th percentile.
    pub p95: f64,
    /// Largest value.
    pub max: f64,
}

impl Summary {
    /// The statistics of `values`.
    ///
    /// # Errors
    /// No value, or a non-finite one.
    pub fn of(values: &[f64]) -> Result<Self> {
        check_sorted(values)?;
        let n = values.len();
        let mean = values.iter().sum::<f64>() / n as f64;
        let sd = if n > 1 {
            (values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1) as f64).sqrt()
        } else {
            0.0
        };
        let mut s = values.to_vec();
        s.sort_by(f64::total_cmp);
        Ok(Self {
            n,
            mean,
            sd,
            min: s[0],
            p5: percentile_sorted(&s, 5.0)?,
            p10: percentile_sorted(&s, 10.0)?,
            p50: percentile_sorted(&s, 50.0)?,
            p90: percentile_sorted(&s, 90.0)?,
            p95: percentile_sorted(&s, 95.0)?,
            max: s[n - 1],
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use approx::assert_relative_eq;

    #[test]
    fn percentiles_match_numpy() {
        // numpy.percentile([3, 1, 4, 1, 5, 9, 2, 6], [5, 10, 50, 90, 95])
        // = [1., 1., 3.5, 6.9, 7.95]; std(ddof=1) = √(52.875/7).
        let s = Summary::of(&[3.0, 1.0, 4.0, 1.0, 5.0, 9.0, 2.0, 6.0]).unwrap();
        assert_relative_eq!(s.p5, 1.0);
        assert_relative_eq!(s.p10, 1.0);
        assert_relative_eq!(s.p50, 3.5);
        assert_relative_eq!(s.p90, 6.9, epsilon = 1e-12);
        assert_relative_eq!(s.p95, 7.95, epsilon = 1e-12);
        assert_relative_eq!(s.mean, 3.875);
        assert_relative_eq!(s.sd, (52.875f64 / 7.0).sqrt(), epsilon = 1e-12);
        assert_eq!((s.min, s.max, s.n), (1.0, 9.0, 8));
    }

    #[test]
    fn cvar_is_the_mean_of_the_worst_fraction() {
        let s = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0];
        assert_relative_eq!(lower_cvar_sorted(&s, 0.2).unwrap(), 1.5);
        // β n = 2.5: (1 + 2 + 0.5·3)/2.5.
        assert_relative_eq!(lower_cvar_sorted(&s, 0.25).unwrap(), 1.8);
        assert_relative_eq!(lower_cvar_sorted(&s, 1.0).unwrap(), 5.5);
        assert_relative_eq!(lower_cvar_sorted(&s, 0.05).unwrap(), 1.0);
        for beta in [0.0, -0.1, 1.5, f64::NAN] {
            assert!(lower_cvar_sorted(&s, beta).is_err());
        }
        assert!(lower_cvar_sorted(&[], 0.5).is_err());
        assert!(percentile_sorted(&[], 50.0).is_err());
        assert!(percentile_sorted(&s, 101.0).is_err());
    }

    #[test]
    fn empty_or_nan_samples_are_refused() {
        assert!(Summary::of(&[]).is_err());
        assert!(Summary::of(&[1.0, f64::NAN]).is_err());
    }
}
