//! # mnp-suite
//!
//! The facade of the mnp-suite workspace: magnetic-nanoparticle (MNP)
//! hyperthermia simulation and optimization, and machine-learning prediction
//! of MNP size, heating power and MRI relaxivities. Each crate of the
//! workspace is re-exported under a short name; the pipelines that compose
//! them (injection optimization, dose assessment, the `mnp` command line)
//! live here.
//!
//! | module | crate | owns |
//! |---|---|---|
//! | [`physics`] | `mnp-physics` | relaxation, Rosensweig heating, mixture properties, injection clouds |
//! | [`bioheat`] | `lbm-bioheat` | tissue problems, the D2Q5 MRT lattice Boltzmann Pennes solver, probes and output |
//! | [`dose`] | `thermal-dose` | CEM43 and Arrhenius damage, ablation ratios |
//! | [`pso`] | `pso` | particle swarm optimization |
//! | [`dataset`] | `mnp-dataset` | tables, CSV, transformers, scikit-learn splitters, the synthetic size fixture |
//! | [`regress`] | `ml-regress` | Elastic Net, ε-SVR, CART trees, forests, boosting, metrics, cross-validation, grid search |
//!
//! Beside them, the pipelines of Jiang et al. 2022: [`scenario`] (the tumor
//! block heated by an injection cloud), [`strategy`] (injection
//! parametrizations), [`objective`] (J, Eqs. 9–10), [`optimize`] (PSO),
//! [`assessment`] (thermal dose), [`tables`], [`figures`],
//! [`scenario_file`] (TOML) and [`cli`] (the `mnp` command); and the
//! machine-learning ones: [`size`] (MNP size, seed 000), [`dimag`] (SAR, r1,
//! r2, seed 001) and [`plot`].
//!
//! Optimizing a four-site injection into the paper's circular tumor (a
//! coarse grid and a small swarm here; the paper's 100² and 20 × 300 take
//! about 10 s on 2 cores):
//!
//! ```
//! use mnp_suite::objective::{ObjectiveWeights, SolverChoice, TreatmentProblem};
//! use mnp_suite::optimize::{OptimizationSettings, optimize};
//! use mnp_suite::physics::InjectionReference;
//! use mnp_suite::scenario::{GridAlignment, Scenario};
//! use mnp_suite::strategy::Circular;
//! use std::sync::Arc;
//!
//! # fn main() -> mnp_suite::Result<()> {
//! let problem = TreatmentProblem::new(
//!     Scenario::paper_circular(30, 0.05, GridAlignment::NodeAtCentre)?,
//!     Arc::new(Circular::new(4)?),
//!     InjectionReference::paper(),
//!     ObjectiveWeights::paper(),
//!     SolverChoice::FiniteVolume,
//! )?;
//! let settings = OptimizationSettings { particles: 6, generations: 5, ..Default::default() };
//! let report = optimize(&problem, &settings, &mut |_, _| {})?;
//! let m = report.best.metrics;
//! assert!(m.j > 0.3 && m.j <= 1.0);
//! println!("J = {:.3}, t_opt = {:.1} min", m.j, report.best.layout.waiting_time_s / 60.0);
//! # Ok(())
//! # }
//! ```
//!
//! Particle fields on a grid:
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
