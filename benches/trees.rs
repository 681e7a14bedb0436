//! Tree ensembles on DiMag's SAR.csv (460 × 11, log10 target, min-max
//! scaled): a 500-tree random forest and 100-round boosting (scikit-learn's
//! defaults: depth 3, learning rate 0.1), and the paper's SAR boosting, on
//! the thread pool's two threads, each best-threshold model with the
//! histogram and the sorting split search and with LightGBM's bins (the
//! paper's model as the study fitted it); and conformal intervals around
//! the paper's SAR boosting (`conformal_sar`: the point model's fit and
//! predict beside split conformal and CQR, each fit, calibrate, predict).
//! Reads `$MNP_DATA_DIR/dimag/SAR.csv`.
//!
//! Run: `MNP_DATA_DIR=../shared/data cargo bench --bench trees`

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use mnp_suite::dataset::dimag::{DimagTarget, load_dimag};
use mnp_suite::dataset::{NumericImputation, Pipeline, Scaling, UnknownCategory};
use mnp_suite::regress::conformal::{Cqr, SplitConformal};
use mnp_suite::regress::validation::Fold;
use mnp_suite::regress::{
    BoostingParams, DecisionTreeParams, ForestParams, Loss, Predict, Regressor, SplitSearch,
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
    // default), sort and LightGBM's bins, side by side (extra trees draw
    // their thresholds).
    for (name, search) in [
        ("histogram", SplitSearch::Histogram),
        ("sort", SplitSearch::Sort),
        ("lightgbm_bins", SplitSearch::LIGHTGBM),
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

/// Conformal intervals at α = 0.1 around the paper's SAR boosting: rows in
/// file order, the first 60 % fit the models, the next 20 % calibrate, the
/// last 20 % are predicted.
fn conformal(c: &mut Criterion) {
    let (x, y) = sar();
    let n = x.nrows();
    let (n_fit, n_cal) = (n * 6 / 10, n * 2 / 10);
    let fit_rows: Vec<usize> = (0..n_fit).collect();
    let split = Fold {
        train: fit_rows.clone(),
        test: (n_fit..n_fit + n_cal).collect(),
    };
    let test = x.slice(ndarray::s![n_fit + n_cal.., ..]);
    let point = BoostingParams::dimag_sar().check().unwrap();
    let quantile = |tau: f64| {
        BoostingParams {
            loss: Loss::Quantile(tau),
            l1: 0.0,
            l2: 0.0,
            ..BoostingParams::dimag_sar()
        }
        .check()
        .unwrap()
    };
    let (lo, hi) = (quantile(0.05), quantile(0.95));
    let (xf, yf) = (
        x.select(ndarray::Axis(0), &fit_rows),
        y.select(ndarray::Axis(0), &fit_rows),
    );
    let mut g = c.benchmark_group("conformal_sar");
    g.sample_size(20);
    g.bench_function("point_model", |b| {
        b.iter(|| {
            let m = point.fit(xf.view(), yf.view()).unwrap();
            black_box(m.predict(test).unwrap())
        })
    });
    g.bench_function("split_conformal", |b| {
        b.iter(|| {
            let m = SplitConformal::fit(&point, x.view(), y.view(), &split, 0.1).unwrap();
            black_box(m.predict_interval(test).unwrap())
        })
    });
    g.bench_function("cqr", |b| {
        b.iter(|| {
            let m = Cqr::fit(&lo, &hi, x.view(), y.view(), &split, 0.1).unwrap();
            black_box(m.predict_interval(test).unwrap())
        })
    });
    g.finish();
}

criterion_group! {
    name = benches;
    config = support::criterion();
    targets = trees, conformal
}
criterion_main!(benches);
