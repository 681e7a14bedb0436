//! Random forests and extra trees: determinism across thread counts,
//! variance falling with more trees, exact cases, bad parameters.

use ml_regress::{DecisionTreeParams, ForestParams, Predict, RegressError, Regressor, Splitter};
use ndarray::{Array1, Array2};

/// n rows; `offset` shifts the index so that other rows come out (test
/// rows the forest never saw).
fn rows(n: usize, offset: f64) -> (Array2<f64>, Array1<f64>) {
    let x = Array2::from_shape_fn((n, 4), |(i, j)| {
        ((i as f64 + offset) * (j + 3) as f64 * 0.173 + j as f64).sin()
    });
    let y = Array1::from_shape_fn(n, |i| {
        3.0 * x[[i, 0]] - 2.0 * x[[i, 1]] * x[[i, 2]] + 0.3 * ((i * 7919) % 17) as f64 / 17.0
    });
    (x, y)
}

fn data(n: usize) -> (Array2<f64>, Array1<f64>) {
    rows(n, 0.0)
}

fn pool(threads: usize) -> rayon::ThreadPool {
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .unwrap()
}

/// The same seed gives the same forest, bit for bit, on 1 and 2 threads,
/// for both kinds; another seed gives another forest.
#[test]
fn identical_on_one_and_two_threads() {
    let (x, y) = data(150);
    for params in [ForestParams::random_forest(), ForestParams::extra_trees()] {
        let params = ForestParams {
            n_estimators: 24,
            seed: 42,
            ..params
        };
        let fit = |threads| {
            pool(threads).install(|| params.check().unwrap().fit(x.view(), y.view()).unwrap())
        };
        let (one, two) = (fit(1), fit(2));
        assert_eq!(one, two, "{params:?}");
        let a = one.predict(x.view()).unwrap();
        let b = two.predict(x.view()).unwrap();
        assert!(a.iter().zip(&b).all(|(p, q)| p.to_bits() == q.to_bits()));
        let other = ForestParams { seed: 43, ..params }
            .check()
            .unwrap()
            .fit(x.view(), y.view())
            .unwrap();
        assert_ne!(one, other);
    }
}

/// Averaging more trees lowers the spread of a forest's predictions over
/// seeds (about as 1/n_trees for the variance).
#[test]
fn variance_over_seeds_falls_with_more_trees() {
    let (x, y) = data(120);
    let (xt, _) = rows(20, 0.5);
    for params in [ForestParams::random_forest(), ForestParams::extra_trees()] {
        let spread = |n_estimators: usize| -> f64 {
            let preds: Vec<Array1<f64>> = (0..12u64)
                .map(|seed| {
                    ForestParams {
                        n_estimators,
                        seed,
                        ..params
                    }
                    .check()
                    .unwrap()
                    .fit(x.view(), y.view())
                    .unwrap()
                    .predict(xt.view())
                    .unwrap()
                })
                .collect();
            // Mean over test rows of the variance over seeds.
            (0..xt.nrows())
                .map(|r| {
                    let v: Vec<f64> = preds.iter().map(|p| p[r]).collect();
                    let m = v.iter().sum::<f64>() / v.len() as f64;
                    v.iter().map(|a| (a - m).powi(2)).sum::<f64>() / (v.len() - 1) as f64
                })
                .sum::<f64>()
                / xt.nrows() as f64
        };
        let (few, many) = (spread(4), spread(40));
        eprintln!(
            "{:?}: variance over seeds {few:.3e} (4 trees) vs {many:.3e} (40)",
            params.tree.splitter
        );
        assert!(many < 0.25 * few, "{few} vs {many}");
    }
}

/// Extra trees without bootstrap, grown fully, reproduce distinct training
/// points; a forest of one unbootstrapped best-split tree is that tree.
#[test]
fn exact_cases() {
    let (x, y) = data(80);
    let et = ForestParams {
        n_estimators: 10,
        ..ForestParams::extra_trees()
    }
    .check()
    .unwrap()
    .fit(x.view(), y.view())
    .unwrap();
    let p = et.predict(x.view()).unwrap();
    assert!(p.iter().zip(&y).all(|(a, b)| (a - b).abs() < 1e-12));
    let single = ForestParams {
        n_estimators: 1,
        bootstrap: false,
        ..ForestParams::random_forest()
    }
    .check()
    .unwrap()
    .fit(x.view(), y.view())
    .unwrap();
    let tree = DecisionTreeParams::default()
        .check()
        .unwrap()
        .fit(x.view(), y.view())
        .unwrap();
    assert_eq!(single.trees[0].nodes, tree.nodes);
    let total: f64 = et.feature_importances.iter().sum();
    assert!((total - 1.0).abs() < 1e-12);
    // The informative features carry the importance.
    assert!(et.feature_importances[3] < et.feature_importances[0]);
}

/// Random thresholds are seeded and stay within the node's range: an extra
/// tree on one feature never splits outside the data.
#[test]
fn random_splitter_is_seeded() {
    let (x, y) = data(60);
    let fit = |seed| {
        DecisionTreeParams {
            splitter: Splitter::Random,
            max_depth: Some(4),
            seed,
            ..Default::default()
        }
        .check()
        .unwrap()
        .fit(x.view(), y.view())
        .unwrap()
    };
    assert_eq!(fit(3), fit(3));
    assert_ne!(fit(3), fit(4));
}

#[test]
fn bad_parameters() {
    let err = ForestParams {
        n_estimators: 0,
        ..ForestParams::random_forest()
    }
    .check()
    .unwrap_err();
    assert!(matches!(
        err,
        RegressError::InvalidParameter {
            name: "n_estimators",
            ..
        }
    ));
    let err = ForestParams {
        tree: DecisionTreeParams {
            min_samples_leaf: 0,
            ..Default::default()
        },
        ..ForestParams::extra_trees()
    }
    .check()
    .unwrap_err();
    assert!(matches!(err, RegressError::InvalidParameter { .. }));
}
