//! The ranks of an MPI job (`mpirun -np N …`), through rsmpi over the
//! system's MPI library.

use super::{Ranks, group_error};
use crate::error::Result;
use mpi::datatype::PartitionMut;
use mpi::environment::{Threading, Universe};
use mpi::topology::SimpleCommunicator;
use mpi::traits::*;
use std::sync::atomic::{AtomicU64, Ordering};
use std::thread::ThreadId;

/// The world communicator of an MPI job. Created once per process
/// ([`MpiRanks::initialize`]); MPI is finalized when it is dropped.
///
/// MPI is initialized with `MPI_THREAD_FUNNELED`: rayon's threads compute,
/// and only the thread that initialized MPI communicates. A collective
/// called from another thread is refused with an error, not sent.
pub struct MpiRanks {
    universe: Universe,
    rank: usize,
    size: usize,
    thread: ThreadId,
    /// Seconds in collectives so far, as f64 bits.
    communication: AtomicU64,
}

impl std::fmt::Debug for MpiRanks {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MpiRanks")
            .field("rank", &self.rank)
            .field("size", &self.size)
            .finish_non_exhaustive()
    }
}

impl MpiRanks {
    /// Initializes MPI: under `mpirun -np N`, rank r of N; started
    /// directly, rank 0 of 1.
    ///
    /// # Errors
    /// MPI already initialized in this process, or no MPI library.
    pub fn initialize() -> Result<Self> {
        let (universe, _provided) = mpi::initialize_with_threading(Threading::Funneled)
            .ok_or_else(|| group_error("MPI is already initialized in this process"))?;
        let world = universe.world();
        Ok(Self {
            rank: world.rank() as usize,
            size: world.size() as usize,
            universe,
            thread: std::thread::current().id(),
            communication: AtomicU64::new(0f64.to_bits()),
        })
    }

    /// The world communicator, for the thread that initialized MPI.
    ///
    /// # Errors
    /// A call from any other thread.
    pub fn world(&self) -> Result<SimpleCommunicator> {
        if std::thread::current().id() != self.thread {
            return Err(group_error(
                "MPI is called from a thread other than the one that initialized it \
                 (MPI_THREAD_FUNNELED)",
            ));
        }
        Ok(self.universe.world())
    }

    /// Seconds on MPI's wall clock (`MPI_Wtime`).
    pub fn wall_time(&self) -> f64 {
        mpi::time()
    }

    /// A barrier: returns once every rank has called it.
    ///
    /// # Errors
    /// As [`MpiRanks::world`].
    pub fn barrier(&self) -> Result<()> {
        self.world()?.barrier();
        Ok(())
    }

    /// Every rank's `local` values (of any MPI-equivalent type), one
    /// vector per rank.
    fn gather_varcount<T>(&self, local: &[T]) -> Result<Vec<Vec<T>>>
    where
        T: Equivalence + Copy + Default,
    {
        let world = self.world()?;
        let start = mpi::time();
        // Each message leads with one padding value: OpenMPI refuses a
        // gather whose buffers are all empty.
        let local = [&[T::default()][..], local].concat();
        let local = &local[..];
        let count = i32::try_from(local.len())
            .map_err(|_| group_error(format!("{} values exceed MPI's count", local.len())))?;
        let mut counts = vec![0i32; self.size];
        world.all_gather_into(&count, &mut counts[..]);
        let (displacements, total) = displacements(&counts);
        let mut all = vec![T::default(); total];
        {
            let mut partition = PartitionMut::new(&mut all[..], &counts[..], &displacements[..]);
            world.all_gather_varcount_into(local, &mut partition);
        }
        let spent = f64::from_bits(self.communication.load(Ordering::Relaxed));
        self.communication
            .store((spent + mpi::time() - start).to_bits(), Ordering::Relaxed);
        Ok(counts
            .iter()
            .zip(&displacements)
            .map(|(&c, &d)| all[d as usize + 1..(d + c) as usize].to_vec())
            .collect())
    }
}

impl MpiRanks {
    /// Every rank's `local` values concatenated in rank order, on rank 0
    /// only (`None` elsewhere): for output, which only rank 0 writes.
    /// Collective.
    ///
    /// # Errors
    /// As [`MpiRanks::world`], or more values than MPI counts.
    pub fn gather_f64_to_root(&self, local: &[f64]) -> Result<Option<Vec<f64>>> {
        let world = self.world()?;
        let start = mpi::time();
        let root = world.process_at_rank(0);
        let count = i32::try_from(local.len())
            .map_err(|_| group_error(format!("{} values exceed MPI's count", local.len())))?;
        let gathered = if self.rank == 0 {
            let mut counts = vec![0i32; self.size];
            root.gather_into_root(&count, &mut counts[..]);
            let (displacements, total) = displacements(&counts);
            let mut all = vec![0.0; total];
            {
                let mut partition =
                    PartitionMut::new(&mut all[..], &counts[..], &displacements[..]);
                root.gather_varcount_into_root(local, &mut partition);
            }
            Some(all)
        } else {
            root.gather_into(&count);
            root.gather_varcount_into(local);
            None
        };
        let spent = f64::from_bits(self.communication.load(Ordering::Relaxed));
        self.communication
            .store((spent + mpi::time() - start).to_bits(), Ordering::Relaxed);
        Ok(gathered)
    }
}

impl Ranks for MpiRanks {
    fn rank(&self) -> usize {
        self.rank
    }
    fn size(&self) -> usize {
        self.size
    }
    fn all_gather_f64(&self, local: &[f64]) -> Result<Vec<f64>> {
        Ok(self.gather_varcount(local)?.concat())
    }
    fn all_gather_bytes(&self, local: &[u8]) -> Result<Vec<Vec<u8>>> {
        self.gather_varcount(local)
    }
    fn communication_s(&self) -> f64 {
        f64::from_bits(self.communication.load(Ordering::Relaxed))
    }
}

/// Where each rank's values start in a gathered buffer, and the total,
/// from the ranks' counts.
fn displacements(counts: &[i32]) -> (Vec<i32>, usize) {
    let starts = counts
        .iter()
        .scan(0i32, |at, &c| {
            let d = *at;
            *at += c;
            Some(d)
        })
        .collect();
    (starts, counts.iter().map(|&c| c as usize).sum())
}
