//! Bad input is a typed error, never a panic or a silent NaN: short rows,
//! values whose squares overflow, NaN in metrics, a zero iteration budget.

use ml_regress::metrics::{mae, r2, rmse};
use ml_regress::{
    DecisionTreeParams, ElasticNetParams, ForestParams, RegressError, Regressor, SvrParams,
};
use ndarray::{Array1, Array2, array};

fn data() -> (Array2<f64>, Array1<f64>) {
    let x = Array2::from_shape_fn((20, 3), |(i, j)| ((i * (j + 1)) as f64 * 0.37).sin());
    let y = Array1::from_shape_fn(20, |i| x[[i, 0]] - 2.0 * x[[i, 2]]);
    (x, y)
}

#[test]
fn a_tree_refuses_rows_of_the_wrong_length() {
    let (x, y) = data();
    let tree = DecisionTreeParams::default()
        .check()
        .unwrap()
        .fit(x.view(), y.view())
        .unwrap();
    assert!(tree.predict_row(x.row(3)).is_ok());
    let short = array![0.1, 0.2];
    let empty: Array1<f64> = Array1::zeros(0);
    for row in [short.view(), empty.view()] {
        assert!(matches!(
            tree.predict_row(row),
            Err(RegressError::ShapeMismatch { expected: 3, .. })
        ));
    }
    assert!(matches!(
        tree.predict_row(array![0.1, f64::NAN, 0.3].view()),
        Err(RegressError::NonFinite { .. })
    ));
}

#[test]
fn values_whose_squares_overflow_are_refused() {
    let (x, y) = data();
    let mut big_y = y.clone();
    big_y[5] = 1e308;
    let mut big_x = x.clone();
    big_x[[7, 1]] = -1e308;
    let enet = ElasticNetParams::default().check().unwrap();
    let forest = ForestParams {
        n_estimators: 5,
        ..ForestParams::default()
    }
    .check()
    .unwrap();
    let svr = SvrParams::default().check().unwrap();
    for e in [
        enet.fit(x.view(), big_y.view()).unwrap_err(),
        enet.fit(big_x.view(), y.view()).unwrap_err(),
        forest.fit(x.view(), big_y.view()).unwrap_err(),
        svr.fit(x.view(), big_y.view()).unwrap_err(),
    ] {
        assert!(matches!(e, RegressError::TooLarge { .. }), "{e:?}");
    }
    let e = forest.fit(x.view(), big_y.view()).unwrap_err();
    assert!(e.to_string().contains("row 5"), "{e}");
}

#[test]
fn metrics_refuse_nan() {
    let y = [1.0, 2.0, f64::NAN];
    let p = [1.0, 2.0, 3.0];
    for e in [
        r2(&y, &p).unwrap_err(),
        rmse(&y, &p).unwrap_err(),
        mae(&p, &y).unwrap_err(),
    ] {
        assert!(matches!(e, RegressError::NonFinite { row: 2, .. }), "{e:?}");
    }
    assert_eq!(r2(&[1.0, 2.0, 3.0], &[1.0, 2.0, 3.0]).unwrap(), 1.0);
}

#[test]
fn svr_needs_an_iteration_budget() {
    let e = SvrParams {
        max_iter: 0,
        ..SvrParams::default()
    }
    .check()
    .unwrap_err();
    assert!(matches!(
        e,
        RegressError::InvalidParameter {
            name: "max_iter",
            ..
        }
    ));
    // A budget reached before optimality keeps the last iterate, as
    // scikit-learn does; `iterations` tells.
    let (x, y) = data();
    let m = SvrParams {
        max_iter: 3,
        ..SvrParams::default()
    }
    .check()
    .unwrap()
    .fit(x.view(), y.view())
    .unwrap();
    assert_eq!(m.iterations, 3);
}
