//! Settings of the finite-volume solver, with validated setters.

use crate::error::{BioheatError, Result, positive};

/// The time discretization of [`crate::FvSolver`]'s transient steps.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum TimeScheme {
    /// Backward (implicit) Euler: first order in time, L-stable, no
    /// oscillations whatever the step.
    BackwardEuler,
    /// Crank–Nicolson (the trapezoidal rule): second order in time; with
    /// steps much longer than the grid's diffusion time dx²/α it can ring
    /// near sharp initial fronts (it is A- but not L-stable).
    #[default]
    CrankNicolson,
}

impl TimeScheme {
    /// θ of the θ-method: 1 for backward Euler, ½ for Crank–Nicolson.
    pub fn theta(self) -> f64 {
        match self {
            TimeScheme::BackwardEuler => 1.0,
            TimeScheme::CrankNicolson => 0.5,
        }
    }

    /// The order of accuracy in time.
    pub fn order(self) -> u32 {
        match self {
            TimeScheme::BackwardEuler => 1,
            TimeScheme::CrankNicolson => 2,
        }
    }
}

/// How the implicit time step is chosen.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum ImplicitStep {
    /// A fixed step δt (s).
    Fixed(f64),
    /// Step doubling: each step is taken once with δt and twice with δt/2;
    /// it is accepted (keeping the two half steps) when the two results
    /// differ by at most `tolerance` (°C, max over the cells), and δt
    /// grows or shrinks with (tolerance/difference)^(1/(p+1)) for a scheme
    /// of order p, within [`min`, `max`] (s).
    ///
    /// [`min`]: ImplicitStep::Adaptive::min
    /// [`max`]: ImplicitStep::Adaptive::max
    Adaptive {
        /// The first step (s).
        initial: f64,
        /// Local error allowed per step (°C).
        tolerance: f64,
        /// Smallest step (s); a step this short is accepted whatever its error.
        min: f64,
        /// Largest step (s).
        max: f64,
    },
}

/// How the temperature dependence of the perfusion is linearized.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Linearization {
    /// Newton's method with the slope dṁ_b/dT and a backtracking line
    /// search; it falls back to Picard for the rest of a solve when a
    /// Newton system is indefinite or the line search fails.
    #[default]
    Newton,
    /// Picard (fixed-point) iteration: perfusion frozen at the last iterate.
    Picard,
}

/// Settings of [`crate::FvSolver`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FvConfig {
    pub(crate) tolerance: f64,
    pub(crate) max_iterations: usize,
    pub(crate) linear_tolerance: f64,
    pub(crate) max_linear_iterations: usize,
    pub(crate) scheme: TimeScheme,
    pub(crate) time_step: ImplicitStep,
    pub(crate) linearization: Linearization,
    pub(crate) temperature_limit: f64,
}

impl Default for FvConfig {
    /// Newton to max |δT| ≤ 10⁻⁶ °C within 50 iterations (with the inexact
    /// linear solves below, the error left after an update δ is about
    /// 10⁻²·δ, so about 10⁻⁸ °C), each linear solve
    /// to a relative residual of 10⁻² within 200 CG iterations (an inexact
    /// Newton method: the last updates are tiny whatever the forcing, and
    /// 10⁻² took the fewest CG iterations in all on the paper's problems;
    /// Eisenstat–Walker forcing took more);
    /// Crank–Nicolson with fixed 1 s steps; divergence beyond |T| = 10³ °C.
    fn default() -> Self {
        Self {
            tolerance: 1e-6,
            max_iterations: 50,
            linear_tolerance: 1e-2,
            max_linear_iterations: 200,
            scheme: TimeScheme::CrankNicolson,
            time_step: ImplicitStep::Fixed(1.0),
            linearization: Linearization::Newton,
            temperature_limit: 1e3,
        }
    }
}

impl FvConfig {
    /// The nonlinear tolerance: a solve (or a time step) has converged when
    /// the last Newton update moved no cell by more than this (°C).
    ///
    /// # Errors
    /// A tolerance that is not finite and > 0.
    pub fn with_tolerance(mut self, tolerance: f64) -> Result<Self> {
        self.tolerance = positive("nonlinear tolerance (°C)", tolerance)?;
        Ok(self)
    }

    /// At most this many Newton (or Picard) iterations per solve or step.
    ///
    /// # Errors
    /// Zero.
    pub fn with_max_iterations(mut self, max_iterations: usize) -> Result<Self> {
        self.max_iterations = at_least_one("max nonlinear iterations", max_iterations)?;
        Ok(self)
    }

    /// Each linear solve stops at ‖r‖₂ ≤ `tolerance`·‖b‖₂, within
    /// `max_iterations` CG iterations.
    ///
    /// # Errors
    /// A tolerance outside (0, 1), or zero iterations.
    pub fn with_linear_tolerance(mut self, tolerance: f64, max_iterations: usize) -> Result<Self> {
        if !(tolerance > 0.0 && tolerance < 1.0) {
            return Err(BioheatError::InvalidParameter {
                name: "linear tolerance",
                value: tolerance,
                allowed: "a value in (0, 1)",
            });
        }
        self.linear_tolerance = tolerance;
        self.max_linear_iterations = at_least_one("max linear iterations", max_iterations)?;
        Ok(self)
    }

    /// The time scheme of transient steps.
    pub fn with_scheme(mut self, scheme: TimeScheme) -> Self {
        self.scheme = scheme;
        self
    }

    /// The time step of transient steps.
    ///
    /// # Errors
    /// A non-positive or non-finite step, tolerance or bound, or min > max,
    /// or an initial step outside [min, max].
    pub fn with_time_step(mut self, time_step: ImplicitStep) -> Result<Self> {
        match time_step {
            ImplicitStep::Fixed(dt) => {
                positive("time step (s)", dt)?;
            }
            ImplicitStep::Adaptive {
                initial,
                tolerance,
                min,
                max,
            } => {
                positive("adaptive initial time step (s)", initial)?;
                positive("adaptive step tolerance (°C)", tolerance)?;
                positive("adaptive min time step (s)", min)?;
                positive("adaptive max time step (s)", max)?;
                if !(min <= initial && initial <= max) {
                    return Err(BioheatError::InvalidParameter {
                        name: "adaptive initial time step (s)",
                        value: initial,
                        allowed: "a value within [min, max]",
                    });
                }
            }
        }
        self.time_step = time_step;
        Ok(self)
    }

    /// Newton (default) or Picard.
    pub fn with_linearization(mut self, linearization: Linearization) -> Self {
        self.linearization = linearization;
        self
    }

    /// A temperature beyond ±`limit` (°C) is reported as divergence.
    ///
    /// # Errors
    /// A limit that is not finite and > 0.
    pub fn with_temperature_limit(mut self, limit: f64) -> Result<Self> {
        self.temperature_limit = positive("temperature limit (°C)", limit)?;
        Ok(self)
    }

    /// The time scheme.
    pub fn scheme(&self) -> TimeScheme {
        self.scheme
    }
    /// The time step choice.
    pub fn time_step(&self) -> ImplicitStep {
        self.time_step
    }
}

fn at_least_one(name: &'static str, n: usize) -> Result<usize> {
    if n >= 1 {
        Ok(n)
    } else {
        Err(BioheatError::InvalidParameter {
            name,
            value: 0.0,
            allowed: "at least 1",
        })
    }
}
