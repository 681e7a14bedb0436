//! Tree ensembles on DiMag's SAR.csv (460 × 11, log10 target, min-max
//! scaled): a 500-tree random forest and 100-round boosting (scikit-learn's
//! defaults: depth 3, learning rate 0.1), and the paper's SAR boosting, on
//! the thread pool's two threads, each best-threshold model with the
//! histogram and the sorting split search. Reads `$MNP_DATA_DIR/dimag/SAR.csv`.
//!
//! Run: `MNP_DATA_DIR=../shared/data cargo bench --bench trees`

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use mnp_suite::dataset::dimag::{DimagTarget, load_dimag};
use mnp_suite::dataset::{NumericImputation, Pipeline, Scaling, UnknownCategory};
use mnp_suite::regress::{
    BoostingParams, DecisionTreeParams, ForestParams, Regressor, SplitSearch,
};
use ndarray::Array1;
use std::hint::black_box;
use std::path::PathBuf;
use std::time::Duration;

mod support;

fn sar() -> (ndarray::Array2<f64>, Array1<f64>) {
    let dir = PathBuf::from(std::env::var_os("MNP_DATA_DIR").expect(
        "MNP_DATA_DIR is not set: this bench reads DiMag's SAR.csv \
         (run: MNP_DATA_DIR=../shared/data cargo bench --bench trees)",
    ))
    .join("dimag");
    let data = load_dimag(&dir, DimagTarget::Sar).unwrap();
    let features = data.features().unwrap();
    let pipeline = Pipeline::new(
        NumericImputation::Mean,
        Some(Scaling::MinMax),
        UnknownCategory::AllZeros,
    );
    let pipeline = pipeline.fit(&features).unwrap();
    let x = pipeline.transform(&features).unwrap().data;
    let y: Array1<f64> = data.y.iter().map(|v| v.log10()).collect();
    (x, y)
}

fn trees(c: &mut Criterion) {
    let (x, y) = sar();
    let mut g = c.benchmark_group("trees_sar");
    g.sample_size(10).measurement_time(Duration::from_secs(10));
    // The split search of the best-threshold trees, histogram (the
    // default) and sort, side by side (extra trees draw their thresholds).
    for (name, search) in [
        ("histogram", SplitSearch::Histogram),
        ("sort", SplitSearch::Sort),
    ] {
        let rf = ForestParams {
            n_estimators: 500,
            ..ForestParams::random_forest()
        };
        let rf = ForestParams {
            tree: DecisionTreeParams {
                split_search: search,
                ..rf.tree
            },
            ..rf
        }
        .check()
        .unwrap();
        g.bench_function(BenchmarkId::new("random_forest_500", name), |b| {
            b.iter(|| black_box(rf.fit(x.view(), y.view()).unwrap()))
        });
        for (label, params) in [
            ("boosting_100_depth3", BoostingParams::default()),
            ("boosting_100_paper_sar", BoostingParams::dimag_sar()),
        ] {
            let gbt = BoostingParams {
                tree: DecisionTreeParams {
                    split_search: search,
                    ..params.tree
                },
                ..params
            }
            .check()
            .unwrap();
            g.bench_function(BenchmarkId::new(label, name), |b| {
                b.iter(|| black_box(gbt.fit(x.view(), y.view()).unwrap()))
            });
        }
    }
    let et = ForestParams {
        n_estimators: 500,
        ..ForestParams::extra_trees()
    }
    .check()
    .unwrap();
    g.bench_function("extra_trees_500", |b| {
        b.iter(|| black_box(et.fit(x.view(), y.view()).unwrap()))
    });
    g.finish();
}

criterion_group! {
    name = benches;
    config = support::criterion();
    targets = trees
}
criterion_main!(benches);
