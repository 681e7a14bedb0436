//! Gradient boosting: the training loss never rises, exact cases, early
//! stopping, seeding, bad parameters, LightGBM's bins and penalties.

use ml_regress::tree::{SplitSearch, bin_upper_bounds};
use ml_regress::{BoostingParams, DecisionTreeParams, Predict, RegressError, Regressor, TreeNode};
use ndarray::{Array1, Array2};

fn data(n: usize) -> (Array2<f64>, Array1<f64>) {
    let x = Array2::from_shape_fn((n, 3), |(i, j)| {
        ((i * (j + 2)) as f64 * 0.211 + j as f64).sin()
    });
    let y = Array1::from_shape_fn(n, |i| {
        2.0 * x[[i, 0]] + (3.0 * x[[i, 1]]).sin() + 0.4 * ((i * 7919) % 23) as f64 / 23.0
    });
    (x, y)
}

/// Each round moves every leaf's rows toward their mean residual, by a
/// step between 0 and the full one (shrinkage, L1 soft-thresholding, L2
/// damping), so the squared training loss never rises.
#[test]
fn training_loss_never_rises() {
    let (x, y) = data(200);
    for (l1, l2, lr) in [(0.0, 0.0, 0.1), (0.15, 0.14, 0.265), (1.0, 5.0, 1.0)] {
        let m = BoostingParams {
            n_estimators: 60,
            learning_rate: lr,
            l1,
            l2,
            ..BoostingParams::dimag_sar()
        }
        .check()
        .unwrap()
        .fit(x.view(), y.view())
        .unwrap();
        assert_eq!(m.train_loss.len(), 61);
        for w in m.train_loss.windows(2) {
            assert!(
                w[1] <= w[0] + 1e-12,
                "l1 {l1} l2 {l2}: {} -> {}",
                w[0],
                w[1]
            );
        }
        assert!(
            m.train_loss[60] < 0.5 * m.train_loss[0],
            "{:?}",
            m.train_loss
        );
        // predict() agrees with the loss the fit tracked.
        let p = m.predict(x.view()).unwrap();
        let mse = p.iter().zip(&y).map(|(a, b)| (a - b).powi(2)).sum::<f64>() / 200.0;
        assert!((mse - m.train_loss[60]).abs() < 1e-12);
    }
}

#[test]
fn exact_cases() {
    let (x, y) = data(50);
    // One unshrunk round of a fully grown tree reproduces the targets.
    let m = BoostingParams {
        n_estimators: 1,
        learning_rate: 1.0,
        tree: DecisionTreeParams::default(),
        ..Default::default()
    }
    .check()
    .unwrap()
    .fit(x.view(), y.view())
    .unwrap();
    let p = m.predict(x.view()).unwrap();
    assert!(p.iter().zip(&y).all(|(a, b)| (a - b).abs() < 1e-12));
    // L1 larger than any leaf's residual sum: no tree moves the mean.
    let m = BoostingParams {
        l1: 1e6,
        ..Default::default()
    }
    .check()
    .unwrap()
    .fit(x.view(), y.view())
    .unwrap();
    let mean = y.mean().unwrap();
    assert!(
        m.predict(x.view())
            .unwrap()
            .iter()
            .all(|v| (v - mean).abs() < 1e-12)
    );
}

/// With a held-out fraction, boosting stops once the validation loss stalls
/// and keeps the rounds up to its best value.
#[test]
fn early_stopping_keeps_the_best_round() {
    let (x, y) = data(300);
    let m = BoostingParams {
        n_estimators: 2000,
        learning_rate: 0.5,
        tree: DecisionTreeParams {
            max_depth: Some(6),
            ..Default::default()
        },
        validation_fraction: 0.2,
        n_iter_no_change: 10,
        seed: 3,
        ..Default::default()
    }
    .check()
    .unwrap()
    .fit(x.view(), y.view())
    .unwrap();
    let rounds = m.validation_loss.len();
    assert!(rounds < 2000, "never stopped");
    let best = m
        .validation_loss
        .iter()
        .cloned()
        .fold(f64::INFINITY, f64::min);
    assert_eq!(m.validation_loss[m.trees.len() - 1], best);
    assert_eq!(rounds, m.trees.len() + 10);
}

#[test]
fn seeded_subsampling() {
    let (x, y) = data(120);
    let fit = |seed| {
        BoostingParams {
            subsample: 0.5,
            seed,
            ..Default::default()
        }
        .check()
        .unwrap()
        .fit(x.view(), y.view())
        .unwrap()
    };
    assert_eq!(fit(1), fit(1));
    assert_ne!(fit(1), fit(2));
}

#[test]
fn bad_parameters() {
    let d = BoostingParams::default();
    for p in [
        BoostingParams {
            n_estimators: 0,
            ..d
        },
        BoostingParams {
            learning_rate: 0.0,
            ..d
        },
        BoostingParams {
            learning_rate: 1.5,
            ..d
        },
        BoostingParams {
            subsample: 0.0,
            ..d
        },
        BoostingParams {
            validation_fraction: 1.0,
            ..d
        },
        BoostingParams { l1: -0.1, ..d },
        BoostingParams { l2: f64::NAN, ..d },
        BoostingParams {
            n_iter_no_change: 0,
            ..d
        },
        BoostingParams {
            tree: DecisionTreeParams {
                min_samples_leaf: 0,
                ..Default::default()
            },
            ..d
        },
    ] {
        assert!(
            matches!(p.check(), Err(RegressError::InvalidParameter { .. })),
            "{p:?}"
        );
    }
    let sar = BoostingParams::dimag_sar();
    assert_eq!(
        (
            sar.n_estimators,
            sar.learning_rate,
            sar.tree.max_depth,
            sar.tree.min_samples_leaf,
            sar.tree.split_search
        ),
        (100, 0.265, Some(2), 14, SplitSearch::LIGHTGBM)
    );
}

/// Impurity importances equal scikit-learn 1.7.2's
/// `GradientBoostingRegressor(n_estimators=30, max_depth=2,
/// min_samples_leaf=5, learning_rate=0.1, criterion="squared_error")
/// .feature_importances_` on the same 60 rows: each tree's unnormalized
/// decrease, averaged, then normalized. (These settings have no tied
/// splits: deeper trees on so few rows tie between features, and
/// scikit-learn's own importances then change with its random_state.)
#[test]
fn feature_importances_match_scikit_learn() {
    let (x, y) = data(60);
    let m = BoostingParams {
        n_estimators: 30,
        learning_rate: 0.1,
        tree: DecisionTreeParams {
            max_depth: Some(2),
            min_samples_leaf: 5,
            ..Default::default()
        },
        ..Default::default()
    }
    .check()
    .unwrap()
    .fit(x.view(), y.view())
    .unwrap();
    let sklearn = [
        0.8297189362737653,
        0.16991689460974424,
        0.0003641691164906215,
    ];
    let ours = m.feature_importances();
    for (a, b) in ours.iter().zip(sklearn) {
        assert!((a - b).abs() < 1e-12, "{ours:?} vs {sklearn:?}");
    }
    // Averaging the normalized per-tree importances instead (the forests'
    // rule) would give other numbers: the weighting matters.
    let naive: Vec<f64> = (0..3)
        .map(|f| {
            m.trees
                .iter()
                .map(|t| t.feature_importances[f])
                .sum::<f64>()
                / 30.0
        })
        .collect();
    assert!((naive[0] - sklearn[0]).abs() > 1e-3, "{naive:?}");
}

/// The data of `benches/compare/lightgbm_boosting_reference.py`: 200 rows,
/// 3 features quantized to 1/40 (repeated values, zeros, negatives), and
/// 12 probe points off that grid.
fn quantized() -> (Array2<f64>, Array1<f64>, Array2<f64>) {
    let x = Array2::from_shape_fn((200, 3), |(i, j)| {
        (((i * (j + 2)) as f64 * 0.211 + j as f64).sin() * 40.0).floor() / 40.0
    });
    let y = Array1::from_shape_fn(200, |i| {
        2.0 * x[[i, 0]] + (3.0 * x[[i, 1]]).sin() + 0.4 * ((i * 7919) % 23) as f64 / 23.0
    });
    let probe = Array2::from_shape_fn((12, 3), |(k, j)| (1.3 * k as f64 + j as f64).sin() * 0.97);
    (x, y, probe)
}

/// With LightGBM's bins and penalties, boosting is LightGBM 4.7.0's
/// `LGBMRegressor(n_estimators=50, learning_rate=0.3, max_depth=2,
/// num_leaves=4, min_child_samples=5, reg_alpha, reg_lambda)`: the same
/// bins per feature and the same predictions off the training grid (to
/// LightGBM's single-precision gradients: 10⁻⁶), where the exact search
/// and unpenalized splits give other trees.
#[test]
fn binned_boosting_matches_lightgbm() {
    let (x, y, probe) = quantized();
    let bins: Vec<usize> = (0..3)
        .map(|j| bin_upper_bounds(&x.column(j).to_vec(), 255, 3).len())
        .collect();
    assert_eq!(bins, vec![42, 48, 40]);
    let lightgbm: [(f64, f64, [f64; 12]); 2] = [
        (
            0.0,
            0.0,
            [
                0.5796615516,
                2.81131757778,
                0.377388167285,
                -1.73893906337,
                -1.38684399485,
                1.21323150125,
                3.10524248105,
                0.100765015067,
                -1.98916067672,
                -0.837028070537,
                1.05360060807,
                2.90776525097,
            ],
        ),
        (
            0.15,
            0.14,
            [
                0.604167046912,
                2.84429237288,
                0.375695658231,
                -1.70929570162,
                -1.45792388997,
                1.23150680654,
                3.04773608713,
                0.0929420488834,
                -1.97555342373,
                -0.842516564188,
                1.07832307497,
                2.89734698893,
            ],
        ),
    ];
    for (l1, l2, expected) in lightgbm {
        let params = |split_search| BoostingParams {
            n_estimators: 50,
            learning_rate: 0.3,
            l1,
            l2,
            tree: DecisionTreeParams {
                max_depth: Some(2),
                min_samples_leaf: 5,
                split_search,
                ..Default::default()
            },
            ..Default::default()
        };
        let fit = |s| {
            params(s)
                .check()
                .unwrap()
                .fit(x.view(), y.view())
                .unwrap()
                .predict(probe.view())
                .unwrap()
        };
        let ours = fit(SplitSearch::LIGHTGBM);
        let worst = ours
            .iter()
            .zip(&expected)
            .map(|(a, b)| (a - b).abs())
            .fold(0.0, f64::max);
        assert!(worst < 1e-6, "l1 {l1} l2 {l2}: {worst:e}\n{ours}");
        let exact = fit(SplitSearch::Histogram);
        let gap = exact
            .iter()
            .zip(&expected)
            .map(|(a, b)| (a - b).abs())
            .fold(0.0, f64::max);
        assert!(gap > 1e-3, "the exact search should differ: {gap:e}");
    }
}

/// Bins of one row each, as many as the values: the binned search finds
/// the exact search's partitions (the same training fit), and its
/// thresholds are bin bounds.
#[test]
fn one_row_bins_give_the_exact_partitions() {
    let (x, y, _) = quantized();
    let fit = |split_search| {
        BoostingParams {
            n_estimators: 20,
            tree: DecisionTreeParams {
                max_depth: Some(3),
                min_samples_leaf: 2,
                split_search,
                ..Default::default()
            },
            ..Default::default()
        }
        .check()
        .unwrap()
        .fit(x.view(), y.view())
        .unwrap()
    };
    let fine = fit(SplitSearch::Binned {
        max_bins: 1000,
        min_rows_per_bin: 1,
    });
    let exact = fit(SplitSearch::Histogram);
    assert_eq!(fine.train_loss, exact.train_loss);
    let bounds: Vec<Vec<f64>> = (0..3)
        .map(|j| bin_upper_bounds(&x.column(j).to_vec(), 1000, 1))
        .collect();
    for tree in &fine.trees {
        for node in &tree.nodes {
            if let TreeNode::Split {
                feature, threshold, ..
            } = node
            {
                assert!(bounds[*feature].contains(threshold), "{threshold}");
            }
        }
    }
}
