//! Size prediction from synthesis parameters (Glänzer et al. 2025):
//! preprocessing fitted on each training fold only (imputation, scaling of
//! numeric columns, one-hot encoding of text columns), an SVR or Elastic Net
//! model, cross-validation over any folds (leave-one-out in the paper), a
//! grid search over candidates, and a final seeded train/test split.

use crate::error::Result;
use ml_regress::metrics::{residual_sd, rmse};
use ml_regress::validation::{CvScore, Scoring, best_candidate, pooled_score};
use ml_regress::{ElasticNetParams, Predict, Regressor, SvrParams};
use mnp_dataset::split::Split;
use mnp_dataset::{NumericImputation, Pipeline, Scaling, Table, UnknownCategory};
use ndarray::Array1;

/// A model and its hyper-parameters.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum ModelSpec {
    /// ε-SVR.
    Svr(SvrParams),
    /// Elastic Net.
    ElasticNet(ElasticNetParams),
}

/// How features are prepared (fitted on training rows only).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
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

/// Fits preprocessing and model on `train` rows of `features`/`y` and
/// predicts the `test` rows. Categories unseen in training are encoded as
/// all zeros (a held-out run may use a setup no other run used).
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
    let mut pipeline = Pipeline::new(pre.imputation, Some(pre.scaling), UnknownCategory::AllZeros);
    let train_table = features.take(train)?;
    pipeline.fit(&train_table)?;
    let x_train = pipeline.transform(&train_table)?.data;
    let x_test = pipeline.transform(&features.take(test)?)?.data;
    let y_train: Array1<f64> = train.iter().map(|&i| y[i]).collect();
    let pred = match model {
        ModelSpec::Svr(p) => p
            .check()?
            .fit(x_train.view(), y_train.view())?
            .predict(x_test.view())?,
        ModelSpec::ElasticNet(p) => p
            .check()?
            .fit(x_train.view(), y_train.view())?
            .predict(x_test.view())?,
    };
    Ok(pred.to_vec())
}

/// Out-of-fold predictions over `folds` (NaN for rows never tested) and
/// their pooled RMSE and R².
///
/// # Errors
/// As [`fit_predict`].
pub fn cross_validate(
    features: &Table,
    y: &[f64],
    pre: Preprocessing,
    model: &ModelSpec,
    folds: &[Split],
) -> Result<(Vec<f64>, CvScore)> {
    let mut pred = vec![f64::NAN; y.len()];
    for f in folds {
        for (i, p) in f
            .test
            .iter()
            .zip(fit_predict(features, y, pre, model, &f.train, &f.test)?)
        {
            pred[*i] = p;
        }
    }
    let score = pooled_score(y, &pred)?;
    Ok((pred, score))
}

/// Every candidate's cross-validated score (in parallel with the `rayon`
/// feature) and the index of the lowest RMSE (the first on a tie).
///
/// # Errors
/// No candidate, or an error from any candidate.
pub fn grid_search(
    features: &Table,
    y: &[f64],
    pre: Preprocessing,
    candidates: &[ModelSpec],
    folds: &[Split],
) -> Result<(Vec<CvScore>, usize)> {
    let run = |m: &ModelSpec| cross_validate(features, y, pre, m, folds).map(|r| r.1);
    #[cfg(feature = "rayon")]
    let scores: Vec<Result<CvScore>> = {
        use rayon::prelude::*;
        candidates.par_iter().map(run).collect()
    };
    #[cfg(not(feature = "rayon"))]
    let scores: Vec<Result<CvScore>> = candidates.iter().map(run).collect();
    let scores = scores.into_iter().collect::<Result<Vec<_>>>()?;
    if scores.is_empty() {
        return Err(ml_regress::RegressError::Empty.into());
    }
    let best = best_candidate(&scores, Scoring::Rmse);
    Ok((scores, best))
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
