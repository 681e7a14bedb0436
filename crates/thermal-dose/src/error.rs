//! The crate's error type and `Result` alias.

use thiserror::Error;

/// Everything that can go wrong in `thermal-dose`.
#[derive(Debug, Clone, PartialEq, Error)]
#[non_exhaustive]
pub enum DoseError {
    /// A parameter is non-finite or outside its allowed range.
    #[error("invalid {name} = {value}: expected {allowed}")]
    InvalidParameter {
        /// The parameter's name, with its unit where it has one.
        name: &'static str,
        /// The value that was given.
        value: f64,
        /// The accepted range, in words.
        allowed: &'static str,
    },
    /// Two arrays that must match do not.
    #[error("shape mismatch: {what} has shape {found:?}, expected {expected:?}")]
    ShapeMismatch {
        /// Which array.
        what: &'static str,
        /// The shape required.
        expected: Vec<usize>,
        /// The shape given.
        found: Vec<usize>,
    },
    /// A temperature is NaN or infinite.
    #[error("temperature at {location} is not finite ({value})")]
    NonFiniteTemperature {
        /// Where: a sample number or a cell index.
        location: String,
        /// The value.
        value: f64,
    },
    /// A temperature below absolute zero (−273.15 °C): not a temperature.
    #[error("temperature at {location} is below absolute zero ({value} °C)")]
    BelowAbsoluteZero {
        /// Where: a sample number or a cell index.
        location: String,
        /// The value (°C).
        value: f64,
    },
    /// The accumulated dose overflowed (a temperature far outside the range
    /// where the model means anything).
    #[error("dose overflowed at {location} (temperature {temperature_c} °C)")]
    DoseOverflow {
        /// Where: a sample number or a cell index.
        location: String,
        /// The temperature that caused it (°C).
        temperature_c: f64,
    },
    /// A region mask selects no cell, so a fraction over it is undefined.
    #[error("region '{region}' contains no cell")]
    EmptyRegion {
        /// The region's name.
        region: String,
    },
    /// Sample times must increase strictly.
    #[error("sample times must increase strictly: t[{index}] = {value} s follows {previous} s")]
    NonIncreasingTime {
        /// Index of the offending sample.
        index: usize,
        /// Its time (s).
        value: f64,
        /// The previous time (s).
        previous: f64,
    },
}

/// `Result` with [`DoseError`].
pub type Result<T> = std::result::Result<T, DoseError>;

pub(crate) fn positive(name: &'static str, value: f64) -> Result<f64> {
    if value.is_finite() && value > 0.0 {
        Ok(value)
    } else {
        Err(DoseError::InvalidParameter {
            name,
            value,
            allowed: "a finite value > 0",
        })
    }
}

pub(crate) fn finite(name: &'static str, value: f64) -> Result<f64> {
    if value.is_finite() {
        Ok(value)
    } else {
        Err(DoseError::InvalidParameter {
            name,
            value,
            allowed: "a finite value",
        })
    }
}
