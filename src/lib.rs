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
//! | [`pso`] | `mnp-pso` (library `pso`) | particle swarm optimization |
//! | [`dataset`] | `mnp-dataset` | tables, CSV, transformers, scikit-learn splitters, the synthetic size fixture |
//! | [`regress`] | `ml-regress` | Elastic Net, ε-SVR, CART trees, forests, boosting (squared or quantile loss), conformal intervals, metrics, cross-validation, grid search |
//!
//! Beside them, the pipelines, one module per pipeline:
//!
//! | module | what |
//! |---|---|
//! | [`treatment`] | treatment planning (Jiang et al. 2022): `scenario` (the tumor block heated by an injection cloud), `strategy` (injection parametrizations), `objective` (J, Eqs. 9–10), `optimize` (PSO), `assessment` (thermal dose), `tables` |
//! | [`patient`] | the same planning on a patient's segmentation in 3D: NIfTI-1 label volumes and maps (`nifti_io`), tissues and the solved box (`anatomy`), principal-axes and patient-mm strategies, J in 3D, PSO, dose and dose-volume histograms |
//! | [`uncertainty`] | truncated distributions, Latin hypercube and Sobol samples, Sobol sensitivity indices |
//! | [`distributed`] | batches (swarm generations, Monte Carlo samples, Sobol points) and the 3D lattice Boltzmann solver spread over MPI ranks, the same bits as one process |
//! | [`ml`] | machine learning: `size` (MNP size, Glänzer et al. 2025) and `dimag` (SAR, r1, r2 from the DiMag tables) |
//! | [`app`] | the application: `scenario_file` (TOML), `figures` and `plot` (PNG, SVG) and `cli` (the `mnp` command) |
//!
//! # Features
//!
//! | feature | default | what it adds |
//! |---|---|---|
//! | `rayon` | yes | parallel loops in every crate (results are identical without it) |
//! | `nifti` | yes | NIfTI-1 label volumes in and maps out (`nifti`, `flate2`) |
//! | `scenario-file` | yes | TOML scenario files (`toml`; enables `nifti`) |
//! | `figures` | yes | PNG and SVG figures (`plotters`, with an embedded DejaVu font) |
//! | `cli` | yes | the `mnp` command (`clap`, `indicatif`); enables the three above |
//! | `mpi` | no | `distributed::MpiRanks` and `distributed::DistributedLbm3` over the system's MPI library (`mpi`, rsmpi; building needs libclang) |
//!
//! With `default-features = false` the facade is a lean library: the
//! pipelines and the six crates, with no command-line, plotting or TOML
//! dependency.
//!
//! Optimizing a four-site injection into the paper's circular tumor (a
//! coarse grid and a small swarm here; the paper's 100² and 20 × 300 take
//! about 10 s on 2 cores):
//!
//! ```
//! use mnp_suite::treatment::objective::{ObjectiveWeights, SolverChoice, TreatmentProblem};
//! use mnp_suite::treatment::optimize::{OptimizationSettings, optimize};
//! use mnp_suite::physics::InjectionReference;
//! use mnp_suite::treatment::scenario::{GridAlignment, Scenario};
//! use mnp_suite::treatment::strategy::Circular;
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
//! let settings = OptimizationSettings::new(6, 5)?;
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

pub mod app;
pub mod distributed;
pub mod error;
pub mod ml;
pub mod patient;
pub mod treatment;
pub mod uncertainty;

pub use error::{Error, Result};

/// The guide's code blocks (docs/GUIDE.md), compiled and run as doctests so
/// the guide cannot drift from the API (with the default features: the
/// guide uses the command line and the figures).
#[doc = include_str!("../docs/GUIDE.md")]
#[cfg(all(doctest, feature = "cli"))]
pub struct GuideDoctests;
pub use lbm_bioheat as bioheat;
pub use ml_regress as regress;
pub use mnp_dataset as dataset;
pub use mnp_physics as physics;
/// The `ndarray` of the facade's signatures (`Evaluation`, `DoseReport`, …)
/// and of every crate, re-exported so a user need not pin a matching
/// version.
pub use ndarray;
pub use pso;
pub use thermal_dose as dose;

/// The README's code blocks, compiled and run as doctests so the quickstart
/// cannot drift from the API.
#[doc = include_str!("../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;
