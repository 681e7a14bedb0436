//! The D3Q7 lattice Boltzmann solver decomposed over MPI ranks: each rank
//! holds a slab of x-planes ([`LbmSolver3::slab`]); before each step it
//! sends its two boundary planes' crossing populations to its neighbours
//! by non-blocking messages and updates its interior planes while they
//! travel, then its two boundary planes. The temperatures are those of one
//! process, bit for bit.
//!
//! Per step a rank sends at most two planes of (ny + 2)(nz + 2) values
//! (8 bytes each) and receives as many, whatever nx; a reduction of two
//! values tells every rank the largest change and whether any rank
//! diverged, so all stop together.

use super::{MpiRanks, Ranks, agree, block, group_error};
use crate::error::{Error, Result};
use lbm_bioheat::{LbmConfig, LbmSolver3, PennesProblem3, TransientSolver};
use mpi::collective::SystemOperation;
use mpi::traits::*;
use ndarray::Array3;
use std::ops::Range;

/// One rank's share of a D3Q7 solve decomposed into x-slabs.
pub struct DistributedLbm3<'a> {
    ranks: &'a MpiRanks,
    slab: LbmSolver3,
    planes: Range<usize>,
    cells: [usize; 3],
    /// The whole lattice's origin (m), for the parallel VTK pieces.
    origin: [f64; 3],
    send: [Vec<f64>; 2],
    receive: [Vec<f64>; 2],
    last_change: f64,
    communication_s: f64,
}

impl std::fmt::Debug for DistributedLbm3<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DistributedLbm3")
            .field("rank", &self.ranks.rank())
            .field("planes", &self.planes)
            .field("cells", &self.cells)
            .finish_non_exhaustive()
    }
}

impl<'a> DistributedLbm3<'a> {
    /// Rank r's slab of `problem`: x-planes in contiguous blocks in rank
    /// order ([`block`]). Collective: every rank calls it with the same
    /// problem and configuration.
    ///
    /// # Errors
    /// Fewer than two x-planes per rank, or as [`LbmSolver3::new`] (on
    /// every rank: the ranks agree before returning).
    pub fn new(problem: &PennesProblem3, config: LbmConfig, ranks: &'a MpiRanks) -> Result<Self> {
        let (nx, ny, nz) = problem.grid().shape();
        let planes = block(nx, ranks.size(), ranks.rank());
        let slab = if nx < 2 * ranks.size() {
            Err(Error::Invalid {
                name: "MPI ranks",
                reason: format!(
                    "{} ranks need at least {} x-planes (two per slab), the lattice has {nx}: \
                     use fewer ranks",
                    ranks.size(),
                    2 * ranks.size()
                ),
            })
        } else {
            LbmSolver3::slab(problem, config, planes.clone()).map_err(Error::from)
        };
        let slab = agree(ranks, slab)?;
        let len = slab.halo_len();
        Ok(Self {
            ranks,
            slab,
            planes,
            cells: [nx, ny, nz],
            origin: problem.grid().origin(),
            send: [vec![0.0; len], vec![0.0; len]],
            receive: [vec![0.0; len], vec![0.0; len]],
            last_change: f64::INFINITY,
            communication_s: 0.0,
        })
    }

    /// This rank's x-planes of the whole lattice.
    pub fn planes(&self) -> Range<usize> {
        self.planes.clone()
    }
    /// This rank's slab solver.
    pub fn slab(&self) -> &LbmSolver3 {
        &self.slab
    }
    /// The largest |ΔT| (°C) over every rank's cells in the last step.
    pub fn last_change(&self) -> f64 {
        self.last_change
    }
    /// Seconds this rank spent waiting for its neighbours' planes and in
    /// the step's reduction (communication not hidden by the interior
    /// update).
    pub fn communication_s(&self) -> f64 {
        self.communication_s
    }
    /// Bytes this rank sends per step (its planes to its neighbours).
    pub fn bytes_sent_per_step(&self) -> usize {
        let [low, high] = self.slab.interfaces();
        (usize::from(low) + usize::from(high)) * self.slab.halo_len() * 8
    }

    /// One time step on every rank. Collective.
    ///
    /// # Errors
    /// A diverged cell on any rank (its own error on that rank,
    /// [`Error::Rank`] on the others), or a failed exchange.
    pub fn step(&mut self) -> Result<()> {
        let world = self.ranks.world()?;
        let rank = self.ranks.rank() as i32;
        let [has_low, has_high] = self.slab.interfaces();
        for (buffer, plane) in self.send.iter_mut().zip(self.slab.halo_send()) {
            buffer.copy_from_slice(plane);
        }
        let slab = &mut self.slab;
        let (send, receive) = (&self.send, &mut self.receive);
        let mut waited = 0.0;
        let interior = mpi::request::scope(|scope| {
            let [receive_low, receive_high] = receive;
            let mut requests = Vec::with_capacity(4);
            if has_low {
                let low = world.process_at_rank(rank - 1);
                requests.push(low.immediate_receive_into(scope, &mut receive_low[..]));
                requests.push(low.immediate_send(scope, &send[0][..]));
            }
            if has_high {
                let high = world.process_at_rank(rank + 1);
                requests.push(high.immediate_receive_into(scope, &mut receive_high[..]));
                requests.push(high.immediate_send(scope, &send[1][..]));
            }
            // The interior planes need nothing from the neighbours.
            let interior = slab.step_interior();
            let start = mpi::time();
            for r in requests {
                r.wait();
            }
            waited = mpi::time() - start;
            interior
        });
        let outcome = interior.and_then(|()| {
            let [low, high] = slab.halo_receive();
            if has_low {
                low.copy_from_slice(&self.receive[0]);
            }
            if has_high {
                high.copy_from_slice(&self.receive[1]);
            }
            slab.step_interface_planes()
        });
        let start = mpi::time();
        // A NaN change (no finite temperature left) counts as +∞: MPI's
        // maximum of a NaN depends on the order of its operands.
        let change = slab.last_change();
        let change = if change.is_nan() {
            f64::INFINITY
        } else {
            change
        };
        let local = [if outcome.is_err() { 1.0 } else { 0.0 }, change];
        let mut global = [0.0f64; 2];
        world.all_reduce_into(&local[..], &mut global[..], SystemOperation::max());
        self.communication_s += waited + mpi::time() - start;
        self.last_change = global[1];
        if global[0] > 0.0 {
            // Every rank takes this branch: share the failure's message.
            agree(self.ranks, outcome.map_err(Error::from))?;
            return Err(group_error("a rank failed without a message"));
        }
        outcome.map_err(Error::from)
    }

    /// Steps `steps` times.
    ///
    /// # Errors
    /// As [`DistributedLbm3::step`].
    pub fn run(&mut self, steps: usize) -> Result<()> {
        for _ in 0..steps {
            self.step()?;
        }
        Ok(())
    }

    /// The whole temperature field (°C) on rank 0 (`None` on the
    /// others), gathered in x order. Collective. Rank 0 then holds the
    /// whole field: for lattices too large for one node's memory, write
    /// the pieces in parallel instead ([`DistributedLbm3::write_pvti`]).
    ///
    /// # Errors
    /// A failed exchange.
    pub fn gather_temperature(&self) -> Result<Option<Array3<f64>>> {
        let local = self.slab.temperature();
        let flat: Vec<f64> = local.iter().copied().collect();
        let Some(all) = self.ranks.gather_f64_to_root(&flat)? else {
            return Ok(None);
        };
        let [nx, ny, nz] = self.cells;
        Array3::from_shape_vec((nx, ny, nz), all)
            .map(Some)
            .map_err(|e| group_error(e.to_string()))
    }

    /// Writes the temperature (°C) as parallel VTK: each rank its slab as
    /// `{stem}_{rank}.vti` in `dir`, then rank 0 `{stem}.pvti`, which
    /// ParaView or VisIt open as one image. Each file is written under a
    /// temporary name, then renamed; the `.pvti` appears only once every
    /// piece is in place (the ranks agree first). Collective.
    ///
    /// # Errors
    /// A file that cannot be written (on any rank: every rank returns an
    /// error), or a failed exchange.
    pub fn write_pvti(&self, dir: &std::path::Path, stem: &str) -> Result<()> {
        let grid = *self.slab.problem().grid();
        let whole_origin = self.origin;
        let [nx, ny, nz] = self.cells;
        let t = self.slab.temperature();
        let piece = lbm_bioheat::output::vti_piece_string(
            &grid,
            &[("temperature_c", &t)],
            [self.planes.start, 0, 0],
            whole_origin,
            self.cells,
        )
        .map_err(Error::from)
        .and_then(|text| {
            let path = dir.join(format!("{stem}_{}.vti", self.ranks.rank()));
            lbm_bioheat::output::write_file_atomic(&path, text.as_bytes()).map_err(Error::from)
        });
        agree(self.ranks, piece)?;
        let pieces: Vec<_> = (0..self.ranks.size())
            .map(|r| {
                let x = block(nx, self.ranks.size(), r);
                ([x, 0..ny, 0..nz], format!("{stem}_{r}.vti"))
            })
            .collect();
        let index = if self.ranks.is_root() {
            lbm_bioheat::output::pvti_string(
                self.cells,
                whole_origin,
                grid.spacing(),
                &["temperature_c"],
                &pieces,
            )
            .map_err(Error::from)
            .and_then(|text| {
                lbm_bioheat::output::write_file_atomic(
                    dir.join(format!("{stem}.pvti")),
                    text.as_bytes(),
                )
                .map_err(Error::from)
            })
        } else {
            Ok(())
        };
        agree(self.ranks, index)
    }
}
