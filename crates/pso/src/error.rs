//! The crate's error type and `Result` alias.

use std::fmt;
use std::sync::Arc;
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
    /// An objective evaluation failed; the run ended at that generation.
    #[error(
        "the objective failed at particle {particle} of generation {generation}, position {position:?}: {source}"
    )]
    Objective {
        /// The generation, from 0.
        generation: usize,
        /// The particle (the lowest-indexed failure of its generation).
        particle: usize,
        /// The position evaluated.
        position: Vec<f64>,
        /// The objective's own error.
        source: EvaluationError,
    },
}

/// The objective's own error inside [`PsoError::Objective`], shared so the
/// error stays `Clone`; [`EvaluationError::downcast_ref`] recovers the
/// objective's type.
#[derive(Clone)]
pub struct EvaluationError(Arc<dyn std::error::Error + Send + Sync>);

impl EvaluationError {
    pub(crate) fn new<E: std::error::Error + Send + Sync + 'static>(e: E) -> Self {
        Self(Arc::new(e))
    }
    /// The objective's error as its own type, if it is a `T`.
    pub fn downcast_ref<T: std::error::Error + 'static>(&self) -> Option<&T> {
        self.0.downcast_ref::<T>()
    }
}

impl fmt::Debug for EvaluationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&*self.0, f)
    }
}

impl fmt::Display for EvaluationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&*self.0, f)
    }
}

impl std::error::Error for EvaluationError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.0.source()
    }
}

/// Two evaluation errors are equal when they are the same error or read
/// the same.
impl PartialEq for EvaluationError {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.0, &other.0) || self.0.to_string() == other.0.to_string()
    }
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
