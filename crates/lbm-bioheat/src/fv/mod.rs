//! A fast steady solver and an implicit transient solver of the Pennes
//! equation (Jiang et al. 2022, Eq. 1) by cell-centred finite volumes, on
//! 2D and 3D grids alike (one implementation over [`Lattice`]).
//!
//! - Space: the 5-point (2D) or 7-point (3D) finite-volume operator with
//!   harmonic face conductances and the LBM's walls (half a cell outside
//!   the outer cell centres); second order.
//! - Nonlinear perfusion (Eqs. 3, 4): Newton's method with the slope
//!   dṁ_b/dT and a backtracking line search, falling back to Picard
//!   iteration; a solve that does not converge is a typed error with the
//!   last residual.
//! - Linear systems: conjugate gradients preconditioned by one
//!   aggregation-multigrid V-cycle (close to linear cost in the number of
//!   cells; docs/PERFORMANCE.md).
//! - Time: the θ-method, backward Euler (θ = 1) or Crank–Nicolson
//!   (θ = ½), with a fixed or an adaptive (step-doubling) step.
//!
//! Steady and transient solves share one nonlinear kernel: find T with
//! (ρc/δt)(T − Tⁿ) + θL(T) + (1 − θ)L(Tⁿ) = 0, where L(T) is the net heat
//! loss per cell; the steady problem is L(T) = 0 (no mass term, θ = 1).

mod config;
mod multigrid;
mod operator;

pub use config::{FvConfig, ImplicitStep, Linearization, TimeScheme};

use crate::error::{BioheatError, Result};
use crate::grid::Grid;
use crate::grid3::Grid3;
use crate::lattice::Lattice;
use crate::problem::{Field, PennesProblem};
use crate::solver::{SteadySolver, SteadyState, TransientSolver};
use multigrid::{Hierarchy, LinearFailure};
use ndarray::{Array, ArrayView};
use operator::Operator;

/// Grids of at least 2²⁰ cells run the solver's per-cell loops on the
/// rayon pool (with the `rayon` feature), in chunks of [`CELL_CHUNK`], as
/// the operator does (the multigrid's levels go to the pool from 2¹⁸
/// cells).
#[cfg(feature = "rayon")]
fn parallel_cells(len: usize) -> bool {
    len >= 1 << 20
}

/// Grids of at least this many cells (64³ in 3D, 512² in 2D) may close a
/// Newton solve with a simplified step (see `nonlinear_solve`).
const CLOSING_STEP_CELLS: usize = 1 << 18;

/// Cells per chunk of the parallel per-cell loops.
#[cfg(feature = "rayon")]
const CELL_CHUNK: usize = 1 << 15;

/// Runs `f(offset, chunk)` over `out` in chunks of [`CELL_CHUNK`] (on the
/// rayon pool for large grids); `offset` is the chunk's first index.
fn for_chunks(out: &mut [f64], f: impl Fn(usize, &mut [f64]) + Sync) {
    #[cfg(feature = "rayon")]
    if parallel_cells(out.len()) {
        use rayon::prelude::*;
        out.par_chunks_mut(CELL_CHUNK)
            .enumerate()
            .for_each(|(c, chunk)| f(c * CELL_CHUNK, chunk));
        return;
    }
    f(0, out);
}

/// max |λ·v| (exact in any order, so it may run on the rayon pool).
fn max_abs_scaled(v: &[f64], lambda: f64) -> f64 {
    let max = |c: &[f64]| c.iter().map(|d| (lambda * d).abs()).fold(0.0, f64::max);
    #[cfg(feature = "rayon")]
    if parallel_cells(v.len()) {
        use rayon::prelude::*;
        return v.par_chunks(CELL_CHUNK).map(max).reduce(|| 0.0, f64::max);
    }
    max(v)
}

/// What the last steady solve or time step cost.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct FvStats {
    /// Newton (or Picard) iterations.
    pub nonlinear_iterations: usize,
    /// CG iterations summed over those.
    pub linear_iterations: usize,
    /// True when Newton fell back to Picard iteration.
    pub picard_fallback: bool,
}

/// The finite-volume solver: owns a [`PennesProblem`] on a 2D [`Grid`]
/// (the default) or a [`Grid3`], and the current temperature. It
/// implements [`SteadySolver`] (Newton–multigrid, warm started from the
/// current state) and [`TransientSolver`] (backward Euler or
/// Crank–Nicolson). With the `rayon` feature, large grids spread their
/// work over the rayon pool (the multigrid's levels of at least 2¹⁸ cells,
/// 64³; the Newton loops from 2²⁰ cells, about 100³; the CG's vector
/// operations from 2²¹ padded cells, about 125³), with the
/// same results on any number of threads; smaller ones run on one thread:
/// run several in parallel (one per optimizer particle) instead.
#[derive(Clone)]
pub struct FvSolver<G: Lattice = Grid> {
    problem: PennesProblem<G>,
    config: FvConfig,
    op: Operator,
    mg: Hierarchy,
    /// Current temperature (°C), row-major (i along x).
    temperature: Vec<f64>,
    time: f64,
    steps: usize,
    /// The next transient step (s).
    dt: f64,
    stats: FvStats,
    // Scratch.
    residual: Vec<f64>,
    delta: Vec<f64>,
    trial: Vec<f64>,
    sink: Vec<f64>,
    rhs: Vec<f64>,
    mass: Vec<f64>,
    /// Whether `mass` and `rhs` hold the steady problem's zeros (a time
    /// step fills them).
    steady_terms: bool,
    /// P(T) = ṁ_b c_b dx² and dP/dT at the last residual evaluation.
    perf: Vec<f64>,
    slope: Vec<f64>,
    saved: Vec<f64>,
    full: Vec<f64>,
    /// Per-chunk partial sums of a parallel residual norm.
    #[cfg(feature = "rayon")]
    partials: Vec<f64>,
}

/// The finite-volume solver on a 3D grid.
pub type FvSolver3 = FvSolver<Grid3>;

impl<G: Lattice> std::fmt::Debug for FvSolver<G> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FvSolver")
            .field("shape", &&self.op.n[..G::AXES])
            .field("multigrid_levels", &self.mg.depth())
            .field("time", &self.time)
            .field("steps", &self.steps)
            .field("dt", &self.dt)
            .field("config", &self.config)
            .field("stats", &self.stats)
            .finish_non_exhaustive()
    }
}

impl<G: Lattice> FvSolver<G> {
    /// Prepares the operator and the multigrid hierarchy for `problem`,
    /// starting at the problem's initial temperature.
    ///
    /// # Errors
    /// None today for a built problem (kept fallible, as [`crate::LbmSolver::new`]).
    pub fn new(problem: PennesProblem<G>, config: FvConfig) -> Result<Self> {
        let op = Operator::new(&problem);
        let mg = Hierarchy::new(op.n, &op.conductances());
        let n = op.len();
        let dt = match config.time_step {
            ImplicitStep::Fixed(dt) => dt,
            ImplicitStep::Adaptive { initial, .. } => initial,
        };
        let temperature = problem.initial_temperature().iter().copied().collect();
        Ok(Self {
            problem,
            config,
            op,
            mg,
            temperature,
            time: 0.0,
            steps: 0,
            dt,
            stats: FvStats::default(),
            residual: vec![0.0; n],
            delta: vec![0.0; n],
            trial: vec![0.0; n],
            sink: vec![0.0; n],
            rhs: vec![0.0; n],
            mass: vec![0.0; n],
            steady_terms: true,
            perf: vec![0.0; n],
            slope: vec![0.0; n],
            saved: vec![0.0; n],
            full: vec![0.0; n],
            #[cfg(feature = "rayon")]
            partials: vec![0.0; n.div_ceil(CELL_CHUNK)],
        })
    }

    /// The problem being solved.
    pub fn problem(&self) -> &PennesProblem<G> {
        &self.problem
    }
    /// The configuration.
    pub fn config(&self) -> &FvConfig {
        &self.config
    }
    /// What the last steady solve or time step cost.
    pub fn last_stats(&self) -> FvStats {
        self.stats
    }
    /// Levels of the multigrid hierarchy (the finest included).
    pub fn multigrid_levels(&self) -> usize {
        self.mg.depth()
    }

    /// Sets the current temperature (°C): the warm start of the next steady
    /// solve, or the state a transient continues from.
    ///
    /// # Errors
    /// A wrong shape or non-finite values.
    pub fn set_state(&mut self, temperature: ArrayView<f64, G::Dim>) -> Result<()> {
        crate::problem::check_temperature(self.problem.grid(), &temperature)?;
        for (dst, &t) in self.temperature.iter_mut().zip(temperature.iter()) {
            *dst = t;
        }
        Ok(())
    }

    /// Replaces the heat source Q (W/m³); the current temperature is kept
    /// as the warm start.
    ///
    /// # Errors
    /// A wrong shape or non-finite values.
    pub fn set_heat_source(&mut self, heat_source: Field<G>) -> Result<()> {
        self.problem.set_heat_source(heat_source)?;
        self.op.set_source(&self.problem);
        Ok(())
    }

    /// Replaces (ρc) (J/(m³·K)) and k (W/(m·K)) per cell, updating the
    /// operator and the multigrid conductances in place; the current
    /// temperature is kept as the warm start.
    ///
    /// # Errors
    /// Invalid fields.
    pub fn set_properties(
        &mut self,
        heat_capacity: Field<G>,
        conductivity: Field<G>,
    ) -> Result<()> {
        self.problem.set_properties(heat_capacity, conductivity)?;
        self.op.set_properties(&self.problem);
        self.mg.set_conductances(&self.op.conductances());
        Ok(())
    }

    fn field(&self, v: &[f64]) -> Field<G> {
        Array::from_shape_vec(self.problem.grid().raw_dim(), v.to_vec())
            .expect("the state has the grid's shape")
    }

    /// The Jacobian's diagonal beyond the conductances, per cell:
    /// mass + θ(wall + P + P′·(T − T_b)), without the slope term for Picard
    /// (`newton` false). P and P′ are those left by the last residual_at.
    fn fill_sink(&mut self, theta: f64, newton: bool) {
        let tb = self.op.t_blood;
        let (mass, wall, perf, slope, t) = (
            &self.mass,
            &self.op.wall,
            &self.perf,
            &self.slope,
            &self.temperature,
        );
        for_chunks(&mut self.sink, |o, sink| {
            for (i, s) in sink.iter_mut().enumerate() {
                let k = o + i;
                let slope = if newton { slope[k] * (t[k] - tb) } else { 0.0 };
                *s = mass[k] + theta * (wall[k] + perf[k] + slope);
            }
        });
    }

    /// residual = mass·T + θL(T) − rhs at T = `t`; returns its 2-norm.
    /// Also leaves P(T) and dP/dT per cell in `perf` and `slope`.
    fn residual_at(&mut self, theta: f64, t: &[f64], out: &mut [f64]) -> f64 {
        self.op.balance(t, out, &mut self.perf, &mut self.slope);
        let (mass, rhs) = (&self.mass, &self.rhs);
        let finish = |o: usize, out: &mut [f64], mut norm: f64| {
            for (i, g) in out.iter_mut().enumerate() {
                let k = o + i;
                *g = mass[k] * t[k] + theta * *g - rhs[k];
                norm += *g * *g;
            }
            norm
        };
        #[cfg(feature = "rayon")]
        if parallel_cells(out.len()) {
            // Per-chunk sums, added in chunk order: the same on any number
            // of threads.
            use rayon::prelude::*;
            out.par_chunks_mut(CELL_CHUNK)
                .zip(self.partials.par_iter_mut())
                .enumerate()
                .for_each(|(c, (out, p))| *p = finish(c * CELL_CHUNK, out, 0.0));
            return self.partials.iter().sum::<f64>().sqrt();
        }
        finish(0, out, 0.0).sqrt()
    }

    fn check_finite(&self, t: &[f64]) -> Result<()> {
        let limit = self.config.temperature_limit;
        // A branch-free test per chunk (it vectorizes: a search that stops
        // at the first bad value, element by element, cost a tenth of a
        // 128³ solve); the first bad cell is then found serially, once.
        let good = |v: &f64| v.is_finite() & (v.abs() <= limit);
        let all_good = |c: &[f64]| c.iter().fold(true, |ok, v| ok & good(v));
        #[cfg(feature = "rayon")]
        let fine = if parallel_cells(t.len()) {
            use rayon::prelude::*;
            t.par_chunks(CELL_CHUNK).all(all_good)
        } else {
            all_good(t)
        };
        #[cfg(not(feature = "rayon"))]
        let fine = all_good(t);
        let first = if fine {
            None
        } else {
            t.iter().position(|v| !good(v))
        };
        if let Some(k) = first {
            return Err(BioheatError::Diverged {
                step: self.steps,
                time_s: self.time,
                cell: self.problem.grid().cell_index(k),
                value: t[k],
            });
        }
        Ok(())
    }

    /// Solves mass·T + θL(T) = rhs for T, starting from `self.temperature`
    /// and leaving the solution there.
    fn nonlinear_solve(&mut self, theta: f64) -> Result<()> {
        let cfg = self.config;
        let mut stats = FvStats::default();
        let mut newton = cfg.linearization == Linearization::Newton;
        let mut residual = std::mem::take(&mut self.residual);
        let start = std::mem::take(&mut self.temperature);
        let mut norm = self.residual_at(theta, &start, &mut residual);
        self.temperature = start;
        let mut update = f64::INFINITY;
        let mut iteration = 0;
        // Eisenstat–Walker forcing (choice 2, γ = 0.9, α = 2): loose
        // linear solves while the nonlinearity dominates the error, tight
        // ones once Newton converges quadratically. The first solve is
        // tight: from a warm start Newton may need just one or two steps.
        let mut forcing = cfg.linear_tolerance;
        // Pseudo-transient continuation (Kelley & Keyes 1998) when a steady
        // solve starts without a heat sink: all faces adiabatic and no
        // perfusion at the start's temperatures, though some at others (a
        // law that starts above a threshold). The Jacobian is then
        // singular, so each step adds the cells' heat capacities over a
        // pseudo time step Δτ to its diagonal: a backward-Euler step
        // towards the steady state, taken whole. Δτ starts where the step
        // moves the temperatures by about 1 °C on average; each step then
        // multiplies it by 2·‖F_before‖/‖F_after‖, that factor kept within
        // [¼, 4] (doubling while the residual holds, faster as it falls,
        // shrinking when it grows). When the march settles (an update
        // within the tolerance) at an iterate with a sink, plain Newton
        // steps take over, and only they may end the solve; if it settles
        // without a sink (no net heating: a steady state, but one of a
        // family shifted by constants), that iterate is the answer. A
        // start without a sink that is already steady (F = 0) is returned
        // as it is.
        let sinkless = self.steady_terms && self.op.sinkless_at(&self.temperature);
        if sinkless && norm == 0.0 {
            self.residual = residual;
            self.stats = stats;
            return Ok(());
        }
        let mut pseudo_dt = sinkless.then(|| {
            let capacity: f64 = self.op.capacity.iter().sum();
            let imbalance: f64 = residual.iter().map(|r| r.abs()).sum();
            capacity / imbalance
        });
        while iteration < cfg.max_iterations {
            iteration += 1;
            stats.nonlinear_iterations = iteration;
            let norm_before = norm;
            // The Jacobian's diagonal beyond the conductances.
            // P and dP/dT at the current iterate were left by residual_at.
            self.fill_sink(theta, newton);
            if let Some(dt) = pseudo_dt {
                for (s, c) in self.sink.iter_mut().zip(&self.op.capacity) {
                    *s += c / dt;
                }
            }
            // The linear system's right-hand side −residual lives in `trial`
            // until the line search needs it.
            let minus = &residual;
            for_chunks(&mut self.trial, |o, trial| {
                for (r, g) in trial.iter_mut().zip(&minus[o..]) {
                    *r = -g;
                }
            });
            let eta = forcing.clamp(cfg.linear_tolerance, cfg.forcing_max);
            let solved = match self.mg.set_sink(&self.sink) {
                Ok(()) => {
                    self.mg
                        .solve(&self.trial, &mut self.delta, eta, cfg.max_linear_iterations)
                }
                Err(e) => Err(e),
            };
            match solved {
                Ok(it) => stats.linear_iterations += it,
                Err(_) if newton => {
                    // An indefinite Newton system or a stalled CG: continue
                    // with Picard, whose system is positive definite.
                    newton = false;
                    stats.picard_fallback = true;
                    continue;
                }
                Err(failure) => {
                    self.residual = residual;
                    self.stats = stats;
                    return Err(match failure {
                        LinearFailure::Indefinite => BioheatError::SingularSystem,
                        LinearFailure::NotConverged(rel) => BioheatError::LinearSolveFailed {
                            iterations: cfg.max_linear_iterations,
                            relative_residual: rel,
                        },
                    });
                }
            }
            // Backtracking on ‖residual‖₂ (Newton only; a Picard step is
            // taken whole).
            let mut lambda = 1.0;
            loop {
                let (t, d) = (&self.temperature, &self.delta);
                for_chunks(&mut self.trial, |o, trial| {
                    for (i, x) in trial.iter_mut().enumerate() {
                        *x = t[o + i] + lambda * d[o + i];
                    }
                });
                let trial = std::mem::take(&mut self.trial);
                let new_norm = self.residual_at(theta, &trial, &mut residual);
                self.trial = trial;
                let whole = !newton || pseudo_dt.is_some();
                if whole || new_norm <= (1.0 - 1e-4 * lambda) * norm || norm == 0.0 {
                    if norm > 0.0 {
                        let previous = forcing;
                        forcing = 0.9 * (new_norm / norm).powi(2);
                        // The safeguard against a sudden tightening.
                        if 0.9 * previous * previous > 0.1 {
                            forcing = forcing.max(0.9 * previous * previous);
                        }
                    }
                    norm = new_norm;
                    break;
                }
                if lambda < 1.0 / 16.0 {
                    break;
                }
                lambda *= 0.5;
            }
            if newton && lambda < 1.0 / 16.0 {
                // Newton stalls (a kink of the perfusion law): recompute
                // the residual at the current iterate and go on with Picard.
                let current = std::mem::take(&mut self.temperature);
                norm = self.residual_at(theta, &current, &mut residual);
                self.temperature = current;
                newton = false;
                stats.picard_fallback = true;
                continue;
            }
            std::mem::swap(&mut self.temperature, &mut self.trial);
            update = max_abs_scaled(&self.delta, lambda);
            if let Err(e) = self.check_finite(&self.temperature) {
                self.residual = residual;
                return Err(e);
            }
            if let Some(dt) = &mut pseudo_dt
                && norm > 0.0
            {
                if update > cfg.tolerance {
                    *dt *= (2.0 * norm_before / norm).clamp(0.25, 4.0);
                    continue;
                }
                if !self.op.sinkless_at(&self.temperature) {
                    pseudo_dt = None;
                    continue;
                }
                // Settled without a sink: steady, with no net heating.
            }
            if update <= cfg.tolerance || norm == 0.0 {
                self.residual = residual;
                self.stats = stats;
                return Ok(());
            }
            // Near the end, when the residual's fall predicts a next update
            // below the tolerance (update·‖r_new‖ ≤ tol·‖r_old‖), one CG
            // iteration with the last step's Jacobian and preconditioner (a
            // simplified Newton step, no rebuild) estimates that update. If
            // it is within a quarter of the tolerance it is taken and the
            // solve stops, for about a fifth of a full step's work. Otherwise
            // the work is lost and a full step follows. Only on large grids
            // (CLOSING_STEP_CELLS), where the spared Jacobian rebuild and CG
            // iterations cost milliseconds; smaller grids keep the full
            // step, so their solutions do not move.
            if newton
                && pseudo_dt.is_none()
                && self.temperature.len() >= CLOSING_STEP_CELLS
                && iteration < cfg.max_iterations
                && update * norm <= cfg.tolerance * norm_before
            {
                let minus = &residual;
                for_chunks(&mut self.trial, |o, trial| {
                    for (r, g) in trial.iter_mut().zip(&minus[o..]) {
                        *r = -g;
                    }
                });
                let one = self
                    .mg
                    .solve(&self.trial, &mut self.delta, f64::INFINITY, 1);
                stats.linear_iterations += 1;
                let last = if one.is_ok() {
                    max_abs_scaled(&self.delta, 1.0)
                } else {
                    f64::INFINITY
                };
                // One CG iteration from zero underestimates the step (here
                // 1.2–1.3·10⁻⁷ °C against 3.3·10⁻⁷ for a full solve), so it
                // must fall within a quarter of the tolerance.
                if last <= 0.25 * cfg.tolerance {
                    iteration += 1;
                    stats.nonlinear_iterations = iteration;
                    let d = &self.delta;
                    for_chunks(&mut self.temperature, |o, t| {
                        for (x, dx) in t.iter_mut().zip(&d[o..]) {
                            *x += dx;
                        }
                    });
                    self.residual = residual;
                    self.stats = stats;
                    return self.check_finite(&self.temperature);
                }
            }
        }
        let worst = residual.iter().map(|g| g.abs()).fold(0.0, f64::max);
        self.residual = residual;
        self.stats = stats;
        Err(BioheatError::NewtonNotConverged {
            iterations: iteration,
            residual: worst / self.op.measure,
            last_update: update,
            tolerance: cfg.tolerance,
        })
    }

    /// One θ-method step of `dt` from the current state.
    fn implicit_step(&mut self, dt: f64) -> Result<()> {
        let theta = self.config.scheme.theta();
        self.steady_terms = false;
        let mut finite = true;
        for (m, c) in self.mass.iter_mut().zip(&self.op.capacity) {
            *m = c / dt;
            finite &= m.is_finite();
        }
        if !finite {
            // A step so short that (ρc)|V|/δt overflows: it would read as
            // a singular system.
            return Err(BioheatError::InvalidParameter {
                name: "time step (s)",
                value: dt,
                allowed: "a step long enough that (rho c)|V|/dt is finite",
            });
        }
        // rhs = mass·Tⁿ − (1 − θ)L(Tⁿ).
        let mut rhs = std::mem::take(&mut self.rhs);
        if theta < 1.0 {
            self.op
                .balance(&self.temperature, &mut rhs, &mut self.perf, &mut self.slope);
        } else {
            rhs.fill(0.0);
        }
        for (k, r) in rhs.iter_mut().enumerate() {
            *r = self.mass[k] * self.temperature[k] - (1.0 - theta) * *r;
        }
        self.rhs = rhs;
        self.nonlinear_solve(theta)
    }

    fn step_adaptive(&mut self, tolerance: f64, min: f64, max: f64) -> Result<f64> {
        let p = self.config.scheme.order() as f64;
        let mut total = FvStats::default();
        loop {
            let dt = self.dt;
            self.saved.copy_from_slice(&self.temperature);
            self.implicit_step(dt)?;
            add_stats(&mut total, self.stats);
            self.full.copy_from_slice(&self.temperature);
            self.temperature.copy_from_slice(&self.saved);
            self.implicit_step(0.5 * dt)?;
            add_stats(&mut total, self.stats);
            self.implicit_step(0.5 * dt)?;
            add_stats(&mut total, self.stats);
            let err = self
                .temperature
                .iter()
                .zip(&self.full)
                .map(|(a, b)| (a - b).abs())
                .fold(0.0, f64::max);
            let factor = if err > 0.0 {
                (0.9 * (tolerance / err).powf(1.0 / (p + 1.0))).clamp(0.2, 4.0)
            } else {
                4.0
            };
            if err <= tolerance || dt <= min {
                self.dt = (dt * factor).clamp(min, max);
                self.stats = total;
                return Ok(dt);
            }
            self.temperature.copy_from_slice(&self.saved);
            self.dt = (dt * factor).clamp(min, max);
        }
    }
}

/// A sparse linear system A x = b in coordinate form (0-based indices,
/// cell k = i·ny + j in 2D, (i·ny + j)·nz + k in 3D), for inspection or
/// for other solvers.
#[derive(Debug, Clone, PartialEq)]
pub struct SparseSystem {
    /// Number of unknowns.
    pub n: usize,
    /// Row index of each stored entry.
    pub rows: Vec<usize>,
    /// Column index of each stored entry.
    pub cols: Vec<usize>,
    /// Value of each stored entry.
    pub values: Vec<f64>,
    /// Right-hand side b.
    pub rhs: Vec<f64>,
}

impl SparseSystem {
    /// Writes A to `matrix` and b to `rhs` in Matrix Market coordinate and
    /// array format (readable by scipy.io.mmread, MATLAB, Julia).
    ///
    /// # Errors
    /// [`BioheatError::Io`] naming the file.
    pub fn write_matrix_market(
        &self,
        matrix: &std::path::Path,
        rhs: &std::path::Path,
    ) -> Result<()> {
        use std::fmt::Write as _;
        let mut a = String::from("%%MatrixMarket matrix coordinate real general\n");
        let _ = writeln!(a, "{} {} {}", self.n, self.n, self.values.len());
        for ((r, c), v) in self.rows.iter().zip(&self.cols).zip(&self.values) {
            let _ = writeln!(a, "{} {} {v:e}", r + 1, c + 1);
        }
        let mut b = String::from("%%MatrixMarket matrix array real general\n");
        let _ = writeln!(b, "{} 1", self.n);
        for v in &self.rhs {
            let _ = writeln!(b, "{v:e}");
        }
        for (path, text) in [(matrix, a), (rhs, b)] {
            std::fs::write(path, text).map_err(|e| BioheatError::Io {
                path: path.display().to_string(),
                message: e.to_string(),
            })?;
        }
        Ok(())
    }
}

impl<G: Lattice> FvSolver<G> {
    /// No mass term and no right-hand side: the steady problem.
    fn zero_steady_terms(&mut self) {
        if !self.steady_terms {
            self.mass.fill(0.0);
            self.rhs.fill(0.0);
            self.steady_terms = true;
        }
    }

    /// The steady residual F(T) at the current state (no mass term), with
    /// P and P′ left for [`FvSolver::fill_sink`]. The caller hands the
    /// buffer back to `self.residual`.
    fn steady_residual(&mut self) -> Vec<f64> {
        self.zero_steady_terms();
        let mut residual = std::mem::take(&mut self.residual);
        let t = std::mem::take(&mut self.temperature);
        self.residual_at(1.0, &t, &mut residual);
        self.temperature = t;
        residual
    }

    /// The first Newton system J δ = −F(T) of the steady problem at the
    /// current state (each cell balance times the cell measure: W/m per
    /// unit depth in 2D, W in 3D): J holds the face conductances, walls,
    /// perfusion and its slope. Each row lists its neighbours axis by axis
    /// (the lower first), then its diagonal.
    pub fn steady_newton_system(&mut self) -> SparseSystem {
        let n = self.op.len();
        let residual = self.steady_residual();
        let tb = self.op.t_blood;
        let width = 2 * G::AXES + 1;
        let mut sys = SparseSystem {
            n,
            rows: Vec::with_capacity(width * n),
            cols: Vec::with_capacity(width * n),
            values: Vec::with_capacity(width * n),
            rhs: residual.iter().map(|g| -g).collect(),
        };
        let mut row = usize::MAX;
        let mut diag = 0.0;
        let close = |sys: &mut SparseSystem, k: usize, diag: f64| {
            sys.rows.push(k);
            sys.cols.push(k);
            sys.values.push(diag);
        };
        let base =
            |k: usize| self.op.wall[k] + self.perf[k] + self.slope[k] * (self.temperature[k] - tb);
        self.op.stencil(|k, nb, c| {
            if k != row {
                if row != usize::MAX {
                    close(&mut sys, row, diag);
                }
                // Rows without neighbours (a 1-cell grid) are closed below.
                for empty in row.wrapping_add(1)..k {
                    close(&mut sys, empty, base(empty));
                }
                row = k;
                diag = base(k);
            }
            sys.rows.push(k);
            sys.cols.push(nb);
            sys.values.push(-c);
            diag += c;
        });
        if row != usize::MAX {
            close(&mut sys, row, diag);
        }
        for empty in row.wrapping_add(1)..n {
            close(&mut sys, empty, base(empty));
        }
        self.residual = residual;
        sys
    }

    /// Solves the system of [`FvSolver::steady_newton_system`] (at the
    /// current state) by the multigrid-preconditioned CG to a relative
    /// residual `rtol`; returns δ and the CG iterations. For comparisons
    /// with other linear solvers.
    ///
    /// # Errors
    /// [`BioheatError::SingularSystem`] or [`BioheatError::LinearSolveFailed`].
    pub fn solve_steady_newton_system(&mut self, rtol: f64) -> Result<(Vec<f64>, usize)> {
        // −F(T) and P, P′ at the current state; no need to assemble the
        // triplets.
        let residual = self.steady_residual();
        let sys_rhs: Vec<f64> = residual.iter().map(|g| -g).collect();
        self.residual = residual;
        self.fill_sink(1.0, true);
        let mut x = vec![0.0; sys_rhs.len()];
        let max = self.config.max_linear_iterations;
        let it = self
            .mg
            .set_sink(&self.sink)
            .and_then(|()| self.mg.solve(&sys_rhs, &mut x, rtol, max))
            .map_err(|f| match f {
                LinearFailure::Indefinite => BioheatError::SingularSystem,
                LinearFailure::NotConverged(rel) => BioheatError::LinearSolveFailed {
                    iterations: max,
                    relative_residual: rel,
                },
            })?;
        Ok((x, it))
    }
}

fn add_stats(total: &mut FvStats, s: FvStats) {
    total.nonlinear_iterations += s.nonlinear_iterations;
    total.linear_iterations += s.linear_iterations;
    total.picard_fallback |= s.picard_fallback;
}

impl<G: Lattice> SteadySolver<G::Dim> for FvSolver<G> {
    /// Solves the steady problem by Newton–multigrid from `initial_guess`,
    /// or, without one, from the current state (the problem's initial
    /// temperature after [`FvSolver::new`], the last solution after a solve:
    /// a warm start after [`FvSolver::set_heat_source`]). `iterations` counts
    /// Newton iterations and `residual` is the last update max |δT| (°C).
    ///
    /// # Errors
    /// [`BioheatError::SingularSystem`] when nothing fixes the temperature
    /// ([`PennesProblem::steady_is_singular`]: every face adiabatic, or
    /// convective with h = 0, and no perfusion at any temperature);
    /// [`BioheatError::NewtonNotConverged`] with the last residual;
    /// [`BioheatError::Diverged`].
    fn solve_steady(
        &mut self,
        initial_guess: Option<ArrayView<f64, G::Dim>>,
    ) -> Result<SteadyState<G::Dim>> {
        if let Some(guess) = initial_guess {
            self.set_state(guess)?;
        }
        if self.problem.steady_is_singular() {
            return Err(BioheatError::SingularSystem);
        }
        self.zero_steady_terms();
        self.nonlinear_solve(1.0)?;
        let last = self.delta.iter().map(|d| d.abs()).fold(0.0, f64::max);
        Ok(SteadyState {
            temperature: self.field(&self.temperature),
            iterations: self.stats.nonlinear_iterations,
            residual: last,
        })
    }
}

impl<G: Lattice> TransientSolver<G::Dim> for FvSolver<G> {
    /// The next step (s): fixed, or the adaptive controller's proposal.
    fn time_step(&self) -> f64 {
        self.dt
    }
    fn time(&self) -> f64 {
        self.time
    }
    fn steps(&self) -> usize {
        self.steps
    }
    /// One implicit step (with an adaptive step: one accepted step, of the
    /// length [`TransientSolver::time_step`] reported before it or shorter).
    ///
    /// A divergence names the step being taken (the number it would have
    /// had) and the time at its end (for an adaptive step, the end of the
    /// step proposed); the state is then the diverged iterate.
    fn step(&mut self) -> Result<()> {
        let proposed = self.time_step();
        let taken = match self.config.time_step {
            ImplicitStep::Fixed(dt) => self.implicit_step(dt).map(|()| dt),
            ImplicitStep::Adaptive {
                tolerance,
                min,
                max,
                ..
            } => self.step_adaptive(tolerance, min, max),
        };
        let dt = taken.map_err(|e| match e {
            BioheatError::Diverged { cell, value, .. } => BioheatError::Diverged {
                step: self.steps + 1,
                time_s: self.time + proposed,
                cell,
                value,
            },
            e => e,
        })?;
        self.time += dt;
        self.steps += 1;
        Ok(())
    }
    fn temperature(&self) -> Field<G> {
        self.field(&self.temperature)
    }
}
