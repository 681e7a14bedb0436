//! Benchmarks of the physics kernels on the optimization hot path: building
//! the particle field of an injection plan, the Rosensweig chain, and one
//! dose-accumulation step over a temperature field.
//!
//! Run: `cargo bench --bench physics`

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use mnp_suite::dose::{Arrhenius, Cem43, DoseAccumulator};
use mnp_suite::physics::constants::PAPER_TEMPERATURE_K;
use mnp_suite::physics::{
    AcField, CarrierFluid, CellGrid, CellGrid3, InjectionCloud, InjectionCloud3,
    InjectionReference, NormalizedInjection, Particle, Rosensweig,
};
use ndarray::Array2;
use std::f64::consts::PI;
use std::hint::black_box;

mod support;

/// The eight-site plan of Table 2 (k_φ 0.5, k_σ 0.23, k_d 0.627) on a
/// 50 mm block.
fn eight_site_cloud() -> InjectionCloud {
    let r = InjectionReference::paper();
    let k = NormalizedInjection::new(0.5, 0.23, 0.627).unwrap();
    let d = k.k_d() * r.d0();
    InjectionCloud::new(
        (0..8)
            .map(|i| {
                let a = 2.0 * PI * i as f64 / 8.0;
                r.site(&k, d * a.cos(), d * a.sin()).unwrap()
            })
            .collect(),
    )
}

fn cloud(c: &mut Criterion) {
    let cloud = eight_site_cloud();
    let mut g = c.benchmark_group("cloud_evaluate_8_sites");
    for n in [100usize, 200, 400] {
        let grid = CellGrid::centered_square(n, 0.05).unwrap();
        g.throughput(Throughput::Elements((n * n) as u64));
        g.bench_with_input(BenchmarkId::from_parameter(n), &grid, |b, grid| {
            b.iter(|| black_box(cloud.evaluate(grid)))
        });
    }
    g.finish();
    // Exact cell means (erf at the cell edges), the finite-volume source.
    let mut g = c.benchmark_group("cloud_cell_average_8_sites");
    for n in [100usize, 200, 400] {
        let grid = CellGrid::centered_square(n, 0.05).unwrap();
        g.throughput(Throughput::Elements((n * n) as u64));
        g.bench_with_input(BenchmarkId::from_parameter(n), &grid, |b, grid| {
            b.iter(|| black_box(cloud.evaluate_cell_average(grid)))
        });
    }
    g.finish();
}

/// The same eight sites in 3D (in the z = 0 plane), exact cell means on
/// n³ cells over a 50 mm cube: the 3D finite-volume source.
fn cloud_3d(c: &mut Criterion) {
    let r = InjectionReference::paper();
    let k = NormalizedInjection::new(0.5, 0.23, 0.627).unwrap();
    let d = k.k_d() * r.d0();
    let cloud = InjectionCloud3::new(
        (0..8)
            .map(|i| {
                let a = 2.0 * PI * i as f64 / 8.0;
                r.site_3d(&k, [d * a.cos(), d * a.sin(), 0.0]).unwrap()
            })
            .collect(),
    );
    let mut g = c.benchmark_group("cloud3d_cell_average_8_sites");
    for n in [32usize, 64, 128] {
        let grid = CellGrid3::centered_cube(n, 0.05).unwrap();
        g.throughput(Throughput::Elements((n * n * n) as u64));
        g.bench_with_input(BenchmarkId::from_parameter(n), &grid, |b, grid| {
            b.iter(|| black_box(cloud.evaluate_cell_average(grid)))
        });
    }
    g.finish();
}

fn rosensweig(c: &mut Criterion) {
    let m = Rosensweig::paper();
    let (p, fl, h) = (
        Particle::table_a1(),
        CarrierFluid::table_a1(),
        AcField::table_a1(),
    );
    c.bench_function("rosensweig_breakdown", |b| {
        b.iter(|| {
            black_box(
                m.breakdown(black_box(&p), &fl, &h, PAPER_TEMPERATURE_K)
                    .unwrap(),
            )
        })
    });
}

fn dose_step(c: &mut Criterion) {
    let mut g = c.benchmark_group("dose_add_step");
    for n in [100usize, 512] {
        let temps = Array2::from_shape_fn((n, n), |(i, j)| {
            37.0 + 9.0 * ((i + j) as f64 / (2 * n) as f64)
        });
        g.throughput(Throughput::Elements((n * n) as u64));
        let mut cem = DoseAccumulator::new(Cem43::default(), (n, n));
        g.bench_with_input(BenchmarkId::new("cem43", n), &temps, |b, t| {
            b.iter(|| cem.add_step(&t.view(), 1.0).unwrap())
        });
        let mut arr = DoseAccumulator::new(Arrhenius::liver(), (n, n));
        g.bench_with_input(BenchmarkId::new("arrhenius", n), &temps, |b, t| {
            b.iter(|| arr.add_step(&t.view(), 1.0).unwrap())
        });
    }
    g.finish();
}

criterion_group! {
    name = benches;
    config = support::criterion();
    targets = cloud, cloud_3d, rosensweig, dose_step
}
criterion_main!(benches);
