//! Random forests (Breiman 2001) and extremely randomized trees (Geurts et
//! al. 2006) of [`crate::tree`] regression trees, as scikit-learn's
//! `RandomForestRegressor` and `ExtraTreesRegressor`: the DiMag models of
//! the DiMag study (extra trees for r1 and r2).
//!
//! Tree t draws everything random (its bootstrap rows, its feature
//! sampling, its random thresholds) from a stream seeded by
//! SplitMix64(seed, t). Trees are fitted in parallel with the `rayon`
//! feature, and predictions are averaged in tree order, so a seed gives the
//! same model, bit for bit, on any number of threads.

use crate::error::{RegressError, Result};
use crate::traits::{Predict, Regressor, check_data, check_features};
use crate::tree::{
    DecisionTree, DecisionTreeModel, DecisionTreeParams, LeafPenalty, Ranks, Splitter,
};
use ndarray::{Array1, ArrayView1, ArrayView2};
use rand::rngs::ChaCha8Rng;
use rand::{RngExt, SeedableRng};

/// Unchecked hyper-parameters of a forest.
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ForestParams {
    /// Number of trees (≥ 1).
    pub n_estimators: usize,
    /// Settings of every tree (its `seed` is ignored: each tree gets its
    /// own stream).
    pub tree: DecisionTreeParams,
    /// Fit each tree on n rows drawn with replacement.
    pub bootstrap: bool,
    /// The forest's seed.
    pub seed: u64,
}

impl Default for ForestParams {
    /// A random forest ([`ForestParams::random_forest`]).
    fn default() -> Self {
        Self::random_forest()
    }
}

impl ForestParams {
    /// scikit-learn's `RandomForestRegressor()` defaults: 100 trees grown
    /// fully on bootstrap samples, all features per split, best thresholds.
    pub fn random_forest() -> Self {
        Self {
            n_estimators: 100,
            tree: DecisionTreeParams::default(),
            bootstrap: true,
            seed: 0,
        }
    }

    /// scikit-learn's `ExtraTreesRegressor()` defaults: 100 trees on all
    /// rows (no bootstrap), random thresholds, all features per split.
    pub fn extra_trees() -> Self {
        Self {
            n_estimators: 100,
            tree: DecisionTreeParams {
                splitter: Splitter::Random,
                ..Default::default()
            },
            bootstrap: false,
            seed: 0,
        }
    }

    /// Validates the hyper-parameters.
    ///
    /// # Errors
    /// Zero trees, or invalid tree settings.
    pub fn check(self) -> Result<Forest> {
        if self.n_estimators == 0 {
            return Err(RegressError::InvalidParameter {
                name: "n_estimators",
                value: 0.0,
                allowed: "at least 1",
            });
        }
        let tree = self.tree.check()?;
        Ok(Forest { params: self, tree })
    }
}

/// Checked forest settings.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Forest {
    params: ForestParams,
    tree: DecisionTree,
}

impl Forest {
    /// The hyper-parameters.
    pub fn params(&self) -> &ForestParams {
        &self.params
    }
}

/// A fitted forest.
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[derive(Debug, Clone, PartialEq)]
pub struct ForestModel {
    /// The trees, in the order of their streams.
    pub trees: Vec<DecisionTreeModel>,
    /// Impurity importances: the trees' normalized importances averaged,
    /// then normalized to sum 1 (scikit-learn's definition).
    pub feature_importances: Vec<f64>,
}

impl Predict for ForestModel {
    fn predict(&self, x: ArrayView2<f64>) -> Result<Array1<f64>> {
        check_features(self.feature_importances.len(), &x)?;
        let k = self.trees.len() as f64;
        Ok(x.rows()
            .into_iter()
            .map(|r| self.trees.iter().map(|t| t.leaf_value(r)).sum::<f64>() / k)
            .collect())
    }
}

/// SplitMix64 of the forest seed and a tree index: well-mixed, independent
/// seeds for neighbouring trees.
fn tree_seed(seed: u64, t: u64) -> u64 {
    let mut z = seed ^ t.wrapping_add(1).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

impl Forest {
    fn fit_tree(
        &self,
        t: usize,
        x: ArrayView2<f64>,
        y: ArrayView1<f64>,
        ranks: Option<&Ranks>,
    ) -> Result<DecisionTreeModel> {
        let mut rng = ChaCha8Rng::seed_from_u64(tree_seed(self.params.seed, t as u64));
        let tree = DecisionTreeParams {
            seed: rng.random::<u64>(),
            ..*self.tree.params()
        }
        .check()?;
        let n = x.nrows();
        // A bootstrap sample is a list of row indices (repeats allowed);
        // the data are never copied.
        let rows: Vec<usize> = if self.params.bootstrap {
            (0..n).map(|_| rng.random_range(0..n)).collect()
        } else {
            (0..n).collect()
        };
        Ok(tree.grow(x, y, rows, ranks, LeafPenalty::default()))
    }
}

impl Regressor for Forest {
    type Model = ForestModel;

    fn fit(&self, x: ArrayView2<f64>, y: ArrayView1<f64>) -> Result<ForestModel> {
        check_data(&x, &y)?;
        let n_trees = self.params.n_estimators;
        // Histogram bins are shared by all trees.
        let ranks = self.tree.ranks(x);
        let ranks = ranks.as_ref();
        #[cfg(feature = "rayon")]
        let trees: Vec<DecisionTreeModel> = {
            use rayon::prelude::*;
            (0..n_trees)
                .into_par_iter()
                .map(|t| self.fit_tree(t, x, y, ranks))
                .collect::<Result<_>>()?
        };
        #[cfg(not(feature = "rayon"))]
        let trees: Vec<DecisionTreeModel> = (0..n_trees)
            .map(|t| self.fit_tree(t, x, y, ranks))
            .collect::<Result<_>>()?;
        let p = x.ncols();
        let mut importances = vec![0.0; p];
        for t in &trees {
            for (acc, v) in importances.iter_mut().zip(&t.feature_importances) {
                *acc += v;
            }
        }
        let total: f64 = importances.iter().sum();
        if total > 0.0 {
            for v in &mut importances {
                *v /= total;
            }
        }
        Ok(ForestModel {
            trees,
            feature_importances: importances,
        })
    }
}
