//! Size prediction from synthesis parameters (Glänzer et al. 2025):
//! preprocessing fitted on each training fold only (imputation, scaling of
//! numeric columns, one-hot encoding of text columns), an SVR or Elastic Net
//! model, cross-validation over any folds (leave-one-out in the paper), a
//! grid search over candidates, and a final seeded train/test split.

use crate::error::{Error, Result};
use crate::ml::pipeline::{self, ModelPipeline};
use ml_regress::metrics::{residual_sd, rmse};
use ml_regress::validation::{AsFold, CvScore, Scoring};
use ml_regress::{
    ElasticNetModel, ElasticNetParams, Predict, RegressError, Regressor, SvrModel, SvrParams,
};
use mnp_dataset::split::{KFold, Split, leave_one_out};
use mnp_dataset::{NumericImputation, Pipeline, Scaling, Table, UnknownCategory};
use ndarray::{Array1, ArrayView1, ArrayView2};

/// A model and its hyper-parameters.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum ModelSpec {
    /// ε-SVR.
    Svr(SvrParams),
    /// Elastic Net.
    ElasticNet(ElasticNetParams),
}

/// A fitted [`ModelSpec`].
#[derive(Debug, Clone, PartialEq)]
pub enum SizeModel {
    /// A fitted ε-SVR.
    Svr(SvrModel),
    /// A fitted Elastic Net.
    ElasticNet(ElasticNetModel),
}

impl Predict for SizeModel {
    fn predict(&self, x: ArrayView2<f64>) -> ml_regress::Result<Array1<f64>> {
        match self {
            SizeModel::Svr(m) => m.predict(x),
            SizeModel::ElasticNet(m) => m.predict(x),
        }
    }
}

/// The hyper-parameters are checked when fitting (as `check()` would).
impl Regressor for ModelSpec {
    type Model = SizeModel;
    fn fit(&self, x: ArrayView2<f64>, y: ArrayView1<f64>) -> ml_regress::Result<SizeModel> {
        Ok(match self {
            ModelSpec::Svr(p) => SizeModel::Svr(p.check()?.fit(x, y)?),
            ModelSpec::ElasticNet(p) => SizeModel::ElasticNet(p.check()?.fit(x, y)?),
        })
    }
}

/// How features are prepared (fitted on training rows only).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Preprocessing {
    /// Numeric imputation (the paper: mean, or zero).
    pub imputation: NumericImputation,
    /// Scaling of numeric columns (the paper: standard).
    pub scaling: Scaling,
}

impl Default for Preprocessing {
    fn default() -> Self {
        Self {
            imputation: NumericImputation::Mean,
            scaling: Scaling::Standard,
        }
    }
}

impl Preprocessing {
    /// The preprocessing pipeline: imputation, scaling, one-hot encoding.
    /// Categories unseen in training are encoded as all zeros (a held-out
    /// run may use a setup no other run used).
    pub fn pipeline(&self) -> Pipeline {
        Pipeline::new(
            self.imputation,
            Some(self.scaling),
            UnknownCategory::AllZeros,
        )
    }

    /// The model pipeline of this preprocessing and `model`.
    pub fn with_model(&self, model: ModelSpec) -> ModelPipeline<ModelSpec> {
        ModelPipeline::new(self.pipeline(), model)
    }
}

/// Fits preprocessing and model on `train` rows of `features`/`y` and
/// predicts the `test` rows ([`ModelPipeline::fit_predict`]).
///
/// # Errors
/// Invalid hyper-parameters or data.
pub fn fit_predict(
    features: &Table,
    y: &[f64],
    pre: Preprocessing,
    model: &ModelSpec,
    train: &[usize],
    test: &[usize],
) -> Result<Vec<f64>> {
    pre.with_model(*model).fit_predict(features, y, train, test)
}

/// Out-of-fold predictions over `folds` (NaN for rows never tested) and
/// their pooled RMSE and R², the preprocessing refitted on every training
/// fold ([`pipeline::cross_validate`] has the per-fold scores too).
///
/// # Errors
/// As [`fit_predict`].
pub fn cross_validate<F: AsFold>(
    features: &Table,
    y: &[f64],
    pre: Preprocessing,
    model: &ModelSpec,
    folds: &[F],
) -> Result<(Vec<f64>, CvScore)> {
    let r = pipeline::cross_validate(&pre.with_model(*model), features, y, folds)?;
    Ok((r.predictions, r.pooled))
}

/// Every candidate's cross-validated score (in parallel with the `rayon`
/// feature) and the index of the lowest RMSE (the first on a tie).
///
/// # Errors
/// No candidate, or an error from any candidate.
pub fn grid_search<F: AsFold + Sync>(
    features: &Table,
    y: &[f64],
    pre: Preprocessing,
    candidates: &[ModelSpec],
    folds: &[F],
) -> Result<(Vec<CvScore>, usize)> {
    if candidates.is_empty() {
        return Err(RegressError::Empty.into());
    }
    let pipelines: Vec<ModelPipeline<ModelSpec>> =
        candidates.iter().map(|m| pre.with_model(*m)).collect();
    let r = pipeline::grid_search(&pipelines, features, y, folds, Scoring::Rmse)?;
    Ok((r.scores, r.best))
}

/// The largest table [`cv_folds`] runs leave-one-out on: 2000 rows are
/// 2000 fits and 32 MB of fold indices.
pub const LOO_MAX_ROWS: usize = 2000;

/// The folds of a `--cv` choice over `n` rows: `loo` (leave-one-out, the
/// paper's, up to [`LOO_MAX_ROWS`] rows) or `kfold:K` (scikit-learn's
/// `KFold(K)` without shuffling).
///
/// # Errors
/// [`Error::Invalid`] naming `--cv`: an unknown choice, a K that is not a
/// whole number, or leave-one-out on more rows than it can afford (with
/// its cost, suggesting k-fold); too few rows for the folds.
pub fn cv_folds(n: usize, cv: &str) -> Result<Vec<Split>> {
    let bad = |reason: String| Error::Invalid {
        name: "--cv",
        reason,
    };
    match cv {
        "loo" => {
            if n > LOO_MAX_ROWS {
                return Err(bad(format!(
                    "leave-one-out on {n} rows needs {n} model fits and {:.0} MB of fold \
                     indices; it is for small tables (at most {LOO_MAX_ROWS} rows): use kfold:10",
                    (n as f64) * (n as f64 - 1.0) * 8.0 / 1e6
                )));
            }
            Ok(leave_one_out(n)?)
        }
        s if s.starts_with("kfold:") => {
            let k = s[6..]
                .parse()
                .map_err(|_| bad(format!("{s}: K must be a whole number, e.g. kfold:5")))?;
            Ok(KFold { k, shuffle: None }.split(n)?)
        }
        other => Err(bad(format!("{other}: expected loo or kfold:K"))),
    }
}

/// Splits `table` into its features (every column but `target`, in order)
/// and the target values.
///
/// # Errors
/// An unknown target column, or a missing or non-numeric target value.
pub fn features_and_target(table: &Table, target: &str) -> Result<(Table, Vec<f64>)> {
    let names: Vec<&str> = table
        .columns()
        .iter()
        .map(|c| c.name.as_str())
        .filter(|n| *n != target)
        .collect();
    Ok((table.select(&names)?, table.target(target)?))
}

/// The test part of a train/test split: measured and predicted values, RMSE
/// and the residuals' standard deviation.
#[derive(Debug, Clone, PartialEq)]
pub struct TestResult {
    /// Measured test targets.
    pub measured: Vec<f64>,
    /// Predictions.
    pub predicted: Vec<f64>,
    /// RMSE on the test rows.
    pub rmse: f64,
    /// Standard deviation of the test residuals (n − 1).
    pub residual_sd: f64,
}

/// Fits on `split.train`, predicts `split.test`.
///
/// # Errors
/// As [`fit_predict`], or fewer than two test rows.
pub fn test_split(
    features: &Table,
    y: &[f64],
    pre: Preprocessing,
    model: &ModelSpec,
    split: &Split,
) -> Result<TestResult> {
    let predicted = fit_predict(features, y, pre, model, &split.train, &split.test)?;
    let measured: Vec<f64> = split.test.iter().map(|&i| y[i]).collect();
    Ok(TestResult {
        rmse: rmse(&measured, &predicted)?,
        residual_sd: residual_sd(&measured, &predicted)?,
        measured,
        predicted,
    })
}
