//! The histogram and the sorting split searches grow the same trees: on
//! continuous features, on features with many ties (few distinct values),
//! with bootstrap repeats (forests) and on boosting's residuals.

use ml_regress::{
    BoostingParams, DecisionTreeParams, ForestParams, MaxFeatures, Predict, Regressor, SplitSearch,
};
use ndarray::{Array1, Array2};
use proptest::prelude::*;

/// n × 4: two continuous features, one with 5 levels, one with 2.
fn data(n: usize, seed: u64) -> (Array2<f64>, Array1<f64>) {
    let h = |i: usize, j: usize| {
        let z = (i as u64 + 1).wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ (seed + j as u64 * 977);
        let z = (z ^ (z >> 29)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        ((z ^ (z >> 32)) % 10_000) as f64 / 10_000.0
    };
    let x = Array2::from_shape_fn((n, 4), |(i, j)| match j {
        0 | 1 => h(i, j),
        2 => (h(i, j) * 5.0).floor(),
        _ => (h(i, j) * 2.0).floor(),
    });
    let y = Array1::from_shape_fn(n, |i| {
        (3.0 * x[[i, 0]]).sin() + 0.5 * x[[i, 2]] - x[[i, 3]] * x[[i, 1]] + 0.1 * h(i, 9)
    });
    (x, y)
}

fn with(search: SplitSearch, tree: DecisionTreeParams) -> DecisionTreeParams {
    DecisionTreeParams {
        split_search: search,
        ..tree
    }
}

fn max_diff(a: &Array1<f64>, b: &Array1<f64>) -> f64 {
    a.iter()
        .zip(b)
        .map(|(p, q)| (p - q).abs())
        .fold(0.0, f64::max)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]
    /// A full tree and a depth-limited one with a leaf minimum: the same
    /// predictions everywhere (the same splits), whatever the data.
    #[test]
    fn single_trees_agree(n in 5usize..300, seed in 0u64..1000, depth in 1usize..8, leaf in 1usize..6) {
        let (x, y) = data(n, seed);
        let (xt, _) = data(97, seed + 1);
        for tree in [
            DecisionTreeParams::default(),
            DecisionTreeParams { max_depth: Some(depth), min_samples_leaf: leaf, ..Default::default() },
        ] {
            let fit = |s| with(s, tree).check().unwrap().fit(x.view(), y.view()).unwrap();
            let (h, s) = (fit(SplitSearch::Histogram), fit(SplitSearch::Sort));
            prop_assert_eq!(h.depth(), s.depth());
            prop_assert_eq!(h.leaf_sizes(), s.leaf_sizes());
            let d = max_diff(&h.predict(xt.view()).unwrap(), &s.predict(xt.view()).unwrap());
            prop_assert!(d < 1e-12, "{}", d);
        }
    }
}

#[test]
fn forests_and_boosting_agree() {
    let (x, y) = data(400, 7);
    let (xt, _) = data(200, 8);
    let rf = |s| {
        let p = ForestParams {
            n_estimators: 30,
            seed: 5,
            ..ForestParams::random_forest()
        };
        ForestParams {
            tree: DecisionTreeParams {
                max_features: MaxFeatures::Count(2),
                ..with(s, p.tree)
            },
            ..p
        }
        .check()
        .unwrap()
        .fit(x.view(), y.view())
        .unwrap()
        .predict(xt.view())
        .unwrap()
    };
    let d = max_diff(&rf(SplitSearch::Histogram), &rf(SplitSearch::Sort));
    assert!(d < 1e-12, "forest: {d}");
    let gbt = |s| {
        let p = BoostingParams {
            subsample: 0.7,
            validation_fraction: 0.1,
            seed: 3,
            ..BoostingParams::default()
        };
        BoostingParams {
            tree: with(s, p.tree),
            ..p
        }
        .check()
        .unwrap()
        .fit(x.view(), y.view())
        .unwrap()
    };
    let (h, s) = (gbt(SplitSearch::Histogram), gbt(SplitSearch::Sort));
    assert_eq!(h.trees.len(), s.trees.len());
    let d = max_diff(
        &h.predict(xt.view()).unwrap(),
        &s.predict(xt.view()).unwrap(),
    );
    assert!(d < 1e-10, "boosting: {d}");
}
