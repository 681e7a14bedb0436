//! Permutation importance: exact on a model that reads one feature.

use ml_regress::{Predict, RegressError, permutation_importance};
use ndarray::{Array1, Array2, ArrayView2};

/// Predicts 2·x₀: features 1 and 2 play no part.
struct FirstFeature;

impl Predict for FirstFeature {
    fn predict(&self, x: ArrayView2<f64>) -> ml_regress::Result<Array1<f64>> {
        Ok(x.column(0).mapv(|v| 2.0 * v))
    }
}

#[test]
fn unused_features_score_zero_and_the_used_one_loses_its_fit() {
    let x = Array2::from_shape_fn((200, 3), |(i, j)| ((i * (j + 3)) as f64 * 0.37).sin());
    let y = x.column(0).mapv(|v| 2.0 * v);
    let imp = permutation_importance(&FirstFeature, x.view(), y.view(), 5, 0).unwrap();
    assert_eq!(imp.len(), 3);
    assert_eq!((imp[1].mean, imp[1].std), (0.0, 0.0));
    assert_eq!((imp[2].mean, imp[2].std), (0.0, 0.0));
    // A perfect fit (R² 1) against a shuffled column (R² about −1: the
    // predictions keep their spread but lose their order): a drop near 2.
    assert!(imp[0].mean > 1.5 && imp[0].mean < 2.5, "{:?}", imp[0]);
    assert!(imp[0].std > 0.0);
    // Seeded: the same seed, the same figures.
    let again = permutation_importance(&FirstFeature, x.view(), y.view(), 5, 0).unwrap();
    assert_eq!(imp, again);
    assert!(matches!(
        permutation_importance(&FirstFeature, x.view(), y.view(), 0, 0),
        Err(RegressError::InvalidParameter { .. })
    ));
}
