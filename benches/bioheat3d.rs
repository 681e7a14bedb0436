//! The 3D solvers on the benchmark problem of
//! `lbm_bioheat::validation3d::nonlinear_tumor_problem` (a 50 mm cube,
//! a 10 mm-radius tumor, Eqs. 3 and 4 perfusion, a Gaussian source):
//!
//! - `fv3d_steady`: the finite-volume Newton–multigrid steady solve at 64³
//!   and 128³ — `cold` (a prepared solver from 37 °C, on one thread) and
//!   `warm` (Q changed by 2 %, from the previous solution);
//! - `fv3d_threads`: the cold solve at 64³ and 128³ on a rayon pool of 1
//!   and of 2 threads (the results are identical: checked before timing);
//! - `fv3d_triad`: a STREAM-style triad a = b + s·c on one thread over
//!   three arrays together about as large as the memory one CG iteration
//!   of each solve touches (about 31 MB at 64³, 235 MB at 128³: the five
//!   CG vectors, the double-precision operator, the V-cycle's levels):
//!   what a byte of such a pass costs at each size on this machine,
//!   measured in the same run.
//!
//! Run: `cargo bench --bench bioheat3d`

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use mnp_suite::bioheat::validation3d::nonlinear_tumor_problem;
use mnp_suite::bioheat::{FvConfig, FvSolver, SteadySolver};
use std::hint::black_box;
use std::time::Duration;

mod support;

fn pool(threads: usize) -> rayon::ThreadPool {
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .expect("a thread pool")
}

fn fv3d_steady(c: &mut Criterion) {
    let mut g = c.benchmark_group("fv3d_steady");
    g.sample_size(10).measurement_time(Duration::from_secs(8));
    let one = pool(1);
    for n in [64usize, 128] {
        let problem = nonlinear_tumor_problem(n).unwrap();
        let start = problem.initial_temperature().clone();
        let mut s = FvSolver::new(problem.clone(), FvConfig::default()).unwrap();
        g.bench_function(BenchmarkId::new("cold", n), |b| {
            b.iter(|| {
                one.install(|| {
                    s.set_state(start.view()).unwrap();
                    black_box(s.solve_steady(None).unwrap())
                })
            })
        });
        let q0 = problem.heat_source().clone();
        let q1 = q0.mapv(|q| 1.02 * q);
        let mut flip = false;
        one.install(|| s.solve_steady(None).unwrap());
        g.bench_function(BenchmarkId::new("warm", n), |b| {
            b.iter(|| {
                flip = !flip;
                s.set_heat_source(if flip { q1.clone() } else { q0.clone() })
                    .unwrap();
                one.install(|| black_box(s.solve_steady(None).unwrap()))
            })
        });
    }
    g.finish();
}

fn fv3d_threads(c: &mut Criterion) {
    let mut g = c.benchmark_group("fv3d_threads");
    g.sample_size(10).measurement_time(Duration::from_secs(10));
    for n in [64usize, 128] {
        let problem = nonlinear_tumor_problem(n).unwrap();
        let start = problem.initial_temperature().clone();
        let mut reference = None;
        for threads in [1usize, 2] {
            let pool = pool(threads);
            let mut s = FvSolver::new(problem.clone(), FvConfig::default()).unwrap();
            let t = pool.install(|| s.solve_steady(None).unwrap().temperature);
            match &reference {
                None => reference = Some(t),
                Some(r) => assert!(
                    r.iter().zip(&t).all(|(a, b)| a.to_bits() == b.to_bits()),
                    "1 and {threads} threads differ at {n}³"
                ),
            }
            g.bench_function(BenchmarkId::new(format!("threads_{threads}"), n), |b| {
                b.iter(|| {
                    pool.install(|| {
                        s.set_state(start.view()).unwrap();
                        black_box(s.solve_steady(None).unwrap())
                    })
                })
            });
        }
    }
    g.finish();
}

/// a = b + s·c on one thread, the three arrays together about as large
/// as one CG iteration's memory at 64³ and at 128³ (`mib` MiB each);
/// throughput counted as 24 B per element, like STREAM.
fn fv3d_triad(c: &mut Criterion) {
    let mut g = c.benchmark_group("fv3d_triad");
    g.sample_size(10).measurement_time(Duration::from_secs(5));
    for (name, mib) in [("working_set_64", 10usize), ("working_set_128", 78)] {
        let len = mib << 17;
        let mut a = vec![0.0f64; len];
        let b: Vec<f64> = (0..len).map(|i| i as f64).collect();
        let cc: Vec<f64> = (0..len).map(|i| (len - i) as f64).collect();
        g.throughput(Throughput::Bytes((24 * len) as u64));
        g.bench_function(name, |bench| {
            bench.iter(|| {
                for ((a, b), c) in a.iter_mut().zip(&b).zip(&cc) {
                    *a = b + 3.0 * c;
                }
                black_box(&a);
            })
        });
    }
    g.finish();
}

criterion_group! {
    name = benches;
    config = support::criterion();
    targets = fv3d_steady, fv3d_threads, fv3d_triad
}
criterion_main!(benches);
