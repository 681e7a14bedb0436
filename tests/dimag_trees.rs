//! Data-backed: the DiMag tree pipeline against scikit-learn 1.9.1 on the
//! same unshuffled KFold(5) folds (min-max scaling, log10 target): the mean
//! over random_state 0, 1, 2 of `cross_val_predict(make_pipeline(
//! MinMaxScaler(), model), X, y, cv=KFold(5))` R². Reads
//! `$MNP_DATA_DIR/dimag`; run with `MNP_DATA_DIR=../shared/data cargo test
//! -- --ignored`.
//!
//! And the published protocol's model per target on scikit-learn's own
//! 80/20 splits (`tests/fixtures/dimag_sklearn_splits.json`, written by
//! `benches/compare/run dimag-splits`): LightGBM's bins per feature, each
//! split's SAR test R² (LightGBM's), and the median test R² of the
//! randomized extra trees for r1 and r2 (within 0.01).

use mnp_suite::dataset::dimag::{DimagTarget, load_dimag};
use mnp_suite::dataset::split::{Split, equal_width_bins, sklearn_stratified_train_test_split};
use mnp_suite::ml::dimag::{TreeModel, cross_validated_r2, paper_model, test_r2_on_splits};
use mnp_suite::regress::tree::bin_upper_bounds;
use mnp_suite::regress::{BoostingParams, ForestParams};
mod common;
use common::dimag_dir;

#[test]
#[ignore = "needs the DiMag data: set MNP_DATA_DIR"]
fn unshuffled_five_fold_r2_matches_scikit_learn() {
    // (target, model, scikit-learn's mean R²) — the target: within 0.03.
    let cases = [
        (
            DimagTarget::R2,
            TreeModel::ExtraTrees(ForestParams {
                n_estimators: 500,
                ..ForestParams::extra_trees()
            }),
            0.350,
        ),
        (
            DimagTarget::Sar,
            TreeModel::Boosting(BoostingParams::default()),
            0.336,
        ),
        (
            DimagTarget::R1,
            TreeModel::Boosting(BoostingParams::default()),
            0.142,
        ),
    ];
    for (target, model, sklearn) in cases {
        let data = load_dimag(&dimag_dir(), target).unwrap();
        let ours = cross_validated_r2(&data, &model, false).unwrap();
        eprintln!(
            "{target:?} {}: R2 {ours:.3} vs scikit-learn {sklearn:.3}",
            model.name()
        );
        assert!(
            (ours - sklearn).abs() < 0.03,
            "{target:?} {}: {ours} vs {sklearn}",
            model.name()
        );
    }
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    let n = v.len();
    0.5 * (v[(n - 1) / 2] + v[n / 2])
}

#[test]
#[ignore = "needs the DiMag data: set MNP_DATA_DIR"]
fn protocol_on_scikit_learn_splits_matches_its_median() {
    let fixture: serde_json::Value =
        serde_json::from_str(include_str!("fixtures/dimag_sklearn_splits.json")).unwrap();
    for target in DimagTarget::ALL {
        let data = load_dimag(&dimag_dir(), target).unwrap();
        let entry = &fixture["targets"][target.label()];
        assert_eq!(entry["rows"].as_u64(), Some(data.y.len() as u64));
        let seeds = entry["seeds"].as_array().unwrap();
        assert_eq!(seeds.len(), 10);
        let splits: Vec<(u64, Split)> = seeds
            .iter()
            .map(|s| {
                let test = serde_json::from_value(s["test"].clone()).unwrap();
                let split = Split::from_test_rows(data.y.len(), test).unwrap();
                (s["seed"].as_u64().unwrap(), split)
            })
            .collect();
        // LightGBM's bins on the seed-0 training rows (min-max scaled as
        // scikit-learn scales: x·s + m with s = 1/(max − min), m = −min·s).
        let table = data.features().unwrap();
        let bins: Vec<usize> = data
            .descriptors
            .iter()
            .map(|name| {
                let column: Vec<f64> = splits[0]
                    .1
                    .train
                    .iter()
                    .map(|&i| table.numeric(name).unwrap()[i].unwrap())
                    .collect();
                let (lo, hi) = column
                    .iter()
                    .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &v| {
                        (a.min(v), b.max(v))
                    });
                let scale = if hi > lo { 1.0 / (hi - lo) } else { 1.0 };
                let scaled: Vec<f64> = column.iter().map(|&v| v * scale - lo * scale).collect();
                bin_upper_bounds(&scaled, 255, 3).len()
            })
            .collect();
        let lightgbm: Vec<usize> =
            serde_json::from_value(entry["lightgbm_bins_seed0"].clone()).unwrap();
        assert_eq!(bins, lightgbm, "{target:?}: bins per feature");
        let theirs: Vec<f64> = seeds
            .iter()
            .map(|s| s["test_r2"].as_f64().unwrap())
            .collect();
        let ours = test_r2_on_splits(&data, &paper_model(target), &splits).unwrap();
        let (m_ours, m_theirs) = (median(ours.clone()), median(theirs.clone()));
        eprintln!("{target:?}: median test R2 {m_ours:.4} vs {m_theirs:.4}");
        for (o, t) in ours.iter().zip(&theirs) {
            eprintln!("    {o:.4} {t:.4} {:+.4}", o - t);
        }
        assert!(
            (m_ours - m_theirs).abs() <= 0.01,
            "{target:?}: median test R² {m_ours} against scikit-learn's {m_theirs}"
        );
        if target == DimagTarget::Sar {
            // Boosting has no randomness here: with LightGBM's bins and
            // penalties it is LightGBM's model, split by split (up to
            // LightGBM's single-precision gradients).
            for (seed, (o, t)) in ours.iter().zip(&theirs).enumerate() {
                assert!((o - t).abs() < 1e-3, "seed {seed}: {o} against {t}");
            }
        }
    }
}

/// scikit-learn's `train_test_split(test_size=0.2, stratify=pandas.cut(y,
/// 5), random_state=seed)` replayed: the same test rows, and the same first
/// ten training and test rows in scikit-learn's order, for every target
/// and seed 0–9.
#[test]
#[ignore = "needs the DiMag data: set MNP_DATA_DIR"]
fn sklearn_compatible_split_replays_scikit_learn() {
    let fixture: serde_json::Value =
        serde_json::from_str(include_str!("fixtures/dimag_sklearn_splits.json")).unwrap();
    for target in DimagTarget::ALL {
        let data = load_dimag(&dimag_dir(), target).unwrap();
        let bins = equal_width_bins(&data.y, 5).unwrap();
        for s in fixture["targets"][target.label()]["seeds"]
            .as_array()
            .unwrap()
        {
            let seed = s["seed"].as_u64().unwrap() as u32;
            let split = sklearn_stratified_train_test_split(&bins, 0.2, seed).unwrap();
            let mut test = split.test.clone();
            test.sort_unstable();
            let expected: Vec<usize> = serde_json::from_value(s["test"].clone()).unwrap();
            assert_eq!(test, expected, "{target:?} seed {seed}: test rows");
            let head: Vec<usize> = serde_json::from_value(s["train_head"].clone()).unwrap();
            assert_eq!(
                &split.train[..10],
                &head[..],
                "{target:?} seed {seed}: training order"
            );
            let head: Vec<usize> = serde_json::from_value(s["test_head"].clone()).unwrap();
            assert_eq!(
                &split.test[..10],
                &head[..],
                "{target:?} seed {seed}: test order"
            );
            assert_eq!(split.train.len() + split.test.len(), data.y.len());
        }
    }
}
