//! Conformal prediction intervals around any regressor of the crate.
//!
//! Each method turns a point (or quantile) regressor into intervals
//! [lo(x), hi(x)] that contain a new target with probability at least
//! 1 − α, for any model and any data distribution, provided the
//! calibration rows and the new row are *exchangeable* (for example drawn
//! independently from one population):
//!
//! - [`SplitConformal`] (Vovk, Gammerman & Shafer 2005; Lei et al. 2018):
//!   fit on the training rows, score |y − ŷ| on the n calibration rows, and
//!   widen ŷ by the ⌈(1 − α)(n + 1)⌉-th smallest score. Coverage is at
//!   least 1 − α and, without ties, below 1 − α + 1/(n + 1). The same width
//!   everywhere.
//! - [`CvPlus`] (Barber, Candès, Ramdas & Tibshirani 2021): one model per
//!   fold, each row scored by the model that did not see it; a new x gets
//!   lo = the ⌊α(n + 1)⌋-th smallest of μ̂₋ₖ₍ᵢ₎(x) − Rᵢ and hi = the
//!   ⌈(1 − α)(n + 1)⌉-th smallest of μ̂₋ₖ₍ᵢ₎(x) + Rᵢ over all n rows. With
//!   leave-one-out folds it is the jackknife+. Guaranteed coverage 1 − 2α
//!   for the jackknife+, and for K-fold CV+ 1 − 2α minus a term that
//!   shrinks as the folds grow (Barber et al. 2021, Theorem 4, for folds of
//!   equal size); in practice about 1 − α. Uses every row for both fitting
//!   and calibration. With α > 0.5 the edges may cross (lower above upper).
//! - [`Cqr`] (Romano, Patterson & Candès 2019): two quantile regressors
//!   (for example [`crate::boosting`] with [`crate::Loss::Quantile`] at
//!   α/2 and 1 − α/2) give a band whose width follows the noise; the
//!   calibration rows' scores max(lo(x) − y, y − hi(x)) shift both edges
//!   by their ⌈(1 − α)(n + 1)⌉-th smallest value. Split conformal's
//!   guarantee, with intervals narrow where the noise is small.
//!
//! **What breaks the guarantee.** Rows that are not exchangeable with the
//! new one. Nanoparticles of one article share a synthesis route, a lab and
//! its measurement habits; if calibration rows come from the same articles
//! as the training rows while a new particle comes from a new article, the
//! scores are too optimistic. Calibrate across groups then: give the
//! methods splits or folds that keep each group whole (a `GroupKFold` of
//! the group column, or a split holding out whole groups), so that every
//! score comes from an article the model did not see. That removes the
//! optimism but is not an exact guarantee for a new article: rows within
//! an article are dependent and articles differ in size (an exact one
//! needs, for example, one calibration row per article; Dunn, Wasserman &
//! Ramdas 2023). Every guarantee here is marginal (on average over x), not
//! for each x, and fails under a shift of the population.

use crate::error::{RegressError, Result, invalid};
use crate::traits::{Predict, Regressor};
use crate::validation::AsFold;
use ndarray::{Array1, ArrayView1, ArrayView2, Axis};

/// Prediction intervals for a set of rows.
#[derive(Debug, Clone, PartialEq)]
pub struct Interval {
    /// The point prediction: the model's (split conformal), the mean of the
    /// fold models' (CV+), or the band's midpoint (CQR).
    pub prediction: Array1<f64>,
    /// Lower edges.
    pub lower: Array1<f64>,
    /// Upper edges.
    pub upper: Array1<f64>,
}

impl Interval {
    /// hi − lo per row.
    pub fn width(&self) -> Array1<f64> {
        &self.upper - &self.lower
    }

    /// The share of `y` inside its interval (edges included).
    ///
    /// # Errors
    /// A length other than the intervals', or no rows.
    pub fn coverage(&self, y: ArrayView1<f64>) -> Result<f64> {
        if y.is_empty() {
            return Err(RegressError::Empty);
        }
        if y.len() != self.lower.len() {
            return Err(RegressError::ShapeMismatch {
                what: "targets vs intervals",
                expected: self.lower.len(),
                found: y.len(),
            });
        }
        let inside = y
            .iter()
            .zip(self.lower.iter().zip(&self.upper))
            .filter(|(y, (lo, hi))| *lo <= *y && *y <= *hi)
            .count();
        Ok(inside as f64 / y.len() as f64)
    }
}

/// The miscoverage α must lie in (0, 1).
fn check_alpha(alpha: f64) -> Result<()> {
    if alpha > 0.0 && alpha < 1.0 {
        Ok(())
    } else {
        Err(invalid("alpha (miscoverage)", alpha, "a value in (0, 1)"))
    }
}

/// The 1-based rank ⌈(1 − α)(n + 1)⌉ of the conformal quantile among n
/// scores; it must not exceed n, which takes n ≥ 1/α − 1 rows.
/// The rank k = ⌈(1 − α)(n + 1)⌉ of the conformal quantile among `n`
/// calibration scores, checking α and n first: what every method of this
/// module needs before any fit.
///
/// # Errors
/// α outside (0, 1) ([`RegressError::InvalidParameter`]); fewer than
/// ⌈1/α − 1⌉ rows ([`RegressError::TooFewCalibrationRows`], with how many
/// are needed).
pub fn calibration_rank(n: usize, alpha: f64) -> Result<usize> {
    upper_rank(n, alpha)
}

fn upper_rank(n: usize, alpha: f64) -> Result<usize> {
    check_alpha(alpha)?;
    let k = ((1.0 - alpha) * (n as f64 + 1.0) - 1e-9).ceil() as usize;
    if n == 0 || k > n {
        return Err(RegressError::TooFewCalibrationRows {
            alpha,
            needed: ((1.0 / alpha - 1.0) - 1e-9).ceil().max(1.0) as usize,
            found: n,
        });
    }
    Ok(k.max(1))
}

/// The k-th smallest (1-based) of `v`.
fn kth_smallest(v: &mut [f64], k: usize) -> f64 {
    *v.select_nth_unstable_by(k - 1, f64::total_cmp).1
}

/// The 1-based rank ⌊α(n + 1)⌋ of CV+'s lower edge, within 1..=n.
fn lower_rank(n: usize, alpha: f64) -> usize {
    (((alpha * (n as f64 + 1.0)) + 1e-9).floor() as usize).clamp(1, n.max(1))
}

/// x and y must have the same rows.
fn check_lengths(x: &ArrayView2<f64>, y: &ArrayView1<f64>) -> Result<()> {
    if x.nrows() == y.len() {
        Ok(())
    } else {
        Err(RegressError::ShapeMismatch {
            what: "target length vs rows of x",
            expected: x.nrows(),
            found: y.len(),
        })
    }
}

fn check_rows(n: usize, rows: &[usize]) -> Result<()> {
    match rows.iter().find(|&&i| i >= n) {
        Some(&i) => Err(RegressError::ShapeMismatch {
            what: "a fold row vs the number of rows",
            expected: n,
            found: i,
        }),
        None => Ok(()),
    }
}

fn rows_of<'a>(
    x: ArrayView2<'a, f64>,
    y: ArrayView1<'a, f64>,
    rows: &[usize],
) -> (ndarray::Array2<f64>, Array1<f64>) {
    (x.select(Axis(0), rows), y.select(Axis(0), rows))
}

/// Rows of a split method's data: the conformal rank for the calibration
/// rows, then the training and the calibration rows of x and y, checked.
#[allow(clippy::type_complexity)]
fn split_rows<F: AsFold + ?Sized>(
    x: ArrayView2<f64>,
    y: ArrayView1<f64>,
    split: &F,
    alpha: f64,
) -> Result<(
    usize,
    (ndarray::Array2<f64>, Array1<f64>),
    (ndarray::Array2<f64>, Array1<f64>),
)> {
    let (train, calibration) = split.indices();
    let rank = upper_rank(calibration.len(), alpha)?;
    check_lengths(&x, &y)?;
    check_rows(x.nrows(), train)?;
    check_rows(x.nrows(), calibration)?;
    // Calibrating on a training row would shrink the margin silently.
    let mut is_train = vec![false; x.nrows()];
    for &i in train {
        is_train[i] = true;
    }
    if let Some(&row) = calibration.iter().find(|&&i| is_train[i]) {
        return Err(RegressError::FoldOverlap { fold: 0, row });
    }
    // The fit checks the training rows; a NaN among the calibration rows
    // would make every interval NaN.
    for &i in calibration {
        if !y[i].is_finite() {
            return Err(RegressError::NonFinite {
                what: "y (a calibration row)",
                row: i,
            });
        }
        if x.row(i).iter().any(|v| !v.is_finite()) {
            return Err(RegressError::NonFinite {
                what: "x (a calibration row)",
                row: i,
            });
        }
    }
    Ok((rank, rows_of(x, y, train), rows_of(x, y, calibration)))
}

/// For folds over `n` rows, the fold whose test rows hold each row.
///
/// # Errors
/// A row out of range, a row in no fold's or in two folds' test rows
/// ([`RegressError::FoldsNotPartition`]), or a fold that trains on one of
/// its own test rows ([`RegressError::FoldOverlap`]).
pub fn fold_assignment<F: AsFold>(n: usize, folds: &[F]) -> Result<Vec<usize>> {
    let mut fold_of = vec![usize::MAX; n];
    for (k, fold) in folds.iter().enumerate() {
        let (train, test) = fold.indices();
        check_rows(n, train)?;
        check_rows(n, test)?;
        for &i in test {
            if fold_of[i] != usize::MAX {
                return Err(RegressError::FoldsNotPartition { row: i });
            }
            fold_of[i] = k;
        }
        if let Some(&row) = train.iter().find(|&&i| fold_of[i] == k) {
            return Err(RegressError::FoldOverlap { fold: k, row });
        }
    }
    match fold_of.iter().position(|&k| k == usize::MAX) {
        Some(row) => Err(RegressError::FoldsNotPartition { row }),
        None => Ok(fold_of),
    }
}

/// Split conformal intervals around a point model (see the module docs).
#[derive(Debug, Clone, PartialEq)]
pub struct SplitConformal<M> {
    /// The model fitted on the training rows.
    pub model: M,
    /// The half-width: the ⌈(1 − α)(n + 1)⌉-th smallest calibration score
    /// |y − ŷ|.
    pub margin: f64,
    /// The miscoverage α.
    pub alpha: f64,
}

impl<M: Predict> SplitConformal<M> {
    /// Fits `regressor` on the split's training rows and calibrates on its
    /// test rows.
    ///
    /// # Errors
    /// α outside (0, 1); fewer than ⌈1/α − 1⌉ calibration rows
    /// ([`RegressError::TooFewCalibrationRows`]); a row out of range; a
    /// fitting error.
    pub fn fit<R, F>(
        regressor: &R,
        x: ArrayView2<f64>,
        y: ArrayView1<f64>,
        split: &F,
        alpha: f64,
    ) -> Result<Self>
    where
        R: Regressor<Model = M>,
        F: AsFold + ?Sized,
    {
        let (rank, (xt, yt), (xc, yc)) = split_rows(x, y, split, alpha)?;
        let model = regressor.fit(xt.view(), yt.view())?;
        let pred = model.predict(xc.view())?;
        let mut scores: Vec<f64> = yc.iter().zip(&pred).map(|(y, p)| (y - p).abs()).collect();
        let margin = kth_smallest(&mut scores, rank);
        Ok(Self {
            model,
            margin,
            alpha,
        })
    }

    /// Intervals ŷ ± margin for the rows of `x`.
    ///
    /// # Errors
    /// The model's prediction errors.
    pub fn predict_interval(&self, x: ArrayView2<f64>) -> Result<Interval> {
        let prediction = self.model.predict(x)?;
        Ok(Interval {
            lower: prediction.mapv(|p| p - self.margin),
            upper: prediction.mapv(|p| p + self.margin),
            prediction,
        })
    }
}

/// CV+ (jackknife+ with leave-one-out folds) intervals (see the module
/// docs).
#[derive(Debug, Clone, PartialEq)]
pub struct CvPlus<M> {
    models: Vec<M>,
    fold_of: Vec<usize>,
    residuals: Vec<f64>,
    alpha: f64,
}

impl<M: Predict> CvPlus<M> {
    /// One model per fold, fitted without that fold's rows.
    pub fn models(&self) -> &[M] {
        &self.models
    }
    /// Per row: the fold whose model did not see it.
    pub fn fold_of(&self) -> &[usize] {
        &self.fold_of
    }
    /// Per row: |y − ŷ| by that fold's model.
    pub fn residuals(&self) -> &[f64] {
        &self.residuals
    }
    /// The miscoverage α.
    pub fn alpha(&self) -> f64 {
        self.alpha
    }

    /// Fits one model per fold and scores every row out of fold. The folds'
    /// test rows must cover each row exactly once, and no fold may train
    /// on its own test rows.
    ///
    /// # Errors
    /// α outside (0, 1); fewer than ⌈1/α − 1⌉ rows; folds that do not
    /// partition the rows ([`RegressError::FoldsNotPartition`]) or that
    /// train on a test row ([`RegressError::FoldOverlap`]); a fitting
    /// error.
    pub fn fit<R, F>(
        regressor: &R,
        x: ArrayView2<f64>,
        y: ArrayView1<f64>,
        folds: &[F],
        alpha: f64,
    ) -> Result<Self>
    where
        R: Regressor<Model = M>,
        F: AsFold,
    {
        let n = x.nrows();
        upper_rank(n, alpha)?;
        check_lengths(&x, &y)?;
        let fold_of = fold_assignment(n, folds)?;
        let mut residuals = vec![0.0; n];
        let mut models = Vec::with_capacity(folds.len());
        for fold in folds {
            let (train, test) = fold.indices();
            let (xt, yt) = rows_of(x, y, train);
            let model = regressor.fit(xt.view(), yt.view())?;
            let pred = model.predict(x.select(Axis(0), test).view())?;
            for (&i, p) in test.iter().zip(&pred) {
                residuals[i] = (y[i] - p).abs();
            }
            models.push(model);
        }
        Ok(Self {
            models,
            fold_of,
            residuals,
            alpha,
        })
    }

    /// CV+ intervals for the rows of `x`; the point prediction is the mean
    /// of the fold models'. (With α > 0.5 the edges may cross.)
    ///
    /// # Errors
    /// The models' prediction errors.
    pub fn predict_interval(&self, x: ArrayView2<f64>) -> Result<Interval> {
        let per_fold: Vec<Array1<f64>> = self
            .models
            .iter()
            .map(|m| m.predict(x))
            .collect::<Result<_>>()?;
        cv_plus_interval(&per_fold, &self.fold_of, &self.residuals, self.alpha)
    }
}

/// CV+ intervals from their parts, for models that are not [`Predict`]
/// (a preprocessing pipeline, say): `fold_predictions[k]` holds fold k's
/// model's predictions for the new rows, `fold_of[i]` the fold that left
/// calibration row i out and `residuals[i]` its |y − ŷ| by that fold's
/// model. [`CvPlus::predict_interval`] is this with its own parts.
///
/// # Errors
/// α outside (0, 1), too few rows, a residual that is negative or not
/// finite, a fold index without predictions, or folds whose predictions
/// differ in length.
pub fn cv_plus_interval(
    fold_predictions: &[Array1<f64>],
    fold_of: &[usize],
    residuals: &[f64],
    alpha: f64,
) -> Result<Interval> {
    let n = residuals.len();
    let hi_rank = upper_rank(n, alpha)?;
    let lo_rank = lower_rank(n, alpha);
    if let Some(row) = residuals.iter().position(|r| !r.is_finite()) {
        return Err(RegressError::NonFinite {
            what: "residuals",
            row,
        });
    }
    if let Some(&r) = residuals.iter().find(|&&r| r < 0.0) {
        return Err(RegressError::InvalidParameter {
            name: "residual",
            value: r,
            allowed: "an absolute residual |y − ŷ| ≥ 0",
        });
    }
    if fold_of.len() != n {
        return Err(RegressError::ShapeMismatch {
            what: "fold indices vs residuals",
            expected: n,
            found: fold_of.len(),
        });
    }
    if let Some(&k) = fold_of.iter().find(|&&k| k >= fold_predictions.len()) {
        return Err(RegressError::ShapeMismatch {
            what: "a fold index vs the folds with predictions",
            expected: fold_predictions.len(),
            found: k,
        });
    }
    let m = fold_predictions.first().map_or(0, |p| p.len());
    if let Some(p) = fold_predictions.iter().find(|p| p.len() != m) {
        return Err(RegressError::ShapeMismatch {
            what: "new rows predicted by each fold",
            expected: m,
            found: p.len(),
        });
    }
    let (mut lower, mut upper) = (Array1::zeros(m), Array1::zeros(m));
    let mut prediction = Array1::zeros(m);
    let (mut lo, mut hi) = (vec![0.0; n], vec![0.0; n]);
    for j in 0..m {
        for i in 0..n {
            let p = fold_predictions[fold_of[i]][j];
            lo[i] = p - residuals[i];
            hi[i] = p + residuals[i];
        }
        lower[j] = kth_smallest(&mut lo, lo_rank);
        upper[j] = kth_smallest(&mut hi, hi_rank);
        prediction[j] =
            fold_predictions.iter().map(|p| p[j]).sum::<f64>() / fold_predictions.len() as f64;
    }
    Ok(Interval {
        prediction,
        lower,
        upper,
    })
}

/// Conformalized quantile regression (see the module docs).
#[derive(Debug, Clone, PartialEq)]
pub struct Cqr<L, U> {
    /// The lower quantile model (level α/2 for a symmetric band).
    pub lower: L,
    /// The upper quantile model (level 1 − α/2).
    pub upper: U,
    /// The shift of both edges: the ⌈(1 − α)(n + 1)⌉-th smallest
    /// calibration score max(lo − y, y − hi) (negative when the band was
    /// too wide).
    pub margin: f64,
    /// The miscoverage α.
    pub alpha: f64,
}

impl<L: Predict, U: Predict> Cqr<L, U> {
    /// Fits both quantile regressors on the split's training rows and
    /// calibrates on its test rows.
    ///
    /// # Errors
    /// As [`SplitConformal::fit`].
    pub fn fit<RL, RU, F>(
        lower: &RL,
        upper: &RU,
        x: ArrayView2<f64>,
        y: ArrayView1<f64>,
        split: &F,
        alpha: f64,
    ) -> Result<Self>
    where
        RL: Regressor<Model = L>,
        RU: Regressor<Model = U>,
        F: AsFold + ?Sized,
    {
        let (rank, (xt, yt), (xc, yc)) = split_rows(x, y, split, alpha)?;
        let (lower, upper) = (
            lower.fit(xt.view(), yt.view())?,
            upper.fit(xt.view(), yt.view())?,
        );
        let (lo, hi) = (lower.predict(xc.view())?, upper.predict(xc.view())?);
        let mut scores: Vec<f64> = yc
            .iter()
            .zip(lo.iter().zip(&hi))
            .map(|(y, (lo, hi))| (lo - y).max(y - hi))
            .collect();
        let margin = kth_smallest(&mut scores, rank);
        Ok(Self {
            lower,
            upper,
            margin,
            alpha,
        })
    }

    /// Intervals [lo − margin, hi + margin] for the rows of `x`; the point
    /// prediction is their midpoint. (Quantile models that cross, or a
    /// negative margin, can give lower above upper at some x.)
    ///
    /// # Errors
    /// The models' prediction errors.
    pub fn predict_interval(&self, x: ArrayView2<f64>) -> Result<Interval> {
        let lower = self.lower.predict(x)? - self.margin;
        let upper = self.upper.predict(x)? + self.margin;
        Ok(Interval {
            prediction: (&lower + &upper) / 2.0,
            lower,
            upper,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranks_and_the_rows_they_need() {
        // α = 0.1: ⌈0.9·10⌉ = 9 of 9 rows; 8 rows are too few.
        assert_eq!(upper_rank(9, 0.1), Ok(9));
        assert_eq!(upper_rank(19, 0.1), Ok(18));
        assert_eq!(
            upper_rank(8, 0.1),
            Err(RegressError::TooFewCalibrationRows {
                alpha: 0.1,
                needed: 9,
                found: 8
            })
        );
        // α = 0.05 needs 19 rows.
        assert!(upper_rank(18, 0.05).is_err());
        assert_eq!(upper_rank(19, 0.05), Ok(19));
        assert!(matches!(
            upper_rank(10, 1.0),
            Err(RegressError::InvalidParameter { .. })
        ));
        assert!(check_alpha(0.0).is_err() && check_alpha(f64::NAN).is_err());
    }
}
