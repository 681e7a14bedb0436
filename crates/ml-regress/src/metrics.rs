//! Regression metrics, as scikit-learn defines them.

use crate::error::{RegressError, Result};

fn check(y: &[f64], pred: &[f64]) -> Result<()> {
    if y.is_empty() {
        return Err(RegressError::Empty);
    }
    if y.len() != pred.len() {
        return Err(RegressError::ShapeMismatch {
            what: "predictions vs targets",
            expected: y.len(),
            found: pred.len(),
        });
    }
    for (what, v) in [("y", y), ("predictions", pred)] {
        if let Some(row) = v.iter().position(|x| !x.is_finite()) {
            return Err(RegressError::NonFinite { what, row });
        }
    }
    Ok(())
}

/// Root-mean-square error √(Σ(y − ŷ)²/n).
///
/// # Errors
/// Empty or unequal slices, or a NaN or infinite value.
pub fn rmse(y: &[f64], pred: &[f64]) -> Result<f64> {
    check(y, pred)?;
    Ok((y
        .iter()
        .zip(pred)
        .map(|(a, b)| (a - b).powi(2))
        .sum::<f64>()
        / y.len() as f64)
        .sqrt())
}

/// Mean absolute error Σ|y − ŷ|/n.
///
/// # Errors
/// Empty or unequal slices, or a NaN or infinite value.
pub fn mae(y: &[f64], pred: &[f64]) -> Result<f64> {
    check(y, pred)?;
    Ok(y.iter().zip(pred).map(|(a, b)| (a - b).abs()).sum::<f64>() / y.len() as f64)
}

/// Coefficient of determination 1 − SS_res/SS_tot (scikit-learn's
/// `r2_score`: 1 for a perfect fit of a constant target, else 0 when
/// SS_tot = 0).
///
/// # Errors
/// Empty or unequal slices, or a NaN or infinite value.
pub fn r2(y: &[f64], pred: &[f64]) -> Result<f64> {
    check(y, pred)?;
    let mean = y.iter().sum::<f64>() / y.len() as f64;
    let ss_tot: f64 = y.iter().map(|v| (v - mean).powi(2)).sum();
    let ss_res: f64 = y.iter().zip(pred).map(|(a, b)| (a - b).powi(2)).sum();
    Ok(if ss_tot > 0.0 {
        1.0 - ss_res / ss_tot
    } else if ss_res == 0.0 {
        1.0
    } else {
        0.0
    })
}

/// Standard deviation of the residuals y − ŷ, with n − 1 in the
/// denominator (the sample standard deviation).
///
/// # Errors
/// Fewer than two values, or unequal slices.
pub fn residual_sd(y: &[f64], pred: &[f64]) -> Result<f64> {
    check(y, pred)?;
    if y.len() < 2 {
        return Err(RegressError::Empty);
    }
    let r: Vec<f64> = y.iter().zip(pred).map(|(a, b)| a - b).collect();
    let mean = r.iter().sum::<f64>() / r.len() as f64;
    Ok((r.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (r.len() - 1) as f64).sqrt())
}
