//! Elastic Net against scikit-learn 1.9.1 and exact cases.

use approx::assert_relative_eq;
use ml_regress::metrics::{mae, r2, residual_sd, rmse};
use ml_regress::validation::{
    Fold, Scoring, cartesian, cross_validate, grid_search, linspace, logspace,
};
use ml_regress::{ElasticNetParams, Predict, RegressError, Regressor};
use ndarray::{Array1, Array2, array};
use proptest::prelude::*;

/// x_ij = sin(0.7 i (j + 1)) + 0.1 j, y = 1.5 + x·(2, −1, 0, 0.5, 0) + 0.1 cos 3i.
fn data() -> (Array2<f64>, Array1<f64>) {
    let x = Array2::from_shape_fn((30, 5), |(i, j)| {
        (i as f64 * (j + 1) as f64 * 0.7).sin() + 0.1 * j as f64
    });
    let beta = array![2.0, -1.0, 0.0, 0.5, 0.0];
    let y = x.dot(&beta) + 1.5 + Array1::from_shape_fn(30, |i| 0.1 * (3.0 * i as f64).cos());
    (x, y)
}

/// scikit-learn 1.9.1: `ElasticNet(alpha, l1_ratio, tol=1e-12, max_iter=1e6).fit(X, y)`.
const SKLEARN: [((f64, f64), [f64; 5], f64); 4] = [
    (
        (0.1, 0.5),
        [
            1.7119091224843055,
            -0.8004174350539972,
            0.0,
            0.2715191566541407,
            -0.07836082767233131,
        ],
        1.5894986055931002,
    ),
    (
        (0.05, 0.9),
        [
            1.8816060290290426,
            -0.8940184481023673,
            0.0,
            0.3867942487210596,
            0.0,
        ],
        1.5272068778927943,
    ),
    (
        (0.5, 0.1),
        [
            0.9743139745207283,
            -0.43420976069420814,
            0.0,
            0.13504818879972372,
            -0.09490425255833873,
        ],
        1.6257333484972312,
    ),
    (
        (0.01, 1.0),
        [
            1.9783104119072155,
            -0.9821419317691407,
            0.0,
            0.46870820781848477,
            0.0,
        ],
        1.5103523910419139,
    ),
];

#[test]
fn coefficients_match_scikit_learn() {
    let (x, y) = data();
    for ((alpha, l1_ratio), coef, intercept) in SKLEARN {
        let m = ElasticNetParams {
            alpha,
            l1_ratio,
            tol: 1e-12,
            max_iter: 1_000_000,
            ..Default::default()
        }
        .check()
        .unwrap()
        .fit(x.view(), y.view())
        .unwrap();
        for (ours, theirs) in m.coefficients.iter().zip(coef) {
            assert!(
                (ours - theirs).abs() < 1e-9,
                "alpha {alpha}, l1 {l1_ratio}: {ours} vs {theirs}"
            );
        }
        assert!((m.intercept - intercept).abs() < 1e-9);
    }
}

#[test]
fn metrics_by_hand() {
    let (y, p) = ([1.0, 2.0, 3.0, 4.0], [1.5, 2.0, 2.0, 4.5]);
    assert_relative_eq!(rmse(&y, &p).unwrap(), (1.5f64 / 4.0).sqrt());
    assert_relative_eq!(mae(&y, &p).unwrap(), 0.5);
    assert_relative_eq!(r2(&y, &p).unwrap(), 1.0 - 1.5 / 5.0);
    // Residuals −0.5, 0, 1, −0.5: mean 0, sample sd √(1.5/3).
    assert_relative_eq!(residual_sd(&y, &p).unwrap(), 0.5f64.sqrt());
    assert_eq!(r2(&[2.0, 2.0], &[2.0, 2.0]).unwrap(), 1.0);
    assert!(rmse(&[], &[]).is_err());
    assert!(rmse(&[1.0], &[1.0, 2.0]).is_err());
}

#[test]
fn cross_validation_and_grid_search() {
    let (x, y) = data();
    let folds: Vec<Fold> = (0..5)
        .map(|f| Fold {
            test: (f * 6..f * 6 + 6).collect(),
            train: (0..30)
                .filter(|i| !(f * 6..f * 6 + 6).contains(i))
                .collect(),
        })
        .collect();
    // numpy's linspace ends exactly on its end value: 0.1 + 0.9·9/9 would not.
    assert_eq!(*linspace(0.1, 1.0, 10).last().unwrap(), 1.0);
    assert_eq!(linspace(0.0, 1.0, 1), vec![0.0]);
    let grid = cartesian(&[logspace(-3.0, 0.0, 4), linspace(0.1, 1.0, 4)]);
    assert_eq!(grid.len(), 16);
    assert_eq!(grid[1], vec![0.001, 0.4]);
    let candidates: Vec<_> = grid
        .iter()
        .map(|g| {
            ElasticNetParams {
                alpha: g[0],
                l1_ratio: g[1],
                tol: 1e-12,
                max_iter: 1_000_000,
                ..Default::default()
            }
            .check()
            .unwrap()
        })
        .collect();
    let r = grid_search(&candidates, x.view(), y.view(), &folds, Scoring::Rmse).unwrap();
    // scikit-learn 1.9.1: RMSE of cross_val_predict(ElasticNet(alpha, l1_ratio,
    // tol=1e-12), X, y, cv=KFold(5)) for the same 16 candidates.
    let sklearn = [
        0.12358530005556302,
        0.12309720936244758,
        0.12264215037367615,
        0.12220117571125709,
        0.12120344619777018,
        0.12001728884266225,
        0.11983405409715224,
        0.12061582690139021,
        0.3097377266793044,
        0.30007318667599114,
        0.2971812406172548,
        0.3021271892430386,
        1.1632311206289383,
        1.3080983139396518,
        1.4353866583024162,
        1.6246912629685457,
    ];
    for (ours, theirs) in r.scores.iter().zip(sklearn) {
        assert!(
            (ours.rmse - theirs).abs() < 1e-9 * theirs,
            "{} vs {theirs}",
            ours.rmse
        );
    }
    assert_eq!(r.best, 6); // alpha 0.01, l1_ratio 0.7, as scikit-learn
    let best = cross_validate(&candidates[r.best], x.view(), y.view(), &folds).unwrap();
    assert_eq!(best, r.scores[r.best]);
    let by_r2 = grid_search(&candidates, x.view(), y.view(), &folds, Scoring::R2).unwrap();
    assert_eq!(by_r2.best, r.best);
}

#[test]
fn bad_input() {
    let bad = |p: ElasticNetParams| p.check().unwrap_err();
    assert!(matches!(
        bad(ElasticNetParams {
            alpha: -1.0,
            ..Default::default()
        }),
        RegressError::InvalidParameter { name: "alpha", .. }
    ));
    assert!(matches!(
        bad(ElasticNetParams {
            l1_ratio: -0.1,
            ..Default::default()
        }),
        RegressError::InvalidParameter {
            name: "l1_ratio",
            ..
        }
    ));
    assert!(matches!(
        bad(ElasticNetParams {
            tol: 0.0,
            ..Default::default()
        }),
        RegressError::InvalidParameter { .. }
    ));
    let en = ElasticNetParams::default().check().unwrap();
    let (x, y) = data();
    assert!(matches!(
        en.fit(x.view(), y.slice(ndarray::s![..10]).view())
            .unwrap_err(),
        RegressError::ShapeMismatch { .. }
    ));
    let mut xn = x.clone();
    xn[[4, 2]] = f64::NAN;
    assert_eq!(
        en.fit(xn.view(), y.view()).unwrap_err(),
        RegressError::NonFinite { what: "x", row: 4 }
    );
    assert_eq!(
        en.fit(Array2::zeros((0, 3)).view(), Array1::zeros(0).view())
            .unwrap_err(),
        RegressError::Empty
    );
    let m = en.fit(x.view(), y.view()).unwrap();
    assert!(matches!(
        m.predict(Array2::zeros((2, 4)).view()).unwrap_err(),
        RegressError::ShapeMismatch { .. }
    ));
}

proptest! {
    /// Predictions do not depend on the order of the training rows.
    #[test]
    fn invariant_to_row_order(perm_seed in any::<u64>()) {
        let (x, y) = data();
        let mut order: Vec<usize> = (0..30).collect();
        let mut s = perm_seed;
        for i in (1..30).rev() {
            s = s.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            order.swap(i, (s >> 33) as usize % (i + 1));
        }
        let en = ElasticNetParams { alpha: 0.05, tol: 1e-12, max_iter: 1_000_000, ..Default::default() }.check().unwrap();
        let a = en.fit(x.view(), y.view()).unwrap().predict(x.view()).unwrap();
        let xs = x.select(ndarray::Axis(0), &order);
        let ys = y.select(ndarray::Axis(0), &order);
        let b = en.fit(xs.view(), ys.view()).unwrap().predict(x.view()).unwrap();
        for (p, q) in a.iter().zip(&b) {
            prop_assert!((p - q).abs() < 1e-8);
        }
    }
}
