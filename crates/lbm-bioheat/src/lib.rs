//! # lbm-bioheat
//!
//! Solvers for the Pennes bioheat equation (Jiang et al. 2022, Eq. 1)
//!
//! ```text
//! (ρc)_nf ∂T/∂t = k_nf ∇²T + ṁ_b c_b (T_b − T) + Q
//! ```
//!
//! on 2D tissue blocks with per-cell region labels (tumor, healthy tissue),
//! temperature-dependent perfusion ṁ_b(T) (Eqs. 3, 4) and a heat source Q.
//!
//! **Status: planned, not implemented yet.** This crate currently exposes no
//! API. The planned content (see `docs/ARCHITECTURE.md` of the workspace):
//!
//! - tissue geometry: grids, region masks from analytic shapes or user masks;
//! - perfusion models behind a trait (constant, the paper's healthy and tumor
//!   laws, user closures);
//! - a D2Q5 multiple-relaxation-time lattice Boltzmann solver (App. B);
//! - a fast steady finite-volume solver and an implicit transient solver;
//! - field output (CSV, VTK image data), probes and region statistics.
//!
//! The crate does not depend on `mnp-physics`: it takes fields (volume
//! fraction, heat source) and property functions, so it can solve any Pennes
//! problem.
#![deny(missing_docs)]
