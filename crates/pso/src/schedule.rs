//! Inertia-weight schedules w(g) over the generations g = 0 … G − 1.

use crate::error::{Result, invalid};
use std::fmt;
use std::sync::Arc;

/// How the inertia weight changes over a run.
#[derive(Clone)]
pub enum Inertia {
    /// A fixed weight.
    Constant(f64),
    /// Linear from `start` at the first generation to `end` at the last
    /// (Jiang et al. 2022: 0.8 → 0; 0.9 → 0.4 without R_dose).
    Linear {
        /// Weight at generation 0.
        start: f64,
        /// Weight at the last generation.
        end: f64,
    },
    /// Geometric from `start` to `end` (both > 0):
    /// w(g) = start·(end/start)^(g/(G−1)).
    Exponential {
        /// Weight at generation 0.
        start: f64,
        /// Weight at the last generation.
        end: f64,
    },
    /// A user function of (generation, total generations).
    Custom(Arc<dyn Fn(usize, usize) -> f64 + Send + Sync>),
}

impl fmt::Debug for Inertia {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Constant(w) => write!(f, "Constant({w})"),
            Self::Linear { start, end } => write!(f, "Linear {{ start: {start}, end: {end} }}"),
            Self::Exponential { start, end } => {
                write!(f, "Exponential {{ start: {start}, end: {end} }}")
            }
            Self::Custom(_) => write!(f, "Custom(..)"),
        }
    }
}

impl Inertia {
    /// The paper's schedule with R_dose: linear 0.8 → 0.
    pub fn paper() -> Self {
        Self::Linear {
            start: 0.8,
            end: 0.0,
        }
    }

    /// The paper's schedule without R_dose (Table 3): linear 0.9 → 0.4.
    pub fn paper_without_dose() -> Self {
        Self::Linear {
            start: 0.9,
            end: 0.4,
        }
    }

    /// Checks the schedule's numbers.
    ///
    /// # Errors
    /// A non-finite weight, or an exponential schedule with a weight ≤ 0.
    pub fn check(&self) -> Result<()> {
        let ok = |w: f64| w.is_finite();
        match *self {
            Self::Constant(w) if !ok(w) => Err(invalid("inertia weight", w, "a finite value")),
            Self::Linear { start, end } if !ok(start) || !ok(end) => Err(invalid(
                "inertia weight",
                if ok(start) { end } else { start },
                "a finite value",
            )),
            Self::Exponential { start, end }
                if !(start > 0.0 && end > 0.0 && ok(start) && ok(end)) =>
            {
                Err(invalid(
                    "exponential inertia weight",
                    if start > 0.0 { end } else { start },
                    "a finite value > 0",
                ))
            }
            _ => Ok(()),
        }
    }

    /// The weight at generation `g` of `total`.
    pub fn weight(&self, g: usize, total: usize) -> f64 {
        let frac = if total > 1 {
            g as f64 / (total - 1) as f64
        } else {
            0.0
        };
        match self {
            Self::Constant(w) => *w,
            Self::Linear { start, end } => start + (end - start) * frac,
            Self::Exponential { start, end } => start * (end / start).powf(frac),
            Self::Custom(f) => f(g, total),
        }
    }
}
