//! The model pipeline: preprocessing refitted on every training fold (no
//! leakage from test rows), per-fold and pooled scores, and one notion of a
//! fold shared by mnp-dataset's splitters and ml-regress's folds.

use mnp_suite::dataset::UnknownCategory;
use mnp_suite::dataset::fixture::{SIZE_TARGET, synthetic_size_fixture};
use mnp_suite::dataset::split::{KFold, leave_one_out};
use mnp_suite::dataset::{Column, ColumnData, NumericImputation, Pipeline, Scaling, Table};
use mnp_suite::ml::pipeline::{ModelPipeline, cross_validate, grid_search};
use mnp_suite::ml::size::features_and_target;
use mnp_suite::regress::validation::{Fold, Scoring};
use mnp_suite::regress::{ElasticNet, ElasticNetParams, Predict, Regressor};

fn enet(alpha: f64) -> ElasticNet {
    ElasticNetParams {
        alpha,
        l1_ratio: 0.5,
        tol: 1e-12,
        max_iter: 100_000,
        ..Default::default()
    }
    .check()
    .unwrap()
}

fn standard() -> Pipeline {
    Pipeline::new(
        NumericImputation::Mean,
        Some(Scaling::Standard),
        UnknownCategory::AllZeros,
    )
}

/// A fold's prediction equals preprocessing and model fitted by hand on the
/// training rows alone; fitting the scaler on all rows (the leak a
/// pipeline prevents) would give other numbers.
#[test]
fn each_fold_refits_preprocessing_on_its_training_rows() {
    let (features, y) =
        features_and_target(&synthetic_size_fixture(26, 3).unwrap(), SIZE_TARGET).unwrap();
    let model = ModelPipeline::new(standard(), enet(0.05));
    let folds = KFold {
        k: 4,
        shuffle: None,
    }
    .split(y.len())
    .unwrap();
    let cv = cross_validate(&model, &features, &y, &folds).unwrap();
    let fold = &folds[1];
    // The model fitted by hand on the fold's training rows, preprocessed by
    // `pre`, predicting its test rows.
    let predict_with = |pre: &mnp_suite::dataset::FittedPipeline| {
        let x = pre
            .transform(&features.take(&fold.train).unwrap())
            .unwrap()
            .data;
        let yt: ndarray::Array1<f64> = fold.train.iter().map(|&i| y[i]).collect();
        let m = enet(0.05).fit(x.view(), yt.view()).unwrap();
        let xt = pre
            .transform(&features.take(&fold.test).unwrap())
            .unwrap()
            .data;
        m.predict(xt.view()).unwrap()
    };
    let by_hand = predict_with(
        &standard()
            .fit(&features.take(&fold.train).unwrap())
            .unwrap(),
    );
    for (&i, p) in fold.test.iter().zip(&by_hand) {
        assert_eq!(cv.predictions[i], *p);
    }
    let leaky = predict_with(&standard().fit(&features).unwrap());
    let gap = by_hand
        .iter()
        .zip(&leaky)
        .map(|(a, b)| (a - b).abs())
        .fold(0.0, f64::max);
    assert!(gap > 1e-6, "the leak changed nothing: {gap}");
}

/// Per-fold scores are each fold's own RMSE, MAE and R²; the pooled score
/// is over all out-of-fold predictions; a leave-one-out fold has no R².
#[test]
fn per_fold_and_pooled_scores() {
    let (features, y) =
        features_and_target(&synthetic_size_fixture(26, 5).unwrap(), SIZE_TARGET).unwrap();
    let model = ModelPipeline::new(standard(), enet(0.1));
    let folds = KFold {
        k: 5,
        shuffle: None,
    }
    .split(y.len())
    .unwrap();
    let cv = cross_validate(&model, &features, &y, &folds).unwrap();
    assert_eq!(cv.folds.len(), 5);
    for (f, s) in folds.iter().zip(&cv.folds) {
        let (m, p): (Vec<f64>, Vec<f64>) =
            f.test.iter().map(|&i| (y[i], cv.predictions[i])).unzip();
        let rmse =
            (m.iter().zip(&p).map(|(a, b)| (a - b).powi(2)).sum::<f64>() / m.len() as f64).sqrt();
        let mae = m.iter().zip(&p).map(|(a, b)| (a - b).abs()).sum::<f64>() / m.len() as f64;
        assert!((s.rmse - rmse).abs() < 1e-12 && (s.mae - mae).abs() < 1e-12);
        assert_eq!(s.rows, f.test.len());
        assert!(s.r2.is_some());
    }
    let n = y.len() as f64;
    let pooled = (y
        .iter()
        .zip(&cv.predictions)
        .map(|(a, b)| (a - b).powi(2))
        .sum::<f64>()
        / n)
        .sqrt();
    assert!((cv.pooled.rmse - pooled).abs() < 1e-12);
    let loo = cross_validate(&model, &features, &y, &leave_one_out(y.len()).unwrap()).unwrap();
    assert!(loo.folds.iter().all(|f| f.rows == 1 && f.r2.is_none()));
    // Under leave-one-out each fold's RMSE is its absolute error, so their
    // mean is the pooled MAE.
    let mae = y
        .iter()
        .zip(&loo.predictions)
        .map(|(a, b)| (a - b).abs())
        .sum::<f64>()
        / n;
    assert!((loo.mean_fold_rmse() - mae).abs() < 1e-12);
}

/// Splits from mnp-dataset and folds from ml-regress go into the same
/// functions and give the same numbers; the grid search picks the lowest
/// pooled RMSE.
#[test]
fn one_notion_of_a_fold_and_grid_search() {
    let (features, y) =
        features_and_target(&synthetic_size_fixture(26, 9).unwrap(), SIZE_TARGET).unwrap();
    let splits = KFold {
        k: 3,
        shuffle: None,
    }
    .split(y.len())
    .unwrap();
    let folds: Vec<Fold> = splits
        .iter()
        .map(|s| Fold {
            train: s.train.clone(),
            test: s.test.clone(),
        })
        .collect();
    let candidates: Vec<ModelPipeline<ElasticNet>> = [1.0, 0.1, 0.01]
        .iter()
        .map(|&a| ModelPipeline::new(standard(), enet(a)))
        .collect();
    let a = grid_search(&candidates, &features, &y, &splits, Scoring::Rmse).unwrap();
    let b = grid_search(&candidates, &features, &y, &folds, Scoring::Rmse).unwrap();
    assert_eq!(a, b);
    let best = a
        .scores
        .iter()
        .enumerate()
        .min_by(|x, y| x.1.rmse.total_cmp(&y.1.rmse))
        .unwrap()
        .0;
    assert_eq!(a.best, best);
    // The regressors of ml-regress take the splits directly too.
    let pre = standard().fit(&features).unwrap();
    let x = pre.transform(&features).unwrap().data;
    let yy = ndarray::Array1::from(y.clone());
    let direct =
        mnp_suite::regress::validation::cross_validate(&enet(0.1), x.view(), yy.view(), &splits)
            .unwrap();
    assert!(direct.rmse > 0.0);
}

/// Bad input: a target per row, folds in range, at least one fold.
#[test]
fn bad_input_is_refused() {
    let t = Table::new(vec![Column {
        name: "a".into(),
        data: ColumnData::Numeric(vec![Some(1.0), Some(2.0), Some(3.0)]),
    }])
    .unwrap();
    let model = ModelPipeline::new(standard(), enet(0.1));
    assert!(model.fit(&t, &[1.0, 2.0]).is_err());
    let out_of_range = [Fold {
        train: vec![0, 1],
        test: vec![7],
    }];
    assert!(cross_validate(&model, &t, &[1.0, 2.0, 3.0], &out_of_range).is_err());
    let none: [Fold; 0] = [];
    assert!(cross_validate(&model, &t, &[1.0, 2.0, 3.0], &none).is_err());
}

/// CV+ through a pipeline gives the same intervals as `ml_regress`'s
/// `CvPlus` on the preprocessed matrix (here the preprocessing changes
/// nothing), and refuses folds that leave a row untested.
#[test]
fn cv_plus_through_the_pipeline_matches_ml_regress() {
    use mnp_suite::ml::pipeline::cross_validate_cv_plus;
    use mnp_suite::regress::conformal::CvPlus;
    // 40 complete rows of three numeric columns (nothing to impute).
    let column = |name: &str, f: &dyn Fn(usize) -> f64| Column {
        name: name.into(),
        data: ColumnData::Numeric((0..40).map(|i| Some(f(i))).collect()),
    };
    let features = Table::new(vec![
        column("a", &|i| (0.37 * i as f64).sin()),
        column("b", &|i| (i % 7) as f64),
        column("c", &|i| (1.3 * i as f64).cos() * 2.0),
    ])
    .unwrap();
    let y: Vec<f64> = (0..40)
        .map(|i| 3.0 + (0.37 * i as f64).sin() - 0.5 * (i % 7) as f64 + 0.3 * ((i * 13) % 5) as f64)
        .collect();
    let identity = Pipeline::new(NumericImputation::Mean, None, UnknownCategory::AllZeros);
    let x = identity
        .fit(&features)
        .unwrap()
        .transform(&features)
        .unwrap()
        .data;
    let folds = KFold {
        k: 5,
        shuffle: None,
    }
    .split(y.len())
    .unwrap();
    let new_rows: Vec<usize> = (0..6).collect();
    let (cv, ours) = cross_validate_cv_plus(
        &ModelPipeline::new(identity, enet(0.05)),
        &features,
        &y,
        &folds,
        &features.take(&new_rows).unwrap(),
        0.2,
    )
    .unwrap();
    let yv = ndarray::Array1::from(y.clone());
    let reference = CvPlus::fit(&enet(0.05), x.view(), yv.view(), &folds, 0.2)
        .unwrap()
        .predict_interval(x.select(ndarray::Axis(0), &new_rows).view())
        .unwrap();
    assert_eq!(ours, reference);
    assert!(cv.predictions.iter().all(|p| p.is_finite()));
    assert!(ours.lower.iter().zip(&ours.upper).all(|(l, u)| l < u));
    // A fold set that never tests row 39.
    let short = vec![Fold {
        train: (20..39).collect(),
        test: (0..20).collect(),
    }];
    assert!(
        cross_validate_cv_plus(
            &ModelPipeline::new(standard(), enet(0.05)),
            &features,
            &y,
            &short,
            &features,
            0.2
        )
        .is_err()
    );
    // α is refused before any fit.
    let refused = cross_validate_cv_plus(
        &ModelPipeline::new(standard(), enet(0.05)),
        &features,
        &y,
        &folds,
        &features,
        1.5,
    );
    assert!(
        matches!(
            refused,
            Err(mnp_suite::Error::Regress(
                mnp_suite::regress::RegressError::InvalidParameter {
                    name: "alpha (miscoverage)",
                    ..
                }
            ))
        ),
        "{refused:?}"
    );
}

/// CV+ through a pipeline refuses, before fitting anything, a fold that
/// trains on its own test rows.
#[test]
fn cv_plus_refuses_a_leaky_fold() {
    use mnp_suite::ml::pipeline::cross_validate_cv_plus;
    let (features, y) =
        features_and_target(&synthetic_size_fixture(30, 5).unwrap(), SIZE_TARGET).unwrap();
    let leaky = vec![
        Fold {
            train: (5..30).collect(),
            test: (0..15).collect(),
        },
        Fold {
            train: (0..15).collect(),
            test: (15..30).collect(),
        },
    ];
    let err = cross_validate_cv_plus(
        &ModelPipeline::new(standard(), enet(0.05)),
        &features,
        &y,
        &leaky,
        &features,
        0.2,
    )
    .unwrap_err();
    assert!(
        err.to_string()
            .contains("fold 0 trains on its own test row 5"),
        "{err}"
    );
}
