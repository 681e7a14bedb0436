//! The crate's error type and `Result` alias.

use thiserror::Error;

/// Everything that can go wrong in `ml-regress`.
#[derive(Debug, Clone, PartialEq, Error)]
#[non_exhaustive]
pub enum RegressError {
    /// A hyper-parameter outside its range.
    #[error("invalid {name} = {value}: expected {allowed}")]
    InvalidParameter {
        /// The hyper-parameter.
        name: &'static str,
        /// Its value.
        value: f64,
        /// The accepted range.
        allowed: &'static str,
    },
    /// Shapes that must agree do not.
    #[error("shape mismatch: {what} (expected {expected}, found {found})")]
    ShapeMismatch {
        /// What disagrees.
        what: &'static str,
        /// The size needed.
        expected: usize,
        /// The size given.
        found: usize,
    },
    /// No rows (or no features) to fit on.
    #[error("no data to fit on")]
    Empty,
    /// A NaN or infinite value in the data.
    #[error("{what} holds a non-finite value at row {row}")]
    NonFinite {
        /// Which input.
        what: &'static str,
        /// The row.
        row: usize,
    },
    /// A value so large that squares and sums of squares overflow f64
    /// (|v| > 1e150): rescale the data.
    #[error(
        "{what} holds {value:e} at row {row}: beyond ±1e150 squared errors overflow; rescale the data"
    )]
    TooLarge {
        /// Which input.
        what: &'static str,
        /// The row.
        row: usize,
        /// The value.
        value: f64,
    },
    /// A fit that ended in non-finite parameters (a diverging solve).
    #[error("{model}: the fit diverged (non-finite {what})")]
    Diverged {
        /// The model.
        model: &'static str,
        /// What became non-finite.
        what: &'static str,
    },
    /// Too few calibration rows for the miscoverage α: a conformal quantile
    /// of level 1 − α needs at least ⌈1/α − 1⌉ rows (9 at α = 0.1, 19 at
    /// α = 0.05).
    #[error(
        "{found} calibration rows are too few for alpha = {alpha}: conformal intervals need at least {needed}"
    )]
    TooFewCalibrationRows {
        /// The miscoverage asked for.
        alpha: f64,
        /// The rows it needs.
        needed: usize,
        /// The rows given.
        found: usize,
    },
    /// A fold that trains on one of its own test rows.
    #[error("fold {fold} trains on its own test row {row}")]
    FoldOverlap {
        /// The fold.
        fold: usize,
        /// The row in both its training and its test rows.
        row: usize,
    },
    /// Folds whose test rows do not cover every row exactly once.
    #[error("the folds' test rows must cover every row exactly once; row {row} is not")]
    FoldsNotPartition {
        /// A row missing from the test rows, or in two of them.
        row: usize,
    },
}

/// `Result` with [`RegressError`].
pub type Result<T> = std::result::Result<T, RegressError>;

pub(crate) fn invalid(name: &'static str, value: f64, allowed: &'static str) -> RegressError {
    RegressError::InvalidParameter {
        name,
        value,
        allowed,
    }
}
