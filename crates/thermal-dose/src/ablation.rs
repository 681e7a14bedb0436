//! Ablated fractions of regions (Jiang et al. 2022, Eq. 13) and the times at
//! which they cross thresholds.

use crate::error::{DoseError, Result};
use ndarray::{ArrayView, Dimension};

/// Fraction of the cells of `region` whose dose has reached `lethal_dose`
/// (Eq. 13 on a uniform grid: an area fraction). `name` labels the region
/// in errors.
///
/// # Errors
/// A mask whose shape differs from the dose field's, or a mask with no cell.
pub fn ablated_fraction<D: Dimension>(
    dose: &ArrayView<f64, D>,
    region: &ArrayView<bool, D>,
    lethal_dose: f64,
    name: &str,
) -> Result<f64> {
    if dose.shape() != region.shape() {
        return Err(DoseError::ShapeMismatch {
            what: "region mask",
            expected: dose.shape().to_vec(),
            found: region.shape().to_vec(),
        });
    }
    let (mut inside, mut dead) = (0usize, 0usize);
    for (&d, &r) in dose.iter().zip(region.iter()) {
        if r {
            inside += 1;
            dead += usize::from(d >= lethal_dose);
        }
    }
    if inside == 0 {
        return Err(DoseError::EmptyRegion {
            region: name.into(),
        });
    }
    Ok(dead as f64 / inside as f64)
}

/// Ablated fractions in the tumor and in the healthy tissue around it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AblationRatios {
    /// R in the tumor: ideally 1.
    pub tumor: f64,
    /// R in healthy tissue: ideally 0.
    pub healthy: f64,
}

/// [`AblationRatios`] for the tumor cells of `tumor` and all other cells as
/// healthy tissue.
///
/// # Errors
/// A mask of another shape, or a tumor or healthy region with no cell.
pub fn ablation_ratios<D: Dimension>(
    dose: &ArrayView<f64, D>,
    tumor: &ArrayView<bool, D>,
    lethal_dose: f64,
) -> Result<AblationRatios> {
    let healthy = tumor.mapv(|t| !t);
    Ok(AblationRatios {
        tumor: ablated_fraction(dose, tumor, lethal_dose, "tumor")?,
        healthy: ablated_fraction(dose, &healthy.view(), lethal_dose, "healthy tissue")?,
    })
}

/// The ablated fractions at one time.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AblationSample {
    /// Time since the field was switched on (s).
    pub time_s: f64,
    /// The fractions at that time.
    pub ratios: AblationRatios,
}

/// R(t) in tumor and healthy tissue over a treatment (Fig. 8 of Jiang et al.
/// 2022), with the events of §3.3 and Table 7. Times are those of the
/// recorded samples (no interpolation): record often enough for the
/// resolution you need.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AblationHistory {
    samples: Vec<AblationSample>,
}

impl AblationHistory {
    /// An empty history.
    pub fn new() -> Self {
        Self::default()
    }

    /// Records the fractions `ratios` at `time_s` (s).
    ///
    /// # Errors
    /// A time that is not finite or not later than the previous sample.
    pub fn record(&mut self, time_s: f64, ratios: AblationRatios) -> Result<()> {
        crate::error::finite("sample time (s)", time_s)?;
        if let Some(last) = self.samples.last()
            && time_s <= last.time_s
        {
            return Err(DoseError::NonIncreasingTime {
                index: self.samples.len(),
                value: time_s,
                previous: last.time_s,
            });
        }
        self.samples.push(AblationSample { time_s, ratios });
        Ok(())
    }

    /// The samples, in time order.
    pub fn samples(&self) -> &[AblationSample] {
        &self.samples
    }

    /// The first sample at which the tumor fraction reaches `fraction`
    /// (1.0: the tumor is fully ablated).
    pub fn tumor_reaches(&self, fraction: f64) -> Option<&AblationSample> {
        self.samples.iter().find(|s| s.ratios.tumor >= fraction)
    }

    /// The first sample at which any healthy cell is dead; its
    /// `ratios.tumor` is Table 7's "R_CEM43 in tumor" and its time the
    /// exposure time.
    pub fn healthy_damage_onset(&self) -> Option<&AblationSample> {
        self.samples.iter().find(|s| s.ratios.healthy > 0.0)
    }
}

/// The first time in `times` at which `values` reaches `level` (≥), or
/// `None`. Both slices are read in step; extra elements of the longer one
/// are ignored.
pub fn first_crossing(times: &[f64], values: &[f64], level: f64) -> Option<f64> {
    times
        .iter()
        .zip(values)
        .find(|&(_, &v)| v >= level)
        .map(|(&t, _)| t)
}
