//! Elastic Net by cyclic coordinate descent with scikit-learn's objective
//! (1/(2n))‖y − Xw − b‖² + α·ρ‖w‖₁ + ½α(1 − ρ)‖w‖², ρ = `l1_ratio`, and
//! scikit-learn's stopping rule (a duality gap below tol·‖y − ȳ‖²).

use crate::error::{RegressError, Result, invalid};
use crate::traits::{Predict, Regressor, check_data, check_features};
use ndarray::{Array1, ArrayView1, ArrayView2, Axis};

/// Unchecked Elastic Net hyper-parameters; [`ElasticNetParams::check`]
/// turns them into an [`ElasticNet`].
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ElasticNetParams {
    /// Overall penalty α ≥ 0 (scikit-learn's `alpha`, default 1).
    pub alpha: f64,
    /// Share of the L1 penalty ρ ∈ [0, 1] (`l1_ratio`, default 0.5).
    pub l1_ratio: f64,
    /// Fit an intercept (default true).
    pub fit_intercept: bool,
    /// Tolerance on the duality gap relative to ‖y − ȳ‖² (default 1e-4).
    pub tol: f64,
    /// Epoch limit (default 1000).
    pub max_iter: usize,
}

impl Default for ElasticNetParams {
    /// scikit-learn's defaults.
    fn default() -> Self {
        Self {
            alpha: 1.0,
            l1_ratio: 0.5,
            fit_intercept: true,
            tol: 1e-4,
            max_iter: 1000,
        }
    }
}

impl ElasticNetParams {
    /// Validates the hyper-parameters.
    ///
    /// # Errors
    /// α < 0 or non-finite, ρ outside [0, 1], tol ≤ 0, max_iter = 0.
    pub fn check(self) -> Result<ElasticNet> {
        if !(self.alpha.is_finite() && self.alpha >= 0.0) {
            return Err(invalid("alpha", self.alpha, "a finite value >= 0"));
        }
        if !(0.0..=1.0).contains(&self.l1_ratio) {
            return Err(invalid("l1_ratio", self.l1_ratio, "a value in [0, 1]"));
        }
        if !(self.tol.is_finite() && self.tol > 0.0) {
            return Err(invalid("tol", self.tol, "a finite value > 0"));
        }
        if self.max_iter == 0 {
            return Err(invalid("max_iter", 0.0, "at least 1"));
        }
        Ok(ElasticNet { params: self })
    }
}

/// Checked Elastic Net settings.
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ElasticNet {
    params: ElasticNetParams,
}

impl ElasticNet {
    /// The hyper-parameters.
    pub fn params(&self) -> &ElasticNetParams {
        &self.params
    }
}

/// A fitted Elastic Net.
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[derive(Debug, Clone, PartialEq)]
pub struct ElasticNetModel {
    /// Coefficients w (one per feature).
    pub coefficients: Array1<f64>,
    /// Intercept b.
    pub intercept: f64,
    /// Epochs run.
    pub iterations: usize,
    /// Final duality gap (in the scaled units of the solver).
    pub dual_gap: f64,
}

impl Predict for ElasticNetModel {
    fn predict(&self, x: ArrayView2<f64>) -> Result<Array1<f64>> {
        check_features(self.coefficients.len(), &x)?;
        Ok(x.dot(&self.coefficients) + self.intercept)
    }
}

impl Regressor for ElasticNet {
    type Model = ElasticNetModel;

    fn fit(&self, x: ArrayView2<f64>, y: ArrayView1<f64>) -> Result<ElasticNetModel> {
        check_data(&x, &y)?;
        let p = &self.params;
        let (n, d) = x.dim();
        let (x_mean, y_mean) = if p.fit_intercept {
            (
                x.mean_axis(Axis(0)).expect("rows > 0"),
                y.mean().expect("rows > 0"),
            )
        } else {
            (Array1::zeros(d), 0.0)
        };
        let xc = &x - &x_mean;
        let yc = &y - y_mean;
        // scikit-learn's scaling of the penalties to the unnormalized loss.
        let l1 = p.alpha * p.l1_ratio * n as f64;
        let l2 = p.alpha * (1.0 - p.l1_ratio) * n as f64;
        let col_norm2: Vec<f64> = xc.columns().into_iter().map(|c| c.dot(&c)).collect();
        let mut w = Array1::<f64>::zeros(d);
        let mut r = yc.clone(); // residual y − Xw
        let tol = p.tol * yc.dot(&yc);
        let mut gap = f64::INFINITY;
        let mut iterations = 0;
        for epoch in 0..p.max_iter {
            iterations = epoch + 1;
            let (mut dw_max, mut w_max) = (0.0f64, 0.0f64);
            for j in 0..d {
                if col_norm2[j] == 0.0 {
                    continue;
                }
                let col = xc.column(j);
                let w_old = w[j];
                if w_old != 0.0 {
                    r.scaled_add(w_old, &col);
                }
                let rho = col.dot(&r);
                let w_new = soft_threshold(rho, l1) / (col_norm2[j] + l2);
                if w_new != 0.0 {
                    r.scaled_add(-w_new, &col);
                }
                w[j] = w_new;
                dw_max = dw_max.max((w_new - w_old).abs());
                w_max = w_max.max(w_new.abs());
            }
            if w_max == 0.0 || dw_max / w_max < p.tol || epoch + 1 == p.max_iter {
                gap = duality_gap(&xc.view(), &yc.view(), &w, &r, l1, l2);
                if gap < tol {
                    break;
                }
            }
        }
        let intercept = if p.fit_intercept {
            y_mean - x_mean.dot(&w)
        } else {
            0.0
        };
        if !(intercept.is_finite() && w.iter().all(|v| v.is_finite())) {
            return Err(RegressError::Diverged {
                model: "Elastic Net",
                what: "coefficients",
            });
        }
        Ok(ElasticNetModel {
            coefficients: w,
            intercept,
            iterations,
            dual_gap: gap,
        })
    }
}

fn soft_threshold(z: f64, t: f64) -> f64 {
    z.signum() * (z.abs() - t).max(0.0)
}

/// scikit-learn's duality gap of the Elastic Net problem.
fn duality_gap(
    x: &ArrayView2<f64>,
    y: &ArrayView1<f64>,
    w: &Array1<f64>,
    r: &Array1<f64>,
    l1: f64,
    l2: f64,
) -> f64 {
    let xta = x.t().dot(r) - l2 * w;
    let dual_norm = xta.iter().fold(0.0f64, |m, v| m.max(v.abs()));
    let r_norm2 = r.dot(r);
    let w_norm2 = w.dot(w);
    let (c, mut gap) = if dual_norm > l1 {
        let c = l1 / dual_norm;
        (c, 0.5 * (r_norm2 + r_norm2 * c * c))
    } else {
        (1.0, r_norm2)
    };
    let l1_norm: f64 = w.iter().map(|v| v.abs()).sum();
    gap += l1 * l1_norm - c * r.dot(y) + 0.5 * l2 * (1.0 + c * c) * w_norm2;
    gap
}
