//! Plans under uncertain tissue on the paper's four-site circular case
//! (100² cells, finite volumes, the illustrative uncertainty model):
//!
//! - `robust/plan_16_samples_warm`: one plan on 16 Latin-hypercube samples,
//!   each sample's solver warm from the previous plan (what one swarm
//!   particle costs per generation in a robust optimization);
//! - `robust/analyze_256_samples`: one plan on 256 samples from cold
//!   starts, in parallel (the out-of-sample evaluation);
//! - `robust/saltelli_point`: one evaluation of the sensitivity analysis
//!   (a scenario built for the sample, a cold solve); N = 1024 base
//!   samples of six properties make 8192 of them.
//!
//! Run: `cargo bench --bench robust`

use criterion::{Criterion, criterion_group, criterion_main};
use mnp_suite::physics::InjectionReference;
use mnp_suite::treatment::objective::{
    ObjectiveWeights, SolverChoice, TreatmentProblem, Workspace,
};
use mnp_suite::treatment::robust::{RobustProblem, UncertaintyModel};
use mnp_suite::treatment::scenario::{GridAlignment, Scenario};
use mnp_suite::treatment::strategy::Circular;
use mnp_suite::uncertainty::Sampling;
use std::hint::black_box;
use std::sync::Arc;

mod support;

fn robust(c: &mut Criterion) {
    let problem = TreatmentProblem::new(
        Scenario::paper_circular(100, 0.05, GridAlignment::NodeAtCentre).unwrap(),
        Arc::new(Circular::new(4).unwrap()),
        InjectionReference::paper(),
        ObjectiveWeights::paper(),
        SolverChoice::FiniteVolume,
    )
    .unwrap();
    let model = UncertaintyModel::illustrative();
    let mut g = c.benchmark_group("robust");
    g.sample_size(10);
    let rp16 = RobustProblem::new(
        problem.clone(),
        model.clone(),
        16,
        Sampling::LatinHypercube,
        1,
    )
    .unwrap();
    let plans = [[0.30, 0.50, 0.62], [0.31, 0.49, 0.63]];
    let mut workspaces = Vec::new();
    rp16.evaluate(&plans[0], &mut workspaces).unwrap();
    let mut flip = false;
    g.bench_function("plan_16_samples_warm", |b| {
        b.iter(|| {
            flip = !flip;
            black_box(
                rp16.evaluate(&plans[usize::from(flip)], &mut workspaces)
                    .unwrap(),
            )
        })
    });
    let rp256 = RobustProblem::new(
        problem.clone(),
        model.clone(),
        256,
        Sampling::LatinHypercube,
        2,
    )
    .unwrap();
    g.bench_function("analyze_256_samples", |b| {
        b.iter(|| black_box(rp256.analyze(&plans[0]).unwrap()))
    });
    let layout = problem
        .strategy()
        .layout(problem.reference(), &plans[0])
        .unwrap();
    let u = [0.3, 0.6, 0.2, 0.8, 0.45, 0.7];
    g.bench_function("saltelli_point", |b| {
        b.iter(|| {
            let f = model.factors_at(&u).unwrap();
            let p = problem
                .with_scenario(f.scenario(problem.scenario()).unwrap())
                .unwrap();
            black_box(
                p.evaluate_layout(f.layout(&layout).unwrap(), &mut Workspace::default())
                    .unwrap()
                    .metrics
                    .j,
            )
        })
    });
    g.finish();
}

criterion_group! {
    name = benches;
    config = support::criterion();
    targets = robust
}
criterion_main!(benches);
