//! # pso
//!
//! Particle swarm optimization (Kennedy & Eberhart 1995) as used by
//! Jiang et al. 2022, App. C, to maximize the injection objective J.
//!
//! **Status: planned, not implemented yet.** This crate currently exposes no
//! API. The planned content (see `docs/ARCHITECTURE.md` of the workspace):
//!
//! - an objective trait with single and batch (parallel) evaluation, box
//!   bounds, minimization and maximization;
//! - the paper's global-best PSO with a linearly falling inertia weight
//!   (0.8 → 0, c1 = c2 = 1.5), plus other inertia schedules, the constriction
//!   variant, ring and von Neumann topologies, velocity clamping and bound
//!   strategies;
//! - seeded runs that give the same bits on any number of threads, a history
//!   and an observer per generation;
//! - the classic test functions (sphere, Rastrigin, Shubert, Rosenbrock,
//!   Ackley, Griewank) with their known optima (Table C.1).
#![deny(missing_docs)]
