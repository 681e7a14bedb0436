//! The DiMag property-prediction pipeline (the DiMag study): tree
//! ensembles predicting log10 SAR, r1 and r2 from the numeric descriptors,
//! with min-max scaling fitted on training rows.
//!
//! - [`original_protocol`]: the published protocol. The raw target is cut
//!   into 5 equal-width bins for a stratified, seeded 80/20 split. It
//!   reports R², RMSE and MAE on the log10 test rows, and 10-fold CV on the
//!   training part.
//! - [`cross_validated_r2`]: 5-fold CV without shuffling, or grouped by
//!   article (DOI), pooled out-of-fold R² on the log10 scale.

use crate::error::{Error, Result};
use crate::ml::pipeline::{ModelPipeline, cross_validate, cross_validate_cv_plus};
use ml_regress::conformal::Interval;
use ml_regress::metrics::{mae, r2, rmse};
use ml_regress::{
    BoostingModel, BoostingParams, DecisionTreeParams, ForestModel, ForestParams, Predict,
    Regressor,
};
use mnp_dataset::dimag::{DimagData, DimagTarget};
use mnp_dataset::split::{
    GroupKFold, KFold, Split, equal_width_bins, group_train_test_split,
    sklearn_stratified_train_test_split,
};
use mnp_dataset::{NumericImputation, Pipeline, Scaling, Table, UnknownCategory, log10_target};
use ndarray::{Array1, ArrayView1, ArrayView2};

/// A tree-ensemble model of the pipeline.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum TreeModel {
    /// A random forest.
    RandomForest(ForestParams),
    /// Extremely randomized trees.
    ExtraTrees(ForestParams),
    /// Gradient-boosted trees.
    Boosting(BoostingParams),
}

impl TreeModel {
    /// A short name: "rf", "et", "gbt".
    pub fn name(&self) -> &'static str {
        match self {
            TreeModel::RandomForest(_) => "rf",
            TreeModel::ExtraTrees(_) => "et",
            TreeModel::Boosting(_) => "gbt",
        }
    }

    /// The same model with another seed.
    pub fn with_seed(self, seed: u64) -> Self {
        match self {
            TreeModel::RandomForest(p) => TreeModel::RandomForest(ForestParams { seed, ..p }),
            TreeModel::ExtraTrees(p) => TreeModel::ExtraTrees(ForestParams { seed, ..p }),
            TreeModel::Boosting(p) => TreeModel::Boosting(BoostingParams { seed, ..p }),
        }
    }

    /// The DiMag model pipeline of this model: mean imputation, min-max
    /// scaling, one-hot encoding (unseen categories as zeros), the model.
    pub fn pipeline(self) -> ModelPipeline<TreeModel> {
        ModelPipeline::new(
            Pipeline::new(
                NumericImputation::Mean,
                Some(Scaling::MinMax),
                UnknownCategory::AllZeros,
            ),
            self,
        )
    }
}

/// A fitted [`TreeModel`].
#[derive(Debug, Clone, PartialEq)]
pub enum FittedTreeModel {
    /// A fitted forest (random or extra trees).
    Forest(ForestModel),
    /// A fitted boosted ensemble.
    Boosting(BoostingModel),
}

impl FittedTreeModel {
    /// Impurity-based feature importances (normalized to sum 1).
    pub fn feature_importances(&self) -> Vec<f64> {
        match self {
            FittedTreeModel::Forest(m) => m.feature_importances.clone(),
            FittedTreeModel::Boosting(m) => m.feature_importances(),
        }
    }
}

impl Predict for FittedTreeModel {
    fn predict(&self, x: ArrayView2<f64>) -> ml_regress::Result<Array1<f64>> {
        match self {
            FittedTreeModel::Forest(m) => m.predict(x),
            FittedTreeModel::Boosting(m) => m.predict(x),
        }
    }
}

/// The hyper-parameters are checked when fitting (as `check()` would).
impl Regressor for TreeModel {
    type Model = FittedTreeModel;
    fn fit(&self, x: ArrayView2<f64>, y: ArrayView1<f64>) -> ml_regress::Result<FittedTreeModel> {
        Ok(match self {
            TreeModel::RandomForest(p) | TreeModel::ExtraTrees(p) => {
                FittedTreeModel::Forest(p.check()?.fit(x, y)?)
            }
            TreeModel::Boosting(p) => FittedTreeModel::Boosting(p.check()?.fit(x, y)?),
        })
    }
}

/// The test R² (log10) the DiMag study published for the target's best
/// model on its own split: SAR 0.86, r1 0.78, r2 0.75.
pub fn published_test_r2(target: DimagTarget) -> f64 {
    match target {
        DimagTarget::Sar => 0.86,
        DimagTarget::R1 => 0.78,
        DimagTarget::R2 => 0.75,
    }
}

/// The best model family per target in the original work (the DiMag study): for
/// SAR gradient boosting (100 trees, depth 2, learning rate 0.265, at least
/// 14 rows per leaf, L1 0.15, L2 0.14); for r1 and r2 extremely randomized
/// trees (100 trees, at least 2 rows per leaf).
pub fn paper_model(target: DimagTarget) -> TreeModel {
    match target {
        DimagTarget::Sar => TreeModel::Boosting(BoostingParams::dimag_sar()),
        DimagTarget::R1 | DimagTarget::R2 => TreeModel::ExtraTrees(ForestParams {
            tree: DecisionTreeParams {
                min_samples_leaf: 2,
                ..ForestParams::extra_trees().tree
            },
            ..ForestParams::extra_trees()
        }),
    }
}

/// The comparison models of the k-fold studies: a 500-tree random forest,
/// 500 extra trees, and scikit-learn's default boosting (100 rounds, depth
/// 3, learning rate 0.1).
pub fn comparison_models() -> [TreeModel; 3] {
    [
        TreeModel::RandomForest(ForestParams {
            n_estimators: 500,
            ..ForestParams::random_forest()
        }),
        TreeModel::ExtraTrees(ForestParams {
            n_estimators: 500,
            ..ForestParams::extra_trees()
        }),
        TreeModel::Boosting(BoostingParams::default()),
    ]
}

/// The DiMag folder `$MNP_DATA_DIR/dimag`, where the loaders look for
/// SAR.csv, r1.csv, r2.csv and the validation files (the data are never
/// part of the repository).
///
/// # Errors
/// [`Error::Invalid`] naming `MNP_DATA_DIR` when it is not set.
pub fn data_dir() -> Result<std::path::PathBuf> {
    let root = std::env::var_os("MNP_DATA_DIR").ok_or_else(|| Error::Invalid {
        name: "MNP_DATA_DIR",
        reason: "not set: point it at the folder holding dimag/ \
                 (for example MNP_DATA_DIR=../shared/data)"
            .into(),
    })?;
    Ok(std::path::PathBuf::from(root).join("dimag"))
}

/// log10 of the target per row.
///
/// # Errors
/// A target ≤ 0 or not finite (`DatasetError::NonPositiveTarget`, naming
/// the row): [`DimagData::y`] is public, so a caller may have changed it
/// since the loader checked it.
pub fn log_target(data: &DimagData) -> Result<Vec<f64>> {
    Ok(log10_target(&data.y)?)
}

/// Min-max scaling fitted on `train` rows of the descriptors, the model
/// fitted on those rows, predictions for `test` rows
/// ([`TreeModel::pipeline`]).
///
/// # Errors
/// From the scaling or the model.
pub fn fit_predict(
    features: &Table,
    y: &[f64],
    model: &TreeModel,
    train: &[usize],
    test: &[usize],
) -> Result<Vec<f64>> {
    model.pipeline().fit_predict(features, y, train, test)
}

/// Pooled out-of-fold predictions over `folds` (every row tested once).
fn out_of_fold(
    features: &Table,
    y: &[f64],
    model: &TreeModel,
    folds: &[Split],
) -> Result<Vec<f64>> {
    Ok(cross_validate(&model.pipeline(), features, y, folds)?.predictions)
}

/// The published protocol's figures for one split seed.
#[derive(Debug, Clone, PartialEq)]
pub struct ProtocolResult {
    /// R² on the log10 test rows.
    pub test_r2: f64,
    /// RMSE on the log10 test rows.
    pub test_rmse: f64,
    /// MAE on the log10 test rows.
    pub test_mae: f64,
    /// R² of the pooled out-of-fold predictions of 10-fold CV on the
    /// training part (its rows in the order scikit-learn's
    /// train_test_split returns them: the same folds as
    /// `cross_val_score(model, X_train, y_train, cv=10)`).
    pub cv10_r2: f64,
    /// The split.
    pub split: Split,
    /// Predictions for the test rows (log10).
    pub test_predictions: Vec<f64>,
    /// CV+ intervals (log10) for the test rows at miscoverage
    /// [`INTERVAL_ALPHA`], calibrated by the 10-fold CV's out-of-fold
    /// residuals (no extra fits).
    pub intervals: Interval,
}

/// The miscoverage of the DiMag prediction intervals: 90 % intervals.
pub const INTERVAL_ALPHA: f64 = 0.1;

/// The published protocol's split for `seed`: 5 equal-width bins of the raw
/// target (`pandas.cut(y, 5)`), then scikit-learn's
/// `train_test_split(test_size=0.2, stratify=bins, random_state=seed)`
/// replayed row for row (`sklearn_stratified_train_test_split`), so a
/// seed here is the same split as in the study's Python code.
///
/// # Errors
/// A seed of 2³² or more (numpy's seeds are 32-bit); errors of the split.
pub fn protocol_split(data: &DimagData, seed: u64) -> Result<Split> {
    let seed = u32::try_from(seed).map_err(|_| Error::Invalid {
        name: "split seed",
        reason: format!("{seed} is not below 2³² (scikit-learn's random_state)"),
    })?;
    let bins = equal_width_bins(&data.y, 5)?;
    Ok(sklearn_stratified_train_test_split(&bins, 0.2, seed)?)
}

/// The original protocol with split seed `seed`: 5 equal-width bins of the
/// raw target, a stratified 80/20 split, the model fitted on the training
/// part (min-max scaling fitted there), the log10 test rows scored; and
/// 10-fold CV on the training part, whose fold models and out-of-fold
/// residuals also give CV+ intervals for the test rows.
///
/// # Errors
/// From the data, the split or the model.
pub fn original_protocol(data: &DimagData, model: &TreeModel, seed: u64) -> Result<ProtocolResult> {
    let features = data.features()?;
    let y = log_target(data)?;
    let split = protocol_split(data, seed)?;
    let pred = fit_predict(&features, &y, model, &split.train, &split.test)?;
    let measured: Vec<f64> = split.test.iter().map(|&i| y[i]).collect();
    // 10-fold CV (no shuffling) on the training rows only, in the order
    // scikit-learn's train_test_split returns them (shuffled, so the folds
    // mix articles; in file order they would be nearly grouped by article,
    // DiMag rows being sorted by DOI): scikit-learn's
    // `cross_val_score(model, X_train, y_train, cv=10)`.
    let train = split.train.clone();
    let train_features = features.take(&train)?;
    let y_train: Vec<f64> = train.iter().map(|&i| y[i]).collect();
    let folds = KFold {
        k: 10,
        shuffle: None,
    }
    .split(y_train.len())?;
    let (cv, intervals) = cross_validate_cv_plus(
        &model.pipeline(),
        &train_features,
        &y_train,
        &folds,
        &features.take(&split.test)?,
        INTERVAL_ALPHA,
    )?;
    Ok(ProtocolResult {
        test_r2: r2(&measured, &pred)?,
        test_rmse: rmse(&measured, &pred)?,
        test_mae: mae(&measured, &pred)?,
        cv10_r2: r2(&y_train, &cv.predictions)?,
        split,
        test_predictions: pred,
        intervals,
    })
}

/// Test R² (log10) of `model` on given splits, one per entry: the model
/// seeded with the entry's seed ([`TreeModel::with_seed`]), fitted on the
/// training rows (min-max scaling fitted there) and scored on the test
/// rows. With splits drawn by another library (scikit-learn's
/// `train_test_split`, say), the two libraries' models are compared on
/// the same partitions, free of the sampling noise of two split generators.
///
/// # Errors
/// From the data, a split's rows or the model.
pub fn test_r2_on_splits(
    data: &DimagData,
    model: &TreeModel,
    splits: &[(u64, Split)],
) -> Result<Vec<f64>> {
    let features = data.features()?;
    let y = log_target(data)?;
    splits
        .iter()
        .map(|(seed, split)| {
            let pred = fit_predict(
                &features,
                &y,
                &model.with_seed(*seed),
                &split.train,
                &split.test,
            )?;
            let measured: Vec<f64> = split.test.iter().map(|&i| y[i]).collect();
            Ok(r2(&measured, &pred)?)
        })
        .collect()
}

/// Intervals calibrated and tested across articles, for split seed `seed`:
/// at least 20 % of the rows (whole articles, by normalized DOI, in a
/// seeded order, so up to about 30 % on DiMag) are held out; CV+ with GroupKFold(5) by article on the rest
/// calibrates (every residual from a model that never saw the row's
/// article) and gives [`INTERVAL_ALPHA`] intervals (log10) for the held-out
/// rows.
///
/// # Errors
/// From the data, the split, the folds or the model.
pub fn grouped_intervals(
    data: &DimagData,
    model: &TreeModel,
    seed: u64,
) -> Result<(Split, Interval)> {
    let features = data.features()?;
    let y = log_target(data)?;
    let split = group_train_test_split(&data.doi, 0.2, seed)?;
    let train_features = features.take(&split.train)?;
    let y_train: Vec<f64> = split.train.iter().map(|&i| y[i]).collect();
    let doi_train: Vec<&String> = split.train.iter().map(|&i| &data.doi[i]).collect();
    let folds = GroupKFold { k: 5 }.split(&doi_train)?;
    let (_, interval) = cross_validate_cv_plus(
        &model.pipeline(),
        &train_features,
        &y_train,
        &folds,
        &features.take(&split.test)?,
        INTERVAL_ALPHA,
    )?;
    Ok((split, interval))
}

/// R² of the pooled out-of-fold log10 predictions of 5-fold CV: KFold(5)
/// without shuffling, or, with `grouped`, GroupKFold(5) by normalized DOI
/// (no article on both sides of a split).
///
/// # Errors
/// From the data, the folds or the model.
pub fn cross_validated_r2(data: &DimagData, model: &TreeModel, grouped: bool) -> Result<f64> {
    let features = data.features()?;
    let y = log_target(data)?;
    let folds = if grouped {
        GroupKFold { k: 5 }.split(&data.doi)?
    } else {
        KFold {
            k: 5,
            shuffle: None,
        }
        .split(y.len())?
    };
    let oof = out_of_fold(&features, &y, model, &folds)?;
    Ok(r2(&y, &oof)?)
}

/// A prediction for one row of a DiMag validation file.
#[derive(Debug, Clone, PartialEq)]
pub struct ValidationPrediction {
    /// Line of the row in the validation file (the header is line 1).
    pub line: usize,
    /// The measured target, where the file gives one (raw units).
    pub measured: Option<f64>,
    /// The prediction (raw units: W/g or mM⁻¹ s⁻¹).
    pub predicted: f64,
    /// The descriptors whose value lies outside the training range
    /// (extrapolation): empty when the row is inside it.
    pub outside_training_range: Vec<String>,
}

/// The validation file of a target: `SAR_validation.csv` for SAR,
/// `r1r2_validation.csv` for r1 and r2.
pub fn validation_file(target: DimagTarget) -> &'static str {
    match target {
        DimagTarget::Sar => "SAR_validation.csv",
        DimagTarget::R1 | DimagTarget::R2 => "r1r2_validation.csv",
    }
}

/// Fits `model` on every training row of `data` (min-max scaling fitted
/// there) and predicts each row of the validation file `path`, flagging
/// the descriptors that lie outside the training range.
///
/// # Errors
/// An unreadable file, or a training descriptor missing from it.
pub fn predict_validation(
    data: &DimagData,
    model: &TreeModel,
    path: &std::path::Path,
) -> Result<Vec<ValidationPrediction>> {
    let mut options = mnp_dataset::CsvOptions::default();
    for c in ["DOI", "Core composition", "Shell composition", "Shape"] {
        options
            .types
            .insert(c.to_string(), mnp_dataset::ColumnType::Text);
    }
    let validation = Table::from_csv(path, &options)?;
    let names: Vec<&str> = data.descriptors.iter().map(String::as_str).collect();
    let features = data.features()?;
    let v_features = validation.select(&names)?;
    let y = log_target(data)?;
    let pred = model.pipeline().fit(&features, &y)?.predict(&v_features)?;
    let measured = validation.numeric(data.target.column())?;
    // Each descriptor's training range, once.
    let ranges: Vec<(f64, f64)> = names
        .iter()
        .map(|name| {
            Ok(features
                .numeric(name)?
                .iter()
                .flatten()
                .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &v| {
                    (a.min(v), b.max(v))
                }))
        })
        .collect::<Result<_>>()?;
    let mut out = Vec::with_capacity(pred.len());
    for (row, p) in pred.into_iter().enumerate() {
        let mut outside = Vec::new();
        for (name, &(lo, hi)) in names.iter().zip(&ranges) {
            if let Some(v) = v_features.numeric(name)?[row]
                && (v < lo || v > hi)
            {
                outside.push((*name).to_string());
            }
        }
        out.push(ValidationPrediction {
            line: row + 2,
            measured: measured[row],
            predicted: 10f64.powf(p),
            outside_training_range: outside,
        });
    }
    Ok(out)
}
