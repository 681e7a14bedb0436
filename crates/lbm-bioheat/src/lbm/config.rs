//! Settings of the lattice Boltzmann solver.

use crate::error::{BioheatError, Result, positive};

/// How the LBM time step is chosen.
///
/// **Accuracy.** Any τ > ½ is stable, but only τ of order 1 is accurate:
/// the source, the perfusion and the walls enter once per step, so as τ
/// (that is δt) grows, transients lag, overshoot or oscillate and even the
/// steady state moves away from the Pennes solution, with no error raised.
/// The project's validations use τ ≤ 2 (docs/VALIDATION.md); for long
/// steps, use the implicit finite-volume solver ([`crate::FvSolver`])
/// instead, or compare two τ on your problem.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum TimeStep {
    /// A physical time step δt (s); each cell's relaxation time follows from
    /// its diffusivity: τ = ½ + α δt/(c_s² δx²) (Eq. B.5).
    Seconds(f64),
    /// The relaxation time τ (> ½) of the most diffusive cell; δt follows.
    Tau(f64),
}

/// Settings of [`crate::LbmSolver`] (D2Q5) and [`crate::LbmSolver3`] (D3Q7,
/// from [`LbmConfig::d3q7`]), with validated setters.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LbmConfig {
    pub(crate) time_step: TimeStep,
    pub(crate) moving_weight: f64,
    pub(crate) s_e: f64,
    pub(crate) s_q: f64,
    pub(crate) steady_tolerance: f64,
    pub(crate) max_steps: usize,
    pub(crate) temperature_limit: f64,
}

impl Default for LbmConfig {
    /// τ = 1 for the most diffusive cell, weights w0 = 1/3 and w = 1/6
    /// (c_s² = 1/3, ϖ = −2/3), s_e = s_q = 1.5 (Eq. B.4), steady tolerance
    /// 10⁻⁸ °C per step, at most 10⁸ steps, divergence beyond |T| = 10³ °C.
    fn default() -> Self {
        Self {
            time_step: TimeStep::Tau(1.0),
            moving_weight: 1.0 / 6.0,
            s_e: 1.5,
            s_q: 1.5,
            steady_tolerance: 1e-8,
            max_steps: 100_000_000,
            temperature_limit: 1e3,
        }
    }
}

impl LbmConfig {
    /// The defaults with the D3Q7 lattice's weights: w = 1/8 for each of
    /// the six moving directions and w0 = 1/4 at rest (c_s² = 1/4), the
    /// usual choice for D3Q7 advection–diffusion; the D2Q5 default w = 1/6
    /// would leave the D3Q7 rest population no weight.
    pub fn d3q7() -> Self {
        Self {
            moving_weight: 0.125,
            ..Self::default()
        }
    }

    /// The time step choice.
    ///
    /// # Errors
    /// A non-positive or non-finite time step, or a τ that is not finite
    /// or is ≤ ½ (unstable): [`BioheatError::InvalidParameter`]. (A time
    /// step that makes some cell's τ ≤ ½ is refused when the solver is
    /// built, naming the cell: [`BioheatError::UnstableRelaxation`].)
    pub fn with_time_step(mut self, time_step: TimeStep) -> Result<Self> {
        match time_step {
            TimeStep::Seconds(dt) => {
                positive("time step (s)", dt)?;
            }
            TimeStep::Tau(tau) => {
                if !(tau.is_finite() && tau > 0.5) {
                    return Err(BioheatError::InvalidParameter {
                        name: "LBM relaxation time tau (lattice units)",
                        value: tau,
                        allowed: "a finite tau > 0.5 (tau <= 0.5 is unstable)",
                    });
                }
            }
        }
        self.time_step = time_step;
        Ok(self)
    }

    /// The weight w of each moving direction (D2Q5: w0 = 1 − 4w for rest,
    /// ϖ = −4 + 20w (App. B); D3Q7: w0 = 1 − 6w, ϖ = −6 + 42w, and
    /// [`crate::LbmSolver3`] refuses w ≥ 1/6), in (0, ¼); c_s² = 2w.
    ///
    /// # Errors
    /// w outside (0, ¼).
    pub fn with_moving_weight(mut self, w: f64) -> Result<Self> {
        if !(w > 0.0 && w < 0.25) {
            return Err(BioheatError::InvalidParameter {
                name: "LBM moving weight w",
                value: w,
                allowed: "a value in (0, 0.25)",
            });
        }
        self.moving_weight = w;
        Ok(self)
    }

    /// The free relaxation rates s_e and s_q of the two higher moments
    /// (1.5 and 1.5 in Eq. B.4).
    ///
    /// # Errors
    /// A rate outside (0, 2).
    pub fn with_free_rates(mut self, s_e: f64, s_q: f64) -> Result<Self> {
        for (name, s) in [("LBM rate s_e", s_e), ("LBM rate s_q", s_q)] {
            if !(s > 0.0 && s < 2.0) {
                return Err(BioheatError::InvalidParameter {
                    name,
                    value: s,
                    allowed: "a value in (0, 2)",
                });
            }
        }
        self.s_e = s_e;
        self.s_q = s_q;
        Ok(self)
    }

    /// The steady-state tolerance on max |ΔT| per step (°C).
    ///
    /// # Errors
    /// A non-positive tolerance.
    pub fn with_steady_tolerance(mut self, tolerance: f64) -> Result<Self> {
        self.steady_tolerance = positive("steady tolerance (°C per step)", tolerance)?;
        Ok(self)
    }

    /// The step budget of a steady solve.
    ///
    /// # Errors
    /// Zero.
    pub fn with_max_steps(mut self, max_steps: usize) -> Result<Self> {
        if max_steps == 0 {
            return Err(BioheatError::InvalidParameter {
                name: "max steps",
                value: 0.0,
                allowed: "at least 1",
            });
        }
        self.max_steps = max_steps;
        Ok(self)
    }

    /// |T| (°C) beyond which the run counts as diverged.
    ///
    /// # Errors
    /// A non-positive limit.
    pub fn with_temperature_limit(mut self, limit: f64) -> Result<Self> {
        self.temperature_limit = positive("temperature limit (°C)", limit)?;
        Ok(self)
    }
}
