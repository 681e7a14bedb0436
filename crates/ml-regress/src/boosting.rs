//! Gradient-boosted regression trees with the squared loss (Friedman 2001),
//! with LightGBM's L1/L2 leaf regularization: the SAR model of the DiMag study
//! (100 trees, depth 2, learning rate 0.265, min 14 rows per leaf, L1 0.15,
//! L2 0.14).
//!
//! The model starts from the mean target F₀ = ȳ. Each round fits a
//! [`crate::tree`] CART tree to the residuals r = y − F on a seeded
//! subsample of the rows. Each leaf's value is then replaced by
//! sign(S)·max(|S| − λ₁, 0)/(n + λ₂), where S is the leaf's residual sum
//! and n its row count: LightGBM's leaf output for the squared loss
//! (gradient −S, hessian n). F grows by the learning rate times the tree.
//! Splits are scored as the leaves are set (Chen & Guestrin 2016; as
//! LightGBM does): a node scores T(S)²/(n + λ₂), T the soft threshold by
//! λ₁, and a split must raise the children's summed score above the
//! parent's. With the tree's `split_search` set to
//! `SplitSearch::LIGHTGBM` the candidate cuts are LightGBM's feature bins,
//! and the model is LightGBM's (docs/VALIDATION.md).
//!
//! With the quantile (pinball) loss of level τ ([`Loss::Quantile`]), as
//! scikit-learn's `GradientBoostingRegressor(loss="quantile", alpha=τ)`,
//! the model starts from the τ-quantile of y (linear interpolation, as
//! numpy's `percentile`); each round fits a tree to the negative gradient
//! τ − 1{y ≤ F} and sets each leaf to the τ-quantile of the leaf's
//! residuals y − F (the ⌈τm⌉-th smallest of its m residuals; the L1/L2
//! leaf regularization applies to the squared loss only). Two such models
//! at τ = α/2 and 1 − α/2 are the quantile regressors of conformalized
//! quantile regression ([`crate::conformal::Cqr`]).
//!
//! With a validation fraction, that share of the rows (a seeded shuffle) is
//! held out. Boosting stops when the validation loss has not improved by
//! `tol` for `n_iter_no_change` rounds, and the model keeps the rounds up to
//! its best validation loss.

use crate::error::{RegressError, Result, invalid};
use crate::traits::{Predict, Regressor, check_data, check_features};
use crate::tree::{DecisionTreeModel, DecisionTreeParams, LeafPenalty, SplitSearch, TreeNode};
use ndarray::{Array1, ArrayView1, ArrayView2};
use rand::rngs::ChaCha8Rng;
use rand::{RngExt, SeedableRng};

/// The loss gradient boosting minimizes.
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[derive(Debug, Clone, Copy, PartialEq, Default)]
#[non_exhaustive]
pub enum Loss {
    /// The squared error (y − F)²: the model estimates the conditional
    /// mean.
    #[default]
    SquaredError,
    /// The pinball loss of level τ ∈ (0, 1), τ(y − F) for y > F and
    /// (1 − τ)(F − y) otherwise: the model estimates the conditional
    /// τ-quantile (Koenker & Bassett 1978; Friedman 2001, §4.6).
    Quantile(f64),
}

impl Loss {
    /// The mean loss of predictions `f` for targets `y`.
    fn mean(self, f: &[f64], y: &[f64]) -> f64 {
        let total: f64 = match self {
            Loss::SquaredError => f.iter().zip(y).map(|(f, y)| (y - f).powi(2)).sum(),
            Loss::Quantile(tau) => f
                .iter()
                .zip(y)
                .map(|(f, y)| {
                    let d = y - f;
                    if d > 0.0 { tau * d } else { (tau - 1.0) * d }
                })
                .sum(),
        };
        total / f.len() as f64
    }
}

/// Unchecked hyper-parameters of gradient boosting.
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BoostingParams {
    /// The loss (squared error by default; settings saved without it read
    /// as squared error).
    #[cfg_attr(feature = "serde", serde(default))]
    pub loss: Loss,
    /// Boosting rounds (≥ 1).
    pub n_estimators: usize,
    /// Shrinkage of each tree, in (0, 1].
    pub learning_rate: f64,
    /// Settings of each tree (depth, min rows per leaf, ...; its seed is
    /// replaced per round).
    pub tree: DecisionTreeParams,
    /// L1 regularization λ₁ ≥ 0 of the leaf values (squared loss only).
    pub l1: f64,
    /// L2 regularization λ₂ ≥ 0 of the leaf values (squared loss only).
    pub l2: f64,
    /// Fraction of the (training) rows each round fits on, in (0, 1].
    pub subsample: f64,
    /// Share of rows held out for early stopping, in [0, 1); 0 disables it.
    pub validation_fraction: f64,
    /// Rounds without improvement before stopping (≥ 1).
    pub n_iter_no_change: usize,
    /// Least improvement of the validation loss that counts (≥ 0).
    pub tol: f64,
    /// Seed of the subsampling, the validation split and the trees.
    pub seed: u64,
}

impl Default for BoostingParams {
    /// scikit-learn's `GradientBoostingRegressor(loss="squared_error")`
    /// defaults where they exist: 100 rounds, learning rate 0.1, depth 3,
    /// no subsampling, no early stopping (with it: 10 rounds, tol 1e-4);
    /// no leaf regularization.
    fn default() -> Self {
        Self {
            loss: Loss::SquaredError,
            n_estimators: 100,
            learning_rate: 0.1,
            tree: DecisionTreeParams {
                max_depth: Some(3),
                ..Default::default()
            },
            l1: 0.0,
            l2: 0.0,
            subsample: 1.0,
            validation_fraction: 0.0,
            n_iter_no_change: 10,
            tol: 1e-4,
            seed: 0,
        }
    }
}

impl BoostingParams {
    /// The SAR model of the DiMag study: 100 trees of depth 2,
    /// learning rate 0.265, at least 14 rows per leaf, λ₁ 0.15, λ₂ 0.14.
    pub fn dimag_sar() -> Self {
        Self {
            n_estimators: 100,
            learning_rate: 0.265,
            tree: DecisionTreeParams {
                max_depth: Some(2),
                min_samples_leaf: 14,
                split_search: SplitSearch::LIGHTGBM,
                ..Default::default()
            },
            l1: 0.15,
            l2: 0.14,
            ..Default::default()
        }
    }

    /// Validates the hyper-parameters.
    ///
    /// # Errors
    /// A quantile level outside (0, 1) or nonzero λ₁, λ₂ with it, zero
    /// rounds, a learning rate or
    /// subsample outside (0, 1], a
    /// validation fraction outside [0, 1), negative or non-finite λ₁, λ₂ or
    /// tol, zero patience, or invalid tree settings.
    pub fn check(self) -> Result<Boosting> {
        if let Loss::Quantile(tau) = self.loss {
            if !(tau > 0.0 && tau < 1.0) {
                return Err(invalid("quantile loss level", tau, "a value in (0, 1)"));
            }
            // The leaf regularization is the squared loss's; refuse it
            // rather than ignore it.
            for (name, v) in [
                ("l1 (quantile loss)", self.l1),
                ("l2 (quantile loss)", self.l2),
            ] {
                if v != 0.0 {
                    return Err(invalid(name, v, "0 with the quantile loss"));
                }
            }
        }
        if self.n_estimators == 0 {
            return Err(invalid("n_estimators", 0.0, "at least 1"));
        }
        if !(self.learning_rate > 0.0 && self.learning_rate <= 1.0) {
            return Err(invalid(
                "learning_rate",
                self.learning_rate,
                "a value in (0, 1]",
            ));
        }
        if !(self.subsample > 0.0 && self.subsample <= 1.0) {
            return Err(invalid("subsample", self.subsample, "a value in (0, 1]"));
        }
        if !(self.validation_fraction >= 0.0 && self.validation_fraction < 1.0) {
            return Err(invalid(
                "validation_fraction",
                self.validation_fraction,
                "a value in [0, 1)",
            ));
        }
        for (name, v) in [("l1", self.l1), ("l2", self.l2), ("tol", self.tol)] {
            if !(v.is_finite() && v >= 0.0) {
                return Err(invalid(name, v, "a finite value >= 0"));
            }
        }
        if self.n_iter_no_change == 0 {
            return Err(invalid("n_iter_no_change", 0.0, "at least 1"));
        }
        self.tree.check()?;
        Ok(Boosting { params: self })
    }
}

/// Checked boosting settings.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Boosting {
    params: BoostingParams,
}

/// A fitted boosted ensemble.
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[derive(Debug, Clone, PartialEq)]
pub struct BoostingModel {
    /// F₀: the mean training target (squared loss) or its τ-quantile.
    pub init: f64,
    /// The learning rate.
    pub learning_rate: f64,
    /// The trees, leaf values already regularized.
    pub trees: Vec<DecisionTreeModel>,
    /// Training loss (the mean loss on the fitting rows: squared error or
    /// pinball) after each round, starting with F₀'s.
    pub train_loss: Vec<f64>,
    /// Validation loss after each round (empty without early stopping).
    pub validation_loss: Vec<f64>,
    /// Number of features.
    pub n_features: usize,
}

impl Predict for BoostingModel {
    fn predict(&self, x: ArrayView2<f64>) -> Result<Array1<f64>> {
        check_features(self.n_features, &x)?;
        Ok(x.rows()
            .into_iter()
            .map(|r| {
                self.trees
                    .iter()
                    .fold(self.init, |f, t| f + self.learning_rate * t.leaf_value(r))
            })
            .collect())
    }
}

impl BoostingModel {
    /// Impurity-based feature importances, as scikit-learn's
    /// `GradientBoostingRegressor.feature_importances_`: each tree's
    /// unnormalized squared-error decrease per feature (trees that are a
    /// single leaf skipped), averaged over the trees and normalized to sum
    /// 1. All zeros when no tree split.
    pub fn feature_importances(&self) -> Vec<f64> {
        let mut sum = vec![0.0; self.n_features];
        let mut trees = 0usize;
        for t in self.trees.iter().filter(|t| t.nodes.len() > 1) {
            trees += 1;
            for (acc, v) in sum.iter_mut().zip(&t.feature_importances) {
                *acc += v * t.impurity_decrease;
            }
        }
        let total: f64 = sum.iter().sum();
        if trees > 0 && total > 0.0 {
            for v in &mut sum {
                *v /= total;
            }
        }
        sum
    }
}

/// The leaf of `tree` that a row reaches.
fn leaf_of(tree: &DecisionTreeModel, row: ArrayView1<f64>) -> usize {
    let mut node = 0;
    while let TreeNode::Split {
        feature,
        threshold,
        left,
        right,
        ..
    } = tree.nodes[node]
    {
        node = if row[feature] <= threshold {
            left
        } else {
            right
        };
    }
    node
}

/// The q-quantile of `v` by linear interpolation between order statistics
/// (numpy's default `percentile`).
fn quantile_linear(v: &[f64], q: f64) -> f64 {
    let mut s = v.to_vec();
    s.sort_by(f64::total_cmp);
    let pos = q * (s.len() - 1) as f64;
    let (lo, frac) = (pos.floor() as usize, pos - pos.floor());
    if lo + 1 < s.len() {
        s[lo] + frac * (s[lo + 1] - s[lo])
    } else {
        s[lo]
    }
}

/// The ⌈q·m⌉-th smallest of the m values (at least the first): a leaf's
/// quantile of its residuals.
fn quantile_lower(v: &mut [f64], q: f64) -> f64 {
    let k = ((q * v.len() as f64).ceil() as usize).clamp(1, v.len());
    *v.select_nth_unstable_by(k - 1, f64::total_cmp).1
}

impl Regressor for Boosting {
    type Model = BoostingModel;

    fn fit(&self, x: ArrayView2<f64>, y: ArrayView1<f64>) -> Result<BoostingModel> {
        check_data(&x, &y)?;
        let p = &self.params;
        let n = x.nrows();
        let mut rng = ChaCha8Rng::seed_from_u64(p.seed);
        // The validation split: a seeded shuffle, the last share held out.
        let mut order: Vec<usize> = (0..n).collect();
        let n_val = (p.validation_fraction * n as f64).round() as usize;
        if n_val > 0 {
            for k in (1..n).rev() {
                let j = rng.random_range(0..=k);
                order.swap(k, j);
            }
        }
        let (fit_rows, val_rows) = order.split_at(n - n_val);
        if fit_rows.is_empty() {
            return Err(RegressError::Empty);
        }
        let (mut fit_rows, val_rows) = (fit_rows.to_vec(), val_rows.to_vec());
        fit_rows.sort_unstable();
        let y_fit: Vec<f64> = fit_rows.iter().map(|&i| y[i]).collect();
        let y_val: Vec<f64> = val_rows.iter().map(|&i| y[i]).collect();
        let init = match p.loss {
            Loss::SquaredError => y_fit.iter().sum::<f64>() / y_fit.len() as f64,
            Loss::Quantile(tau) => quantile_linear(&y_fit, tau),
        };
        let mut f_fit = vec![init; fit_rows.len()];
        let mut f_val = vec![init; val_rows.len()];
        let mut trees = Vec::with_capacity(p.n_estimators);
        let mut train_loss = vec![p.loss.mean(&f_fit, &y_fit)];
        let mut validation_loss = Vec::new();
        let (mut best_loss, mut best_rounds, mut since_best) = (f64::INFINITY, 0usize, 0usize);
        let n_sub = ((p.subsample * fit_rows.len() as f64).round() as usize).max(1);
        let mut pool: Vec<usize> = (0..fit_rows.len()).collect();
        // Residuals by original row (only the fitting rows are used), and
        // the histogram bins of x, shared by all rounds.
        let mut residual = Array1::<f64>::zeros(n);
        let ranks = p.tree.check()?.ranks(x);
        // The squared error's splits are scored with the leaves' penalties;
        // the quantile loss has none (its leaves are quantiles).
        let penalty = LeafPenalty { l1: p.l1, l2: p.l2 };
        for _round in 0..p.n_estimators {
            // The round's rows (positions in fit_rows): a seeded partial
            // shuffle when subsampling.
            let chosen: &[usize] = if n_sub < fit_rows.len() {
                for k in 0..n_sub {
                    let j = rng.random_range(k..pool.len());
                    pool.swap(k, j);
                }
                &pool[..n_sub]
            } else {
                &pool
            };
            let rows: Vec<usize> = chosen.iter().map(|&k| fit_rows[k]).collect();
            // The negative gradient of the loss at F.
            for (k, &i) in fit_rows.iter().enumerate() {
                let d = y_fit[k] - f_fit[k];
                residual[i] = match p.loss {
                    Loss::SquaredError => d,
                    Loss::Quantile(tau) => {
                        if d > 0.0 {
                            tau
                        } else {
                            tau - 1.0
                        }
                    }
                };
            }
            let mut tree = DecisionTreeParams {
                seed: rng.random::<u64>(),
                ..p.tree
            }
            .check()?
            .grow(x, residual.view(), rows.clone(), ranks.as_ref(), penalty);
            match p.loss {
                Loss::SquaredError => {
                    // Regularized leaf values from the residual sums per leaf.
                    let mut sums = vec![(0.0f64, 0usize); tree.nodes.len()];
                    for &i in &rows {
                        let leaf = leaf_of(&tree, x.row(i));
                        sums[leaf].0 += residual[i];
                        sums[leaf].1 += 1;
                    }
                    for (node, &(s, m)) in tree.nodes.iter_mut().zip(&sums) {
                        if let TreeNode::Leaf { value, .. } = node {
                            *value = s.signum() * (s.abs() - p.l1).max(0.0) / (m as f64 + p.l2);
                        }
                    }
                }
                Loss::Quantile(tau) => {
                    // Each leaf: the τ-quantile of its rows' y − F.
                    let mut diffs = vec![Vec::new(); tree.nodes.len()];
                    for &k in chosen {
                        let i = fit_rows[k];
                        diffs[leaf_of(&tree, x.row(i))].push(y_fit[k] - f_fit[k]);
                    }
                    for (node, d) in tree.nodes.iter_mut().zip(&mut diffs) {
                        if let TreeNode::Leaf { value, .. } = node {
                            *value = if d.is_empty() {
                                0.0
                            } else {
                                quantile_lower(d, tau)
                            };
                        }
                    }
                }
            }
            for (k, &i) in fit_rows.iter().enumerate() {
                f_fit[k] += p.learning_rate * tree.leaf_value(x.row(i));
            }
            train_loss.push(p.loss.mean(&f_fit, &y_fit));
            trees.push(tree);
            if n_val > 0 {
                let tree = trees.last().expect("just pushed");
                for (k, &i) in val_rows.iter().enumerate() {
                    f_val[k] += p.learning_rate * tree.leaf_value(x.row(i));
                }
                let loss = p.loss.mean(&f_val, &y_val);
                validation_loss.push(loss);
                if loss < best_loss - p.tol {
                    (best_loss, best_rounds, since_best) = (loss, trees.len(), 0);
                } else {
                    since_best += 1;
                    if since_best >= p.n_iter_no_change {
                        break;
                    }
                }
            }
        }
        if n_val > 0 {
            trees.truncate(best_rounds.max(1));
        }
        Ok(BoostingModel {
            init,
            learning_rate: p.learning_rate,
            trees,
            train_loss,
            validation_loss,
            n_features: x.ncols(),
        })
    }
}
