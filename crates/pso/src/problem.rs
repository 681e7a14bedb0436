//! What is optimized: the [`Objective`] trait, box [`Bounds`] and the
//! [`Goal`].

use crate::error::{PsoError, Result};

/// A function to optimize. Evaluations may run in parallel, so it must be
/// `Sync`; it is called with positions inside the bounds. A NaN value is
/// treated as the worst possible value and never becomes a best.
pub trait Objective: Sync {
    /// The objective value at `x`.
    fn evaluate(&self, x: &[f64]) -> f64;

    /// Values at every position of `positions` into `values` (same length),
    /// in parallel with the `rayon` feature when `parallel` is true, else one
    /// by one. Override it when a whole swarm is cheaper to evaluate at once
    /// (a batched solver, a GPU); each `values[i]` must depend on
    /// `positions[i]` alone, so results do not depend on scheduling.
    fn evaluate_batch(&self, positions: &[Vec<f64>], values: &mut [f64], parallel: bool) {
        #[cfg(feature = "rayon")]
        if parallel {
            use rayon::prelude::*;
            values
                .par_iter_mut()
                .zip(positions.par_iter())
                .for_each(|(v, x)| *v = self.evaluate(x));
            return;
        }
        let _ = parallel;
        for (v, x) in values.iter_mut().zip(positions) {
            *v = self.evaluate(x);
        }
    }
}

impl<F: Fn(&[f64]) -> f64 + Sync> Objective for F {
    fn evaluate(&self, x: &[f64]) -> f64 {
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

/// A box: lower and upper bound per dimension, lower < upper, both finite.
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
            if !(lo.is_finite() && hi.is_finite() && lo < hi) {
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
