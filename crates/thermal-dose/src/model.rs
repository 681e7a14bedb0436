//! Dose models: the [`DoseModel`] trait, CEM43 (Sapareto & Dewey 1984;
//! Jiang et al. 2022, Eq. 12) and the Arrhenius damage integral.

use crate::error::{Result, finite, positive};

/// Universal gas constant R (J/(mol·K)), exact in the SI since 2019.
pub const GAS_CONSTANT: f64 = 8.314_462_618;

/// 0 °C in kelvin.
pub const ZERO_CELSIUS_K: f64 = 273.15;

/// A thermal dose model: a dose rate that depends on temperature alone, so
/// the dose is its time integral. CEM43, Arrhenius and user models share the
/// integrators ([`crate::dose_series`]) and the field accumulator
/// ([`crate::DoseAccumulator`]).
pub trait DoseModel {
    /// Dose accumulated per second at temperature `temperature_c` (°C), in
    /// the model's dose unit per second. Must be finite and ≥ 0 for finite
    /// temperatures of biological interest.
    fn dose_rate(&self, temperature_c: f64) -> f64;

    /// The dose at which tissue counts as killed (in the model's dose unit).
    fn lethal_dose(&self) -> f64;

    /// The dose unit, for reports (`"min"` for CEM43, `"1"` for Ω).
    fn unit(&self) -> &'static str;
}

/// Cumulative equivalent minutes at 43 °C (Eq. 12 of Jiang et al. 2022):
/// CEM43 = Σ R^(43 − T_i) δt_i, in minutes, with R = 0.5 above the breakpoint
/// (43 °C) and 0.25 at or below it. Cells count as killed at 60 min by
/// default (240 min is also common for lesions).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Cem43 {
    breakpoint_c: f64,
    r_above: f64,
    r_below: f64,
    lethal_min: f64,
    ln_r_above: f64,
    ln_r_below: f64,
}

impl Default for Cem43 {
    /// R = 0.5 above 43 °C, 0.25 at or below, lethal at 60 min.
    fn default() -> Self {
        Self {
            breakpoint_c: 43.0,
            r_above: 0.5,
            r_below: 0.25,
            lethal_min: 60.0,
            ln_r_above: 0.5f64.ln(),
            ln_r_below: 0.25f64.ln(),
        }
    }
}

impl Cem43 {
    /// The standard model (same as [`Default`]).
    pub fn new() -> Self {
        Self::default()
    }

    /// The same model with R switching at `breakpoint_c` (°C) instead of
    /// 43 °C. The reference temperature stays 43 °C.
    ///
    /// # Errors
    /// A non-finite breakpoint.
    pub fn with_breakpoint(mut self, breakpoint_c: f64) -> Result<Self> {
        self.breakpoint_c = finite("CEM43 breakpoint (°C)", breakpoint_c)?;
        Ok(self)
    }

    /// The same model with R = `r_above` above the breakpoint and `r_below`
    /// at or below it.
    ///
    /// # Errors
    /// An R outside (0, 1).
    pub fn with_r(mut self, r_above: f64, r_below: f64) -> Result<Self> {
        for (name, r) in [
            ("R above breakpoint", r_above),
            ("R below breakpoint", r_below),
        ] {
            if !(r > 0.0 && r < 1.0) {
                return Err(crate::DoseError::InvalidParameter {
                    name,
                    value: r,
                    allowed: "a value in (0, 1)",
                });
            }
        }
        self.r_above = r_above;
        self.r_below = r_below;
        self.ln_r_above = r_above.ln();
        self.ln_r_below = r_below.ln();
        Ok(self)
    }

    /// The same model with another kill threshold (min).
    ///
    /// # Errors
    /// A non-finite or non-positive threshold.
    pub fn with_lethal_minutes(mut self, minutes: f64) -> Result<Self> {
        self.lethal_min = positive("CEM43 kill threshold (min)", minutes)?;
        Ok(self)
    }

    /// The breakpoint (°C).
    pub fn breakpoint_c(&self) -> f64 {
        self.breakpoint_c
    }
    /// R above the breakpoint.
    pub fn r_above(&self) -> f64 {
        self.r_above
    }
    /// R at or below the breakpoint.
    pub fn r_below(&self) -> f64 {
        self.r_below
    }

    /// The equivalent-time factor R^(43 − T) (dimensionless): minutes at
    /// 43 °C per minute at `temperature_c`.
    pub fn equivalence_factor(&self, temperature_c: f64) -> f64 {
        let ln_r = if temperature_c > self.breakpoint_c {
            self.ln_r_above
        } else {
            self.ln_r_below
        };
        ((43.0 - temperature_c) * ln_r).exp()
    }
}

impl DoseModel for Cem43 {
    /// R^(43 − T)/60 equivalent minutes per second.
    fn dose_rate(&self, temperature_c: f64) -> f64 {
        self.equivalence_factor(temperature_c) / 60.0
    }
    fn lethal_dose(&self) -> f64 {
        self.lethal_min
    }
    fn unit(&self) -> &'static str {
        "min"
    }
}

/// First-order Arrhenius damage: Ω = ∫ A exp(−E_a/(R T)) dt (dimensionless),
/// with T in kelvin. Ω = 1 means 63 % of the target molecules or cells
/// damaged, the usual lethal threshold.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Arrhenius {
    ln_frequency_factor: f64,
    frequency_factor: f64,
    activation_energy: f64,
    lethal_omega: f64,
}

impl Arrhenius {
    /// A model with frequency factor `frequency_factor` A (1/s) and
    /// activation energy `activation_energy` E_a (J/mol); lethal at Ω = 1.
    ///
    /// # Errors
    /// Either argument non-finite or ≤ 0.
    pub fn new(frequency_factor: f64, activation_energy: f64) -> Result<Self> {
        let a = positive("Arrhenius frequency factor A (1/s)", frequency_factor)?;
        Ok(Self {
            ln_frequency_factor: a.ln(),
            frequency_factor: a,
            activation_energy: positive("activation energy Ea (J/mol)", activation_energy)?,
            lethal_omega: 1.0,
        })
    }

    /// Skin (Henriques 1947): A = 3.1·10⁹⁸ 1/s, E_a = 6.28·10⁵ J/mol, the
    /// values of Henriques (1947).
    pub fn skin_henriques() -> Self {
        Self::preset(3.1e98, 6.28e5)
    }

    /// Liver, as in COMSOL's tumor-ablation model (after Jacques et al.):
    /// A = 7.39·10³⁹ 1/s, E_a = 2.577·10⁵ J/mol.
    pub fn liver() -> Self {
        Self::preset(7.39e39, 2.577e5)
    }

    /// Arterial tissue (Agah, Pearce & Welch 1994): A = 5.6·10⁶³ 1/s,
    /// E_a = 4.3·10⁵ J/mol.
    pub fn artery_agah() -> Self {
        Self::preset(5.6e63, 4.3e5)
    }

    fn preset(a: f64, ea: f64) -> Self {
        Self {
            ln_frequency_factor: a.ln(),
            frequency_factor: a,
            activation_energy: ea,
            lethal_omega: 1.0,
        }
    }

    /// The same model with another lethal Ω (for example 4.6 for 99 %).
    ///
    /// # Errors
    /// A non-finite or non-positive value.
    pub fn with_lethal_omega(mut self, omega: f64) -> Result<Self> {
        self.lethal_omega = positive("lethal Omega", omega)?;
        Ok(self)
    }

    /// Frequency factor A (1/s).
    pub fn frequency_factor(&self) -> f64 {
        self.frequency_factor
    }
    /// Activation energy E_a (J/mol).
    pub fn activation_energy(&self) -> f64 {
        self.activation_energy
    }
}

impl DoseModel for Arrhenius {
    /// A exp(−E_a/(R T)) per second, evaluated as exp(ln A − E_a/(R T)) so
    /// that A ≈ 10⁹⁸ does not overflow. Zero at or below absolute zero.
    fn dose_rate(&self, temperature_c: f64) -> f64 {
        let t_k = temperature_c + ZERO_CELSIUS_K;
        if t_k <= 0.0 {
            return 0.0;
        }
        (self.ln_frequency_factor - self.activation_energy / (GAS_CONSTANT * t_k)).exp()
    }
    fn lethal_dose(&self) -> f64 {
        self.lethal_omega
    }
    fn unit(&self) -> &'static str {
        "1"
    }
}

impl<M: DoseModel + ?Sized> DoseModel for &M {
    fn dose_rate(&self, temperature_c: f64) -> f64 {
        (**self).dose_rate(temperature_c)
    }
    fn lethal_dose(&self) -> f64 {
        (**self).lethal_dose()
    }
    fn unit(&self) -> &'static str {
        (**self).unit()
    }
}
