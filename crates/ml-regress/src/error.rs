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
