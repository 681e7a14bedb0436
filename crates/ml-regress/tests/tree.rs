//! CART regression trees: scikit-learn agreement, exact cases, limits,
//! determinism and bad parameters.

use ml_regress::tree::SplitSearch;
use ml_regress::{DecisionTreeParams, MaxFeatures, Predict, RegressError, Regressor, TreeNode};
use ndarray::{Array1, Array2};

/// The data of the scikit-learn reference: 60 × 3, continuous (no ties, so
/// the best split of every node is unique and the trees must be equal).
fn data() -> (Array2<f64>, Array1<f64>) {
    let x = Array2::from_shape_fn((60, 3), |(i, j)| {
        (0.7 * i as f64 * (j + 1) as f64 + 0.3 * j as f64).sin() + 0.05 * j as f64
    });
    let y = Array1::from_shape_fn(60, |i| {
        2.0 * x[[i, 0]].powi(2) - x[[i, 1]]
            + 0.5 * (3.0 * x[[i, 2]]).sin()
            + 0.1 * (5.0 * i as f64).cos()
    });
    (x, y)
}

/// scikit-learn 1.9.1 `DecisionTreeRegressor(random_state=0, **kw)`: depth,
/// leaf count, training MSE and the sorted leaf values. These do not depend
/// on how ties are broken. Two features can cut a node's rows into the same
/// two sets with exactly equal gain (the depth-3 tree has one such node):
/// scikit-learn then takes whichever its random feature order meets first,
/// we take the lowest-numbered feature. The partitions, and so the training
/// fit, are the same; the feature credited, and predictions off the training
/// rows, can differ.
#[test]
fn trees_match_scikit_learn() {
    let (x, y) = data();
    let cases: [(DecisionTreeParams, usize, f64, &[f64]); 3] = [
        (
            DecisionTreeParams {
                max_depth: Some(3),
                ..Default::default()
            },
            3,
            0.064949505045473,
            &[
                -0.8799572083846833,
                0.14043243485742213,
                1.2307973948341258,
                1.2603307657993983,
                1.3185724541188064,
                2.6713216120049847,
                2.8262317083526485,
                3.0034196388392536,
            ],
        ),
        (
            DecisionTreeParams {
                min_samples_leaf: 5,
                ..Default::default()
            },
            5,
            0.007537112781435229,
            &[
                -0.8799572083846833,
                -0.1589216837606809,
                0.30674027853414604,
                0.7854664341827738,
                1.217243450172631,
                1.289314101023913,
                1.7104446513832723,
                2.6713216120049847,
                2.973888317091486,
            ],
        ),
        (
            DecisionTreeParams {
                max_depth: Some(6),
                min_impurity_decrease: 0.002,
                ..Default::default()
            },
            5,
            0.007537112781435229,
            &[
                -0.8799572083846833,
                -0.1589216837606809,
                0.30674027853414604,
                0.7854664341827738,
                1.217243450172631,
                1.2893141010239129,
                1.7104446513832727,
                2.6713216120049847,
                2.973888317091486,
            ],
        ),
    ];
    for (params, depth, mse, leaves) in cases {
        let m = params.check().unwrap().fit(x.view(), y.view()).unwrap();
        assert_eq!(m.depth(), depth, "{params:?}");
        let mut values: Vec<f64> = m
            .nodes
            .iter()
            .filter_map(|n| match n {
                TreeNode::Leaf { value, .. } => Some(*value),
                TreeNode::Split { .. } => None,
            })
            .collect();
        values.sort_by(f64::total_cmp);
        assert_eq!(values.len(), leaves.len(), "{params:?}");
        for (a, b) in values.iter().zip(leaves) {
            assert!((a - b).abs() < 1e-12, "{params:?}: leaf {a} vs {b}");
        }
        let p = m.predict(x.view()).unwrap();
        let ours = p.iter().zip(&y).map(|(a, b)| (a - b).powi(2)).sum::<f64>() / 60.0;
        assert!(
            (ours - mse).abs() < 1e-12,
            "{params:?}: MSE {ours} vs {mse}"
        );
        let total: f64 = m.feature_importances.iter().sum();
        assert!((total - 1.0).abs() < 1e-12);
    }
}

/// A step function is fitted exactly by one split at the midpoint.
#[test]
fn a_step_function_is_fitted_exactly() {
    let x = Array2::from_shape_fn((20, 1), |(i, _)| i as f64 / 19.0);
    let y = x.column(0).mapv(|v| if v < 0.5 { 1.0 } else { 3.0 });
    let m = DecisionTreeParams::default()
        .check()
        .unwrap()
        .fit(x.view(), y.view())
        .unwrap();
    assert_eq!(m.depth(), 1);
    match m.nodes[0] {
        TreeNode::Split {
            feature, threshold, ..
        } => {
            assert_eq!(feature, 0);
            assert!((threshold - 0.5).abs() < 1e-12, "{threshold}");
        }
        ref other => panic!("{other:?}"),
    }
    assert_eq!(m.predict(x.view()).unwrap(), y);
    assert_eq!(m.feature_importances, vec![1.0]);
}

/// Grown without limits, a tree reproduces distinct training points; the
/// limits hold when set.
#[test]
fn limits_are_respected_and_a_full_tree_interpolates() {
    let (x, y) = data();
    let full = DecisionTreeParams::default()
        .check()
        .unwrap()
        .fit(x.view(), y.view())
        .unwrap();
    let p = full.predict(x.view()).unwrap();
    for (a, b) in p.iter().zip(&y) {
        assert!((a - b).abs() < 1e-12);
    }
    for leaf in [3usize, 7] {
        let m = DecisionTreeParams {
            min_samples_leaf: leaf,
            ..Default::default()
        }
        .check()
        .unwrap()
        .fit(x.view(), y.view())
        .unwrap();
        assert!(m.leaf_sizes().iter().all(|&s| s >= leaf));
        assert_eq!(m.leaf_sizes().iter().sum::<usize>(), 60);
    }
    for depth in [0usize, 1, 4] {
        let m = DecisionTreeParams {
            max_depth: Some(depth),
            ..Default::default()
        }
        .check()
        .unwrap()
        .fit(x.view(), y.view())
        .unwrap();
        assert!(m.depth() <= depth);
    }
    let m = DecisionTreeParams {
        min_samples_split: 30,
        ..Default::default()
    }
    .check()
    .unwrap()
    .fit(x.view(), y.view())
    .unwrap();
    for node in &m.nodes {
        if let TreeNode::Split { samples, .. } = node {
            assert!(*samples >= 30);
        }
    }
}

/// Feature sampling is seeded: the same seed gives the same tree, and
/// another seed (usually) another one.
#[test]
fn feature_sampling_is_seeded() {
    let (x, y) = data();
    let fit = |seed| {
        DecisionTreeParams {
            max_features: MaxFeatures::Count(1),
            seed,
            ..Default::default()
        }
        .check()
        .unwrap()
        .fit(x.view(), y.view())
        .unwrap()
    };
    assert_eq!(fit(7), fit(7));
    assert!((0..5).any(|s| fit(s) != fit(7)));
    assert_eq!(MaxFeatures::Sqrt.resolve(11), 3);
    assert_eq!(MaxFeatures::Log2.resolve(11), 3);
    assert_eq!(MaxFeatures::Fraction(0.5).resolve(11), 5);
    assert_eq!(MaxFeatures::Count(20).resolve(11), 11);
}

#[test]
fn bad_parameters_and_data() {
    let bad = [
        DecisionTreeParams {
            min_samples_split: 1,
            ..Default::default()
        },
        DecisionTreeParams {
            min_samples_leaf: 0,
            ..Default::default()
        },
        DecisionTreeParams {
            max_features: MaxFeatures::Fraction(1.5),
            ..Default::default()
        },
        DecisionTreeParams {
            max_features: MaxFeatures::Count(0),
            ..Default::default()
        },
        DecisionTreeParams {
            min_impurity_decrease: -1.0,
            ..Default::default()
        },
        DecisionTreeParams {
            split_search: SplitSearch::Binned {
                max_bins: 1,
                min_rows_per_bin: 3,
            },
            ..Default::default()
        },
        DecisionTreeParams {
            split_search: SplitSearch::Binned {
                max_bins: 255,
                min_rows_per_bin: 0,
            },
            ..Default::default()
        },
    ];
    for p in bad {
        assert!(
            matches!(p.check(), Err(RegressError::InvalidParameter { .. })),
            "{p:?}"
        );
    }
    let tree = DecisionTreeParams::default().check().unwrap();
    let x = Array2::<f64>::zeros((3, 2));
    let y = Array1::from(vec![1.0, f64::NAN, 2.0]);
    assert!(matches!(
        tree.fit(x.view(), y.view()),
        Err(RegressError::NonFinite { .. })
    ));
    let m = tree
        .fit(x.view(), Array1::from(vec![1.0, 2.0, 3.0]).view())
        .unwrap();
    // Constant features cannot be split: one leaf with the mean.
    assert_eq!(m.nodes.len(), 1);
    assert!(matches!(
        m.predict(Array2::<f64>::zeros((1, 3)).view()),
        Err(RegressError::ShapeMismatch { .. })
    ));
}
