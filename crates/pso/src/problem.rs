//! What is optimized: the [`Objective`] trait, optional [`Constraints`]
//! g(x) ≤ 0, box [`Bounds`] and the [`Goal`].

use crate::error::{PsoError, Result};
use std::convert::Infallible;

/// A function to optimize. Evaluations may run in parallel, so it must be
/// `Sync`; it is called with positions inside the bounds.
///
/// An evaluation may fail ([`Objective::Error`]): the run then ends with
/// [`PsoError::Objective`], which names the generation, the particle and
/// the position. A value of NaN is not an error: it counts as the worst
/// possible value and never becomes a best (a NaN never beats anything,
/// and a generation's mean skips it).
///
/// Plain closures `Fn(&[f64]) -> f64` are objectives that cannot fail; wrap
/// a closure returning `Result<f64, E>` in [`Fallible`].
pub trait Objective: Sync {
    /// Why an evaluation failed. [`Infallible`] for objectives that cannot.
    type Error: std::error::Error + Send + Sync + 'static;

    /// The objective value at `x`.
    ///
    /// # Errors
    /// The objective's own: a solver that diverged, a non-physical input.
    fn evaluate(&self, x: &[f64]) -> std::result::Result<f64, Self::Error>;

    /// Values at every position of `positions` into `values` (same length).
    ///
    /// This is the seam through which a whole generation can be evaluated
    /// elsewhere: on rayon's threads (the default, when `parallel` is true
    /// and the `rayon` feature is on), in a batched solver, on a GPU or on
    /// other machines. The contract an override must keep:
    /// - `values[i]` is the value at `positions[i]` and depends on it alone
    ///   (and on state owned by slot `i`, such as a warm-started solver),
    ///   never on the order in which slots are evaluated, so the same seed
    ///   gives the same run on any number of threads or machines;
    /// - on failure, return the failing slot with the lowest index, so the
    ///   error reported does not depend on scheduling either; the values of
    ///   the other slots are then ignored;
    /// - it is called once per generation with the whole swarm, in particle
    ///   order (slot `i` is particle `i`).
    ///
    /// # Errors
    /// The failed slot with the lowest index and its error.
    fn evaluate_batch(
        &self,
        positions: &[Vec<f64>],
        values: &mut [f64],
        parallel: bool,
    ) -> std::result::Result<(), BatchFailure<Self::Error>> {
        evaluate_slots(positions, values, parallel, |_, x| self.evaluate(x))
    }
}

/// Runs `value(i, x_i)` for every slot of a batch into `values` (slots
/// beyond the shorter of `positions` and `values` are not run): on rayon's
/// threads when `parallel` is true and the `rayon` feature is on, else in
/// order, and returns the failed slot with the lowest index, so the
/// outcome does not depend on scheduling. This is the default
/// [`Objective::evaluate_batch`]; an override that keeps per-slot state (a
/// warm-started solver per particle, say) calls it with its own closure.
///
/// # Errors
/// The failed slot with the lowest index and its error.
pub fn evaluate_slots<E, F>(
    positions: &[Vec<f64>],
    values: &mut [f64],
    parallel: bool,
    value: F,
) -> std::result::Result<(), BatchFailure<E>>
where
    E: Send,
    F: Fn(usize, &[f64]) -> std::result::Result<f64, E> + Sync,
{
    let run = |(index, (v, x)): (usize, (&mut f64, &Vec<f64>))| match value(index, x) {
        Ok(y) => {
            *v = y;
            None
        }
        Err(error) => Some(BatchFailure { index, error }),
    };
    #[cfg(feature = "rayon")]
    if parallel {
        use rayon::prelude::*;
        let failure = values
            .par_iter_mut()
            .zip(positions.par_iter())
            .enumerate()
            .filter_map(run)
            .min_by_key(|f| f.index);
        return failure.map_or(Ok(()), Err);
    }
    let _ = parallel;
    values
        .iter_mut()
        .zip(positions)
        .enumerate()
        .find_map(run)
        .map_or(Ok(()), Err)
}

/// The slot of a batch whose evaluation failed, and why.
#[derive(Debug, Clone, PartialEq)]
pub struct BatchFailure<E> {
    /// Index of the failed position in the batch (the particle).
    pub index: usize,
    /// The objective's error.
    pub error: E,
}

impl<F: Fn(&[f64]) -> f64 + Sync> Objective for F {
    type Error = Infallible;
    fn evaluate(&self, x: &[f64]) -> std::result::Result<f64, Infallible> {
        Ok(self(x))
    }
}

/// A closure that may fail, as an [`Objective`]:
/// `Fallible(|x: &[f64]| -> Result<f64, MyError> { … })`.
#[derive(Debug, Clone, Copy)]
pub struct Fallible<F>(pub F);

impl<F, E> Objective for Fallible<F>
where
    F: Fn(&[f64]) -> std::result::Result<f64, E> + Sync,
    E: std::error::Error + Send + Sync + 'static,
{
    type Error = E;
    fn evaluate(&self, x: &[f64]) -> std::result::Result<f64, E> {
        (self.0)(x)
    }
}

/// Inequality constraints g_j(x) ≤ 0 (j = 1 … m), handled beside the box
/// bounds by Deb's feasibility rules (Deb 2000, "An efficient constraint
/// handling method for genetic algorithms"): a feasible point beats an
/// infeasible one, two feasible points compare by objective value, and
/// between infeasible points the smaller total violation
/// Σ_j max(0, g_j(x)) wins. No penalty weight is needed.
///
/// Constraints are evaluated on the calling thread, in particle order,
/// after each generation's objective values; they should be cheap. Plain
/// closures `Fn(&[f64]) -> Vec<f64>` are constraints.
pub trait Constraints {
    /// The values g_j(x), one per constraint; x is feasible when every one
    /// is ≤ 0. A NaN counts as an infinite violation.
    fn values(&self, x: &[f64]) -> Vec<f64>;

    /// The total violation Σ_j max(0, g_j(x)) (0 for a feasible point,
    /// +∞ when a value is NaN).
    fn violation(&self, x: &[f64]) -> f64 {
        self.values(x)
            .into_iter()
            .map(|g| {
                if g.is_nan() {
                    f64::INFINITY
                } else {
                    g.max(0.0)
                }
            })
            .sum()
    }
}

impl<F: Fn(&[f64]) -> Vec<f64>> Constraints for F {
    fn values(&self, x: &[f64]) -> Vec<f64> {
        self(x)
    }
}

/// Minimize or maximize.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Goal {
    /// Find the smallest value.
    #[default]
    Minimize,
    /// Find the largest value (Jiang et al. 2022 maximize J).
    Maximize,
}

impl Goal {
    /// The internal score (smaller is better); NaN becomes +∞.
    pub(crate) fn score(self, value: f64) -> f64 {
        let s = match self {
            Goal::Minimize => value,
            Goal::Maximize => -value,
        };
        if s.is_nan() { f64::INFINITY } else { s }
    }
    /// Back from a score to the objective's own sign.
    pub(crate) fn value(self, score: f64) -> f64 {
        match self {
            Goal::Minimize => score,
            Goal::Maximize => -score,
        }
    }
}

/// A box: lower and upper bound per dimension, lower < upper, both finite,
/// and a finite width (so ±f64::MAX is refused: positions would overflow).
#[derive(Debug, Clone, PartialEq)]
pub struct Bounds {
    lower: Vec<f64>,
    upper: Vec<f64>,
}

impl Bounds {
    /// Bounds from per-dimension lower and upper values.
    ///
    /// # Errors
    /// Empty or unequal vectors, a non-finite bound, or lower ≥ upper.
    pub fn new(lower: Vec<f64>, upper: Vec<f64>) -> Result<Self> {
        if lower.is_empty() {
            return Err(PsoError::EmptyBounds);
        }
        if lower.len() != upper.len() {
            return Err(PsoError::DimensionMismatch {
                what: "upper bounds",
                expected: lower.len(),
                found: upper.len(),
            });
        }
        for (dim, (&lo, &hi)) in lower.iter().zip(&upper).enumerate() {
            if !(lo.is_finite() && hi.is_finite() && lo < hi && (hi - lo).is_finite()) {
                return Err(PsoError::InvalidBounds {
                    dim,
                    lower: lo,
                    upper: hi,
                });
            }
        }
        Ok(Self { lower, upper })
    }

    /// The same interval [`lower`, `upper`] in each of `dim` dimensions.
    ///
    /// # Errors
    /// As [`Bounds::new`].
    pub fn uniform(dim: usize, lower: f64, upper: f64) -> Result<Self> {
        Self::new(vec![lower; dim], vec![upper; dim])
    }

    /// The unit box [0, 1]^dim of the paper's normalized search variables.
    ///
    /// # Errors
    /// `dim` = 0.
    pub fn unit(dim: usize) -> Result<Self> {
        Self::uniform(dim, 0.0, 1.0)
    }

    /// Number of dimensions.
    pub fn dim(&self) -> usize {
        self.lower.len()
    }
    /// Lower bounds.
    pub fn lower(&self) -> &[f64] {
        &self.lower
    }
    /// Upper bounds.
    pub fn upper(&self) -> &[f64] {
        &self.upper
    }
    /// Whether `x` lies in the box (bounds included).
    pub fn contains(&self, x: &[f64]) -> bool {
        x.len() == self.dim()
            && x.iter()
                .zip(&self.lower)
                .zip(&self.upper)
                .all(|((v, lo), hi)| v >= lo && v <= hi)
    }
}
