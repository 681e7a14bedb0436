//! LBM step throughput (MLUPS, D2Q5 and D3Q7) on 1 and 2 threads, beside a STREAM-style
//! triad measured in the same run, for the roofline in docs/PERFORMANCE.md.
//!
//! Run: `cargo bench --bench lbm`

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use mnp_suite::bioheat::validation::heated_tumor_problem;
use mnp_suite::bioheat::{
    ConstantPerfusion, Grid, Grid3, LbmConfig, LbmSolver, LbmSolver3, PennesProblem,
    PennesProblem3, Shape, Shape3, Streaming, TransientSolver, TumorPerfusion,
};
use rayon::prelude::*;
use std::hint::black_box;
use std::time::{Duration, Instant};

mod support;

/// Times `iters` calls of `step` inside `pool`, entering the pool once per
/// sample so that the hand-off is not measured.
fn timed_in(pool: &rayon::ThreadPool, iters: u64, mut step: impl FnMut() + Send) -> Duration {
    pool.install(|| {
        let start = Instant::now();
        for _ in 0..iters {
            step();
        }
        start.elapsed()
    })
}

/// A linear problem (constant perfusion in both regions) with a Gaussian
/// source: the kernel's plain path.
fn linear_problem(n: usize) -> PennesProblem {
    let grid = Grid::centered_square(n, 0.05).unwrap();
    let q = grid.field(|x, y| 2e5 * (-(x * x + y * y) / (2.0 * 4e-6)).exp());
    PennesProblem::builder(grid, "healthy", ConstantPerfusion(0.5))
        .region(
            "tumor",
            &Shape::circle(0.0, 0.0, 5e-3).unwrap(),
            ConstantPerfusion(0.833),
        )
        .heat_source(q)
        .build()
        .unwrap()
}

fn pool(threads: usize) -> rayon::ThreadPool {
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .unwrap()
}

fn lbm_steps(c: &mut Criterion) {
    let mut g = c.benchmark_group("lbm_step_linear");
    for n in [100usize, 512, 2048] {
        if n == 2048 {
            g.sample_size(10).measurement_time(Duration::from_secs(10));
        }
        g.throughput(Throughput::Elements((n * n) as u64));
        for threads in [1usize, 2] {
            let mut lbm = LbmSolver::new(linear_problem(n), LbmConfig::default()).unwrap();
            let pool = pool(threads);
            g.bench_function(
                BenchmarkId::new(format!("{n}"), format!("{threads}t")),
                |b| b.iter_custom(|iters| timed_in(&pool, iters, || lbm.step().unwrap())),
            );
        }
    }
    g.finish();

    // Temperature-dependent perfusion (Eqs. 3, 4): one exp per healthy cell.
    let mut g = c.benchmark_group("lbm_step_nonlinear");
    let n = 512;
    g.throughput(Throughput::Elements((n * n) as u64));
    for threads in [1usize, 2] {
        let mut lbm =
            LbmSolver::new(heated_tumor_problem(n).unwrap(), LbmConfig::default()).unwrap();
        let pool = pool(threads);
        g.bench_function(
            BenchmarkId::new(format!("{n}"), format!("{threads}t")),
            |b| b.iter_custom(|iters| timed_in(&pool, iters, || lbm.step().unwrap())),
        );
    }
    g.finish();
    let _ = TumorPerfusion; // the nonlinear problem uses Eqs. 3 and 4

    // The linear problem with (ρc) doubled in the tumor: the conservative
    // path, which also reads r = (ρc)₀/(ρc) per cell (128 B per update).
    let mut g = c.benchmark_group("lbm_step_heterogeneous");
    let n = 512;
    g.throughput(Throughput::Elements((n * n) as u64));
    for threads in [1usize, 2] {
        let mut problem = linear_problem(n);
        let tumor = problem.region_mask("tumor").unwrap();
        let rc = tumor.mapv(|t| {
            if t {
                2.0 * 1052.0 * 3800.0
            } else {
                1052.0 * 3800.0
            }
        });
        let k = problem.conductivity().clone();
        problem.set_properties(rc, k).unwrap();
        let mut lbm = LbmSolver::new(problem, LbmConfig::default()).unwrap();
        let pool = pool(threads);
        g.bench_function(
            BenchmarkId::new(format!("{n}"), format!("{threads}t")),
            |b| b.iter_custom(|iters| timed_in(&pool, iters, || lbm.step().unwrap())),
        );
    }
    g.finish();
}

/// The 3D counterpart of [`linear_problem`]: a 50 mm cube, a 5 mm-radius
/// tumor, constant perfusion in both regions and a Gaussian source.
fn linear_problem_3d(n: usize) -> PennesProblem3 {
    let grid = Grid3::centered_cube(n, 0.05).unwrap();
    let q = grid.field(|x, y, z| 2e5 * (-(x * x + y * y + z * z) / (2.0 * 4e-6)).exp());
    PennesProblem::builder(grid, "healthy", ConstantPerfusion(0.5))
        .region(
            "tumor",
            &Shape3::sphere([0.0; 3], 5e-3).unwrap(),
            ConstantPerfusion(0.833),
        )
        .heat_source(q)
        .build()
        .unwrap()
}

/// The D3Q7 step at 64³ and 256³ on 1 and 2 threads, streaming in place
/// (the AA pattern, the default: `lbm3_step_linear`) and with two buffers
/// (`lbm3_step_two_buffers`); bytes per update counted as
/// `LbmSolver3::BYTES_PER_UPDATE_LINEAR` for both. Timed over pairs of
/// steps, as the AA pattern alternates two kinds.
fn lbm3_steps(c: &mut Criterion) {
    for (name, streaming) in [
        ("lbm3_step_linear", Streaming::InPlaceAa),
        ("lbm3_step_two_buffers", Streaming::TwoBuffers),
    ] {
        let mut g = c.benchmark_group(name);
        for n in [64usize, 256] {
            if n == 256 {
                g.sample_size(10).measurement_time(Duration::from_secs(10));
            }
            g.throughput(Throughput::Elements((2 * n * n * n) as u64));
            let mut lbm =
                LbmSolver3::with_streaming(linear_problem_3d(n), LbmConfig::d3q7(), streaming)
                    .unwrap();
            for threads in [1usize, 2] {
                let pool = pool(threads);
                g.bench_function(
                    BenchmarkId::new(format!("{n}"), format!("{threads}t")),
                    |b| {
                        b.iter_custom(|iters| {
                            timed_in(&pool, iters, || {
                                lbm.step().unwrap();
                                lbm.step().unwrap();
                            })
                        })
                    },
                );
            }
        }
        g.finish();
    }
}

/// What the domain decomposition costs before any message: the D3Q7 step
/// of the whole lattice with two buffers (the streaming a slab uses)
/// against the same lattice as two x-slabs stepped one after the other on
/// one thread, each step split into the interior planes and the interface
/// planes with the crossing planes copied between them (what MPI ranks do
/// with messages). 64³ and 128³, the linear problem (memory-bound: the
/// split's extra passes would show most).
fn lbm3_slab_split(c: &mut Criterion) {
    let mut g = c.benchmark_group("lbm3_slab_split");
    let pool = pool(1);
    for n in [64usize, 128] {
        if n == 128 {
            g.sample_size(10).measurement_time(Duration::from_secs(8));
        }
        g.throughput(Throughput::Elements((n * n * n) as u64));
        let p = linear_problem_3d(n);
        let config = LbmConfig::d3q7();
        let mut whole =
            LbmSolver3::with_streaming(p.clone(), config, Streaming::TwoBuffers).unwrap();
        g.bench_function(BenchmarkId::new("whole_two_buffers", n), |b| {
            b.iter_custom(|iters| timed_in(&pool, iters, || whole.step().unwrap()))
        });
        let mut slabs = [
            LbmSolver3::slab(&p, config, 0..n / 2).unwrap(),
            LbmSolver3::slab(&p, config, n / 2..n).unwrap(),
        ];
        let mut planes = [
            vec![0.0; slabs[0].halo_len()],
            vec![0.0; slabs[0].halo_len()],
        ];
        g.bench_function(BenchmarkId::new("two_slabs", n), |b| {
            b.iter_custom(|iters| {
                timed_in(&pool, iters, || {
                    planes[0].copy_from_slice(slabs[0].halo_send()[1]);
                    planes[1].copy_from_slice(slabs[1].halo_send()[0]);
                    for (r, slab) in slabs.iter_mut().enumerate() {
                        slab.step_interior().unwrap();
                        let [low, high] = slab.halo_receive();
                        if r == 0 {
                            high.copy_from_slice(&planes[1]);
                        } else {
                            low.copy_from_slice(&planes[0]);
                        }
                        slab.step_interface_planes().unwrap();
                    }
                })
            })
        });
    }
    g.finish();
}

/// a = b + s·c over 3 × 256 MiB (beyond the last-level cache); throughput
/// counted as 24 B per element, like STREAM.
fn triad(c: &mut Criterion) {
    const LEN: usize = 1 << 25;
    let mut a = vec![0.0f64; LEN];
    let b: Vec<f64> = (0..LEN).map(|i| i as f64).collect();
    let cc: Vec<f64> = (0..LEN).map(|i| (LEN - i) as f64).collect();
    let mut g = c.benchmark_group("triad");
    g.sample_size(10).measurement_time(Duration::from_secs(5));
    g.throughput(Throughput::Bytes((24 * LEN) as u64));
    for threads in [1usize, 2] {
        let pool = pool(threads);
        g.bench_function(
            BenchmarkId::from_parameter(format!("{threads}t")),
            |bench| {
                bench.iter_custom(|iters| {
                    timed_in(&pool, iters, || {
                        a.par_chunks_mut(1 << 16)
                            .zip(b.par_chunks(1 << 16))
                            .zip(cc.par_chunks(1 << 16))
                            .for_each(|((a, b), c)| {
                                for ((a, b), c) in a.iter_mut().zip(b).zip(c) {
                                    *a = b + 3.0 * c;
                                }
                            });
                        black_box(&a);
                    })
                })
            },
        );
    }
    g.finish();
}

criterion_group! {
    name = benches;
    config = support::criterion();
    targets = triad, lbm_steps, lbm3_steps, lbm3_slab_split
}
criterion_main!(benches);
