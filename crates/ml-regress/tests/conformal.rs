//! Conformal intervals: empirical coverage over many repetitions on data
//! with known heteroscedastic noise, CQR's adaptivity, the quantile loss,
//! and bad input.

use ml_regress::conformal::{Cqr, CvPlus, SplitConformal};
use ml_regress::validation::Fold;
use ml_regress::{
    BoostingParams, DecisionTreeParams, ElasticNetParams, Loss, Predict, RegressError, Regressor,
};
use ndarray::{Array1, Array2};
use rand::rngs::ChaCha8Rng;
use rand::{RngExt, SeedableRng};

/// A standard normal draw (Box–Muller).
fn normal(rng: &mut ChaCha8Rng) -> f64 {
    let (u, v): (f64, f64) = (rng.random::<f64>().max(1e-300), rng.random());
    (-2.0 * u.ln()).sqrt() * (std::f64::consts::TAU * v).cos()
}

/// y = 1 + 2 x₁ + ε with ε ~ N(0, (0.02 + x₀)²): noise fifty times larger
/// at x₀ = 1 than at x₀ = 0.
fn data(n: usize, rng: &mut ChaCha8Rng) -> (Array2<f64>, Array1<f64>) {
    let x = Array2::from_shape_fn((n, 2), |_| rng.random::<f64>());
    let y = Array1::from_shape_fn(n, |i| {
        let z = normal(rng);
        let (x0, x1) = (x[[i, 0]], x[[i, 1]]);
        1.0 + 2.0 * x1 + (0.02 + x0) * z
    });
    (x, y)
}

fn split(n_train: usize, n: usize) -> Fold {
    Fold {
        train: (0..n_train).collect(),
        test: (n_train..n).collect(),
    }
}

/// The point model: least squares with a light ridge penalty.
fn linear() -> ml_regress::ElasticNet {
    ElasticNetParams {
        alpha: 1e-3,
        l1_ratio: 0.0,
        ..Default::default()
    }
    .check()
    .expect("valid elastic net")
}

fn quantile(tau: f64) -> ml_regress::Boosting {
    BoostingParams {
        loss: Loss::Quantile(tau),
        n_estimators: 60,
        learning_rate: 0.2,
        tree: DecisionTreeParams {
            max_depth: Some(2),
            min_samples_leaf: 10,
            ..Default::default()
        },
        ..Default::default()
    }
    .check()
    .expect("valid boosting")
}

const ALPHA: f64 = 0.1;
const REPEATS: usize = 80;
const N_TRAIN: usize = 150;
const N_CAL: usize = 100;
const N_TEST: usize = 100;

/// Mean coverage over the repetitions, and mean widths where the noise is
/// small (x₀ < 0.25) and overall.
struct Summary {
    coverage: f64,
    narrow_width: f64,
}

fn summarize(coverage: &[f64], narrow: &[f64]) -> Summary {
    let mean = |v: &[f64]| v.iter().sum::<f64>() / v.len() as f64;
    Summary {
        coverage: mean(coverage),
        narrow_width: mean(narrow),
    }
}

/// The widths of the test rows with x₀ < 0.25.
fn narrow_widths(x: &Array2<f64>, width: &Array1<f64>) -> f64 {
    let w: Vec<f64> = (0..x.nrows())
        .filter(|&i| x[[i, 0]] < 0.25)
        .map(|i| width[i])
        .collect();
    w.iter().sum::<f64>() / w.len().max(1) as f64
}

#[test]
fn split_conformal_and_cqr_cover_1_minus_alpha_and_cqr_adapts() {
    let mut rng = ChaCha8Rng::seed_from_u64(7);
    let (mut cov_split, mut cov_cqr) = (Vec::new(), Vec::new());
    let (mut narrow_split, mut narrow_cqr) = (Vec::new(), Vec::new());
    let n = N_TRAIN + N_CAL;
    for _ in 0..REPEATS {
        let (x, y) = data(n, &mut rng);
        let (xt, yt) = data(N_TEST, &mut rng);
        let s =
            SplitConformal::fit(&linear(), x.view(), y.view(), &split(N_TRAIN, n), ALPHA).unwrap();
        let i = s.predict_interval(xt.view()).unwrap();
        cov_split.push(i.coverage(yt.view()).unwrap());
        narrow_split.push(narrow_widths(&xt, &i.width()));
        let c = Cqr::fit(
            &quantile(ALPHA / 2.0),
            &quantile(1.0 - ALPHA / 2.0),
            x.view(),
            y.view(),
            &split(N_TRAIN, n),
            ALPHA,
        )
        .unwrap();
        let i = c.predict_interval(xt.view()).unwrap();
        cov_cqr.push(i.coverage(yt.view()).unwrap());
        narrow_cqr.push(narrow_widths(&xt, &i.width()));
    }
    let (s, c) = (
        summarize(&cov_split, &narrow_split),
        summarize(&cov_cqr, &narrow_cqr),
    );
    eprintln!(
        "coverage: split {:.4}, CQR {:.4}; mean width where x0 < 0.25: split {:.3}, CQR {:.3}",
        s.coverage, c.coverage, s.narrow_width, c.narrow_width
    );
    // Split conformal: between 1 − α and 1 − α + 1/(n_cal + 1) on average.
    for (name, m) in [("split", &s), ("cqr", &c)] {
        assert!(
            (m.coverage - (1.0 - ALPHA)).abs() <= 0.02,
            "{name}: mean coverage {} over {REPEATS} repetitions",
            m.coverage
        );
    }
    // Where the noise is small, CQR's band is much narrower than split
    // conformal's constant width.
    assert!(
        c.narrow_width < 0.7 * s.narrow_width,
        "CQR {} vs split {} where the noise is small",
        c.narrow_width,
        s.narrow_width
    );
}

#[test]
fn cv_plus_and_jackknife_plus_cover_1_minus_alpha() {
    let mut rng = ChaCha8Rng::seed_from_u64(11);
    let (mut cov_cv, mut cov_jack) = (Vec::new(), Vec::new());
    let n = 120;
    for r in 0..REPEATS {
        let (x, y) = data(n, &mut rng);
        let (xt, yt) = data(N_TEST, &mut rng);
        let k = 5;
        let folds: Vec<Fold> = (0..k)
            .map(|f| Fold {
                train: (0..n).filter(|i| i % k != f).collect(),
                test: (0..n).filter(|i| i % k == f).collect(),
            })
            .collect();
        let cv = CvPlus::fit(&linear(), x.view(), y.view(), &folds, ALPHA).unwrap();
        cov_cv.push(
            cv.predict_interval(xt.view())
                .unwrap()
                .coverage(yt.view())
                .unwrap(),
        );
        // The jackknife+ (leave-one-out folds) on a quarter of the
        // repetitions: n fits each.
        if r % 4 == 0 {
            let loo: Vec<Fold> = (0..n)
                .map(|i| Fold {
                    train: (0..n).filter(|&j| j != i).collect(),
                    test: vec![i],
                })
                .collect();
            let jk = CvPlus::fit(&linear(), x.view(), y.view(), &loo, ALPHA).unwrap();
            cov_jack.push(
                jk.predict_interval(xt.view())
                    .unwrap()
                    .coverage(yt.view())
                    .unwrap(),
            );
        }
    }
    let mean = |v: &[f64]| v.iter().sum::<f64>() / v.len() as f64;
    eprintln!(
        "coverage: CV+ {:.4}, jackknife+ {:.4}",
        mean(&cov_cv),
        mean(&cov_jack)
    );
    for (name, c) in [("cv+", mean(&cov_cv)), ("jackknife+", mean(&cov_jack))] {
        assert!(
            (c - (1.0 - ALPHA)).abs() <= 0.02,
            "{name}: mean coverage {c}"
        );
    }
}

/// The pinball-loss model estimates the conditional quantile: about τ of
/// fresh targets fall below it.
#[test]
fn quantile_boosting_estimates_the_quantile() {
    let mut rng = ChaCha8Rng::seed_from_u64(3);
    let (x, y) = data(2000, &mut rng);
    let (xt, yt) = data(2000, &mut rng);
    for tau in [0.05, 0.5, 0.95] {
        let model = quantile(tau).fit(x.view(), y.view()).unwrap();
        let pred = model.predict(xt.view()).unwrap();
        let below = yt.iter().zip(&pred).filter(|(y, p)| y <= p).count() as f64 / 2000.0;
        eprintln!("quantile level {tau}: {below:.3} of fresh targets below");
        assert!((below - tau).abs() < 0.03, "tau {tau}: {below} below");
        // Boosting lowers the pinball training loss.
        let loss = &model.train_loss;
        assert!(loss.last().unwrap() < &loss[0]);
    }
    assert!(matches!(
        BoostingParams {
            loss: Loss::Quantile(1.0),
            ..Default::default()
        }
        .check(),
        Err(RegressError::InvalidParameter { .. })
    ));
}

#[test]
fn bad_input_is_a_typed_error() {
    let mut rng = ChaCha8Rng::seed_from_u64(1);
    let (x, y) = data(30, &mut rng);
    // 8 calibration rows are too few for α = 0.1 (9 needed).
    assert_eq!(
        SplitConformal::fit(&linear(), x.view(), y.view(), &split(22, 30), 0.1).err(),
        Some(RegressError::TooFewCalibrationRows {
            alpha: 0.1,
            needed: 9,
            found: 8
        })
    );
    for alpha in [0.0, 1.0, -0.5, f64::NAN] {
        assert!(matches!(
            SplitConformal::fit(&linear(), x.view(), y.view(), &split(10, 30), alpha),
            Err(RegressError::InvalidParameter { .. })
        ));
    }
    // Folds that miss row 29, or hold row 0 twice.
    let missing = vec![Fold {
        train: vec![29],
        test: (0..29).collect(),
    }];
    assert_eq!(
        CvPlus::fit(&linear(), x.view(), y.view(), &missing, 0.1).err(),
        Some(RegressError::FoldsNotPartition { row: 29 })
    );
    let twice = vec![
        Fold {
            train: (15..30).collect(),
            test: (0..15).collect(),
        },
        Fold {
            train: (1..15).collect(),
            test: (0..30).filter(|&i| i == 0 || i >= 15).collect(),
        },
    ];
    assert_eq!(
        CvPlus::fit(&linear(), x.view(), y.view(), &twice, 0.1).err(),
        Some(RegressError::FoldsNotPartition { row: 0 })
    );
    // A fold that trains on its own test row 3.
    let leaky = vec![
        Fold {
            train: (3..30).collect(),
            test: (0..15).collect(),
        },
        Fold {
            train: (0..15).collect(),
            test: (15..30).collect(),
        },
    ];
    assert_eq!(
        CvPlus::fit(&linear(), x.view(), y.view(), &leaky, 0.1).err(),
        Some(RegressError::FoldOverlap { fold: 0, row: 3 })
    );
    // A calibration row that is also a training row.
    let overlap = Fold {
        train: (0..12).collect(),
        test: (11..30).collect(),
    };
    assert_eq!(
        SplitConformal::fit(&linear(), x.view(), y.view(), &overlap, 0.1).err(),
        Some(RegressError::FoldOverlap { fold: 0, row: 11 })
    );
    // A NaN calibration target (the fit never sees it): refused, not NaN
    // intervals.
    let mut nan_y = y.clone();
    nan_y[25] = f64::NAN;
    assert_eq!(
        SplitConformal::fit(&linear(), x.view(), nan_y.view(), &split(10, 30), 0.1).err(),
        Some(RegressError::NonFinite {
            what: "y (a calibration row)",
            row: 25
        })
    );
    // CV+ from parts: residuals are absolute values.
    let preds = [Array1::from(vec![1.0]), Array1::from(vec![2.0])];
    let fold_of: Vec<usize> = (0..10).map(|i| i % 2).collect();
    let mut residuals = vec![0.5; 10];
    assert!(ml_regress::conformal::cv_plus_interval(&preds, &fold_of, &residuals, 0.1).is_ok());
    residuals[4] = -0.5;
    assert!(matches!(
        ml_regress::conformal::cv_plus_interval(&preds, &fold_of, &residuals, 0.1),
        Err(RegressError::InvalidParameter {
            name: "residual",
            ..
        })
    ));
    residuals[4] = f64::NAN;
    assert_eq!(
        ml_regress::conformal::cv_plus_interval(&preds, &fold_of, &residuals, 0.1).err(),
        Some(RegressError::NonFinite {
            what: "residuals",
            row: 4
        })
    );
    // A target shorter than x.
    let short = y.slice(ndarray::s![..29]);
    assert!(matches!(
        SplitConformal::fit(&linear(), x.view(), short, &split(10, 29), 0.1),
        Err(RegressError::ShapeMismatch { .. })
    ));
    // The quantile loss refuses the squared loss's leaf regularization.
    assert!(matches!(
        BoostingParams {
            loss: Loss::Quantile(0.5),
            l1: 0.1,
            ..Default::default()
        }
        .check(),
        Err(RegressError::InvalidParameter { .. })
    ));
    // Coverage of no rows is an error, not 0.
    let i = SplitConformal::fit(&linear(), x.view(), y.view(), &split(10, 30), 0.1)
        .unwrap()
        .predict_interval(x.slice(ndarray::s![..0, ..]))
        .unwrap();
    assert_eq!(
        i.coverage(y.slice(ndarray::s![..0])),
        Err(RegressError::Empty)
    );
}

/// Rows of one group (an article) share an offset u_g ~ N(0, 1) that a
/// group-specific descriptor lets a forest learn: rows of a seen group are
/// predicted well, a new group's are not. CV+ calibrated by row folds
/// measures the first kind of error and under-covers new groups; folds of
/// whole groups measure the second and cover 1 − α of them.
#[test]
fn group_folds_keep_coverage_on_new_groups() {
    const GROUPS: usize = 40;
    const PER_GROUP: usize = 8;
    const SEEN: usize = 30;
    let forest = ml_regress::ForestParams {
        n_estimators: 40,
        ..ml_regress::ForestParams::random_forest()
    }
    .check()
    .unwrap();
    let (mut by_rows, mut by_groups) = (Vec::new(), Vec::new());
    let (mut width_rows, mut width_groups) = (Vec::new(), Vec::new());
    for rep in 0..30u64 {
        let mut rng = ChaCha8Rng::seed_from_u64(100 + rep);
        let offsets: Vec<f64> = (0..GROUPS).map(|_| normal(&mut rng)).collect();
        let n = GROUPS * PER_GROUP;
        let mut x = Array2::zeros((n, 2));
        let mut y = Array1::zeros(n);
        for i in 0..n {
            let g = i / PER_GROUP;
            x[[i, 0]] = rng.random::<f64>();
            x[[i, 1]] = g as f64 / GROUPS as f64; // identifies the group
            y[i] = 2.0 * x[[i, 0]] + offsets[g] + 0.1 * normal(&mut rng);
        }
        let seen = SEEN * PER_GROUP;
        let (xs, ys) = (
            x.slice(ndarray::s![..seen, ..]),
            y.slice(ndarray::s![..seen]),
        );
        let (xn, yn) = (
            x.slice(ndarray::s![seen.., ..]),
            y.slice(ndarray::s![seen..]),
        );
        // Five folds of interleaved rows, and five folds of six whole groups.
        let folds = |fold_of: &dyn Fn(usize) -> usize| -> Vec<Fold> {
            (0..5)
                .map(|k| Fold {
                    train: (0..seen).filter(|&i| fold_of(i) != k).collect(),
                    test: (0..seen).filter(|&i| fold_of(i) == k).collect(),
                })
                .collect()
        };
        for (rows, cov, width) in [
            (folds(&|i| i % 5), &mut by_rows, &mut width_rows),
            (
                folds(&|i| (i / PER_GROUP) % 5),
                &mut by_groups,
                &mut width_groups,
            ),
        ] {
            let i = CvPlus::fit(&forest, xs, ys, &rows, 0.1)
                .unwrap()
                .predict_interval(xn)
                .unwrap();
            cov.push(i.coverage(yn).unwrap());
            width.push(i.width().mean().unwrap());
        }
    }
    let mean = |v: &[f64]| v.iter().sum::<f64>() / v.len() as f64;
    let (rows, groups) = (mean(&by_rows), mean(&by_groups));
    eprintln!(
        "coverage of new groups: row folds {rows:.3} (width {:.2}), group folds {groups:.3} (width {:.2})",
        mean(&width_rows),
        mean(&width_groups)
    );
    assert!(
        rows < 0.75,
        "row folds should under-cover new groups: {rows}"
    );
    assert!((groups - 0.9).abs() < 0.06, "group folds: {groups}");
    assert!(mean(&width_groups) > 1.5 * mean(&width_rows));
}
