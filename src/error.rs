//! The facade's error type: any error of the composed crates.

use thiserror::Error;

/// An error from one of the composed crates.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum Error {
    /// From `mnp-physics`.
    #[error(transparent)]
    Physics(#[from] mnp_physics::PhysicsError),
    /// From `lbm-bioheat`.
    #[error(transparent)]
    Bioheat(#[from] lbm_bioheat::BioheatError),
    /// From `thermal-dose`.
    #[error(transparent)]
    Dose(#[from] thermal_dose::DoseError),
    /// From `mnp-dataset`.
    #[error(transparent)]
    Dataset(#[from] mnp_dataset::DatasetError),
    /// From `ml-regress`.
    #[error(transparent)]
    Regress(#[from] ml_regress::RegressError),
    /// A figure could not be drawn or written.
    #[error("figure: {0}")]
    Plot(String),
}

/// `Result` with the facade's [`enum@Error`].
pub type Result<T> = std::result::Result<T, Error>;
