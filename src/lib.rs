//! # mnp-suite
//!
//! The facade of the mnp-suite workspace: magnetic-nanoparticle (MNP)
//! hyperthermia simulation and optimization, and machine-learning prediction
//! of MNP size, heating power and MRI relaxivities. Each crate of the
//! workspace is re-exported under a short name; the pipelines that compose
//! them (injection optimization, dose assessment, the `mnp` command line)
//! will live here.
//!
//! | module | crate | owns |
//! |---|---|---|
//! | [`physics`] | `mnp-physics` | relaxation, Rosensweig heating, mixture properties, injection clouds |
//! | [`bioheat`] | `lbm-bioheat` | tissue problems, the D2Q5 MRT lattice Boltzmann Pennes solver, probes and output |
//! | [`dose`] | `thermal-dose` | CEM43 and Arrhenius damage, ablation ratios |
//! | [`pso`] | `pso` | particle swarm optimization |
//! | [`dataset`] | `mnp-dataset` | tables, CSV, transformers, scikit-learn splitters, the synthetic size fixture |
//! | [`regress`] | `ml-regress` | Elastic Net, ε-SVR, metrics, cross-validation, grid search (tree ensembles planned) |
//!
//! Beside them: [`scenario`] (the paper's tumor block heated by an injection
//! cloud), [`size`] (the size-prediction pipeline) and [`plot`] (figures as
//! PNG, with an embedded font).
//!
//! ```
//! use mnp_suite::physics::{InjectionCloud, InjectionReference, NormalizedInjection, CellGrid};
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! // One central injection of the paper's one-site optimum, on a 100 × 100
//! // grid over the 50 mm block.
//! let reference = InjectionReference::paper();
//! let k = NormalizedInjection::new(0.44, 0.93, 0.0)?;
//! let cloud = InjectionCloud::new(vec![reference.site(&k, 0.0, 0.0)?]);
//! let phi = cloud.evaluate(&CellGrid::centered_square(100, 0.05)?);
//! assert_eq!(phi.dim(), (100, 100));
//! # Ok(())
//! # }
//! ```
#![deny(missing_docs)]

pub mod assessment;
pub mod cli;
pub mod dimag;
pub mod error;
pub mod figures;
pub mod objective;
pub mod optimize;
pub mod plot;
pub mod scenario;
pub mod scenario_file;
pub mod size;
pub mod strategy;
pub mod tables;

pub use error::{Error, Result};
pub use lbm_bioheat as bioheat;
pub use ml_regress as regress;
pub use mnp_dataset as dataset;
pub use mnp_physics as physics;
pub use pso;
pub use thermal_dose as dose;

/// The README's code blocks, compiled and run as doctests so the quickstart
/// cannot drift from the API.
#[doc = include_str!("../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;
