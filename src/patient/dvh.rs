//! Dose-volume histograms: the fraction of the tumor's and of the healthy
//! tissue's volume at or above each level of a field (temperature °C,
//! CEM43 min, …), the curves planners read coverage and sparing from.

use crate::error::{Error, Result};
use ndarray::{Array, Dimension};

/// A cumulative dose-volume histogram of one field.
#[derive(Debug, Clone, PartialEq)]
pub struct DoseVolumeHistogram {
    /// What the levels measure, e.g. "temperature_c" or "cem43_min".
    pub quantity: String,
    /// The levels, ascending.
    pub levels: Vec<f64>,
    /// Fraction of the tumor's volume with a value ≥ each level.
    pub tumor: Vec<f64>,
    /// Fraction of the other cells' volume (every tissue of the region
    /// but the tumor: on a patient, the solved box) with a value ≥ each
    /// level.
    pub healthy: Vec<f64>,
}

impl DoseVolumeHistogram {
    /// The histogram of `field` over the cells of `tumor` and the others
    /// (cells of equal volume) at `levels`.
    ///
    /// # Errors
    /// Mismatched shapes, levels not finite and ascending, no tumor or no
    /// healthy cell, a non-finite value.
    pub fn new<D: Dimension>(
        quantity: &str,
        field: &Array<f64, D>,
        tumor: &Array<bool, D>,
        levels: &[f64],
    ) -> Result<Self> {
        if field.shape() != tumor.shape() {
            return Err(Error::Shape {
                what: "dose-volume histogram field",
                expected: tumor.len(),
                found: field.len(),
            });
        }
        if levels.is_empty()
            || levels.iter().any(|l| !l.is_finite())
            || levels.windows(2).any(|w| w[1] <= w[0])
        {
            return Err(Error::Invalid {
                name: "dose-volume histogram levels",
                reason: "must be finite and strictly ascending, at least one".into(),
            });
        }
        let mut inside: Vec<f64> = Vec::new();
        let mut outside: Vec<f64> = Vec::new();
        for (&v, &m) in field.iter().zip(tumor) {
            if !v.is_finite() {
                return Err(Error::Invalid {
                    name: "dose-volume histogram field",
                    reason: format!("holds {v}"),
                });
            }
            if m { inside.push(v) } else { outside.push(v) }
        }
        if inside.is_empty() || outside.is_empty() {
            return Err(Error::Invalid {
                name: "dose-volume histogram",
                reason: "needs tumor cells and healthy cells".into(),
            });
        }
        let curve = |values: &mut Vec<f64>| -> Vec<f64> {
            values.sort_by(f64::total_cmp);
            let n = values.len() as f64;
            levels
                .iter()
                .map(|&l| {
                    let below = values.partition_point(|&v| v < l);
                    (values.len() - below) as f64 / n
                })
                .collect()
        };
        Ok(Self {
            quantity: quantity.into(),
            levels: levels.to_vec(),
            tumor: curve(&mut inside),
            healthy: curve(&mut outside),
        })
    }

    /// CSV rows `quantity,level,tumor_fraction,healthy_fraction`, with a
    /// header line when `header`.
    pub fn to_csv(&self, header: bool) -> String {
        let mut out = String::new();
        if header {
            out.push_str("quantity,level,tumor_fraction,healthy_fraction\n");
        }
        for ((l, t), h) in self.levels.iter().zip(&self.tumor).zip(&self.healthy) {
            out.push_str(&format!("{},{l},{t},{h}\n", self.quantity));
        }
        out
    }
}

/// Temperature levels of a hyperthermia DVH: every 0.5 °C from 37 °C to
/// 60 °C, or further to cover `hottest_c` (the field's maximum).
pub fn temperature_levels(hottest_c: f64) -> Vec<f64> {
    let top = if hottest_c.is_finite() {
        hottest_c.clamp(60.0, 1000.0)
    } else {
        60.0
    };
    let n = ((top - 37.0) / 0.5).ceil() as usize;
    (0..=n).map(|i| 37.0 + 0.5 * i as f64).collect()
}

/// CEM43 levels (min): the thresholds read off hyperthermia DVHs, from
/// 0.1 min to 1000 min, with 60 min (the usual lethal dose) and 240 min
/// among them.
pub fn cem43_levels() -> Vec<f64> {
    vec![
        0.1, 0.2, 0.5, 1.0, 2.0, 5.0, 10.0, 20.0, 30.0, 60.0, 120.0, 240.0, 480.0, 1000.0,
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::Array3;

    #[test]
    fn temperature_levels_reach_the_hottest_cell() {
        let l = temperature_levels(45.0);
        assert_eq!((l.len(), l[0], l[l.len() - 1]), (47, 37.0, 60.0));
        let l = temperature_levels(61.3);
        assert_eq!(l[l.len() - 1], 61.5);
        assert_eq!(temperature_levels(f64::NAN).len(), 47);
    }

    #[test]
    fn fractions_at_or_above_each_level() {
        // Tumor cells 40, 42, 44, 46; healthy 37, 38, 43.
        let field =
            Array3::from_shape_vec((7, 1, 1), vec![40.0, 42.0, 44.0, 46.0, 37.0, 38.0, 43.0])
                .unwrap();
        let tumor =
            Array3::from_shape_vec((7, 1, 1), vec![true, true, true, true, false, false, false])
                .unwrap();
        let dvh =
            DoseVolumeHistogram::new("temperature_c", &field, &tumor, &[37.0, 43.0, 44.0, 50.0])
                .unwrap();
        assert_eq!(dvh.tumor, [1.0, 0.5, 0.5, 0.0]);
        assert_eq!(dvh.healthy, [1.0, 1.0 / 3.0, 0.0, 0.0]);
        assert!(
            dvh.to_csv(true).starts_with(
                "quantity,level,tumor_fraction,healthy_fraction\ntemperature_c,37,1,1\n"
            )
        );
        assert!(DoseVolumeHistogram::new("t", &field, &tumor, &[43.0, 37.0]).is_err());
        let mut bad = field.clone();
        bad[[0, 0, 0]] = f64::NAN;
        assert!(DoseVolumeHistogram::new("t", &bad, &tumor, &[37.0]).is_err());
    }
}
