//! Runs spread over processes: each of a group's ranks evaluates its share
//! of a batch (a swarm's generation, Monte Carlo samples, Saltelli points)
//! and every rank receives every result, so each continues with the same
//! state. With the `mpi` feature the group is an MPI communicator
//! (`MpiRanks`, over the system's MPI library through rsmpi); without it
//! (and by default) it is this process alone ([`SingleProcess`]).
//!
//! The results are the same bits on any number of ranks: a batch's slot i
//! is evaluated by one rank, from state owned by slot i alone (its cold
//! start, or its own warm start kept by the rank that always evaluates
//! it), and the ranks' shares are gathered in slot order. The rank owning
//! slot i is fixed by the batch size ([`block`]), so a particle's warm
//! start stays on one rank for the whole run.
//!
//! A failed slot ends the batch on every rank with the same slot: the
//! lowest failed index over all ranks. Its own rank returns the typed
//! error; the others return [`Error::Rank`] with that error's message, so
//! no rank waits for a result that never comes.
//!
//! ```
//! use mnp_suite::distributed::{Ranks, SingleProcess, block};
//! let one = SingleProcess;
//! assert_eq!((one.rank(), one.size()), (0, 1));
//! // 20 particles over 3 ranks: 7, 7 and 6.
//! assert_eq!(block(20, 3, 0), 0..7);
//! assert_eq!(block(20, 3, 2), 14..20);
//! ```

#[cfg(feature = "mpi")]
mod lbm3;
#[cfg(feature = "mpi")]
mod mpi_ranks;
mod share;

#[cfg(feature = "mpi")]
pub use lbm3::DistributedLbm3;
#[cfg(feature = "mpi")]
pub use mpi_ranks::MpiRanks;
pub use share::{SlotFailure, Wire, map_on};

use crate::error::{Error, Result};
use std::ops::Range;

/// A group of processes sharing work: this process is rank
/// [`rank`](Ranks::rank) of [`size`](Ranks::size). Every rank must make the
/// same calls in the same order (they are collective).
pub trait Ranks: Sync {
    /// This process's rank, 0 ≤ rank < size.
    fn rank(&self) -> usize;
    /// The number of ranks (≥ 1).
    fn size(&self) -> usize;
    /// Every rank's `local` values concatenated in rank order, on every
    /// rank; the ranks' lengths may differ.
    ///
    /// # Errors
    /// The transport's own (a call from a thread that may not communicate).
    fn all_gather_f64(&self, local: &[f64]) -> Result<Vec<f64>>;
    /// Every rank's `local` bytes, one vector per rank, on every rank.
    ///
    /// # Errors
    /// As [`Ranks::all_gather_f64`].
    fn all_gather_bytes(&self, local: &[u8]) -> Result<Vec<Vec<u8>>>;
    /// Seconds this rank has spent in collective calls so far (waiting
    /// for the slowest rank included): 0 for one process.
    fn communication_s(&self) -> f64 {
        0.0
    }
    /// The ranks on this rank's machine (sharing its memory), this one
    /// included, in rank order. Collective.
    ///
    /// # Errors
    /// As [`Ranks::all_gather_f64`].
    fn node_ranks(&self) -> Result<Vec<usize>> {
        Ok(vec![self.rank()])
    }
    /// Whether this is rank 0, the one that prints and writes files.
    fn is_root(&self) -> bool {
        self.rank() == 0
    }
}

/// This process alone: rank 0 of 1.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SingleProcess;

impl Ranks for SingleProcess {
    fn rank(&self) -> usize {
        0
    }
    fn size(&self) -> usize {
        1
    }
    fn all_gather_f64(&self, local: &[f64]) -> Result<Vec<f64>> {
        Ok(local.to_vec())
    }
    fn all_gather_bytes(&self, local: &[u8]) -> Result<Vec<Vec<u8>>> {
        Ok(vec![local.to_vec()])
    }
}

/// The slots [start, end) of `count` that rank `rank` of `size` owns:
/// contiguous blocks in rank order, the first `count mod size` ranks one
/// slot larger. A rank beyond `count` owns none.
pub fn block(count: usize, size: usize, rank: usize) -> Range<usize> {
    let size = size.max(1);
    let (base, extra) = (count / size, count % size);
    let start = rank * base + rank.min(extra);
    let end = start + base + usize::from(rank < extra);
    start.min(count)..end.min(count)
}

/// Every rank's outcome of a step it took alone (rank 0 preparing the
/// output folder, say), shared so that all ranks go on or all stop: this
/// rank's error, else the first other rank's as [`Error::Rank`], else
/// this rank's value. Collective.
///
/// # Errors
/// This rank's error, another rank's, or a failed exchange.
pub fn agree<T>(ranks: &dyn Ranks, outcome: Result<T>) -> Result<T> {
    if ranks.size() == 1 {
        return outcome;
    }
    let report = match &outcome {
        Ok(_) => Vec::new(),
        Err(e) => [&[1u8][..], e.to_string().as_bytes()].concat(),
    };
    let all = ranks.all_gather_bytes(&report)?;
    let value = outcome?;
    match all.iter().enumerate().find(|(_, m)| !m.is_empty()) {
        Some((rank, m)) => Err(Error::Rank {
            rank,
            message: String::from_utf8_lossy(&m[1..]).into_owned(),
        }),
        None => Ok(value),
    }
}

/// The ranks of a command: an MPI job's (`--mpi`, with the `mpi` feature)
/// or this process alone.
///
/// # Errors
/// `--mpi` without the `mpi` feature, or MPI failing to start.
pub fn command_ranks(mpi: bool) -> Result<Box<dyn Ranks>> {
    if !mpi {
        return Ok(Box::new(SingleProcess));
    }
    #[cfg(feature = "mpi")]
    {
        Ok(Box::new(MpiRanks::initialize()?))
    }
    #[cfg(not(feature = "mpi"))]
    Err(Error::Invalid {
        name: "--mpi",
        reason: "this build has no MPI: build with `--features mpi` (needs an MPI library, \
                 e.g. Debian's libopenmpi-dev and openmpi-bin, and libclang-dev)"
            .into(),
    })
}

/// How many of a batch's `units` the ranks `node` (those on one machine,
/// [`Ranks::node_ranks`]) hold together, of `size` ranks in all: what the
/// machine's memory must hold of a run shared by blocks.
pub fn units_on(node: &[usize], units: usize, size: usize) -> usize {
    node.iter().map(|&r| block(units, size, r).len()).sum()
}

/// An error about the group itself (not about a slot's evaluation).
pub(crate) fn group_error(reason: impl Into<String>) -> Error {
    Error::Invalid {
        name: "MPI ranks",
        reason: reason.into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_cover_every_slot_once_in_order() {
        for count in 0..30 {
            for size in 1..9 {
                let mut next = 0;
                for rank in 0..size {
                    let b = block(count, size, rank);
                    assert_eq!(b.start, next, "count {count}, size {size}, rank {rank}");
                    assert!(b.len() == count / size || b.len() == count / size + 1);
                    next = b.end;
                }
                assert_eq!(next, count);
            }
        }
        // More ranks than slots: the last ranks own nothing.
        assert_eq!(block(2, 4, 3), 2..2);
    }

    #[test]
    fn a_machine_holds_its_ranks_blocks() {
        // 20 particles over 6 ranks (4, 4, 3, 3, 3, 3), two machines.
        assert_eq!(units_on(&[0, 1, 2], 20, 6), 11);
        assert_eq!(units_on(&[3, 4, 5], 20, 6), 9);
        // One process holds everything.
        assert_eq!(units_on(&[0], 320, 1), 320);
        assert_eq!(SingleProcess.node_ranks().unwrap(), vec![0]);
    }
}
