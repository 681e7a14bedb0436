//! The traits every bioheat solver implements, in 2D (`D` = `Ix2`, the
//! default) and 3D (`D` = `Ix3`).

use crate::error::Result;
use ndarray::{Array, ArrayView, Dimension, Ix2};
use std::ops::ControlFlow;

/// The outcome of a steady solve.
#[derive(Debug, Clone, PartialEq)]
pub struct SteadyState<D: Dimension = Ix2> {
    /// The steady temperature field (°C), the grid's shape.
    pub temperature: Array<f64, D>,
    /// Iterations (LBM: time steps) taken.
    pub iterations: usize,
    /// The final convergence measure (LBM: max |ΔT| per step, °C).
    pub residual: f64,
}

/// A solver of the steady Pennes problem 0 = ∇·(k∇T) + W(T)(T_b − T) + Q.
///
/// The contract on where a solve starts, which every implementation keeps
/// ([`FvSolver`](crate::FvSolver) and [`LbmSolver`](crate::LbmSolver)
/// do):
/// - a solver holds a temperature state: the problem's initial temperature
///   when it is built, the solution after each successful solve;
/// - `solve_steady(Some(guess))` starts from `guess`, which becomes the
///   state;
/// - `solve_steady(None)` starts from the current state. After a solve and
///   a change of the heat source or properties (the solvers' `set_*`
///   methods keep the state), this is a **warm start**: the previous
///   solution is the first iterate, and a small change costs few
///   iterations. A solver fresh from `new` starts **cold**, from the
///   initial temperature;
/// - the result does not depend on the start beyond the solver's
///   tolerance.
pub trait SteadySolver<D: Dimension = Ix2> {
    /// Solves for the steady temperature, starting from `initial_guess`
    /// (°C, the grid's shape) or, without one, from the current state (see
    /// the trait's contract).
    ///
    /// # Errors
    /// A guess of the wrong shape or with non-finite values, divergence, or
    /// no convergence within the solver's budget.
    fn solve_steady(&mut self, initial_guess: Option<ArrayView<f64, D>>) -> Result<SteadyState<D>>;
}

/// Called by [`TransientSolver::run`] with the state every few steps.
pub trait Observer<D: Dimension = Ix2> {
    /// Sees the temperature (°C) after `step` steps, at time `time_s` (s).
    /// Return `ControlFlow::Break(())` to stop the run early.
    fn observe(
        &mut self,
        step: usize,
        time_s: f64,
        temperature: ArrayView<f64, D>,
    ) -> ControlFlow<()>;
}

impl<D: Dimension, F: FnMut(usize, f64, ArrayView<f64, D>) -> ControlFlow<()>> Observer<D> for F {
    fn observe(
        &mut self,
        step: usize,
        time_s: f64,
        temperature: ArrayView<f64, D>,
    ) -> ControlFlow<()> {
        self(step, time_s, temperature)
    }
}

/// A solver that marches the transient Pennes equation in time.
pub trait TransientSolver<D: Dimension = Ix2> {
    /// The time step (s).
    fn time_step(&self) -> f64;
    /// The current time (s).
    fn time(&self) -> f64;
    /// Steps taken so far.
    fn steps(&self) -> usize;
    /// Advances one time step.
    ///
    /// # Errors
    /// Divergence (naming the cell, step and time).
    fn step(&mut self) -> Result<()>;
    /// The current temperature field (°C), the grid's shape.
    fn temperature(&self) -> Array<f64, D>;

    /// Advances `n_steps` steps, calling `observer` with the state at the
    /// start and after every `every`-th step (`every` = 0 means only at the
    /// end). Stops early when the observer breaks.
    ///
    /// # Errors
    /// As [`TransientSolver::step`].
    fn run(&mut self, n_steps: usize, every: usize, observer: &mut dyn Observer<D>) -> Result<()> {
        if observer
            .observe(self.steps(), self.time(), self.temperature().view())
            .is_break()
        {
            return Ok(());
        }
        for k in 1..=n_steps {
            self.step()?;
            let due = if every == 0 {
                k == n_steps
            } else {
                k % every == 0 || k == n_steps
            };
            if due
                && observer
                    .observe(self.steps(), self.time(), self.temperature().view())
                    .is_break()
            {
                break;
            }
        }
        Ok(())
    }
}
