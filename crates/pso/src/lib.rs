//! # pso
//!
//! Particle swarm optimization (Kennedy & Eberhart 1995) as used by
//! Jiang et al. 2022 (App. C) to maximize the injection objective J:
//! v ← w v + c1 r1 (p − x) + c2 r2 (g − x), x ← x + v, with r1, r2 ~ U[0, 1]
//! per dimension, the inertia w falling linearly from 0.8 to 0 and
//! c1 = c2 = 1.5 ([`Pso::paper`]).
//!
//! Beyond the paper: constant, linear, exponential and user [`Inertia`]
//! schedules; Clerc's constriction ([`Update::Constriction`]); ring and von
//! Neumann [`Topology`]s; velocity clamping; [`BoundHandling`] (clamp,
//! reflect, re-seed); inequality [`Constraints`] g(x) ≤ 0 by Deb's
//! feasibility rules ([`Pso::run_constrained`]); user-given initial
//! positions; stopping by a target value, an evaluation budget, wall time or
//! stagnation, with the [`StopReason`] in the [`Report`]; an [`Observer`]
//! per generation that sees the best position and every value of the
//! generation.
//!
//! An [`Objective`] may fail: the run then ends with
//! [`PsoError::Objective`], naming the generation, particle and position,
//! and the objective's own error. [`Objective::evaluate_batch`] is the seam
//! through which a whole generation can be evaluated elsewhere (a batched
//! solver, other machines); its contract keeps runs reproducible.
//!
//! Runs are seeded: random numbers are drawn on the calling thread in a fixed
//! order while evaluations run in parallel (feature `rayon`), so the same
//! seed gives the same bits on any number of threads. A NaN objective value
//! counts as the worst possible and never becomes a best.
//!
//! ```
//! use pso::functions::{Sphere, TestFunction};
//! use pso::{Goal, Pso};
//!
//! # fn main() -> pso::Result<()> {
//! let report = Pso::paper().with_seed(7).run(&Sphere, Goal::Minimize, &Sphere.bounds(5)?)?;
//! assert!(report.best_value < 1e-6);
//! assert_eq!(report.evaluations, 20 * 300);
//!
//! // Maximize a closure over the unit box, as the injection problem does.
//! let bounds = pso::Bounds::unit(2)?;
//! let j = |x: &[f64]| 1.0 - (x[0] - 0.3).powi(2) - (x[1] - 0.6).powi(2);
//! let best = Pso::paper().run(&j, Goal::Maximize, &bounds)?;
//! assert!((best.best_position[0] - 0.3).abs() < 1e-3);
//!
//! // Under a constraint x0 + x1 ≥ 1, i.e. g(x) = 1 − x0 − x1 ≤ 0.
//! let g = |x: &[f64]| vec![1.0 - x[0] - x[1]];
//! let r = Pso::paper().run_constrained(&|x: &[f64]| x[0] * x[0] + x[1] * x[1], &g, Goal::Minimize, &bounds)?;
//! assert!(r.feasible() && (r.best_value - 0.5).abs() < 1e-3);
//! assert!(Pso::paper().with_particles(0).is_err());
//! # Ok(())
//! # }
//! ```

mod error;
pub mod functions;
mod problem;
mod schedule;
mod swarm;
mod topology;

pub use error::{EvaluationError, PsoError, Result};
pub use problem::{BatchFailure, Bounds, Constraints, Fallible, Goal, Objective, evaluate_slots};
pub use schedule::Inertia;
pub use swarm::{BoundHandling, Generation, Observer, Pso, Report, StopReason, Update};
pub use topology::Topology;

/// The README's code blocks, compiled and run as doctests so the published
/// page cannot drift from the API.
#[doc = include_str!("../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;
