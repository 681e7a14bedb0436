//! # ml-regress
//!
//! Regression models for nanoparticle properties, matching scikit-learn's
//! definitions so results can be compared number for number.
//!
//! - [`Regressor`] / [`Predict`]: fit on an ndarray design matrix, predict;
//!   hyper-parameters are checked before fitting (an unchecked params type
//!   validates into a checked one, as linfa does);
//! - [`ElasticNet`]: cyclic coordinate descent with scikit-learn's objective
//!   and duality-gap stopping rule;
//! - [`Svr`]: ε-SVR by SMO with LIBSVM's second-order working-set
//!   selection; kernels linear, polynomial, RBF and sigmoid with γ = scale,
//!   auto or a value; support vectors and dual coefficients inspectable;
//! - [`metrics`]: RMSE, MAE, R², residual standard deviation;
//! - [`validation`]: out-of-fold predictions over any folds, cross-validated
//!   scores, a parallel grid search, and `linspace`/`logspace`/`cartesian`
//!   parameter grids.
//!
//! With the `serde` feature, hyper-parameters and fitted models serialize
//! (the `mnp-suite` facade turns it on).
//!
//! The SVR keeps kernel rows in a least-recently-used cache of `cache_mb`
//! (the whole matrix when it fits) and offers LIBSVM's shrinking as an
//! option. [`tree`]: CART regression trees (squared error, best or random
//! thresholds, seeded feature sampling, impurity importances); [`forest`]:
//! random forests and extremely randomized trees, seeded per tree and
//! identical on any thread count; [`boosting`]: gradient-boosted trees with
//! the squared loss, L1/L2 leaf regularization, subsampling and early
//! stopping, or the quantile (pinball) loss; [`importance`]: permutation
//! importances; [`conformal`]: split conformal, CV+ / jackknife+ and
//! conformalized quantile regression intervals around any regressor.
//!
//! ```
//! use ml_regress::{ElasticNetParams, Predict, Regressor};
//! use ndarray::{array, Array1};
//!
//! # fn main() -> ml_regress::Result<()> {
//! // y = 3 + 2 x0 − x1, recovered exactly as α → 0.
//! let x = array![[0.0, 1.0], [1.0, 0.0], [2.0, 3.0], [3.0, 1.0], [4.0, 5.0]];
//! let y: Array1<f64> = x.rows().into_iter().map(|r| 3.0 + 2.0 * r[0] - r[1]).collect();
//! let model = ElasticNetParams { alpha: 0.0, tol: 1e-12, max_iter: 100_000, ..Default::default() }
//!     .check()?
//!     .fit(x.view(), y.view())?;
//! assert!((model.coefficients[0] - 2.0).abs() < 1e-8 && (model.intercept - 3.0).abs() < 1e-8);
//! assert!(ElasticNetParams { l1_ratio: 1.5, ..Default::default() }.check().is_err());
//! # Ok(())
//! # }
//! ```

mod binning;
pub mod boosting;
pub mod conformal;
mod elastic_net;
mod error;
pub mod forest;
pub mod importance;
pub mod metrics;
mod svr;
mod traits;
pub mod tree;
pub mod validation;

pub use boosting::{Boosting, BoostingModel, BoostingParams, Loss};
pub use elastic_net::{ElasticNet, ElasticNetModel, ElasticNetParams};
pub use error::{RegressError, Result};
pub use forest::{Forest, ForestModel, ForestParams};
pub use importance::{PermutationImportance, permutation_importance};
pub use svr::{Gamma, Kernel, Svr, SvrModel, SvrParams};
pub use traits::{Predict, Regressor};
pub use tree::{
    DecisionTree, DecisionTreeModel, DecisionTreeParams, MaxFeatures, SplitSearch, Splitter,
    TreeNode,
};

/// The `ndarray` this crate's signatures use, re-exported so a user need
/// not pin a matching version.
pub use ndarray;

/// The README's code blocks, compiled and run as doctests so the published
/// page cannot drift from the API.
#[doc = include_str!("../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;
