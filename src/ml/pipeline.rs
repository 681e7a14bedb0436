//! A model pipeline: preprocessing ([`mnp_dataset::Pipeline`]: imputation,
//! scaling, one-hot encoding) and a regressor, fitted together, as
//! scikit-learn's `Pipeline`. Cross-validation and grid search refit the
//! whole pipeline on every training fold, so nothing learned from test rows
//! (a mean, a scale, a category) can leak into a prediction.
//!
//! ```
//! use mnp_suite::dataset::fixture::{SIZE_TARGET, synthetic_size_fixture};
//! use mnp_suite::dataset::split::KFold;
//! use mnp_suite::dataset::{NumericImputation, Pipeline, Scaling, UnknownCategory};
//! use mnp_suite::ml::pipeline::{ModelPipeline, cross_validate};
//! use mnp_suite::ml::size::features_and_target;
//! use mnp_suite::regress::ElasticNetParams;
//!
//! # fn main() -> mnp_suite::Result<()> {
//! let (features, y) = features_and_target(&synthetic_size_fixture(26, 7)?, SIZE_TARGET)?;
//! let model = ModelPipeline::new(
//!     Pipeline::new(NumericImputation::Mean, Some(Scaling::Standard), UnknownCategory::AllZeros),
//!     ElasticNetParams { alpha: 0.1, ..Default::default() }.check()?,
//! );
//! let folds = KFold { k: 5, shuffle: None }.split(y.len())?;
//! let cv = cross_validate(&model, &features, &y, &folds)?;
//! assert_eq!(cv.folds.len(), 5);
//! assert!(cv.pooled.rmse > 0.0 && cv.folds.iter().all(|f| f.rmse > 0.0));
//! # Ok(())
//! # }
//! ```

use crate::error::{Error, Result};
use ml_regress::validation::{AsFold, CvScore, FoldScore, Scoring, best_candidate, pooled_score};
use ml_regress::{Predict, Regressor};
use mnp_dataset::{FittedPipeline, Pipeline, Table};
use ndarray::Array1;

/// Preprocessing and a regressor (checked hyper-parameters), not yet
/// fitted.
#[derive(Debug, Clone, PartialEq)]
pub struct ModelPipeline<R> {
    /// The preprocessing, fitted on the training rows.
    pub preprocessing: Pipeline,
    /// The regressor, fitted on the preprocessed training rows.
    pub regressor: R,
}

/// A [`ModelPipeline`] fitted on training rows.
#[derive(Debug, Clone, PartialEq)]
pub struct FittedModelPipeline<M> {
    /// The fitted preprocessing.
    pub preprocessing: FittedPipeline,
    /// The fitted model.
    pub model: M,
    /// The feature names the model sees (after one-hot encoding).
    pub feature_names: Vec<String>,
}

impl<R: Regressor> ModelPipeline<R> {
    /// A pipeline of `preprocessing` then `regressor`.
    pub fn new(preprocessing: Pipeline, regressor: R) -> Self {
        Self {
            preprocessing,
            regressor,
        }
    }

    /// Fits the preprocessing on `table`, then the regressor on its output
    /// and `y` (one target per row).
    ///
    /// # Errors
    /// A target of the wrong length, or an error of a step.
    pub fn fit(&self, table: &Table, y: &[f64]) -> Result<FittedModelPipeline<R::Model>> {
        if y.len() != table.rows() {
            return Err(Error::Shape {
                what: "targets (one per table row)",
                expected: table.rows(),
                found: y.len(),
            });
        }
        let preprocessing = self.preprocessing.fit(table)?;
        let x = preprocessing.transform(table)?;
        let y = Array1::from(y.to_vec());
        let model = self.regressor.fit(x.data.view(), y.view())?;
        Ok(FittedModelPipeline {
            preprocessing,
            model,
            feature_names: x.names,
        })
    }

    /// Fits on the `train` rows of `table` and `y`, predicts the `test` rows.
    ///
    /// # Errors
    /// A row index out of range, or as [`ModelPipeline::fit`].
    pub fn fit_predict(
        &self,
        table: &Table,
        y: &[f64],
        train: &[usize],
        test: &[usize],
    ) -> Result<Vec<f64>> {
        if let Some(&bad) = train.iter().chain(test).find(|&&i| i >= y.len()) {
            return Err(Error::Invalid {
                name: "fold row",
                reason: format!("row {bad} of a table of {} rows", y.len()),
            });
        }
        let y_train: Vec<f64> = train.iter().map(|&i| y[i]).collect();
        self.fit(&table.take(train)?, &y_train)?
            .predict(&table.take(test)?)
    }
}

impl<M: Predict> FittedModelPipeline<M> {
    /// Predictions for the rows of `table` (the training columns).
    ///
    /// # Errors
    /// A column missing or of another type, or a value the preprocessing
    /// cannot handle.
    pub fn predict(&self, table: &Table) -> Result<Vec<f64>> {
        let x = self.preprocessing.transform(table)?;
        Ok(self.model.predict(x.data.view())?.to_vec())
    }
}

/// Cross-validation of a pipeline: out-of-fold predictions, the pooled
/// score and one score per fold.
#[derive(Debug, Clone, PartialEq)]
pub struct CvReport {
    /// Out-of-fold predictions by row (NaN for a row no fold tested).
    pub predictions: Vec<f64>,
    /// RMSE and R² of the pooled out-of-fold predictions.
    pub pooled: CvScore,
    /// Each fold's score on its own test rows, in fold order.
    pub folds: Vec<FoldScore>,
}

impl CvReport {
    /// The mean of the folds' RMSE (scikit-learn's `cross_val_score` with
    /// `neg_root_mean_squared_error`, sign flipped).
    pub fn mean_fold_rmse(&self) -> f64 {
        self.folds.iter().map(|f| f.rmse).sum::<f64>() / self.folds.len() as f64
    }
}

/// Refits `pipeline` on each fold's training rows and predicts its test
/// rows. Any fold type goes in: `mnp_dataset` splits, `ml_regress` folds.
///
/// # Errors
/// No fold, a row out of range, or an error of a step.
pub fn cross_validate<R: Regressor, F: AsFold>(
    pipeline: &ModelPipeline<R>,
    table: &Table,
    y: &[f64],
    folds: &[F],
) -> Result<CvReport> {
    Ok(fold_fits(pipeline, table, y, folds, None)?.0)
}

/// The folds' fits: out-of-fold predictions and scores, and each fold's
/// predictions for the `new` rows if any.
fn fold_fits<R: Regressor, F: AsFold>(
    pipeline: &ModelPipeline<R>,
    table: &Table,
    y: &[f64],
    folds: &[F],
    new: Option<&Table>,
) -> Result<(CvReport, Vec<Array1<f64>>)> {
    if folds.is_empty() {
        return Err(ml_regress::RegressError::Empty.into());
    }
    let n = y.len();
    let mut predictions = vec![f64::NAN; n];
    let mut scores = Vec::with_capacity(folds.len());
    let mut per_fold = Vec::new();
    for f in folds {
        let (train, test) = f.indices();
        if let Some(&bad) = train.iter().chain(test).find(|&&i| i >= n) {
            return Err(Error::Invalid {
                name: "fold row",
                reason: format!("row {bad} of a table of {n} rows"),
            });
        }
        let y_train: Vec<f64> = train.iter().map(|&i| y[i]).collect();
        let fitted = pipeline.fit(&table.take(train)?, &y_train)?;
        let pred = fitted.predict(&table.take(test)?)?;
        let measured: Vec<f64> = test.iter().map(|&i| y[i]).collect();
        scores.push(FoldScore::new(&measured, &pred)?);
        for (&i, p) in test.iter().zip(pred) {
            predictions[i] = p;
        }
        if let Some(new) = new {
            per_fold.push(Array1::from(fitted.predict(new)?));
        }
    }
    let pooled = pooled_score(y, &predictions)?;
    Ok((
        CvReport {
            predictions,
            pooled,
            folds: scores,
        },
        per_fold,
    ))
}

/// CV+ prediction intervals (Barber et al. 2021; `ml_regress::conformal`)
/// from the same fits as [`cross_validate`]: each fold's pipeline also
/// predicts the `new` rows, and each row's out-of-fold residual calibrates.
/// The folds' test rows must cover every row once.
///
/// # Errors
/// As [`cross_validate`]; α outside (0, 1), too few rows for α, folds
/// that do not partition the rows or that train on their own test rows.
pub fn cross_validate_cv_plus<R: Regressor, F: AsFold>(
    pipeline: &ModelPipeline<R>,
    table: &Table,
    y: &[f64],
    folds: &[F],
    new: &Table,
    alpha: f64,
) -> Result<(CvReport, ml_regress::conformal::Interval)> {
    // α, the rows and the folds are checked before any fit: enough rows
    // for α, each row tested once, and no fold trained on its own test rows.
    ml_regress::conformal::calibration_rank(y.len(), alpha)?;
    let fold_of = ml_regress::conformal::fold_assignment(y.len(), folds)?;
    let (report, per_fold) = fold_fits(pipeline, table, y, folds, Some(new))?;
    let residuals: Vec<f64> = y
        .iter()
        .zip(&report.predictions)
        .map(|(y, p)| (y - p).abs())
        .collect();
    let interval = ml_regress::conformal::cv_plus_interval(&per_fold, &fold_of, &residuals, alpha)?;
    Ok((report, interval))
}

/// Every candidate's cross-validation and the best one.
#[derive(Debug, Clone, PartialEq)]
pub struct GridSearchReport {
    /// One report per candidate, in candidate order.
    pub reports: Vec<CvReport>,
    /// The pooled scores, in candidate order.
    pub scores: Vec<CvScore>,
    /// Index of the best candidate by the pooled score (the first on a
    /// tie).
    pub best: usize,
}

/// Cross-validates every candidate pipeline over the same folds (in
/// parallel with the `rayon` feature; identical results either way) and
/// picks the best pooled score by `scoring`.
///
/// # Errors
/// No candidate, or an error of any candidate.
pub fn grid_search<R: Regressor, F: AsFold + Sync>(
    candidates: &[ModelPipeline<R>],
    table: &Table,
    y: &[f64],
    folds: &[F],
    scoring: Scoring,
) -> Result<GridSearchReport> {
    if candidates.is_empty() {
        return Err(ml_regress::RegressError::Empty.into());
    }
    let run = |c: &ModelPipeline<R>| cross_validate(c, table, y, folds);
    #[cfg(feature = "rayon")]
    let reports: Vec<Result<CvReport>> = {
        use rayon::prelude::*;
        candidates.par_iter().map(run).collect()
    };
    #[cfg(not(feature = "rayon"))]
    let reports: Vec<Result<CvReport>> = candidates.iter().map(run).collect();
    let reports = reports.into_iter().collect::<Result<Vec<_>>>()?;
    let scores: Vec<CvScore> = reports.iter().map(|r| r.pooled).collect();
    let best = best_candidate(&scores, scoring);
    Ok(GridSearchReport {
        reports,
        scores,
        best,
    })
}
