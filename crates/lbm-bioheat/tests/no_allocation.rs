//! The time loop allocates nothing: a counting global allocator watches
//! LBM steps on a linear and a nonlinear problem, sequential and parallel.

use lbm_bioheat::validation::heated_tumor_problem;
use lbm_bioheat::validation3d::HeatedSphere;
use lbm_bioheat::{
    FvConfig, FvSolver, ImplicitStep, LbmConfig, LbmSolver, SteadySolver, TransientSolver,
};
use lbm_bioheat::{LbmSolver3, Streaming};
use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::sync::atomic::{AtomicUsize, Ordering};

struct Counting;

/// Allocations by every thread (the parallel sweep's rayon workers).
static ALLOCATIONS: AtomicUsize = AtomicUsize::new(0);

thread_local! {
    /// Allocations by this thread only: the sequential sweep runs on the
    /// test's thread, and the test harness's own threads may allocate at
    /// any moment (that once made a global count fail).
    static LOCAL: Cell<usize> = const { Cell::new(0) };
}

// SAFETY: every call is forwarded unchanged to the system allocator; the
// counter is a relaxed atomic with no effect on the memory handed out.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        // A const-initialized thread-local needs no allocation; during
        // thread teardown it may be gone, and then is not counted.
        let _ = LOCAL.try_with(|c| c.set(c.get() + 1));
        // SAFETY: forwarded with the caller's layout.
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: `ptr` came from `System.alloc` with this layout.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

/// (allocations on this thread, allocations on all threads) in `steps` steps.
fn allocations_in_steps<D: ndarray::Dimension>(
    solver: &mut impl TransientSolver<D>,
    steps: usize,
) -> (usize, usize) {
    // Warm-up: the thread pool starts and its workers initialize lazily.
    for _ in 0..20 {
        solver.step().unwrap();
    }
    let (local, global) = (LOCAL.with(Cell::get), ALLOCATIONS.load(Ordering::Relaxed));
    for _ in 0..steps {
        solver.step().unwrap();
    }
    (
        LOCAL.with(Cell::get) - local,
        ALLOCATIONS.load(Ordering::Relaxed) - global,
    )
}

/// One test (the counter is global, so nothing may run beside it).
///
/// The solver's own code never allocates in a step: the sequential sweep
/// (40², below the parallel threshold) makes exactly zero allocations. The
/// parallel sweep (130²) runs the same kernel through rayon, whose
/// work-stealing deques occasionally allocate bookkeeping: measured 8
/// allocations in 500 steps on 2 threads, none per cell or per row.
#[test]
fn lbm_steps_do_not_allocate() {
    let mut lbm = LbmSolver::new(heated_tumor_problem(40).unwrap(), LbmConfig::default()).unwrap();
    let (count, _) = allocations_in_steps(&mut lbm, 500);
    assert_eq!(count, 0, "sequential: {count} allocations in 500 steps");

    let mut lbm = LbmSolver::new(heated_tumor_problem(130).unwrap(), LbmConfig::default()).unwrap();
    let (_, count) = allocations_in_steps(&mut lbm, 500);
    assert!(
        count <= 25,
        "parallel: {count} allocations in 500 steps (130 rows each)"
    );

    // D3Q7, both streaming schemes: none on one thread (16³), as few
    // on the pool (30³) as in 2D.
    for streaming in [Streaming::InPlaceAa, Streaming::TwoBuffers] {
        let make = |n: usize| {
            let p = HeatedSphere::standard().problem(n).unwrap();
            LbmSolver3::with_streaming(p, LbmConfig::d3q7(), streaming).unwrap()
        };
        let (count, _) = allocations_in_steps(&mut make(16), 500);
        assert_eq!(count, 0, "D3Q7 {streaming:?}: {count} allocations");
        let (_, count) = allocations_in_steps(&mut make(30), 200);
        assert!(
            count <= 25,
            "D3Q7 {streaming:?} parallel: {count} allocations"
        );
    }

    // The implicit finite-volume solver (Newton–multigrid per step, on the
    // caller's thread): no allocation per step, with a fixed or an
    // adaptive step; and none in a warm steady solve.
    for step in [
        ImplicitStep::Fixed(2.0),
        ImplicitStep::Adaptive {
            initial: 1.0,
            tolerance: 1e-3,
            min: 0.01,
            max: 60.0,
        },
    ] {
        let config = FvConfig::default().with_time_step(step).unwrap();
        let mut fv = FvSolver::new(heated_tumor_problem(40).unwrap(), config).unwrap();
        let (count, _) = allocations_in_steps(&mut fv, 50);
        assert_eq!(
            count, 0,
            "implicit {step:?}: {count} allocations in 50 steps"
        );
    }
    let mut fv = FvSolver::new(heated_tumor_problem(40).unwrap(), FvConfig::default()).unwrap();
    fv.solve_steady(None).unwrap();
    let q = fv.problem().heat_source().mapv(|q| 1.02 * q);
    fv.set_heat_source(q).unwrap();
    let before = LOCAL.with(Cell::get);
    // The returned field is the one allocation of a solve.
    let _ = fv.solve_steady(None).unwrap();
    let count = LOCAL.with(Cell::get) - before;
    assert!(count <= 1, "warm steady solve: {count} allocations");
}
