//! One evaluation of J on a patient (the example `patient_3d`'s problem:
//! the two-ellipsoid phantom, 80³ voxels of 1 mm, a 25 mm margin, a
//! 68 × 61 × 60 box, four sites on the principal axes):
//!
//! - `patient_eval/warm`: what a swarm particle does each generation —
//!   the clouds of a plan, the mixture properties, a steady solve started
//!   from the particle's previous plan (the two plans alternate), and J;
//! - `patient_eval/cold`: the same from a fresh workspace (37 °C);
//! - `patient_eval/heating`: the clouds' cell means and mixture
//!   properties alone.
//!
//! Run: `cargo bench --bench patient`

use criterion::{Criterion, criterion_group, criterion_main};
use mnp_suite::patient::phantom::{TUMOR_LABEL, two_ellipsoids};
use mnp_suite::patient::{
    Anatomy, CropSettings, PatientProblem, PatientSettings, PatientWorkspace, PrincipalAxes,
    TissueMap,
};
use std::hint::black_box;
use std::sync::Arc;
use std::time::Duration;

mod support;

fn patient_eval(c: &mut Criterion) {
    let volume = two_ellipsoids(80, 30.0).unwrap();
    let anatomy = Anatomy::new(
        &volume,
        &TissueMap::tumor_in_healthy(&[TUMOR_LABEL]).unwrap(),
        &CropSettings::default().with_margin_mm(25.0).unwrap(),
    )
    .unwrap();
    assert_eq!(anatomy.grid().shape(), (68, 61, 60));
    let problem = PatientProblem::new(
        Arc::new(anatomy),
        Arc::new(PrincipalAxes::new(4).unwrap()),
        PatientSettings::default(),
    )
    .unwrap();
    // Two nearby plans, as one particle's positions in successive
    // generations.
    let plans = [[0.90, 0.52, 0.64, 0.05], [0.92, 0.50, 0.62, 0.08]];
    let mut g = c.benchmark_group("patient_eval");
    g.sample_size(10).measurement_time(Duration::from_secs(10));
    let mut workspace = PatientWorkspace::default();
    problem.evaluate(&plans[0], &mut workspace).unwrap();
    let mut k = 0;
    g.bench_function("warm", |b| {
        b.iter(|| {
            k += 1;
            black_box(
                problem
                    .evaluate(&plans[k % 2], &mut workspace)
                    .unwrap()
                    .metrics
                    .j,
            )
        })
    });
    g.bench_function("cold", |b| {
        b.iter(|| {
            black_box(
                problem
                    .evaluate(&plans[0], &mut PatientWorkspace::default())
                    .unwrap()
                    .metrics
                    .j,
            )
        })
    });
    let layout = problem.layout(&plans[0]).unwrap();
    g.bench_function("heating", |b| {
        b.iter(|| black_box(problem.heating(&layout.cloud).unwrap().heat_source[[35, 30, 30]]))
    });
    g.finish();
}

criterion_group! {
    name = benches;
    config = support::criterion();
    targets = patient_eval
}
criterion_main!(benches);
