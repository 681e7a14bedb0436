//! # lbm-bioheat
//!
//! Solvers for the Pennes bioheat equation (Jiang et al. 2022, Eq. 1)
//!
//! ```text
//! (ρc) ∂T/∂t = ∇·(k∇T) + ṁ_b(T) c_b (T_b − T) + Q + Q_m
//! ```
//!
//! on 2D tissue blocks with per-cell region labels (tumor, healthy tissue),
//! temperature-dependent perfusion (Eqs. 3, 4) and a heat source Q.
//! Temperatures are in °C, everything else SI.
#![deny(missing_docs)]

pub mod analytic;
pub mod error;
pub mod grid;
pub mod lbm;
pub mod output;
pub mod perfusion;
pub mod probe;
pub mod problem;
pub mod shape;
pub mod solver;
pub mod validation;

pub use error::{BioheatError, Result};
pub use grid::Grid;
pub use lbm::{LbmConfig, LbmSolver, TimeStep};
pub use perfusion::{ConstantPerfusion, HealthyTissuePerfusion, PerfusionModel, TumorPerfusion};
pub use problem::{Boundary, PennesProblem, PennesProblemBuilder, Region, Side};
pub use shape::Shape;
pub use solver::{Observer, SteadySolver, SteadyState, TransientSolver};
