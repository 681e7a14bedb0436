//! The crate's error type and `Result` alias.

use thiserror::Error;

/// Everything that can go wrong in `pso`.
#[derive(Debug, Clone, PartialEq, Error)]
#[non_exhaustive]
pub enum PsoError {
    /// A setting is non-finite or outside its allowed range.
    #[error("invalid {name} = {value}: expected {allowed}")]
    InvalidParameter {
        /// The setting.
        name: &'static str,
        /// The value given.
        value: f64,
        /// The accepted range.
        allowed: &'static str,
    },
    /// Bounds with no dimension.
    #[error("the bounds have no dimension")]
    EmptyBounds,
    /// A lower bound above its upper bound, or a non-finite bound.
    #[error(
        "dimension {dim}: lower bound {lower} must be finite and below the upper bound {upper}"
    )]
    InvalidBounds {
        /// The dimension.
        dim: usize,
        /// Its lower bound.
        lower: f64,
        /// Its upper bound.
        upper: f64,
    },
    /// Vectors of different lengths.
    #[error("{what} has {found} entries, expected {expected}")]
    DimensionMismatch {
        /// Which vector.
        what: &'static str,
        /// The length required.
        expected: usize,
        /// The length given.
        found: usize,
    },
    /// A user-given initial position lies outside the bounds.
    #[error("initial position {particle} lies outside the bounds in dimension {dim} ({value})")]
    InitialOutsideBounds {
        /// The particle.
        particle: usize,
        /// The dimension.
        dim: usize,
        /// The coordinate.
        value: f64,
    },
}

/// `Result` with [`PsoError`].
pub type Result<T> = std::result::Result<T, PsoError>;

pub(crate) fn invalid(name: &'static str, value: f64, allowed: &'static str) -> PsoError {
    PsoError::InvalidParameter {
        name,
        value,
        allowed,
    }
}
