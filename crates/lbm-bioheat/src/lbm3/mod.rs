//! The D3Q7 multiple-relaxation-time lattice Boltzmann solver of the
//! Pennes equation on a [`Grid3`] of cubic cells: the D2Q5 scheme of
//! Jiang et al. 2022 (App. B) carried to three dimensions with the same
//! conservative form for per-cell (ρc) and k (Karani & Huber 2015), the
//! same half-way walls (bounce-back, anti-bounce-back, and bounce-back
//! carrying the second-order Robin flux) and the same divergence
//! detection. Lattice weights w = 1/8 per moving direction and 1/4 at rest
//! ([`LbmConfig::d3q7`]), c_s² = 2w; τ = ½ + (k/(ρc)₀) δt/(c_s² δx²).
//!
//! Streaming pulls from two buffers (the previous step's post-collision
//! populations into the next's); docs/PERFORMANCE.md measures this
//! against in-place streaming.

mod kernel;

use crate::error::{BioheatError, Result};
use crate::grid3::Grid3;
use crate::lattice::{Face, Lattice};
use crate::lbm::coefficients::{Coefficients, choose_time_step, wall_population};
use crate::lbm::kernel::RowStat;
use crate::lbm::{Buffer, LbmConfig};
use crate::problem::{Field, PennesProblem3};
use crate::solver::{SteadySolver, SteadyState, TransientSolver};
use kernel::{Kernel3Params, stream_collide_row3};
use ndarray::{Array3, ArrayView3, Ix3};

/// The D3Q7 LBM solver: owns a [`PennesProblem3`] and the lattice state;
/// implements [`TransientSolver`] and [`SteadySolver`] (marching to a
/// tolerance on max |ΔT| per step) over `Ix3` fields.
#[derive(Clone)]
pub struct LbmSolver3 {
    problem: PennesProblem3,
    config: LbmConfig,
    n: [usize; 3],
    dx: f64,
    /// Padded strides along x and y.
    sx: usize,
    sy: usize,
    dt: f64,
    steps: usize,
    f: [Buffer; 7],
    g: [Buffer; 7],
    temperature: Buffer,
    co: Coefficients,
    last_change: f64,
}

impl std::fmt::Debug for LbmSolver3 {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LbmSolver3")
            .field("cells", &self.n)
            .field("dt", &self.dt)
            .field("steps", &self.steps)
            .field("linear", &self.co.linear)
            .field("last_change", &self.last_change)
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

impl LbmSolver3 {
    /// Bytes one cell update moves on a linear problem, counted like STREAM
    /// and like the D2Q5 figure (no write-allocate traffic): 7 populations
    /// read and 7 written, T read and written, and 1/τ, a and c₁ read:
    /// 19 × 8 = 152 B.
    pub const BYTES_PER_UPDATE_LINEAR: usize = 152;

    /// Prepares the lattice for `problem` with `config` (use
    /// [`LbmConfig::d3q7`]), initialized at the problem's initial
    /// temperature.
    ///
    /// # Errors
    /// [`BioheatError::NonCubicCells`] unless dx = dy = dz; a moving weight
    /// outside (0, 1/6) (the rest population needs a positive weight);
    /// [`BioheatError::UnstableRelaxation`] if a cell's τ would be ≤ ½.
    pub fn new(problem: PennesProblem3, config: LbmConfig) -> Result<Self> {
        let grid = *problem.grid();
        let dx = grid.cubic_spacing().ok_or({
            let [dx, dy, dz] = grid.spacing();
            BioheatError::NonCubicCells {
                solver: "the D3Q7 lattice Boltzmann solver",
                dx,
                dy,
                dz,
            }
        })?;
        let w = config.moving_weight;
        if !(w > 0.0 && w < 1.0 / 6.0) {
            return Err(BioheatError::InvalidParameter {
                name: "D3Q7 moving weight w",
                value: w,
                allowed: "a value in (0, 1/6): use LbmConfig::d3q7() (w = 1/8)",
            });
        }
        let n = grid.extents();
        let (sy, sx) = (n[2] + 2, (n[1] + 2) * (n[2] + 2));
        let len = (n[0] + 2) * sx;
        let mut solver = Self {
            co: Coefficients::new(len, problem.is_linear()),
            problem,
            config,
            n,
            dx,
            sx,
            sy,
            dt: 0.0,
            steps: 0,
            f: std::array::from_fn(|q| Buffer::new(len, q)),
            g: std::array::from_fn(|q| Buffer::new(len, 7 + q)),
            temperature: Buffer::new(len, 14),
            last_change: f64::INFINITY,
        };
        solver.dt = choose_time_step(&solver.config, &solver.problem, dx, solver.cs2());
        solver.prepare_coefficients()?;
        let t0 = solver.problem.initial_temperature().clone();
        solver.set_state(t0.view())?;
        Ok(solver)
    }

    fn cs2(&self) -> f64 {
        2.0 * self.config.moving_weight
    }

    fn padded(&self, [i, j, k]: [usize; 3]) -> usize {
        (i + 1) * self.sx + (j + 1) * self.sy + k + 1
    }

    fn prepare_coefficients(&mut self) -> Result<()> {
        let (sx, sy) = (self.sx, self.sy);
        self.co
            .prepare(&self.problem, self.dt, self.cs2(), self.dx, |[i, j, k]| {
                (i + 1) * sx + (j + 1) * sy + k + 1
            })
    }

    /// Sets the state to the temperature field (°C), with equilibrium
    /// populations (as [`crate::LbmSolver::set_state`]).
    ///
    /// # Errors
    /// A wrong shape or non-finite values.
    pub fn set_state(&mut self, temperature: ArrayView3<f64>) -> Result<()> {
        crate::problem::check_temperature(self.problem.grid(), &temperature)?;
        let w = self.config.moving_weight;
        let tb = self.problem.blood_temperature();
        for ((i, j, k), &t) in temperature.indexed_iter() {
            let c = self.padded([i, j, k]);
            let (rest, moving) = self.co.equilibrium_start(c, t, tb, w, 6.0);
            self.f[0][c] = rest;
            for q in 1..7 {
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
    pub fn set_heat_source(&mut self, heat_source: Array3<f64>) -> Result<()> {
        self.problem.set_heat_source(heat_source)?;
        self.prepare_coefficients()
    }

    /// The problem being solved.
    pub fn problem(&self) -> &PennesProblem3 {
        &self.problem
    }
    /// The configuration.
    pub fn config(&self) -> &LbmConfig {
        &self.config
    }
    /// The smallest and largest relaxation times τ over the cells.
    pub fn tau_range(&self) -> (f64, f64) {
        let [nx, ny, nz] = self.n;
        let cells =
            (0..nx).flat_map(|i| (0..ny).flat_map(move |j| (0..nz).map(move |k| [i, j, k])));
        self.co.tau_range(cells.map(|at| self.padded(at)))
    }
    /// max |ΔT| (°C) over the cells in the last step.
    pub fn last_change(&self) -> f64 {
        self.last_change
    }

    /// Writes the ghost populations that the boundary cells will pull, face
    /// by face: the population leaving the boundary cell through the face
    /// comes back as the wall's reply.
    fn fill_ghosts(&mut self) {
        let w = self.config.moving_weight;
        let dx = self.dx;
        let flux_scale = self.dt / (dx * self.co.rc0);
        let k = self.problem.conductivity();
        let temp = &self.temperature;
        let n = self.n;
        let stride = [self.sx, self.sy, 1];
        for (slot, &face) in Face::ALL.iter().enumerate() {
            let b = self.problem.boundary(face);
            let (axis, high) = (slot / 2, slot % 2 == 1);
            let s = stride[axis];
            // The incoming population's direction (pulled from the ghost)
            // and the outgoing one of the boundary cell.
            let (incoming, outgoing) = (1 + slot, if high { slot } else { 2 + slot });
            let (u, v) = match axis {
                0 => (1, 2),
                1 => (0, 2),
                _ => (0, 1),
            };
            let (f_in, f_out) = pair_mut(&mut self.f, incoming, outgoing);
            for a in 0..n[u] {
                for bb in 0..n[v] {
                    let mut at = [0usize; 3];
                    at[u] = a;
                    at[v] = bb;
                    at[axis] = if high { n[axis] - 1 } else { 0 };
                    let c = (at[0] + 1) * self.sx + (at[1] + 1) * self.sy + at[2] + 1;
                    let (ghost, inner) = if high { (c + s, c - s) } else { (c - s, c + s) };
                    f_in[ghost] = wall_population(
                        b,
                        f_out[c],
                        temp[c],
                        Some(temp[inner]),
                        k[at],
                        w,
                        dx,
                        flux_scale,
                    );
                }
            }
        }
    }

    fn step_inner(&mut self) -> Result<()> {
        self.fill_ghosts();
        let params = Kernel3Params {
            sx: self.sx,
            sy: self.sy,
            omega: &self.co.omega,
            ratio: &self.co.ratio,
            perfusion: &self.co.kernel_a,
            source: &self.co.kernel_b,
            labels: &self.co.labels,
            models: &self.co.models,
            t_blood: self.problem.blood_temperature(),
            varpi: -6.0 + 42.0 * self.config.moving_weight,
            s_e: self.config.s_e,
            s_q: self.config.s_q,
            limit: self.config.temperature_limit,
        };
        let src: [&[f64]; 7] = std::array::from_fn(|q| &self.f[q][..]);
        let [g0, g1, g2, g3, g4, g5, g6] = &mut self.g;
        let dst: [&mut [f64]; 7] = [g0, g1, g2, g3, g4, g5, g6];
        let stat = sweep(
            self.n,
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
            let (i, rest) = (c / self.sx, c % self.sx);
            let (j, k) = (rest / self.sy, rest % self.sy);
            return Err(BioheatError::Diverged {
                step: self.steps,
                time_s: self.time(),
                cell: crate::CellIndex {
                    i: i - 1,
                    j: j - 1,
                    k: Some(k - 1),
                },
                value,
            });
        }
        Ok(())
    }
}

/// Mutable borrows of two different buffers.
fn pair_mut(f: &mut [Buffer; 7], a: usize, b: usize) -> (&mut Buffer, &Buffer) {
    assert_ne!(a, b, "two different directions");
    if a < b {
        let (lo, hi) = f.split_at_mut(b);
        (&mut lo[a], &hi[0])
    } else {
        let (lo, hi) = f.split_at_mut(a);
        (&mut hi[0], &lo[b])
    }
}

/// Lattices with at least this many cells step their x-planes on the rayon
/// pool (with the `rayon` feature).
#[cfg(feature = "rayon")]
const PARALLEL_MIN_CELLS: usize = 16_384;

/// One step over all interior x-planes, in parallel on large lattices.
/// Each plane is written by one task and the reduction does not depend on
/// the order, so results are identical on any number of threads.
fn sweep(
    n: [usize; 3],
    (linear, hetero): (bool, bool),
    src: [&[f64]; 7],
    dst: [&mut [f64]; 7],
    temperature: &mut [f64],
    p: &Kernel3Params<'_>,
) -> RowStat {
    let (sx, sy, nz) = (p.sx, p.sy, n[2]);
    // Plane pi (padded) of every destination buffer and of T.
    let plane = |pi: usize, d: [&mut [f64]; 7], t: &mut [f64]| -> RowStat {
        if pi == 0 || pi > n[0] {
            return RowStat::EMPTY;
        }
        let mut stat = RowStat::EMPTY;
        let [d0, d1, d2, d3, d4, d5, d6] = d;
        for pj in 1..=n[1] {
            let off = pj * sy + 1;
            let row: [&mut [f64]; 7] = [
                &mut d0[off..off + nz],
                &mut d1[off..off + nz],
                &mut d2[off..off + nz],
                &mut d3[off..off + nz],
                &mut d4[off..off + nz],
                &mut d5[off..off + nz],
                &mut d6[off..off + nz],
            ];
            let tr = &mut t[off..off + nz];
            let base = pi * sx + off;
            let s = match (linear, hetero) {
                (true, false) => stream_collide_row3::<true, false>(base, nz, src, row, tr, p),
                (true, true) => stream_collide_row3::<true, true>(base, nz, src, row, tr, p),
                (false, false) => stream_collide_row3::<false, false>(base, nz, src, row, tr, p),
                (false, true) => stream_collide_row3::<false, true>(base, nz, src, row, tr, p),
            };
            stat = stat.merge(s);
        }
        stat
    };
    let [d0, d1, d2, d3, d4, d5, d6] = dst;
    #[cfg(feature = "rayon")]
    if n.iter().product::<usize>() >= PARALLEL_MIN_CELLS {
        use rayon::prelude::*;
        return (
            d0.par_chunks_mut(sx),
            d1.par_chunks_mut(sx),
            d2.par_chunks_mut(sx),
            d3.par_chunks_mut(sx),
            d4.par_chunks_mut(sx),
            d5.par_chunks_mut(sx),
            d6.par_chunks_mut(sx),
            temperature.par_chunks_mut(sx),
        )
            .into_par_iter()
            .enumerate()
            .map(|(pi, (a, b, c, d, e, f, g, t))| plane(pi, [a, b, c, d, e, f, g], t))
            .reduce(|| RowStat::EMPTY, RowStat::merge);
    }
    d0.chunks_mut(sx)
        .zip(d1.chunks_mut(sx))
        .zip(d2.chunks_mut(sx))
        .zip(d3.chunks_mut(sx))
        .zip(d4.chunks_mut(sx))
        .zip(d5.chunks_mut(sx))
        .zip(d6.chunks_mut(sx))
        .zip(temperature.chunks_mut(sx))
        .enumerate()
        .map(|(pi, (((((((a, b), c), d), e), f), g), t))| plane(pi, [a, b, c, d, e, f, g], t))
        .fold(RowStat::EMPTY, RowStat::merge)
}

impl TransientSolver<Ix3> for LbmSolver3 {
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
    fn temperature(&self) -> Field<Grid3> {
        Array3::from_shape_fn((self.n[0], self.n[1], self.n[2]), |(i, j, k)| {
            self.temperature[self.padded([i, j, k])]
        })
    }
}

impl SteadySolver<Ix3> for LbmSolver3 {
    /// Marches from `initial_guess` (or the current state) until
    /// max |ΔT| per step falls below the configured tolerance, as
    /// [`crate::LbmSolver`] does.
    fn solve_steady(&mut self, initial_guess: Option<ArrayView3<f64>>) -> Result<SteadyState<Ix3>> {
        if let Some(guess) = initial_guess {
            self.set_state(guess)?;
        }
        let (tolerance, max_steps) = (self.config.steady_tolerance, self.config.max_steps);
        let (steps, residual) = crate::lbm::march_to_steady(
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
