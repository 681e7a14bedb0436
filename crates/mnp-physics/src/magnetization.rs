//! Equilibrium magnetization of a superparamagnetic ensemble: the Langevin
//! function and the susceptibilities of Jiang et al. 2022, Eqs. A.5–A.7
//! (Rosensweig 2002).

use crate::constants::MU0;
use crate::error::{Result, fraction, non_negative, positive};

/// Below this |x| the Langevin function is evaluated by its Taylor series,
/// where coth x − 1/x would lose digits to cancellation.
const SERIES_THRESHOLD: f64 = 1e-2;

/// Langevin function L(x) = coth x − 1/x (dimensionless), odd, with
/// L(x) ≈ x/3 for small x and L(x) → 1 − 1/x for large x.
/// Returns NaN only for a NaN argument.
pub fn langevin(x: f64) -> f64 {
    if x.abs() < SERIES_THRESHOLD {
        // x/3 − x³/45 + 2x⁵/945: the next term is O(x⁷) < 1e-17 here.
        let x2 = x * x;
        x * (1.0 / 3.0 - x2 * (1.0 / 45.0 - x2 * 2.0 / 945.0))
    } else {
        1.0 / x.tanh() - 1.0 / x
    }
}

/// The ratio 3 L(ξ)/ξ = χ0/χ_i (dimensionless) of Eq. A.5: 1 at ξ = 0,
/// falling as 3/ξ for large ξ.
pub fn langevin_ratio(xi: f64) -> f64 {
    if xi.abs() < SERIES_THRESHOLD {
        let x2 = xi * xi;
        1.0 - x2 * (1.0 / 15.0 - x2 * 2.0 / 315.0)
    } else {
        3.0 * langevin(xi) / xi
    }
}

/// Langevin parameter ξ = μ0 M_d H0 V_M / (k_B T) (dimensionless), Eq. A.7:
/// the Zeeman energy of one particle's moment in the field amplitude over the
/// thermal energy. Linear response (and so Eq. A.1) needs ξ < 1.
///
/// `domain_magnetization` M_d (A/m), `field_amplitude` H0 (A/m, ≥ 0),
/// `magnetic_volume` V_M (m³), `thermal_energy` k_B T (J).
///
/// # Errors
/// Non-finite arguments, a negative field, or M_d, V_M, k_B T ≤ 0.
pub fn langevin_parameter(
    domain_magnetization: f64,
    field_amplitude: f64,
    magnetic_volume: f64,
    thermal_energy: f64,
) -> Result<f64> {
    Ok(MU0
        * positive("domain magnetization M_d (A/m)", domain_magnetization)?
        * non_negative("field amplitude H0 (A/m)", field_amplitude)?
        * positive("magnetic volume V_M (m^3)", magnetic_volume)?
        / positive("thermal energy k_B T (J)", thermal_energy)?)
}

/// Initial susceptibility χ_i = μ0 φ M_d² V_M / (3 k_B T) (dimensionless),
/// Eq. A.6, for the particle volume fraction `volume_fraction` φ ∈ [0, 1].
///
/// # Errors
/// φ outside [0, 1]; non-finite or non-positive M_d, V_M or k_B T.
pub fn initial_susceptibility(
    volume_fraction: f64,
    domain_magnetization: f64,
    magnetic_volume: f64,
    thermal_energy: f64,
) -> Result<f64> {
    let md = positive("domain magnetization M_d (A/m)", domain_magnetization)?;
    Ok(MU0
        * fraction("volume fraction phi", volume_fraction)?
        * md
        * md
        * positive("magnetic volume V_M (m^3)", magnetic_volume)?
        / (3.0 * positive("thermal energy k_B T (J)", thermal_energy)?))
}

/// Equilibrium (chord) susceptibility χ0 = χ_i (3/ξ)(coth ξ − 1/ξ)
/// (dimensionless), Eq. A.5, from the initial susceptibility `chi_i` and the
/// Langevin parameter `xi` (both ≥ 0). χ0 = χ_i at ξ = 0 and χ0 → 3χ_i/ξ for
/// large ξ.
///
/// # Errors
/// A non-finite or negative argument.
pub fn equilibrium_susceptibility(chi_i: f64, xi: f64) -> Result<f64> {
    Ok(non_negative("initial susceptibility chi_i", chi_i)?
        * langevin_ratio(non_negative("Langevin parameter xi", xi)?))
}
