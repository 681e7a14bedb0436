//! Regression costs beside scikit-learn (docs/PERFORMANCE.md): an RBF SVR
//! fit on 1000 × 20, an Elastic Net path of 50 α on the same data, and the
//! paper-sized grid search of `examples/size_prediction.rs`.
//!
//! Run: `cargo bench --bench regress`

use criterion::{Criterion, criterion_group, criterion_main};
use mnp_suite::dataset::fixture::{SIZE_TARGET, synthetic_size_fixture};
use mnp_suite::dataset::split::leave_one_out;
use mnp_suite::ml::size::{ModelSpec, Preprocessing, features_and_target, grid_search};
use mnp_suite::regress::validation::{linspace, logspace};
use mnp_suite::regress::{ElasticNetParams, Gamma, Kernel, Regressor, SvrParams};
use ndarray::{Array1, Array2};
use std::hint::black_box;
use std::time::Duration;

mod support;

/// x_ij = sin(0.37 i (j + 1)) + cos(0.11 i j); y = Σ_j x_ij/(j + 1) + 0.3 sin(i).
pub fn data(n: usize, p: usize) -> (Array2<f64>, Array1<f64>) {
    let x = Array2::from_shape_fn((n, p), |(i, j)| {
        (0.37 * i as f64 * (j + 1) as f64).sin() + (0.11 * (i * j) as f64).cos()
    });
    let y = Array1::from_shape_fn(n, |i| {
        (0..p).map(|j| x[[i, j]] / (j + 1) as f64).sum::<f64>() + 0.3 * (i as f64).sin()
    });
    (x, y)
}

fn regress(c: &mut Criterion) {
    let (x, y) = data(1000, 20);
    let svr = SvrParams {
        kernel: Kernel::Rbf {
            gamma: Gamma::Scale,
        },
        c: 1.0,
        epsilon: 0.1,
        ..Default::default()
    }
    .check()
    .unwrap();
    let mut g = c.benchmark_group("regress");
    g.sample_size(10).measurement_time(Duration::from_secs(10));
    g.bench_function("svr_rbf_fit_1000x20", |b| {
        b.iter(|| black_box(svr.fit(x.view(), y.view()).unwrap()))
    });
    // The same fit with a 1 MB kernel cache: 125 of the 1000 rows fit, so
    // the least-recently-used cache evicts and recomputes rows.
    let svr_small_cache = SvrParams {
        kernel: Kernel::Rbf {
            gamma: Gamma::Scale,
        },
        c: 1.0,
        epsilon: 0.1,
        cache_mb: 1.0,
        ..Default::default()
    }
    .check()
    .unwrap();
    g.bench_function("svr_rbf_fit_1000x20_cache_1mb", |b| {
        b.iter(|| black_box(svr_small_cache.fit(x.view(), y.view()).unwrap()))
    });
    g.bench_function("enet_path_50_alphas_1000x20", |b| {
        b.iter(|| {
            for a in logspace(-4.0, 0.0, 50) {
                let m = ElasticNetParams {
                    alpha: a,
                    l1_ratio: 0.5,
                    ..Default::default()
                }
                .check()
                .unwrap();
                black_box(m.fit(x.view(), y.view()).unwrap());
            }
        })
    });
    let t = synthetic_size_fixture(26, 2025).unwrap();
    let (features, target) = features_and_target(&t, SIZE_TARGET).unwrap();
    let loo = leave_one_out(26).unwrap();
    let svr_grid: Vec<ModelSpec> = linspace(100.0, 200.0, 5)
        .into_iter()
        .flat_map(|c| {
            linspace(0.0, 5.0, 11).into_iter().flat_map(move |g| {
                linspace(0.1, 1.0, 4).into_iter().map(move |e| {
                    ModelSpec::Svr(SvrParams {
                        kernel: Kernel::Rbf {
                            gamma: Gamma::Value(g),
                        },
                        c,
                        epsilon: e,
                        ..Default::default()
                    })
                })
            })
        })
        .collect();
    // One SVR fit on the fixture: 26 runs, the paper's best settings.
    let pipeline = mnp_suite::dataset::Pipeline::default()
        .fit(&features)
        .unwrap();
    let xf = pipeline.transform(&features).unwrap().data;
    let yf = Array1::from(target.clone());
    let paper_svr = SvrParams {
        kernel: Kernel::Rbf {
            gamma: Gamma::Value(3.16),
        },
        c: 152.59,
        epsilon: 0.1,
        ..Default::default()
    }
    .check()
    .unwrap();
    g.bench_function("svr_rbf_fit_fixture_26", |b| {
        b.iter(|| black_box(paper_svr.fit(xf.view(), yf.view()).unwrap()))
    });
    g.bench_function("size_grid_search_rbf_220x26_loo", |b| {
        b.iter(|| {
            black_box(
                grid_search(
                    &features,
                    &target,
                    Preprocessing::default(),
                    &svr_grid,
                    &loo,
                )
                .unwrap(),
            )
        })
    });
    g.finish();
}

criterion_group! {
    name = benches;
    config = support::criterion();
    targets = regress
}
criterion_main!(benches);
