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
        let (counts, displacements, total) = self.layout(&world, local.len())?;
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
        let (counts, displacements, total) = self.layout(&world, local.len())?;
        let gathered = if self.rank == 0 {
            let mut all = vec![0.0; total];
            {
                let mut partition =
                    PartitionMut::new(&mut all[..], &counts[..], &displacements[..]);
                root.gather_varcount_into_root(local, &mut partition);
            }
            Some(all)
        } else {
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
    fn node_ranks(&self) -> Result<Vec<usize>> {
        // The ranks that share memory with this one (MPI_COMM_TYPE_SHARED).
        let node = self.world()?.split_shared(self.rank as i32);
        let mut ranks = vec![0u64; node.size() as usize];
        node.all_gather_into(&(self.rank as u64), &mut ranks[..]);
        Ok(ranks.into_iter().map(|r| r as usize).collect())
    }
}

impl MpiRanks {
    /// Every rank's count of `len` values, where each starts in the
    /// gathered buffer, and the total: the counts exchanged as 64-bit
    /// values and checked alike on every rank, so a gather too large for
    /// MPI's 32-bit counts is refused by every rank, none left waiting.
    fn layout(
        &self,
        world: &SimpleCommunicator,
        len: usize,
    ) -> Result<(Vec<i32>, Vec<i32>, usize)> {
        let mut all = vec![0u64; self.size];
        world.all_gather_into(&(len as u64), &mut all[..]);
        let total = all.iter().try_fold(0u64, |t, &c| t.checked_add(c));
        match total {
            Some(t) if t <= i32::MAX as u64 => {
                let counts: Vec<i32> = all.iter().map(|&c| c as i32).collect();
                let starts = counts
                    .iter()
                    .scan(0i32, |at, &c| {
                        let d = *at;
                        *at += c;
                        Some(d)
                    })
                    .collect();
                Ok((counts, starts, t as usize))
            }
            _ => Err(group_error(format!(
                "a gather of {} values in all exceeds MPI's 32-bit counts ({}): use more \
                 ranks' output in parallel (write_pvti) or a smaller lattice",
                all.iter().map(|&c| c as u128).sum::<u128>(),
                i32::MAX
            ))),
        }
    }
}
