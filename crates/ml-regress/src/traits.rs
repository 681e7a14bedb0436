//! The seams: a regressor fits data into a model that predicts.

use crate::error::{RegressError, Result};
use ndarray::{Array1, ArrayView1, ArrayView2};

/// A model that predicts a target from feature rows.
pub trait Predict {
    /// Predictions for the rows of `x` (n × p, the training p).
    ///
    /// # Errors
    /// A feature count other than the training one, or non-finite input.
    fn predict(&self, x: ArrayView2<f64>) -> Result<Array1<f64>>;
}

/// A fitting procedure with checked hyper-parameters.
pub trait Regressor: Sync {
    /// The fitted model.
    type Model: Predict;
    /// Fits on `x` (n × p) and `y` (n).
    ///
    /// # Errors
    /// Empty data, mismatched shapes or non-finite values.
    fn fit(&self, x: ArrayView2<f64>, y: ArrayView1<f64>) -> Result<Self::Model>;
}

/// Checks a design matrix and target: non-empty, matching lengths, finite.
pub(crate) fn check_data(x: &ArrayView2<f64>, y: &ArrayView1<f64>) -> Result<()> {
    if x.nrows() == 0 || x.ncols() == 0 {
        return Err(RegressError::Empty);
    }
    if y.len() != x.nrows() {
        return Err(RegressError::ShapeMismatch {
            what: "target length vs rows of x",
            expected: x.nrows(),
            found: y.len(),
        });
    }
    check_finite("x", x)?;
    if let Some(row) = y.iter().position(|v| !v.is_finite()) {
        return Err(RegressError::NonFinite { what: "y", row });
    }
    check_magnitude(
        "x",
        x.rows()
            .into_iter()
            .map(|r| r.iter().fold(0.0f64, |m, v| m.max(v.abs()))),
    )?;
    check_magnitude("y", y.iter().map(|v| v.abs()))
}

/// The largest magnitude a fit accepts: squares and their sums over many
/// rows stay far inside f64.
pub(crate) const MAX_MAGNITUDE: f64 = 1e150;

fn check_magnitude(what: &'static str, rows: impl Iterator<Item = f64>) -> Result<()> {
    for (row, v) in rows.enumerate() {
        if v > MAX_MAGNITUDE {
            return Err(RegressError::TooLarge {
                what,
                row,
                value: v,
            });
        }
    }
    Ok(())
}

pub(crate) fn check_finite(what: &'static str, x: &ArrayView2<f64>) -> Result<()> {
    for (row, r) in x.rows().into_iter().enumerate() {
        if r.iter().any(|v| !v.is_finite()) {
            return Err(RegressError::NonFinite { what, row });
        }
    }
    Ok(())
}

pub(crate) fn check_features(expected: usize, x: &ArrayView2<f64>) -> Result<()> {
    if x.ncols() != expected {
        return Err(RegressError::ShapeMismatch {
            what: "feature count vs training",
            expected,
            found: x.ncols(),
        });
    }
    check_finite("x", x)
}
