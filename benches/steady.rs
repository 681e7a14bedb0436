//! The steady Pennes solve of one objective evaluation (Jiang et al. 2022,
//! Table 2's eight-site optimum on the circular tumor, Eqs. 3 and 4
//! perfusion): the finite-volume Newton–multigrid solver at 100², 200²,
//! 400² — `setup` (operator and multigrid hierarchy, once per geometry),
//! `cold` (a prepared solver from 37 °C), `setup_and_cold` (both, fresh
//! memory each time), `warm` (from the previous solution) — and the LBM
//! marched to steady state at 100² for the ratio.
//!
//! Run: `cargo bench --bench steady`

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use mnp_suite::bioheat::{
    FvConfig, FvSolver, LbmConfig, LbmSolver, PennesProblem, SteadySolver, TimeStep,
};
use mnp_suite::physics::InjectionReference;
use mnp_suite::treatment::scenario::{
    GridAlignment, Scenario, SourceSampling, circular_injection, table2_eight_site_optimum,
};
use std::hint::black_box;
use std::time::Duration;

mod support;

/// Table 2's eight-site optimum (t_opt 1.1 min, V_opt 0.376 mm²,
/// d_opt 2.82 mm) on an n × n grid over the 50 mm block, φ sampled as
/// each solver takes it.
fn paper_problem(n: usize, sampling: SourceSampling) -> PennesProblem {
    let reference = InjectionReference::paper();
    let k = table2_eight_site_optimum(&reference).unwrap();
    let cloud = circular_injection(&reference, 8, &k, 0.0).unwrap();
    Scenario::paper_circular(n, 0.05, GridAlignment::NodeAtCentre)
        .unwrap()
        .problem_sampled(&cloud, sampling)
        .unwrap()
}

fn fv_steady(c: &mut Criterion) {
    let mut g = c.benchmark_group("fv_steady");
    for n in [100usize, 200, 400] {
        let problem = paper_problem(n, SourceSampling::CellAverage);
        let start = problem.initial_temperature().clone();
        g.bench_function(BenchmarkId::new("setup", n), |b| {
            b.iter(|| black_box(FvSolver::new(problem.clone(), FvConfig::default()).unwrap()))
        });
        // Cold: a prepared solver (the optimizer keeps one per thread),
        // solved from 37 °C.
        let mut s = FvSolver::new(problem.clone(), FvConfig::default()).unwrap();
        g.bench_function(BenchmarkId::new("cold", n), |b| {
            b.iter(|| {
                s.set_state(start.view()).unwrap();
                black_box(s.solve_steady(None).unwrap())
            })
        });
        g.bench_function(BenchmarkId::new("setup_and_cold", n), |b| {
            b.iter(|| {
                let mut s = FvSolver::new(problem.clone(), FvConfig::default()).unwrap();
                black_box(s.solve_steady(None).unwrap())
            })
        });
        // Warm: the source changes by 2 % between solves (a PSO particle's
        // next position), each solve starting from the previous solution.
        let q0 = problem.heat_source().clone();
        let q1 = q0.mapv(|q| 1.02 * q);
        let mut s = FvSolver::new(problem.clone(), FvConfig::default()).unwrap();
        s.solve_steady(None).unwrap();
        let mut flip = false;
        g.bench_function(BenchmarkId::new("warm", n), |b| {
            b.iter(|| {
                flip = !flip;
                s.set_heat_source(if flip { q1.clone() } else { q0.clone() })
                    .unwrap();
                black_box(s.solve_steady(None).unwrap())
            })
        });
    }
    g.finish();
}

fn lbm_steady(c: &mut Criterion) {
    let mut g = c.benchmark_group("lbm_steady");
    g.sample_size(10).measurement_time(Duration::from_secs(20));
    let n = 100;
    let problem = paper_problem(n, SourceSampling::CellCentre);
    // The same τ and tolerance as the grid_study example.
    let config = LbmConfig::default()
        .with_time_step(TimeStep::Tau(2.0))
        .unwrap();
    g.bench_function(BenchmarkId::new("cold", n), |b| {
        b.iter(|| {
            let mut s = LbmSolver::new(problem.clone(), config).unwrap();
            black_box(s.solve_steady(None).unwrap())
        })
    });
    g.finish();
}

criterion_group! {
    name = benches;
    config = support::criterion();
    targets = fv_steady, lbm_steady
}
criterion_main!(benches);
