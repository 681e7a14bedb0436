//! The steady Pennes solve of one objective evaluation (Jiang et al. 2022,
//! Table 2's eight-site optimum on the circular tumor, Eqs. 3 and 4
//! perfusion): the finite-volume Newton–multigrid solver cold and warm at
//! 100², 200², 400², and the LBM marched to steady state at 100² for the
//! ratio.
//!
//! Run: `cargo bench --bench steady`

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use mnp_suite::bioheat::{
    FvConfig, FvSolver, LbmConfig, LbmSolver, PennesProblem, SteadySolver, TimeStep,
};
use mnp_suite::physics::InjectionReference;
use mnp_suite::scenario::{GridAlignment, Scenario, circular_injection, table2_eight_site_optimum};
use std::hint::black_box;
use std::time::Duration;

/// Table 2's eight-site optimum (t_opt 1.1 min, V_opt 0.376 mm²,
/// d_opt 2.82 mm) on an n × n grid over the 50 mm block.
fn paper_problem(n: usize) -> PennesProblem {
    let reference = InjectionReference::paper();
    let k = table2_eight_site_optimum(&reference).unwrap();
    let cloud = circular_injection(&reference, 8, &k, 0.0).unwrap();
    Scenario::paper_circular(n, 0.05, GridAlignment::NodeAtCentre)
        .unwrap()
        .problem(&cloud)
        .unwrap()
}

fn fv_steady(c: &mut Criterion) {
    let mut g = c.benchmark_group("fv_steady");
    for n in [100usize, 200, 400] {
        let problem = paper_problem(n);
        let start = problem.initial_temperature().clone();
        // Cold: a new solver from the problem, solved from 37 °C.
        g.bench_function(BenchmarkId::new("cold", n), |b| {
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
        let _ = start;
    }
    g.finish();
}

fn lbm_steady(c: &mut Criterion) {
    let mut g = c.benchmark_group("lbm_steady");
    g.sample_size(10).measurement_time(Duration::from_secs(20));
    let n = 100;
    let problem = paper_problem(n);
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

criterion_group!(benches, fv_steady, lbm_steady);
criterion_main!(benches);
