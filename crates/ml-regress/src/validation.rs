//! Cross-validation over any splits, and a parallel grid search.

use crate::error::{RegressError, Result, invalid};
use crate::metrics::{r2, rmse};
use crate::traits::{Predict, Regressor};
use ndarray::{Array1, ArrayView1, ArrayView2, Axis};

/// One fold: training and test row indices.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fold {
    /// Training rows.
    pub train: Vec<usize>,
    /// Test rows.
    pub test: Vec<usize>,
}

impl<'a> From<&'a Fold> for (&'a [usize], &'a [usize]) {
    fn from(f: &'a Fold) -> Self {
        (&f.train, &f.test)
    }
}

/// What cross-validation and grid search take as a fold: any type whose
/// reference converts into its (training rows, test rows) as a pair of
/// slices, the one notion of a fold this crate shares with others without
/// depending on them. [`Fold`] is one, and so is `mnp_dataset::split::Split`,
/// so a splitter's output goes straight in:
///
/// ```
/// # use ml_regress::validation::{AsFold, Fold};
/// let f = Fold { train: vec![0, 1], test: vec![2] };
/// assert_eq!(f.indices(), (&[0, 1][..], &[2][..]));
/// ```
pub trait AsFold {
    /// Training and test row indices.
    fn indices(&self) -> (&[usize], &[usize]);
}

impl<F: ?Sized> AsFold for F
where
    for<'a> &'a F: Into<(&'a [usize], &'a [usize])>,
{
    fn indices(&self) -> (&[usize], &[usize]) {
        self.into()
    }
}

/// Out-of-fold predictions: each row predicted by the model fitted on the
/// folds that do not contain it. Rows in no test fold stay NaN.
///
/// # Errors
/// A fold row out of range, or a fitting error.
pub fn cross_val_predict<R: Regressor, F: AsFold>(
    regressor: &R,
    x: ArrayView2<f64>,
    y: ArrayView1<f64>,
    folds: &[F],
) -> Result<Array1<f64>> {
    let n = x.nrows();
    let mut out = Array1::from_elem(n, f64::NAN);
    for f in folds {
        let (train, test) = f.indices();
        if let Some(&bad) = train.iter().chain(test).find(|&&i| i >= n) {
            return Err(invalid(
                "fold row index",
                bad as f64,
                "an index below the number of rows",
            ));
        }
        let model = regressor.fit(
            x.select(Axis(0), train).view(),
            y.select(Axis(0), train).view(),
        )?;
        let pred = model.predict(x.select(Axis(0), test).view())?;
        for (&i, p) in test.iter().zip(pred) {
            out[i] = p;
        }
    }
    Ok(out)
}

/// Cross-validated scores from pooled out-of-fold predictions.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CvScore {
    /// RMSE of the pooled out-of-fold predictions.
    pub rmse: f64,
    /// R² of the pooled out-of-fold predictions.
    pub r2: f64,
}

/// [`CvScore`] of `regressor` over `folds` (rows never tested are left out).
///
/// # Errors
/// As [`cross_val_predict`], or no row tested.
pub fn cross_validate<R: Regressor, F: AsFold>(
    regressor: &R,
    x: ArrayView2<f64>,
    y: ArrayView1<f64>,
    folds: &[F],
) -> Result<CvScore> {
    let pred = cross_val_predict(regressor, x, y, folds)?;
    pooled_score(
        y.as_slice().unwrap_or(&y.to_vec()),
        pred.as_slice().expect("owned array"),
    )
}

/// RMSE and R² of out-of-fold predictions `pred` against `y`, over the
/// rows that were predicted (NaN marks a row no fold tested).
///
/// # Errors
/// No predicted row, or slices of different lengths.
pub fn pooled_score(y: &[f64], pred: &[f64]) -> Result<CvScore> {
    if y.len() != pred.len() {
        return Err(RegressError::ShapeMismatch {
            what: "predictions vs targets",
            expected: y.len(),
            found: pred.len(),
        });
    }
    let (yy, pp): (Vec<f64>, Vec<f64>) = y
        .iter()
        .zip(pred)
        .filter(|(_, p)| !p.is_nan())
        .map(|(a, b)| (*a, *b))
        .unzip();
    if yy.is_empty() {
        return Err(RegressError::Empty);
    }
    Ok(CvScore {
        rmse: rmse(&yy, &pp)?,
        r2: r2(&yy, &pp)?,
    })
}

/// The score of one fold's test rows.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FoldScore {
    /// Test rows of the fold.
    pub rows: usize,
    /// RMSE on them.
    pub rmse: f64,
    /// MAE on them.
    pub mae: f64,
    /// R² on them; `None` for fewer than two rows or a constant target,
    /// where R² is undefined (a leave-one-out fold, say).
    pub r2: Option<f64>,
}

impl FoldScore {
    /// The score of predictions `pred` against `y` on one fold's rows.
    ///
    /// # Errors
    /// No row, or slices of different lengths.
    pub fn new(y: &[f64], pred: &[f64]) -> Result<Self> {
        if y.len() != pred.len() {
            return Err(RegressError::ShapeMismatch {
                what: "predictions vs targets",
                expected: y.len(),
                found: pred.len(),
            });
        }
        if y.is_empty() {
            return Err(RegressError::Empty);
        }
        let mean = y.iter().sum::<f64>() / y.len() as f64;
        let constant = y.iter().all(|v| *v == mean);
        Ok(Self {
            rows: y.len(),
            rmse: rmse(y, pred)?,
            mae: crate::metrics::mae(y, pred)?,
            r2: if y.len() < 2 || constant {
                None
            } else {
                Some(r2(y, pred)?)
            },
        })
    }
}

/// What a grid search optimizes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Scoring {
    /// Lowest cross-validated RMSE (the paper's choice).
    #[default]
    Rmse,
    /// Highest cross-validated R².
    R2,
}

/// Every candidate's score and the best one.
#[derive(Debug, Clone, PartialEq)]
pub struct GridSearchResult {
    /// One score per candidate, in candidate order.
    pub scores: Vec<CvScore>,
    /// Index of the best candidate (the first on a tie).
    pub best: usize,
}

/// Cross-validates every candidate (in parallel with the `rayon` feature;
/// identical results either way) and picks the best by `scoring`.
///
/// # Errors
/// No candidate, or an error from any candidate.
pub fn grid_search<R: Regressor, F: AsFold + Sync>(
    candidates: &[R],
    x: ArrayView2<f64>,
    y: ArrayView1<f64>,
    folds: &[F],
    scoring: Scoring,
) -> Result<GridSearchResult> {
    if candidates.is_empty() {
        return Err(RegressError::Empty);
    }
    #[cfg(feature = "rayon")]
    let scores: Vec<Result<CvScore>> = {
        use rayon::prelude::*;
        candidates
            .par_iter()
            .map(|c| cross_validate(c, x, y, folds))
            .collect()
    };
    #[cfg(not(feature = "rayon"))]
    let scores: Vec<Result<CvScore>> = candidates
        .iter()
        .map(|c| cross_validate(c, x, y, folds))
        .collect();
    let scores = scores.into_iter().collect::<Result<Vec<_>>>()?;
    let best = best_candidate(&scores, scoring);
    Ok(GridSearchResult { scores, best })
}

/// The index of the best score by `scoring` (the first on a tie; 0 for an
/// empty slice).
pub fn best_candidate(scores: &[CvScore], scoring: Scoring) -> usize {
    let key = |s: &CvScore| match scoring {
        Scoring::Rmse => s.rmse,
        Scoring::R2 => -s.r2,
    };
    (0..scores.len()).fold(0, |a, b| {
        if key(&scores[b]) < key(&scores[a]) {
            b
        } else {
            a
        }
    })
}

/// `n` evenly spaced values from `start` to `end` inclusive; the last is
/// exactly `end`, as numpy's `linspace`.
pub fn linspace(start: f64, end: f64, n: usize) -> Vec<f64> {
    match n {
        0 => vec![],
        1 => vec![start],
        _ => (0..n)
            .map(|k| {
                if k == n - 1 {
                    end
                } else {
                    start + (end - start) * k as f64 / (n - 1) as f64
                }
            })
            .collect(),
    }
}

/// `n` values from 10^`start` to 10^`end`, evenly spaced in the exponent.
pub fn logspace(start: f64, end: f64, n: usize) -> Vec<f64> {
    linspace(start, end, n)
        .into_iter()
        .map(|e| 10f64.powf(e))
        .collect()
}

/// The cartesian product of parameter lists, the last list varying fastest
/// (scikit-learn's `ParameterGrid` order for one dict with sorted keys).
pub fn cartesian(lists: &[Vec<f64>]) -> Vec<Vec<f64>> {
    lists.iter().fold(vec![vec![]], |acc, list| {
        acc.iter()
            .flat_map(|prefix| {
                list.iter().map(move |v| {
                    let mut p = prefix.clone();
                    p.push(*v);
                    p
                })
            })
            .collect()
    })
}
