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
    pub(crate) forcing_max: f64,
    pub(crate) max_linear_iterations: usize,
    pub(crate) scheme: TimeScheme,
    pub(crate) time_step: ImplicitStep,
    pub(crate) linearization: Linearization,
    pub(crate) temperature_limit: f64,
}

impl Default for FvConfig {
    /// Newton to max |δT| ≤ 10⁻⁶ °C within 50 iterations; each linear
    /// solve to a relative residual η within 200 CG iterations, with η by
    /// Eisenstat–Walker between 10⁻² and 10⁻¹ (an inexact Newton method:
    /// 26 rather than 29 CG iterations cold on the paper's 100² problem,
    /// docs/PERFORMANCE.md); Crank–Nicolson with fixed 1 s steps;
    /// divergence beyond |T| = 10³ °C.
    fn default() -> Self {
        Self {
            tolerance: 1e-6,
            max_iterations: 50,
            linear_tolerance: 1e-2,
            forcing_max: 1e-1,
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

    /// Each linear solve stops at ‖r‖₂ ≤ η·‖b‖₂, within `max_iterations` CG
    /// iterations, where η is never below `tolerance` (the tightest linear
    /// tolerance): the first solve of a Newton solve uses η = `tolerance`,
    /// later ones the adaptive forcing, up to its ceiling
    /// ([`Self::with_forcing_max`], 0.1 by default). Raises that ceiling to
    /// `tolerance` if it was below, so that η's range is never empty; for
    /// η = `tolerance` in every solve, set the ceiling to `tolerance` too.
    ///
    /// # Errors
    /// A tolerance outside (0, 1), or zero iterations.
    pub fn with_linear_tolerance(mut self, tolerance: f64, max_iterations: usize) -> Result<Self> {
        self.linear_tolerance = unit_interval("linear tolerance", tolerance)?;
        self.forcing_max = self.forcing_max.max(tolerance);
        self.max_linear_iterations = at_least_one("max linear iterations", max_iterations)?;
        Ok(self)
    }

    /// The ceiling of the Eisenstat–Walker forcing (choice 2, γ = 0.9,
    /// α = 2, with its safeguard): the first linear solve of a Newton solve
    /// stops at the linear tolerance (a warm start may need only one or two
    /// steps), and the k-th at relative residual
    /// η_k = 0.9(‖F_k‖/‖F_k−1‖)², kept within [linear tolerance, `max`]
    /// (Eisenstat & Walker 1996). `max` equal to the linear tolerance gives
    /// a fixed forcing.
    ///
    /// # Errors
    /// `max` outside (0, 1) or below the linear tolerance.
    pub fn with_forcing_max(mut self, max: f64) -> Result<Self> {
        let max = unit_interval("forcing ceiling", max)?;
        if max < self.linear_tolerance {
            return Err(BioheatError::InvalidParameter {
                name: "forcing ceiling",
                value: max,
                allowed: "a value ≥ the linear tolerance",
            });
        }
        self.forcing_max = max;
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

fn unit_interval(name: &'static str, value: f64) -> Result<f64> {
    if value > 0.0 && value < 1.0 {
        Ok(value)
    } else {
        Err(BioheatError::InvalidParameter {
            name,
            value,
            allowed: "a value in (0, 1)",
        })
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
