//! The D3Q7 multiple-relaxation-time lattice Boltzmann solver of the
//! Pennes equation on a [`Grid3`] of cubic cells: the D2Q5 scheme of
//! Jiang et al. 2022 (App. B) carried to three dimensions with the same
//! conservative form for per-cell (ρc) and k (Karani & Huber 2015), the
//! same half-way walls (bounce-back, anti-bounce-back, and bounce-back
//! carrying the second-order Robin flux) and the same divergence
//! detection. Lattice weights w = 1/8 per moving direction and 1/4 at rest
//! ([`LbmConfig::d3q7`]), c_s² = 2w; τ = ½ + (k/(ρc)₀) δt/(c_s² δx²).
//!
//! Streaming is in place by default, by the AA pattern (Bailey et al.
//! 2009): one set of populations, two kinds of step in turn — one reads
//! and writes each cell's own populations (swapping opposite directions),
//! the next reads its neighbours' and writes to them — so a step moves no
//! more data than it must and the populations take half the memory of two
//! buffers ([`Streaming::TwoBuffers`], the classic pull into a second set,
//! is kept: docs/PERFORMANCE.md measures both). The two give identical
//! results, bit for bit.

mod kernel;
mod slab;

use slab::slab_order_error;

use crate::error::{BioheatError, Result};
use crate::grid3::Grid3;
use crate::lattice::{Face, Lattice};
use crate::lbm::coefficients::{Coefficients, choose_time_step, wall_population};
use crate::lbm::kernel::KernelParams;
use crate::lbm::kernel::RowStat;
use crate::lbm::{Buffer, LbmConfig};
use crate::problem::{Field, PennesProblem3};
use crate::solver::{SteadySolver, SteadyState, TransientSolver};
use kernel::collide_row3;
use ndarray::{Array3, ArrayView3, Ix3};

/// How the D3Q7 solver streams its populations.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Streaming {
    /// Pull from the previous step's post-collision populations into a
    /// second set, then swap the sets: 14 population arrays.
    TwoBuffers,
    /// In place by the AA pattern: 7 population arrays, steps alternating
    /// between a cell-local one and a neighbour-to-neighbour one.
    #[default]
    InPlaceAa,
}

/// The direction opposite each D3Q7 direction (0 rest, 1 +x, 2 −x, 3 +y,
/// 4 −y, 5 +z, 6 −z).
const OPPOSITE: [usize; 7] = [0, 2, 1, 4, 3, 6, 5];

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
    streaming: Streaming,
    /// AA pattern: the populations are in the swapped post-collision
    /// layout (direction q of cell c at f[opposite q][c]); the next step
    /// reads the neighbours'. Two buffers: f holds the post-collision
    /// populations, g is scratch.
    odd: bool,
    f: [Buffer; 7],
    g: [Buffer; 7],
    temperature: Buffer,
    /// Per x-plane scratch for the AA steps' row copies (7 rows of nz).
    scratch: Vec<f64>,
    co: Coefficients,
    last_change: f64,
    /// A slab of a decomposition along x ([`LbmSolver3::slab`]): whether
    /// its low and high x-faces are interfaces with neighbouring slabs
    /// rather than walls, and the global index of its first plane.
    interfaces: [bool; 2],
    x0: usize,
    /// A slab's step in progress: the interior planes' report.
    pending: Option<RowStat>,
}

impl std::fmt::Debug for LbmSolver3 {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LbmSolver3")
            .field("cells", &self.n)
            .field("dt", &self.dt)
            .field("steps", &self.steps)
            .field("streaming", &self.streaming)
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
        Self::with_streaming(problem, config, Streaming::default())
    }

    /// [`LbmSolver3::new`] with the streaming scheme `streaming`.
    ///
    /// # Errors
    /// As [`LbmSolver3::new`].
    pub fn with_streaming(
        problem: PennesProblem3,
        config: LbmConfig,
        streaming: Streaming,
    ) -> Result<Self> {
        Self::build(problem, config, streaming, None, [false; 2], 0)
    }

    /// The solver of `problem`, which is the x-planes from `x0` of a whole
    /// problem when `whole` gives the whole's (ρc)₀ and heterogeneity, and
    /// whose x-faces are interfaces where `interfaces` says so.
    fn build(
        problem: PennesProblem3,
        config: LbmConfig,
        streaming: Streaming,
        whole: Option<(f64, bool)>,
        interfaces: [bool; 2],
        x0: usize,
    ) -> Result<Self> {
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
            streaming,
            odd: true,
            f: std::array::from_fn(|q| Buffer::new(len, q)),
            g: std::array::from_fn(|q| {
                Buffer::new(
                    if streaming == Streaming::TwoBuffers {
                        len
                    } else {
                        0
                    },
                    7 + q,
                )
            }),
            temperature: Buffer::new(len, 14),
            scratch: vec![0.0; (n[0] + 2) * 7 * n[2]],
            last_change: f64::INFINITY,
            interfaces,
            x0,
            pending: None,
        };
        solver.co.whole_reference = whole;
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
    /// populations (as [`crate::LbmSolver::set_state`]). The moving
    /// populations are equal, so the post-collision layout of either
    /// streaming scheme holds the same values.
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
        self.odd = true;
        self.last_change = f64::INFINITY;
        Ok(())
    }

    /// The streaming scheme.
    pub fn streaming(&self) -> Streaming {
        self.streaming
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

    /// Applies the walls before a step, face by face: the population that
    /// left each boundary cell through the face comes back as the wall's
    /// reply (see [`Ghosts`] for where each scheme keeps them).
    fn fill_ghosts(&mut self, mode: Ghosts) {
        let w = self.config.moving_weight;
        let dx = self.dx;
        let flux_scale = self.dt / (dx * self.co.rc0);
        let k = self.problem.conductivity();
        let temp = &self.temperature;
        let n = self.n;
        let stride = [self.sx, self.sy, 1];
        for (slot, &face) in Face::ALL.iter().enumerate() {
            if slot < 2 && self.interfaces[slot] {
                // A neighbouring slab's planes, not a wall.
                continue;
            }
            let b = self.problem.boundary(face);
            let (axis, high) = (slot / 2, slot % 2 == 1);
            let s = stride[axis];
            // The direction entering the domain through the face, and the
            // one leaving it.
            let (incoming, outgoing) = (1 + slot, if high { slot } else { 2 + slot });
            let (u, v) = match axis {
                0 => (1, 2),
                1 => (0, 2),
                _ => (0, 1),
            };
            // (slot, in the ghost?) of the leaving population read and of
            // the reply written.
            let ((read, read_ghost), (write, write_ghost)) = match mode {
                Ghosts::Pull => ((outgoing, false), (incoming, true)),
                Ghosts::BeforeNeighbourStep => ((incoming, false), (outgoing, true)),
                Ghosts::BeforeLocalStep => ((outgoing, true), (incoming, false)),
            };
            let (f_write, f_read) = pair_mut(&mut self.f, write, read);
            for a in 0..n[u] {
                for bb in 0..n[v] {
                    let mut at = [0usize; 3];
                    at[u] = a;
                    at[v] = bb;
                    at[axis] = if high { n[axis] - 1 } else { 0 };
                    let c = (at[0] + 1) * self.sx + (at[1] + 1) * self.sy + at[2] + 1;
                    let (ghost, inner) = if high { (c + s, c - s) } else { (c - s, c + s) };
                    let at_cell = |in_ghost: bool| if in_ghost { ghost } else { c };
                    f_write[at_cell(write_ghost)] = wall_population(
                        b,
                        f_read[at_cell(read_ghost)],
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
        if self.interfaces.contains(&true) {
            return Err(slab_order_error());
        }
        let mode = match (self.streaming, self.odd) {
            (Streaming::TwoBuffers, _) => Ghosts::Pull,
            (Streaming::InPlaceAa, true) => Ghosts::BeforeNeighbourStep,
            (Streaming::InPlaceAa, false) => Ghosts::BeforeLocalStep,
        };
        self.fill_ghosts(mode);
        if mode == Ghosts::Pull {
            let stat = self.sweep_pull_planes(&|_| true);
            std::mem::swap(&mut self.f, &mut self.g);
            return self.finish_step(stat);
        }
        let params = d3q7_params(&self.co, [self.sx, self.sy], &self.problem, &self.config);
        let kind = (self.co.linear, self.co.hetero);
        let [f0, f1, f2, f3, f4, f5, f6] = &mut self.f;
        let f: [&mut [f64]; 7] = [f0, f1, f2, f3, f4, f5, f6];
        let (t, scratch) = (&mut self.temperature, &mut self.scratch);
        let stat = if mode == Ghosts::BeforeLocalStep {
            sweep_local(self.n, kind, f, t, scratch, &params)
        } else {
            sweep_neighbours(self.n, kind, f, t, scratch, &params)
        };
        self.finish_step(stat)
    }

    /// The pull sweep over the padded planes `active` selects.
    pub(super) fn sweep_pull_planes(&mut self, active: &(dyn Fn(usize) -> bool + Sync)) -> RowStat {
        let params = d3q7_params(&self.co, [self.sx, self.sy], &self.problem, &self.config);
        let kind = (self.co.linear, self.co.hetero);
        let src: [&[f64]; 7] = std::array::from_fn(|q| &self.f[q][..]);
        let [g0, g1, g2, g3, g4, g5, g6] = &mut self.g;
        let dst: [&mut [f64]; 7] = [g0, g1, g2, g3, g4, g5, g6];
        sweep_pull(
            self.n,
            kind,
            src,
            dst,
            &mut self.temperature,
            &mut self.scratch,
            &params,
            active,
        )
    }

    /// Counts a finished step with its report `stat`: the largest change,
    /// and a diverged cell (by its index in the whole lattice) as an error.
    fn finish_step(&mut self, stat: RowStat) -> Result<()> {
        if self.streaming == Streaming::InPlaceAa {
            self.odd = !self.odd;
        }
        self.steps += 1;
        self.last_change = stat.max_change;
        if let Some((c, value)) = stat.bad {
            let (i, rest) = (c / self.sx, c % self.sx);
            let (j, k) = (rest / self.sy, rest % self.sy);
            return Err(BioheatError::Diverged {
                step: self.steps,
                time_s: self.time(),
                cell: crate::CellIndex {
                    i: i - 1 + self.x0,
                    j: j - 1,
                    k: Some(k - 1),
                },
                value,
            });
        }
        Ok(())
    }
}

/// What the D3Q7 kernel reads besides the populations, for padded
/// `strides`: the energy moment's ϖ = −6 + 42w.
fn d3q7_params<'a>(
    co: &'a Coefficients,
    strides: [usize; 2],
    problem: &PennesProblem3,
    config: &LbmConfig,
) -> KernelParams<'a> {
    co.kernel_params(
        strides,
        problem.blood_temperature(),
        -6.0 + 42.0 * config.moving_weight,
        config,
    )
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

/// Where each scheme keeps the populations leaving through a wall and the
/// walls' replies, written before the step that reads them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Ghosts {
    /// Two buffers: the leaving population is the boundary cell's
    /// post-collision one; the reply goes to the ghost cell, where the pull
    /// reads it.
    Pull,
    /// AA, before the neighbour-to-neighbour step: as `Pull`, in the
    /// swapped layout (the leaving population at the incoming direction's
    /// slot of the cell, the reply at the outgoing one's of the ghost).
    BeforeNeighbourStep,
    /// AA, before the cell-local step: the previous step pushed the
    /// leaving population into the ghost; the reply goes straight into the
    /// boundary cell's incoming slot.
    BeforeLocalStep,
}

/// Lattices with at least this many cells step their x-planes on the rayon
/// pool (with the `rayon` feature).
#[cfg(feature = "rayon")]
const PARALLEL_MIN_CELLS: usize = 16_384;

/// Runs `plane(pi, chunks of the 7 arrays and of T)` for every padded
/// x-plane, in parallel on large lattices. Each plane is written by one
/// task and the reduction does not depend on the order, so results are
/// identical on any number of threads.
#[allow(clippy::too_many_arguments)]
fn for_planes<F>(
    n: [usize; 3],
    sx: usize,
    arrays: [&mut [f64]; 7],
    t: &mut [f64],
    scratch: &mut [f64],
    active: &(dyn Fn(usize) -> bool + Sync),
    plane: F,
) -> RowStat
where
    F: Fn(usize, [&mut [f64]; 7], &mut [f64], &mut [f64]) -> RowStat + Sync,
{
    let [d0, d1, d2, d3, d4, d5, d6] = arrays;
    let local = 7 * n[2];
    let run = |pi: usize, d: [&mut [f64]; 7], t: &mut [f64], scratch: &mut [f64]| {
        if pi == 0 || pi > n[0] || !active(pi) {
            RowStat::EMPTY
        } else {
            plane(pi, d, t, scratch)
        }
    };
    #[cfg(feature = "rayon")]
    if n.iter().product::<usize>() >= PARALLEL_MIN_CELLS {
        use rayon::prelude::*;
        return (
            (
                d0.par_chunks_mut(sx),
                d1.par_chunks_mut(sx),
                d2.par_chunks_mut(sx),
                d3.par_chunks_mut(sx),
                d4.par_chunks_mut(sx),
                d5.par_chunks_mut(sx),
                d6.par_chunks_mut(sx),
            ),
            t.par_chunks_mut(sx),
            scratch.par_chunks_mut(local),
        )
            .into_par_iter()
            .enumerate()
            .map(|(pi, ((a, b, c, d, e, f, g), t, w))| run(pi, [a, b, c, d, e, f, g], t, w))
            .reduce(|| RowStat::EMPTY, RowStat::merge);
    }
    d0.chunks_mut(sx)
        .zip(d1.chunks_mut(sx))
        .zip(d2.chunks_mut(sx))
        .zip(d3.chunks_mut(sx))
        .zip(d4.chunks_mut(sx))
        .zip(d5.chunks_mut(sx))
        .zip(d6.chunks_mut(sx))
        .zip(t.chunks_mut(sx))
        .zip(scratch.chunks_mut(local))
        .enumerate()
        .map(|(pi, ((((((((a, b), c), d), e), f), g), t), w))| run(pi, [a, b, c, d, e, f, g], t, w))
        .fold(RowStat::EMPTY, RowStat::merge)
}

/// The windows [off, off + len) of the seven arrays of a plane.
fn rows<'a>(d: &'a mut [&mut [f64]; 7], off: usize, len: usize) -> [&'a mut [f64]; 7] {
    d.each_mut().map(|a| &mut a[off..off + len])
}

/// The seven rows of `nz` cells copied into a plane's scratch.
fn local_rows(local: &[f64], nz: usize) -> [&[f64]; 7] {
    std::array::from_fn(|q| &local[q * nz..(q + 1) * nz])
}

/// The padded-index offset e_q of each direction, for strides `sx`, `sy`.
fn offsets(sx: usize, sy: usize) -> [isize; 7] {
    let (sx, sy) = (sx as isize, sy as isize);
    [0, sx, -sx, sy, -sy, 1, -1]
}

/// Two buffers: every cell of the padded x-planes `active` selects pulls
/// its populations from its neighbours in `src` and writes the
/// post-collision ones to its own cell in `dst`.
#[allow(clippy::too_many_arguments)]
fn sweep_pull(
    n: [usize; 3],
    kind: (bool, bool),
    src: [&[f64]; 7],
    dst: [&mut [f64]; 7],
    temperature: &mut [f64],
    scratch: &mut [f64],
    p: &KernelParams<'_>,
    active: &(dyn Fn(usize) -> bool + Sync),
) -> RowStat {
    let ([sx, sy], nz) = (p.strides, n[2]);
    // e_q as an offset: direction q comes from c − e_q.
    let e = offsets(sx, sy);
    for_planes(
        n,
        sx,
        dst,
        temperature,
        scratch,
        active,
        |pi, mut d, t, _| {
            let mut stat = RowStat::EMPTY;
            for pj in 1..=n[1] {
                let off = pj * sy + 1;
                let base = pi * sx + off;
                let input: [&[f64]; 7] = std::array::from_fn(|q| {
                    let from = (base as isize - e[q]) as usize;
                    &src[q][from..from + nz]
                });
                let output = rows(&mut d, off, nz);
                let tr = &mut t[off..off + nz];
                stat = stat.merge(collide_row3(kind, base, nz, input, output, tr, p));
            }
            stat
        },
    )
}

/// AA, the cell-local step: every cell reads its own (streamed)
/// populations and writes the post-collision ones to its own cell, each to
/// the opposite direction's array.
fn sweep_local(
    n: [usize; 3],
    kind: (bool, bool),
    f: [&mut [f64]; 7],
    temperature: &mut [f64],
    scratch: &mut [f64],
    p: &KernelParams<'_>,
) -> RowStat {
    let ([sx, sy], nz) = (p.strides, n[2]);
    for_planes(
        n,
        sx,
        f,
        temperature,
        scratch,
        &|_| true,
        |pi, mut d, t, local| {
            let mut stat = RowStat::EMPTY;
            for pj in 1..=n[1] {
                let off = pj * sy + 1;
                let own = rows(&mut d, off, nz);
                for (copy, row) in local.chunks_exact_mut(nz).zip(&own) {
                    copy.copy_from_slice(row);
                }
                let input = local_rows(local, nz);
                let [o0, o1, o2, o3, o4, o5, o6] = own;
                // Direction q's post-collision population goes to the array of
                // the opposite direction.
                let output = [o0, o2, o1, o4, o3, o6, o5];
                let tr = &mut t[off..off + nz];
                stat = stat.merge(collide_row3(kind, pi * sx + off, nz, input, output, tr, p));
            }
            stat
        },
    )
}

/// The seven population arrays as raw pointers, for the AA pattern's
/// neighbour step, whose rows read and write windows of their neighbours'
/// rows (see [`sweep_neighbours`] for why no two rows touch the same
/// element).
#[derive(Clone, Copy)]
struct SharedArrays([*mut f64; 7]);
// SAFETY: the pointers are only dereferenced by `sweep_neighbours`, whose
// rows access pairwise disjoint elements (proved there); sharing the
// addresses between threads is then free of data races.
unsafe impl Send for SharedArrays {}
// SAFETY: as for `Send`.
unsafe impl Sync for SharedArrays {}

/// AA, the neighbour step: every cell reads direction q from the opposite
/// array of the cell behind it (c − e_q), where the local step left it, and
/// writes its post-collision direction q to the array of q at the cell
/// ahead (c + e_q), where the next local step reads it.
///
/// Element ownership: f[q̄][c − e_q] (q̄ the opposite of q) is read by cell
/// c (as its direction q) and by no other cell, and written by cell c only
/// (its direction q̄ goes to f[q̄][c + e_q̄] = f[q̄][c − e_q]); the rest
/// population f[0][c] is cell c's. So each element of the arrays belongs
/// to exactly one cell, and a row of cells to exactly one task: rows can
/// run in any order, on any thread. Each row copies its inputs into a
/// local buffer before writing, so a cell's read precedes its write.
fn sweep_neighbours(
    n: [usize; 3],
    kind: (bool, bool),
    f: [&mut [f64]; 7],
    temperature: &mut [f64],
    scratch: &mut [f64],
    p: &KernelParams<'_>,
) -> RowStat {
    let ([sx, sy], nz) = (p.strides, n[2]);
    let len = f[0].len();
    let shared = SharedArrays(f.map(|a| a.as_mut_ptr()));
    let e = offsets(sx, sy);
    let plane = |pi: usize, t: &mut [f64], local: &mut [f64]| -> RowStat {
        let arrays = shared;
        let mut stat = RowStat::EMPTY;
        for pj in 1..=n[1] {
            let off = pj * sy + 1;
            let base = pi * sx + off;
            for (q, copy) in local.chunks_exact_mut(nz).enumerate() {
                let from = (base as isize - e[q]) as usize;
                assert!(from + nz <= len);
                // SAFETY: the window [from, from + nz) lies in the array
                // (checked above; `from` ≥ 0 as the row is interior), and its
                // elements belong to this row's cells alone (the ownership
                // argument above), so no other thread writes them now.
                let src =
                    unsafe { std::slice::from_raw_parts(arrays.0[OPPOSITE[q]].add(from), nz) };
                copy.copy_from_slice(src);
            }
            let input = local_rows(local, nz);
            let output: [&mut [f64]; 7] = std::array::from_fn(|q| {
                let to = (base as isize + e[q]) as usize;
                assert!(to + nz <= len);
                // SAFETY: in the array (checked), owned by this row's cells
                // (as above), and the seven windows lie in seven different
                // arrays, so these mutable slices alias nothing; the row's
                // reads of them finished (copied) above.
                unsafe { std::slice::from_raw_parts_mut(arrays.0[q].add(to), nz) }
            });
            let tr = &mut t[off..off + nz];
            stat = stat.merge(collide_row3(kind, base, nz, input, output, tr, p));
        }
        stat
    };
    let run = |(pi, (t, local)): (usize, (&mut [f64], &mut [f64]))| {
        if pi == 0 || pi > n[0] {
            RowStat::EMPTY
        } else {
            plane(pi, t, local)
        }
    };
    #[cfg(feature = "rayon")]
    if n.iter().product::<usize>() >= PARALLEL_MIN_CELLS {
        use rayon::prelude::*;
        return temperature
            .par_chunks_mut(sx)
            .zip(scratch.par_chunks_mut(7 * nz))
            .enumerate()
            .map(run)
            .reduce(|| RowStat::EMPTY, RowStat::merge);
    }
    temperature
        .chunks_mut(sx)
        .zip(scratch.chunks_mut(7 * nz))
        .enumerate()
        .map(run)
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
    /// [`crate::LbmSolver`] does, and refuses a problem without a steady
    /// state as it does ([`BioheatError::SingularSystem`]).
    fn solve_steady(&mut self, initial_guess: Option<ArrayView3<f64>>) -> Result<SteadyState<Ix3>> {
        if self.problem.steady_is_singular() {
            return Err(BioheatError::SingularSystem);
        }
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
