//! Heat released by magnetic nanoparticles in an alternating field:
//! the [`HeatingModel`] trait, Rosensweig's linear-response model
//! (Jiang et al. 2022, Eq. A.1; Rosensweig 2002) and a measured-SLP model.

use crate::constants::{
    BOLTZMANN, BOLTZMANN_PAPER, BREZOVICH_LIMIT_A_PER_M_S, HERGT_DUTZ_LIMIT_A_PER_M_S, MU0,
};
use crate::error::{Result, fraction, non_negative, positive};
use crate::magnetization::{
    equilibrium_susceptibility, initial_susceptibility, langevin_parameter,
};
use crate::particle::{AcField, CarrierFluid, Particle};
use crate::relaxation::{
    NEEL_ASYMPTOTIC_MIN_GAMMA, NeelForm, energy_barrier_ratio, tau_brown, tau_effective, tau_neel,
};
use std::f64::consts::PI;

/// A model of the heat a particle suspension releases in an AMF.
///
/// Implementors give the volumetric power per unit particle volume fraction,
/// q = Q/φ (W/m³); Q = q·φ follows, since all models here are linear in φ
/// (dilute suspensions, no inter-particle interaction). Implement it to plug a
/// measured loss power or another model into the pipelines.
pub trait HeatingModel {
    /// q = Q/φ (W/m³): the volumetric heating power of a suspension per unit
    /// volume fraction of `particle` in `fluid`, exposed to `field`, at the
    /// absolute temperature `temperature_k` (K).
    ///
    /// # Errors
    /// Non-physical input (for example a non-positive temperature).
    fn power_per_volume_fraction(
        &self,
        particle: &Particle,
        fluid: &CarrierFluid,
        field: &AcField,
        temperature_k: f64,
    ) -> Result<f64>;

    /// Volumetric power Q = q·φ (W/m³) at the volume fraction
    /// `volume_fraction` φ ∈ [0, 1] (Eq. A.1 with Eq. A.6's φ).
    ///
    /// # Errors
    /// φ outside [0, 1], or an error of
    /// [`HeatingModel::power_per_volume_fraction`].
    fn volumetric_power(
        &self,
        volume_fraction: f64,
        particle: &Particle,
        fluid: &CarrierFluid,
        field: &AcField,
        temperature_k: f64,
    ) -> Result<f64> {
        let phi = fraction("volume fraction phi", volume_fraction)?;
        Ok(phi * self.power_per_volume_fraction(particle, fluid, field, temperature_k)?)
    }

    /// Specific loss power (SLP, also called SAR) in W per gram of particle
    /// material: Q/(φ ρ_mnp), converted from W/kg to W/g.
    ///
    /// # Errors
    /// As [`HeatingModel::power_per_volume_fraction`].
    fn specific_loss_power(
        &self,
        particle: &Particle,
        fluid: &CarrierFluid,
        field: &AcField,
        temperature_k: f64,
    ) -> Result<f64> {
        let q = self.power_per_volume_fraction(particle, fluid, field, temperature_k)?;
        Ok(q / particle.density() / 1000.0)
    }
}

/// Rosensweig's volumetric power (W/m³), Eq. A.1 of Jiang et al. 2022:
/// Q = π μ0 χ0 H0² f · 2πfτ_R / (1 + (2πfτ_R)²), with the equilibrium
/// susceptibility `chi0` χ0, the field amplitude `field_amplitude` H0 (A/m),
/// the frequency `frequency` f (Hz) and the effective relaxation time
/// `tau_r` τ_R (s).
///
/// # Errors
/// Non-finite or negative χ0 or H0; non-finite or non-positive f or τ_R.
pub fn rosensweig_power(
    chi0: f64,
    field_amplitude: f64,
    frequency: f64,
    tau_r: f64,
) -> Result<f64> {
    let chi0 = non_negative("equilibrium susceptibility chi0", chi0)?;
    let h0 = non_negative("field amplitude H0 (A/m)", field_amplitude)?;
    let f = positive("field frequency f (Hz)", frequency)?;
    let wt = 2.0 * PI * f * positive("relaxation time tau_R (s)", tau_r)?;
    Ok(PI * MU0 * chi0 * h0 * h0 * f * wt / (1.0 + wt * wt))
}

/// Rosensweig's linear-response model (Rosensweig 2002; Jiang et al. 2022,
/// App. A): Néel and Brownian relaxation in parallel, the Langevin chord
/// susceptibility, and the out-of-phase loss of Eq. A.1.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rosensweig {
    neel_form: NeelForm,
    boltzmann: f64,
}

impl Default for Rosensweig {
    /// The asymptotic Néel form with the exact SI Boltzmann constant.
    fn default() -> Self {
        Self {
            neel_form: NeelForm::Asymptotic,
            boltzmann: BOLTZMANN,
        }
    }
}

/// Every intermediate quantity of the Rosensweig model at one state.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RosensweigBreakdown {
    /// Thermal energy k_B T (J).
    pub thermal_energy: f64,
    /// Energy-barrier ratio Γ = K V_M/(k_B T).
    pub gamma: f64,
    /// Néel time τ_N (s), Eq. A.3.
    pub tau_neel: f64,
    /// Brownian time τ_B (s), Eq. A.4.
    pub tau_brown: f64,
    /// Effective time τ_R (s), Eq. A.2.
    pub tau_effective: f64,
    /// Langevin parameter ξ, Eq. A.7.
    pub xi: f64,
    /// χ_i/φ, Eq. A.6 per unit volume fraction.
    pub chi_i_per_phi: f64,
    /// χ0/φ, Eq. A.5 per unit volume fraction.
    pub chi0_per_phi: f64,
    /// ω τ_R = 2πf τ_R.
    pub omega_tau: f64,
    /// q = Q/φ (W/m³), Eq. A.1 per unit volume fraction.
    pub power_per_volume_fraction: f64,
    /// Specific loss power Q/(φ ρ_mnp) (W/g).
    pub specific_loss_power_w_per_g: f64,
}

/// Where the Rosensweig model may be trusted at one state.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ValidityReport {
    /// Langevin parameter ξ; linear response needs ξ < 1.
    pub xi: f64,
    /// ξ < 1: the linear-response assumption behind Eq. A.1 holds.
    pub linear_response: bool,
    /// Energy-barrier ratio Γ.
    pub gamma: f64,
    /// Γ ≥ [`NEEL_ASYMPTOTIC_MIN_GAMMA`]: the asymptotic Néel form is accurate
    /// (irrelevant, and reported true, with [`NeelForm::Plain`]).
    pub neel_form_valid: bool,
    /// ω τ_R: near 1 the loss peaks; ≪ 1 gives Q ∝ f² τ_R.
    pub omega_tau: f64,
    /// H0·f (A/(m·s)).
    pub field_frequency_product: f64,
    /// H0·f below the Hergt–Dutz limit 5·10⁹ A/(m·s).
    pub below_hergt_dutz_limit: bool,
    /// H0·f below Brezovich's limit 4.85·10⁸ A/(m·s).
    pub below_brezovich_limit: bool,
}

impl ValidityReport {
    /// True when both the linear response and the Néel form hold.
    pub fn model_valid(&self) -> bool {
        self.linear_response && self.neel_form_valid
    }
}

impl Rosensweig {
    /// The model with the chosen Néel form and the exact SI Boltzmann
    /// constant.
    pub fn new(neel_form: NeelForm) -> Self {
        Self {
            neel_form,
            ..Self::default()
        }
    }

    /// The model exactly as in Jiang et al. 2022: the asymptotic Néel form
    /// (Eq. A.3) and k_B = 1.38·10⁻²³ J/K (Table A.1). Evaluate it at
    /// [`crate::constants::PAPER_TEMPERATURE_K`] to reproduce the paper.
    pub fn paper() -> Self {
        Self {
            neel_form: NeelForm::Asymptotic,
            boltzmann: BOLTZMANN_PAPER,
        }
    }

    /// The same model with another Boltzmann constant (J/K).
    ///
    /// # Errors
    /// A non-finite or non-positive value.
    pub fn with_boltzmann(mut self, boltzmann: f64) -> Result<Self> {
        self.boltzmann = positive("Boltzmann constant (J/K)", boltzmann)?;
        Ok(self)
    }

    /// The Néel form in use.
    pub fn neel_form(&self) -> NeelForm {
        self.neel_form
    }

    /// The Boltzmann constant in use (J/K).
    pub fn boltzmann(&self) -> f64 {
        self.boltzmann
    }

    /// All intermediate quantities of Eqs. A.1–A.7 at temperature
    /// `temperature_k` (K).
    ///
    /// # Errors
    /// A non-finite or non-positive temperature, or an overflow of τ_N.
    pub fn breakdown(
        &self,
        particle: &Particle,
        fluid: &CarrierFluid,
        field: &AcField,
        temperature_k: f64,
    ) -> Result<RosensweigBreakdown> {
        let kt = self.boltzmann * positive("temperature (K)", temperature_k)?;
        let vm = particle.magnetic_volume();
        let gamma = energy_barrier_ratio(particle.anisotropy(), vm, kt)?;
        let tn = tau_neel(
            particle.anisotropy(),
            vm,
            kt,
            particle.attempt_time(),
            self.neel_form,
        )?;
        let tb = tau_brown(fluid.viscosity(), particle.hydrodynamic_volume(), kt)?;
        let tr = tau_effective(tn, tb)?;
        let xi = langevin_parameter(particle.domain_magnetization(), field.amplitude(), vm, kt)?;
        let chi_i = initial_susceptibility(1.0, particle.domain_magnetization(), vm, kt)?;
        let chi0 = equilibrium_susceptibility(chi_i, xi)?;
        let q = rosensweig_power(chi0, field.amplitude(), field.frequency(), tr)?;
        Ok(RosensweigBreakdown {
            thermal_energy: kt,
            gamma,
            tau_neel: tn,
            tau_brown: tb,
            tau_effective: tr,
            xi,
            chi_i_per_phi: chi_i,
            chi0_per_phi: chi0,
            omega_tau: field.angular_frequency() * tr,
            power_per_volume_fraction: q,
            specific_loss_power_w_per_g: q / particle.density() / 1000.0,
        })
    }

    /// Where the model can be trusted at this state (ξ < 1 for linear
    /// response; Γ ≥ 2 for the asymptotic Néel form; clinical H0·f limits).
    ///
    /// # Errors
    /// As [`Rosensweig::breakdown`].
    pub fn validity(
        &self,
        particle: &Particle,
        fluid: &CarrierFluid,
        field: &AcField,
        temperature_k: f64,
    ) -> Result<ValidityReport> {
        let b = self.breakdown(particle, fluid, field, temperature_k)?;
        let hf = field.field_frequency_product();
        Ok(ValidityReport {
            xi: b.xi,
            linear_response: b.xi < 1.0,
            gamma: b.gamma,
            neel_form_valid: self.neel_form == NeelForm::Plain
                || b.gamma >= NEEL_ASYMPTOTIC_MIN_GAMMA,
            omega_tau: b.omega_tau,
            field_frequency_product: hf,
            below_hergt_dutz_limit: hf < HERGT_DUTZ_LIMIT_A_PER_M_S,
            below_brezovich_limit: hf < BREZOVICH_LIMIT_A_PER_M_S,
        })
    }
}

impl HeatingModel for Rosensweig {
    fn power_per_volume_fraction(
        &self,
        particle: &Particle,
        fluid: &CarrierFluid,
        field: &AcField,
        temperature_k: f64,
    ) -> Result<f64> {
        Ok(self
            .breakdown(particle, fluid, field, temperature_k)?
            .power_per_volume_fraction)
    }
}

/// A heating model from a measured specific loss power, scaled to other
/// fields through the intrinsic loss power ILP = SLP/(H0² f) (Kallumadil et
/// al. 2009), which is constant for a given particle in the linear-response,
/// ωτ ≪ 1 regime. Independent of temperature and of the carrier.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MeasuredSlp {
    slp_w_per_g: f64,
    reference: AcField,
}

impl MeasuredSlp {
    /// An SLP of `slp_w_per_g` (W/g of particle material, ≥ 0) measured in
    /// the field `reference` (which must have a non-zero amplitude).
    ///
    /// # Errors
    /// A non-finite or negative SLP, or a zero reference amplitude.
    pub fn new(slp_w_per_g: f64, reference: AcField) -> Result<Self> {
        positive("reference field amplitude H0 (A/m)", reference.amplitude())?;
        Ok(Self {
            slp_w_per_g: non_negative("specific loss power (W/g)", slp_w_per_g)?,
            reference,
        })
    }

    /// Intrinsic loss power ILP = SLP/(H0² f) of the reference measurement,
    /// in nH·m²/kg, the unit of Kallumadil et al. 2009
    /// (1 nH·m²/kg = 10⁻⁹ W·s·m²/(kg·A²)).
    pub fn intrinsic_loss_power_nh_m2_per_kg(&self) -> f64 {
        let h = self.reference.amplitude();
        self.slp_w_per_g * 1000.0 / (h * h * self.reference.frequency()) * 1e9
    }
}

impl HeatingModel for MeasuredSlp {
    fn power_per_volume_fraction(
        &self,
        particle: &Particle,
        _fluid: &CarrierFluid,
        field: &AcField,
        _temperature_k: f64,
    ) -> Result<f64> {
        let h_ratio = field.amplitude() / self.reference.amplitude();
        let f_ratio = field.frequency() / self.reference.frequency();
        // W/g → W/kg, times kg/m³ of particle material per unit φ.
        Ok(self.slp_w_per_g * 1000.0 * particle.density() * h_ratio * h_ratio * f_ratio)
    }
}
