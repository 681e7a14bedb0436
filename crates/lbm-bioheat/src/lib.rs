//! # lbm-bioheat
//!
//! Solvers for the Pennes bioheat equation (Jiang et al. 2022, Eq. 1)
//!
//! ```text
//! (ρc) ∂T/∂t = ∇·(k∇T) + ṁ_b(T) c_b (T_b − T) + Q + Q_m
//! ```
//!
//! on 2D and 3D tissue blocks with per-cell region labels (tumor, healthy
//! tissue), temperature-dependent perfusion (Eqs. 3, 4) and a heat source
//! Q. Temperatures are in °C, everything else SI.
//!
//! - [`PennesProblem`]: a [`Grid`] (2D, the default) or a [`Grid3`] (3D),
//!   regions from [`Shape`]s, [`Shape3`]s, masks or a label volume, each
//!   with a [`PerfusionModel`] (constant, [`HealthyTissuePerfusion`],
//!   [`TumorPerfusion`], or any closure), per-cell (ρc), k, Q and Q_m, and a
//!   [`Boundary`] per [`Side`] or [`Face`] (adiabatic, fixed temperature,
//!   convective);
//! - [`LbmSolver`]: the D2Q5 MRT lattice Boltzmann scheme of App. B, which
//!   implements both [`TransientSolver`] (steps, with an [`Observer`]) and
//!   [`SteadySolver`] (marching to a tolerance on max |ΔT| per step);
//!   [`LbmSolver3`]: the same on a D3Q7 lattice, streaming in place;
//! - [`FvSolver`]: cell-centred finite volumes on the same problems, 2D or
//!   3D, a steady solver by Newton–multigrid (milliseconds where the LBM
//!   marches for seconds; warm-started) and an implicit transient solver
//!   (backward Euler or Crank–Nicolson, fixed or adaptive steps);
//! - [`probe`] and [`output`]: bilinear and trilinear probes, profiles,
//!   boundary samples, region statistics, CSV and VTK image data;
//! - [`analytic`], [`validation`] and [`validation3d`]: closed forms and
//!   the verification cases, runnable against any solver.
//!
//! The crate does not depend on `mnp-physics`: it takes fields and property
//! functions, so it solves any Pennes problem.
//!
//! ```
//! use lbm_bioheat::probe::bilinear;
//! use lbm_bioheat::{
//!     FvConfig, FvSolver, Grid, HealthyTissuePerfusion, LbmConfig, LbmSolver, PennesProblem, Shape,
//!     SteadySolver, TimeStep, TumorPerfusion,
//! };
//!
//! # fn main() -> lbm_bioheat::Result<()> {
//! // A 20 mm block in 40 × 40 cells, a 4 mm tumor heated by a Gaussian source.
//! let grid = Grid::centered_square(40, 0.02)?;
//! let heat = grid.field(|x, y| 4e5 * (-(x * x + y * y) / (2.0 * 1.5e-3f64.powi(2))).exp());
//! let problem = PennesProblem::builder(grid, "healthy", HealthyTissuePerfusion)
//!     .region("tumor", &Shape::circle(0.0, 0.0, 2e-3)?, TumorPerfusion)
//!     .heat_source(heat)
//!     .build()?;
//! let config = LbmConfig::default().with_time_step(TimeStep::Tau(2.0))?.with_steady_tolerance(1e-7)?;
//! let steady = LbmSolver::new(problem.clone(), config)?.solve_steady(None)?;
//! let centre = bilinear(&grid, &steady.temperature, 0.0, 0.0)?;
//! assert!(centre > 40.0 && centre < 60.0);
//!
//! // The same steady state by finite volumes and Newton's method: two
//! // second-order schemes, a few hundredths of a degree apart on this grid.
//! let fv = FvSolver::new(problem, FvConfig::default())?.solve_steady(None)?;
//! let centre_fv = bilinear(&grid, &fv.temperature, 0.0, 0.0)?;
//! assert!((centre - centre_fv).abs() < 0.1);
//!
//! // τ ≤ ½ is refused with a typed error, not a blow-up.
//! assert!(LbmConfig::default().with_time_step(TimeStep::Tau(0.5)).is_err());
//! # Ok(())
//! # }
//! ```

pub mod analytic;
pub mod error;
pub mod fv;
pub mod grid;
pub mod grid3;
pub mod lattice;
pub mod lbm;
pub mod lbm3;
pub mod output;
pub mod perfusion;
pub mod probe;
pub mod problem;
pub mod shape;
pub mod shape3;
pub mod solver;
pub mod validation;
pub mod validation3d;

pub use error::{BioheatError, CellIndex, Result};
pub use fv::{
    FvConfig, FvSolver, FvSolver3, FvStats, ImplicitStep, Linearization, SparseSystem, TimeScheme,
};
pub use grid::Grid;
pub use grid3::Grid3;
pub use lattice::{Face, Lattice};
pub use lbm::{LbmConfig, LbmSolver, TimeStep};
pub use lbm3::{LbmSolver3, Streaming};
pub use perfusion::{ConstantPerfusion, HealthyTissuePerfusion, PerfusionModel, TumorPerfusion};
pub use problem::{
    Boundary, Field, PennesProblem, PennesProblem3, PennesProblemBuilder, Region, Side,
};
pub use shape::Shape;
pub use shape3::{RegionShape, Shape3};
pub use solver::{Observer, SteadySolver, SteadyState, TransientSolver};

/// The `ndarray` this crate's signatures use, re-exported so a user need
/// not pin a matching version.
pub use ndarray;

/// The README's code blocks, compiled and run as doctests so the published
/// page cannot drift from the API.
#[doc = include_str!("../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;
