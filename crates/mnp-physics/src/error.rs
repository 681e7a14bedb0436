//! The crate's error type and `Result` alias, and the input checks shared by
//! every module.

use thiserror::Error;

/// Everything that can go wrong in `mnp-physics`: every variant names the
/// offending parameter and what would have been accepted.
#[derive(Debug, Clone, PartialEq, Error)]
#[non_exhaustive]
pub enum PhysicsError {
    /// A parameter is non-finite or outside its physical range.
    #[error("invalid {name} = {value}: expected {allowed}")]
    InvalidParameter {
        /// The parameter's name, with its unit where it has one.
        name: &'static str,
        /// The value that was given.
        value: f64,
        /// The accepted range, in words.
        allowed: &'static str,
    },
    /// A result overflowed the range of `f64` (for example `exp(Γ)` for a
    /// particle far beyond the single-domain size).
    #[error("{quantity} overflows f64 ({detail})")]
    Overflow {
        /// What was being computed.
        quantity: &'static str,
        /// The input that caused it.
        detail: String,
    },
}

/// `Result` with [`PhysicsError`].
pub type Result<T> = std::result::Result<T, PhysicsError>;

fn invalid(name: &'static str, value: f64, allowed: &'static str) -> PhysicsError {
    PhysicsError::InvalidParameter {
        name,
        value,
        allowed,
    }
}

/// `value` must be finite and > 0.
pub(crate) fn positive(name: &'static str, value: f64) -> Result<f64> {
    if value.is_finite() && value > 0.0 {
        Ok(value)
    } else {
        Err(invalid(name, value, "a finite value > 0"))
    }
}

/// `value` must be finite and ≥ 0.
pub(crate) fn non_negative(name: &'static str, value: f64) -> Result<f64> {
    if value.is_finite() && value >= 0.0 {
        Ok(value)
    } else {
        Err(invalid(name, value, "a finite value >= 0"))
    }
}

/// `value` must be finite.
pub(crate) fn finite(name: &'static str, value: f64) -> Result<f64> {
    if value.is_finite() {
        Ok(value)
    } else {
        Err(invalid(name, value, "a finite value"))
    }
}

/// `value` must lie in [0, 1].
pub(crate) fn fraction(name: &'static str, value: f64) -> Result<f64> {
    if (0.0..=1.0).contains(&value) {
        Ok(value)
    } else {
        Err(invalid(name, value, "a volume fraction in [0, 1]"))
    }
}

/// A count must be ≥ 1.
pub(crate) fn count(name: &'static str, value: usize) -> Result<usize> {
    if value >= 1 {
        Ok(value)
    } else {
        Err(invalid(name, value as f64, "an integer >= 1"))
    }
}

/// A computed value must be finite, or the computation overflowed.
pub(crate) fn no_overflow(
    quantity: &'static str,
    value: f64,
    detail: impl FnOnce() -> String,
) -> Result<f64> {
    if value.is_finite() {
        Ok(value)
    } else {
        Err(PhysicsError::Overflow {
            quantity,
            detail: detail(),
        })
    }
}
