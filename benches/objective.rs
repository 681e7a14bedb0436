//! One objective evaluation of the injection optimization: Table
//! 2's four-site circular case at 100² — layout, cell-averaged φ, mixture
//! properties and Q, steady Pennes solve, R_tum/R_tis/R_int/R_dose/J —
//! with the finite-volume solver cold (fresh workspace) and warm (the same
//! particle's previous solution, a 2 % move), and with the LBM for
//! comparison.
//!
//! Run: `cargo bench --bench objective`

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use mnp_suite::physics::InjectionReference;
use mnp_suite::treatment::objective::{
    ObjectiveWeights, SolverChoice, TreatmentProblem, Workspace,
};
use mnp_suite::treatment::scenario::{GridAlignment, Scenario};
use mnp_suite::treatment::strategy::Circular;
use std::hint::black_box;
use std::sync::Arc;
use std::time::Duration;

mod support;

fn problem(solver: SolverChoice) -> TreatmentProblem {
    TreatmentProblem::new(
        Scenario::paper_circular(100, 0.05, GridAlignment::NodeAtCentre).unwrap(),
        Arc::new(Circular::new(4).unwrap()),
        InjectionReference::paper(),
        ObjectiveWeights::paper(),
        solver,
    )
    .unwrap()
}

fn objective(c: &mut Criterion) {
    let mut g = c.benchmark_group("objective_eval");
    let x = [0.63, 0.35, 0.66];
    let y = [0.63 * 1.02, 0.35 * 1.02, 0.66];
    let fv = problem(SolverChoice::FiniteVolume);
    g.bench_function(BenchmarkId::new("fv_cold", 100), |b| {
        b.iter(|| black_box(fv.evaluate(&x, &mut Workspace::default()).unwrap()))
    });
    let mut ws = Workspace::default();
    fv.evaluate(&x, &mut ws).unwrap();
    let mut flip = false;
    g.bench_function(BenchmarkId::new("fv_warm", 100), |b| {
        b.iter(|| {
            flip = !flip;
            black_box(fv.evaluate(if flip { &y } else { &x }, &mut ws).unwrap())
        })
    });
    g.finish();
    let mut g = c.benchmark_group("objective_eval_lbm");
    g.sample_size(10).measurement_time(Duration::from_secs(30));
    let lbm = problem(SolverChoice::Lbm { tau: 2.0 });
    g.bench_function(BenchmarkId::new("lbm", 100), |b| {
        b.iter(|| black_box(lbm.evaluate(&x, &mut Workspace::default()).unwrap()))
    });
    g.finish();
}

criterion_group! {
    name = benches;
    config = support::criterion();
    targets = objective
}
criterion_main!(benches);
