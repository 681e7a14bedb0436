//! The D2Q5 multiple-relaxation-time lattice Boltzmann solver of the
//! Pennes equation (Jiang et al. 2022, App. B), in conservative form for
//! tissue whose (ρc) and k vary from cell to cell.
//!
//! - Lattice units δx = δt = 1. The conserved moment is the energy density
//!   in units of a reference heat capacity, E = (ρc)T/(ρc)₀, with (ρc)₀ the
//!   smallest (ρc) of the problem; the moving populations' equilibrium is
//!   w T, the rest population's E − 4wT. This is the conjugate-heat-transfer
//!   equilibrium of Karani & Huber (2015, Phys. Rev. E 91, 023304): the
//!   flux then follows ∇T with the diffusivity k/(ρc)₀, so each cell's
//!   relaxation time is τ = ½ + (k/(ρc)₀) δt_phys/(c_s² δx²) (Eq. B.5 with
//!   (ρc)₀), and the scheme recovers (ρc) ∂T/∂t = ∇·(k∇T) + S: steady
//!   states do not depend on (ρc), as they must, up to a second-order
//!   discretization term where (ρc) jumps (docs/VALIDATION.md). Taking the smallest (ρc)
//!   keeps the rest population's equilibrium non-negative. Where (ρc) is
//!   uniform, E = T and the scheme is the paper's.
//! - The source S = W(T)(T_b − T) + Q + Q_m, in units of (ρc)₀, enters with
//!   (I − Θ/2) (Eq. B.1); E = Σg + ½S is solved for E because S is linear
//!   in T = rE, r = (ρc)₀/(ρc) (Jiang et al. 2022, App. B). Nonlinear
//!   perfusion is evaluated at the previous step's temperature, which is
//!   exact at steady state.
//! - Walls sit half-way between the outer cell centres and the ghost layer:
//!   bounce-back for adiabatic walls, anti-bounce-back for fixed
//!   temperatures, and bounce-back carrying the wall's heat flux
//!   h(T_w − T_a) for convective walls, with T_w from the Robin balance and
//!   the second-order one-sided gradient through the two outer cell
//!   centres, ∂T/∂n ≈ (8T_w − 9T₁ + T₂)/(3δx). Convective walls so
//!   converge at second order like the others (anti-bounce-back to the same
//!   T_w, or the half-cell balance, converged at first order).

pub(crate) mod coefficients;
mod config;
pub(crate) mod kernel;

pub use config::{LbmConfig, TimeStep};

use crate::error::{BioheatError, Result};
use crate::problem::{PennesProblem, Side};
use crate::solver::{SteadySolver, SteadyState, TransientSolver};
use coefficients::{Coefficients, choose_time_step, wall_population};
use kernel::{KernelParams, RowStat, stream_collide_row};
use ndarray::{Array2, ArrayView2};

/// A lattice-sized buffer whose data starts `offset` elements into its
/// allocation. Large allocations are page-aligned, so without offsets every
/// array would start at the same address modulo 4 KiB and the kernel's
/// loads and stores would alias in the store buffer ("4K aliasing"); each
/// buffer gets a different offset instead.
#[derive(Clone)]
pub(crate) struct Buffer {
    data: Vec<f64>,
    offset: usize,
}

impl Buffer {
    /// `len` zeros, starting `k`·48 elements (k·384 B: the 11 buffers sit
    /// on distinct cache lines, evenly spread over 4 KiB) into the allocation.
    pub(crate) fn new(len: usize, k: usize) -> Self {
        let offset = k * 48;
        Self {
            data: vec![0.0; len + offset],
            offset,
        }
    }
}

impl std::ops::Deref for Buffer {
    type Target = [f64];
    fn deref(&self) -> &[f64] {
        &self.data[self.offset..]
    }
}

impl std::ops::DerefMut for Buffer {
    fn deref_mut(&mut self) -> &mut [f64] {
        &mut self.data[self.offset..]
    }
}

/// The LBM solver: owns a [`PennesProblem`] and the lattice state. It
/// implements both [`TransientSolver`] and [`SteadySolver`] (marching to a
/// tolerance on max |ΔT| per step).
#[derive(Clone)]
pub struct LbmSolver {
    problem: PennesProblem,
    config: LbmConfig,
    nx: usize,
    ny: usize,
    py: usize,
    dt: f64,
    steps: usize,
    /// Post-collision populations at the current time (padded layout).
    f: [Buffer; 5],
    /// Scratch for the next step.
    g: [Buffer; 5],
    /// Temperature (°C) per padded cell.
    temperature: Buffer,
    /// 1/τ, r and the sources per padded cell.
    co: Coefficients,
    last_change: f64,
}

impl std::fmt::Debug for LbmSolver {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LbmSolver")
            .field("nx", &self.nx)
            .field("ny", &self.ny)
            .field("dt", &self.dt)
            .field("steps", &self.steps)
            .field("linear", &self.co.linear)
            .field("last_change", &self.last_change)
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

impl LbmSolver {
    /// Bytes one cell update moves on a linear problem, counted like STREAM
    /// (no write-allocate traffic): 5 populations read and 5 written, T read
    /// and written, and 1/τ, W and Q' read: 15 × 8 = 120 B.
    pub const BYTES_PER_UPDATE_LINEAR: usize = 120;
    /// The same with temperature-dependent perfusion: plus the region label
    /// (1 B), 121 B.
    pub const BYTES_PER_UPDATE_NONLINEAR: usize = 121;
    /// Extra bytes per update where (ρc) varies between cells: the ratio
    /// r = (ρc)₀/(ρc) is read, 8 B.
    pub const BYTES_PER_UPDATE_HETEROGENEOUS_EXTRA: usize = 8;

    /// Prepares the lattice for `problem` with `config`, initialized at the
    /// problem's initial temperature.
    ///
    /// # Errors
    /// [`BioheatError::UnstableRelaxation`] if a cell's τ would be ≤ ½.
    pub fn new(problem: PennesProblem, config: LbmConfig) -> Result<Self> {
        let (nx, ny) = problem.grid().shape();
        let (px, py) = (nx + 2, ny + 2);
        let n = px * py;
        let mut solver = Self {
            co: Coefficients::new(n, problem.is_linear()),
            problem,
            config,
            nx,
            ny,
            py,
            dt: 0.0,
            steps: 0,
            f: std::array::from_fn(|q| Buffer::new(n, q)),
            g: std::array::from_fn(|q| Buffer::new(n, 5 + q)),
            temperature: Buffer::new(n, 10),
            last_change: f64::INFINITY,
        };
        solver.dt = choose_time_step(
            &solver.config,
            &solver.problem,
            solver.problem.grid().dx(),
            solver.cs2(),
        );
        solver.prepare_coefficients()?;
        let t0 = solver.problem.initial_temperature().clone();
        solver.set_state(t0.view())?;
        Ok(solver)
    }

    fn cs2(&self) -> f64 {
        2.0 * self.config.moving_weight
    }

    fn padded(&self, i: usize, j: usize) -> usize {
        (i + 1) * self.py + (j + 1)
    }

    /// Per-cell 1/τ, perfusion and source coefficients in lattice units.
    fn prepare_coefficients(&mut self) -> Result<()> {
        let py = self.py;
        let (dt, cs2, dx) = (self.dt, self.cs2(), self.problem.grid().dx());
        self.co.prepare(&self.problem, dt, cs2, dx, |[i, j, _]| {
            (i + 1) * py + (j + 1)
        })
    }

    /// Sets the state to the temperature field `temperature` (°C): the
    /// post-collision populations of a uniform-equilibrium start at
    /// E* = E + ½S(T): g_q = w rE* for the moving populations, the rest
    /// (1 − 4wr)E*.
    ///
    /// # Errors
    /// A wrong shape or non-finite values.
    pub fn set_state(&mut self, temperature: ArrayView2<f64>) -> Result<()> {
        crate::problem::check_temperature(self.problem.grid(), &temperature)?;
        let w = self.config.moving_weight;
        let tb = self.problem.blood_temperature();
        for ((i, j), &t) in temperature.indexed_iter() {
            let c = self.padded(i, j);
            let (rest, moving) = self.co.equilibrium_start(c, t, tb, w, 4.0);
            self.f[0][c] = rest;
            for q in 1..5 {
                self.f[q][c] = moving;
            }
            self.temperature[c] = t;
        }
        self.last_change = f64::INFINITY;
        Ok(())
    }

    /// Replaces the heat source Q (W/m³) between steps.
    ///
    /// # Errors
    /// A wrong shape or non-finite values.
    pub fn set_heat_source(&mut self, heat_source: Array2<f64>) -> Result<()> {
        self.problem.set_heat_source(heat_source)?;
        self.prepare_coefficients()
    }

    /// Replaces (ρc) and k per cell between steps; the time step is kept and
    /// each τ recomputed.
    ///
    /// # Errors
    /// Invalid fields, or a τ ≤ ½.
    pub fn set_properties(
        &mut self,
        heat_capacity: Array2<f64>,
        conductivity: Array2<f64>,
    ) -> Result<()> {
        self.problem.set_properties(heat_capacity, conductivity)?;
        self.prepare_coefficients()
    }

    /// The problem being solved.
    pub fn problem(&self) -> &PennesProblem {
        &self.problem
    }
    /// The configuration.
    pub fn config(&self) -> &LbmConfig {
        &self.config
    }
    /// The smallest and largest relaxation times τ over the cells.
    pub fn tau_range(&self) -> (f64, f64) {
        let cells = (0..self.nx).flat_map(|i| (0..self.ny).map(move |j| (i, j)));
        self.co.tau_range(cells.map(|(i, j)| self.padded(i, j)))
    }
    /// max |ΔT| (°C) over the cells in the last step.
    pub fn last_change(&self) -> f64 {
        self.last_change
    }

    /// Writes the ghost populations that the boundary cells will pull.
    fn fill_ghosts(&mut self) {
        let (nx, ny, py) = (self.nx, self.ny, self.py);
        let w = self.config.moving_weight;
        let dx = self.problem.grid().dx();
        let k = self.problem.conductivity();
        let temp = &self.temperature;
        // A wall heat flux q (W/m²) per step in units of the conserved
        // moment: q δt/(δx (ρc)₀).
        let flux_scale = self.dt / (dx * self.co.rc0);
        // The reply to the population v leaving boundary cell c, whose
        // inward neighbour is `inner` (None on a lattice one cell thick).
        let bc = |b, v, c: usize, inner: Option<usize>, kc| {
            wall_population(
                b,
                v,
                temp[c],
                inner.map(|c2| temp[c2]),
                kc,
                w,
                dx,
                flux_scale,
            )
        };
        let (deep_x, deep_y) = (nx >= 2, ny >= 2);
        let (west, east) = (
            self.problem.boundary(Side::West),
            self.problem.boundary(Side::East),
        );
        let (south, north) = (
            self.problem.boundary(Side::South),
            self.problem.boundary(Side::North),
        );
        let f = &mut self.f;
        for j in 1..=ny {
            let c = py + j;
            let inner = deep_x.then_some(c + py);
            f[1][j] = bc(west, f[3][c], c, inner, k[[0, j - 1]]);
            let c = nx * py + j;
            let inner = deep_x.then(|| c - py);
            f[3][(nx + 1) * py + j] = bc(east, f[1][c], c, inner, k[[nx - 1, j - 1]]);
        }
        for i in 1..=nx {
            let c = i * py + 1;
            let inner = deep_y.then_some(c + 1);
            f[2][i * py] = bc(south, f[4][c], c, inner, k[[i - 1, 0]]);
            let c = i * py + ny;
            let inner = deep_y.then(|| c - 1);
            f[4][i * py + ny + 1] = bc(north, f[2][c], c, inner, k[[i - 1, ny - 1]]);
        }
    }

    fn step_inner(&mut self) -> Result<()> {
        self.fill_ghosts();
        let params = self.co.kernel_params(
            [self.py, 1],
            self.problem.blood_temperature(),
            -4.0 + 20.0 * self.config.moving_weight,
            &self.config,
        );
        let src = [
            &self.f[0][..],
            &self.f[1],
            &self.f[2],
            &self.f[3],
            &self.f[4],
        ];
        let [g0, g1, g2, g3, g4] = &mut self.g;
        let dst: [&mut [f64]; 5] = [g0, g1, g2, g3, g4];
        let stat = sweep(
            self.nx,
            self.py,
            (self.co.linear, self.co.hetero),
            src,
            dst,
            &mut self.temperature,
            &params,
        );
        std::mem::swap(&mut self.f, &mut self.g);
        self.steps += 1;
        self.last_change = stat.max_change;
        if let Some((c, value)) = stat.bad {
            let (i, j) = (c / self.py, c % self.py);
            return Err(BioheatError::Diverged {
                step: self.steps,
                time_s: self.time(),
                cell: crate::CellIndex {
                    i: i - 1,
                    j: j - 1,
                    k: None,
                },
                value,
            });
        }
        Ok(())
    }
}

/// Lattices smaller than this many cells are swept on one thread: below it,
/// dispatching rows to the thread pool costs more than it saves.
#[cfg(feature = "rayon")]
const PARALLEL_MIN_CELLS: usize = 16_384;

/// One step over all interior rows: in parallel with the `rayon` feature on
/// lattices of at least `PARALLEL_MIN_CELLS` (16 384) cells. Each row is written by
/// exactly one task and the reduction is order-independent, so results are
/// identical on any number of threads.
#[allow(clippy::too_many_arguments)]
fn sweep(
    nx: usize,
    py: usize,
    (linear, hetero): (bool, bool),
    src: [&[f64]; 5],
    dst: [&mut [f64]; 5],
    temperature: &mut [f64],
    params: &KernelParams<'_>,
) -> RowStat {
    let [d0, d1, d2, d3, d4] = dst;
    let row = |i: usize,
               r0: &mut [f64],
               r1: &mut [f64],
               r2: &mut [f64],
               r3: &mut [f64],
               r4: &mut [f64],
               rt: &mut [f64]| {
        if i == 0 || i > nx {
            return RowStat::EMPTY;
        }
        match (linear, hetero) {
            (true, false) => {
                stream_collide_row::<true, false>(i, src, r0, r1, r2, r3, r4, rt, params)
            }
            (true, true) => {
                stream_collide_row::<true, true>(i, src, r0, r1, r2, r3, r4, rt, params)
            }
            (false, false) => {
                stream_collide_row::<false, false>(i, src, r0, r1, r2, r3, r4, rt, params)
            }
            (false, true) => {
                stream_collide_row::<false, true>(i, src, r0, r1, r2, r3, r4, rt, params)
            }
        }
    };
    #[cfg(feature = "rayon")]
    if nx * (py - 2) >= PARALLEL_MIN_CELLS {
        use rayon::prelude::*;
        return (
            d0.par_chunks_mut(py),
            d1.par_chunks_mut(py),
            d2.par_chunks_mut(py),
            d3.par_chunks_mut(py),
            d4.par_chunks_mut(py),
            temperature.par_chunks_mut(py),
        )
            .into_par_iter()
            .enumerate()
            .with_min_len(4)
            .map(|(i, (r0, r1, r2, r3, r4, rt))| row(i, r0, r1, r2, r3, r4, rt))
            .reduce(|| RowStat::EMPTY, RowStat::merge);
    }
    d0.chunks_mut(py)
        .zip(d1.chunks_mut(py))
        .zip(d2.chunks_mut(py))
        .zip(d3.chunks_mut(py))
        .zip(d4.chunks_mut(py))
        .zip(temperature.chunks_mut(py))
        .enumerate()
        .map(|(i, (((((r0, r1), r2), r3), r4), rt))| row(i, r0, r1, r2, r3, r4, rt))
        .fold(RowStat::EMPTY, RowStat::merge)
}

impl TransientSolver for LbmSolver {
    fn time_step(&self) -> f64 {
        self.dt
    }
    fn time(&self) -> f64 {
        self.steps as f64 * self.dt
    }
    fn steps(&self) -> usize {
        self.steps
    }
    fn step(&mut self) -> Result<()> {
        self.step_inner()
    }
    fn temperature(&self) -> Array2<f64> {
        Array2::from_shape_fn((self.nx, self.ny), |(i, j)| {
            self.temperature[self.padded(i, j)]
        })
    }
}

impl SteadySolver for LbmSolver {
    /// Marches from `initial_guess` (or the current state: a warm start
    /// after a solve) until max |ΔT| per step falls below the configured
    /// tolerance. A guess starts at equilibrium distributions, so even the
    /// exact solution as a guess takes some steps to rebuild their
    /// non-equilibrium part; a warm start keeps the distributions and needs
    /// none when nothing changed.
    ///
    /// A problem without a steady state to reach
    /// ([`crate::PennesProblem::steady_is_singular`]) is refused at once
    /// with [`BioheatError::SingularSystem`] rather than marched until the
    /// step limit.
    fn solve_steady(&mut self, initial_guess: Option<ArrayView2<f64>>) -> Result<SteadyState> {
        if self.problem.steady_is_singular() {
            return Err(BioheatError::SingularSystem);
        }
        if let Some(guess) = initial_guess {
            self.set_state(guess)?;
        }
        let (tolerance, max_steps) = (self.config.steady_tolerance, self.config.max_steps);
        let (steps, residual) = march_to_steady(
            self,
            Self::step_inner,
            |s| s.last_change,
            tolerance,
            max_steps,
        )?;
        Ok(SteadyState {
            temperature: self.temperature(),
            iterations: steps,
            residual,
        })
    }
}

/// Steps `solver` until `last_change` (max |ΔT| per step, °C) falls below
/// `tolerance`; returns the steps taken and the last change.
///
/// # Errors
/// The step's error, or [`BioheatError::NotConverged`] after `max_steps`.
pub(crate) fn march_to_steady<S>(
    solver: &mut S,
    step: fn(&mut S) -> Result<()>,
    last_change: fn(&S) -> f64,
    tolerance: f64,
    max_steps: usize,
) -> Result<(usize, f64)> {
    let mut steps = 0;
    loop {
        step(solver)?;
        steps += 1;
        let change = last_change(solver);
        if change < tolerance {
            return Ok((steps, change));
        }
        if steps >= max_steps {
            return Err(BioheatError::NotConverged {
                steps,
                last_change: change,
                tolerance,
            });
        }
    }
}
