//! PSO costs: the optimizer's own overhead per evaluation on a trivial
//! objective, and the parallel speed-up on an objective costing about 1 ms.
//!
//! Run: `cargo bench --bench pso`

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use mnp_suite::pso::functions::{Sphere, TestFunction};
use mnp_suite::pso::{Bounds, Goal, Pso};
use std::hint::black_box;
use std::time::{Duration, Instant};

mod support;

/// About 1 ms of latency-bound work per call (a dependent chain of
/// logistic-map iterations, like the sweeps of an iterative solver).
fn recurrence_sphere(x: &[f64]) -> f64 {
    let mut z = 0.3 + 0.01 * x[0].abs().fract();
    for _ in 0..300_000 {
        z = 3.9 * z * (1.0 - z);
    }
    black_box(z);
    x.iter().map(|v| v * v).sum()
}

/// About 1 ms of floating-point-throughput-bound work per call (`sin` in a
/// loop): on this machine's two vCPUs it shares one FPU (docs/PERFORMANCE.md).
fn sin_sphere(x: &[f64]) -> f64 {
    let mut acc = 0.0;
    for k in 0..120_000 {
        acc += (x[k % x.len()] + k as f64 * 1e-9).sin();
    }
    black_box(acc);
    x.iter().map(|v| v * v).sum()
}

fn overhead(c: &mut Criterion) {
    let bounds = Sphere.bounds(5).unwrap();
    let mut g = c.benchmark_group("pso_overhead_sphere5_20x300");
    for parallel in [false, true] {
        let pso = Pso::paper().with_seed(1).with_parallel(parallel);
        g.bench_function(
            BenchmarkId::from_parameter(if parallel { "parallel" } else { "sequential" }),
            |b| {
                b.iter(|| {
                    black_box(
                        pso.run(&Sphere, Goal::Minimize, &bounds)
                            .unwrap()
                            .best_value,
                    )
                })
            },
        );
    }
    g.finish();
}

/// A named objective of the speed-up benchmark.
type NamedObjective = (&'static str, fn(&[f64]) -> f64);

fn speedup(c: &mut Criterion) {
    let bounds = Bounds::uniform(5, -5.0, 5.0).unwrap();
    let pso = Pso::paper().with_generations(5).unwrap().with_seed(2);
    let objectives: [NamedObjective; 2] = [("recurrence", recurrence_sphere), ("sin", sin_sphere)];
    let mut g = c.benchmark_group("pso_1ms_objective_20x5");
    g.sample_size(10).measurement_time(Duration::from_secs(8));
    for (name, f) in objectives {
        for threads in [1usize, 2] {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap();
            g.bench_function(BenchmarkId::new(name, format!("{threads}t")), |b| {
                b.iter_custom(|iters| {
                    pool.install(|| {
                        let start = Instant::now();
                        for _ in 0..iters {
                            black_box(pso.run(&f, Goal::Minimize, &bounds).unwrap().best_value);
                        }
                        start.elapsed()
                    })
                })
            });
        }
    }
    g.finish();
}

criterion_group! {
    name = benches;
    config = support::criterion();
    targets = overhead, speedup
}
criterion_main!(benches);
