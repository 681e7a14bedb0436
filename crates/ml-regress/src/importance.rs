//! Permutation feature importance (Breiman 2001; scikit-learn's
//! `permutation_importance`): how much a fitted model's R² drops when one
//! feature's column is shuffled, breaking its link to the target.

use crate::error::{RegressError, Result};
use crate::metrics::r2;
use crate::traits::Predict;
use ndarray::{ArrayView1, ArrayView2};
use rand::SeedableRng;
use rand::rngs::ChaCha8Rng;
use rand::seq::SliceRandom;

/// The importance of one feature.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PermutationImportance {
    /// Mean decrease of R² over the repeats.
    pub mean: f64,
    /// Standard deviation of the decrease over the repeats (n, as
    /// scikit-learn's `importances_std`).
    pub std: f64,
}

/// R² of `model` on (`x`, `y`) minus its R² with column j shuffled, for
/// every feature j, over `n_repeats` seeded shuffles. Use held-out rows to
/// measure what the model relies on to generalize.
///
/// # Errors
/// Zero repeats, mismatched shapes, or a prediction error.
pub fn permutation_importance(
    model: &impl Predict,
    x: ArrayView2<f64>,
    y: ArrayView1<f64>,
    n_repeats: usize,
    seed: u64,
) -> Result<Vec<PermutationImportance>> {
    if n_repeats == 0 {
        return Err(RegressError::InvalidParameter {
            name: "n_repeats",
            value: 0.0,
            allowed: "at least 1",
        });
    }
    let y: Vec<f64> = y.to_vec();
    let baseline = r2(&y, model.predict(x)?.as_slice().expect("contiguous"))?;
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut shuffled = x.to_owned();
    let mut out = Vec::with_capacity(x.ncols());
    for j in 0..x.ncols() {
        let mut drops = Vec::with_capacity(n_repeats);
        let mut column: Vec<f64> = x.column(j).to_vec();
        for _ in 0..n_repeats {
            column.shuffle(&mut rng);
            shuffled
                .column_mut(j)
                .assign(&ndarray::ArrayView1::from(&column));
            let p = model.predict(shuffled.view())?;
            drops.push(baseline - r2(&y, p.as_slice().expect("contiguous"))?);
        }
        shuffled.column_mut(j).assign(&x.column(j));
        let mean = drops.iter().sum::<f64>() / n_repeats as f64;
        let var = drops.iter().map(|d| (d - mean).powi(2)).sum::<f64>() / n_repeats as f64;
        out.push(PermutationImportance {
            mean,
            std: var.sqrt(),
        });
    }
    Ok(out)
}
