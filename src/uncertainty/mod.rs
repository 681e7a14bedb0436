//! Uncertainty quantification building blocks: truncated input
//! distributions ([`distribution`]), seeded space-filling samples
//! ([`sampling`]), summaries of sampled outputs ([`statistics`]) and
//! variance-based global sensitivity ([`sensitivity`]). The treatment
//! pipeline's uncertain tissue model and robust planning build on them
//! (`treatment::robust`).

pub mod distribution;
pub mod sampling;
pub mod sensitivity;
pub mod statistics;

pub use distribution::{Distribution, Truncated, normal_quantile};
pub use sampling::{Sampling, unit_points};
pub use sensitivity::{SaltelliSettings, SobolIndices, saltelli_points, sobol_indices};
pub use statistics::Summary;
