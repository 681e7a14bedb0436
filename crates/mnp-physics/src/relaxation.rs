//! Magnetic relaxation times of a single-domain particle (Jiang et al. 2022,
//! Eqs. A.2–A.4; Rosensweig 2002).
//!
//! Every function takes the thermal energy `k_B T` in joules rather than a
//! temperature, so the caller decides which Boltzmann constant to use
//! (see [`thermal_energy`]).

use crate::error::{Result, no_overflow, positive};

/// Which expression to use for the Néel relaxation time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum NeelForm {
    /// Brown's high-barrier asymptote used by Jiang et al. 2022 (Eq. A.3):
    /// τ_N = √π τ0 e^Γ / (2√Γ). Accurate for Γ ≳ 2 (see
    /// [`NEEL_ASYMPTOTIC_MIN_GAMMA`]); it diverges as Γ → 0.
    #[default]
    Asymptotic,
    /// The plain Arrhenius–Néel form τ_N = τ0 e^Γ (Rosensweig 2002).
    Plain,
}

/// The smallest energy-barrier ratio Γ = K V_M/(k_B T) for which the
/// asymptotic Néel form of [`NeelForm::Asymptotic`] is trusted: Γ ≥ 2.
pub const NEEL_ASYMPTOTIC_MIN_GAMMA: f64 = 2.0;

/// Thermal energy k_B·T (J) at temperature `temperature_k` (K) with the exact
/// SI Boltzmann constant [`crate::constants::BOLTZMANN`].
///
/// # Errors
/// A non-finite or non-positive temperature.
pub fn thermal_energy(temperature_k: f64) -> Result<f64> {
    Ok(crate::constants::BOLTZMANN * positive("temperature (K)", temperature_k)?)
}

/// Energy-barrier ratio Γ = K V_M / (k_B T) (dimensionless), with the
/// anisotropy constant `anisotropy` K (J/m³), the magnetic core volume
/// `magnetic_volume` V_M (m³) and the thermal energy `thermal_energy` k_B T (J).
///
/// # Errors
/// Any argument non-finite or ≤ 0.
pub fn energy_barrier_ratio(
    anisotropy: f64,
    magnetic_volume: f64,
    thermal_energy: f64,
) -> Result<f64> {
    Ok(positive("anisotropy constant K (J/m^3)", anisotropy)?
        * positive("magnetic volume V_M (m^3)", magnetic_volume)?
        / positive("thermal energy k_B T (J)", thermal_energy)?)
}

/// Néel relaxation time τ_N (s), Eq. A.3 of Jiang et al. 2022 in the
/// [`NeelForm::Asymptotic`] form, or τ0 e^Γ in the [`NeelForm::Plain`] form.
///
/// `anisotropy` K (J/m³), `magnetic_volume` V_M (m³), `thermal_energy`
/// k_B T (J), `attempt_time` τ0 (s).
///
/// # Errors
/// Any argument non-finite or ≤ 0; [`crate::PhysicsError::Overflow`] when
/// e^Γ exceeds the range of `f64` (Γ > 709, a particle far beyond the
/// single-domain size, for which the model does not apply).
pub fn tau_neel(
    anisotropy: f64,
    magnetic_volume: f64,
    thermal_energy: f64,
    attempt_time: f64,
    form: NeelForm,
) -> Result<f64> {
    let gamma = energy_barrier_ratio(anisotropy, magnetic_volume, thermal_energy)?;
    let tau0 = positive("attempt time tau0 (s)", attempt_time)?;
    // Work in logarithms so that τ0 e^Γ does not overflow before the
    // prefactor brings it back into range.
    let ln_tau = match form {
        NeelForm::Asymptotic => {
            0.5 * std::f64::consts::PI.ln() + tau0.ln() + gamma - (2.0 * gamma.sqrt()).ln()
        }
        NeelForm::Plain => tau0.ln() + gamma,
    };
    no_overflow("Neel relaxation time", ln_tau.exp(), || {
        format!("Gamma = {gamma}")
    })
}

/// Brownian relaxation time τ_B = 3 μ V_H / (k_B T) (s), Eq. A.4, with the
/// carrier viscosity `viscosity` μ (Pa·s), the hydrodynamic volume
/// `hydrodynamic_volume` V_H (m³) and the thermal energy k_B T (J).
///
/// # Errors
/// Any argument non-finite or ≤ 0.
pub fn tau_brown(viscosity: f64, hydrodynamic_volume: f64, thermal_energy: f64) -> Result<f64> {
    Ok(3.0
        * positive("viscosity (Pa s)", viscosity)?
        * positive("hydrodynamic volume V_H (m^3)", hydrodynamic_volume)?
        / positive("thermal energy k_B T (J)", thermal_energy)?)
}

/// Effective relaxation time τ_R (s) from 1/τ_R = 1/τ_N + 1/τ_B, Eq. A.2.
/// The faster mechanism dominates; τ_R ≤ min(τ_N, τ_B).
///
/// # Errors
/// Either time non-finite or ≤ 0.
pub fn tau_effective(tau_neel: f64, tau_brown: f64) -> Result<f64> {
    let tn = positive("Neel time tau_N (s)", tau_neel)?;
    let tb = positive("Brown time tau_B (s)", tau_brown)?;
    Ok(1.0 / (1.0 / tn + 1.0 / tb))
}
