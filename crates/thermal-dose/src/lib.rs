//! # thermal-dose
//!
//! Thermal dose models for hyperthermia and ablation, after Jiang et al.
//! 2022 (§3.3, Eqs. 12–13), Sapareto & Dewey 1984 and the Arrhenius damage
//! integral:
//!
//! - [`DoseModel`]: a temperature-dependent dose rate; [`Cem43`] (cumulative
//!   equivalent minutes at 43 °C, R = 0.5 above 43 °C and 0.25 at or below,
//!   all configurable) and [`Arrhenius`] (Ω = ∫A exp(−E_a/(RT)) dt, with
//!   tissue presets);
//! - [`dose_series`] / [`cumulative_dose`]: one temperature history, by the
//!   left, right (Eq. 12) or trapezoidal rule;
//! - [`DoseAccumulator`]: a dose field fed one temperature field per time
//!   step, for any array dimension;
//! - [`ablation_ratios`], [`AblationHistory`]: ablated fractions of the
//!   tumor and of healthy tissue (Eq. 13) and when they cross thresholds.
//!
//! Temperatures are in °C, times in seconds; CEM43 doses are in minutes.
//!
//! ```
//! use thermal_dose::{Cem43, DoseAccumulator, DoseModel, Quadrature, constant_temperature_dose, dose_series};
//! use ndarray::{Array2, array};
//!
//! # fn main() -> thermal_dose::Result<()> {
//! let cem = Cem43::default();
//! // 10 min at 44 °C count as 20 min at 43 °C.
//! assert!((constant_temperature_dose(&cem, 44.0, 600.0)? - 20.0).abs() < 1e-12);
//!
//! // A sampled history (s, °C).
//! let dose = dose_series(&cem, &[0.0, 60.0, 120.0], &[43.0, 43.0, 43.0], Quadrature::Trapezoid)?;
//! assert!((dose - 2.0).abs() < 1e-12);
//!
//! // A field: the hot cell dies after an hour, the cool one does not.
//! let mut acc = DoseAccumulator::new(cem, (1, 2));
//! let temps = array![[43.5, 40.0]];
//! for _ in 0..60 {
//!     acc.add_step(&temps.view(), 60.0)?;
//! }
//! assert_eq!(acc.lethal_mask(), array![[true, false]]);
//! # Ok(())
//! # }
//! ```

mod ablation;
mod accumulator;
mod error;
mod model;
mod series;

pub use ablation::{
    AblationHistory, AblationRatios, AblationSample, ablated_fraction, ablation_ratios,
    first_crossing,
};
pub use accumulator::DoseAccumulator;
pub use error::{DoseError, Result};
pub use model::{Arrhenius, Cem43, DoseModel, GAS_CONSTANT, ZERO_CELSIUS_K};
pub use series::{Quadrature, constant_temperature_dose, cumulative_dose, dose_series};

/// The `ndarray` this crate's signatures use, re-exported so a user need
/// not pin a matching version.
pub use ndarray;

/// The README's code blocks, compiled and run as doctests so the published
/// page cannot drift from the API.
#[doc = include_str!("../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;
