//! The ranks of an MPI job (`mpirun -np N …`), through rsmpi over the
//! system's MPI library.

use super::{Ranks, group_error};
use crate::error::Result;
use mpi::datatype::PartitionMut;
use mpi::environment::{Threading, Universe};
use mpi::topology::SimpleCommunicator;
use mpi::traits::*;
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
        // Each message leads with one padding value: OpenMPI refuses a
        // gather whose buffers are all empty.
        let local = [&[T::default()][..], local].concat();
        let local = &local[..];
        let count = i32::try_from(local.len())
            .map_err(|_| group_error(format!("{} values exceed MPI's count", local.len())))?;
        let mut counts = vec![0i32; self.size];
        world.all_gather_into(&count, &mut counts[..]);
        let displacements: Vec<i32> = counts
            .iter()
            .scan(0i32, |at, &c| {
                let d = *at;
                *at += c;
                Some(d)
            })
            .collect();
        let total: usize = counts.iter().map(|&c| c as usize).sum();
        let mut all = vec![T::default(); total];
        {
            let mut partition = PartitionMut::new(&mut all[..], &counts[..], &displacements[..]);
            world.all_gather_varcount_into(local, &mut partition);
        }
        Ok(counts
            .iter()
            .zip(&displacements)
            .map(|(&c, &d)| all[d as usize + 1..(d + c) as usize].to_vec())
            .collect())
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
}
