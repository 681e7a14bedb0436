//! Physical constants (SI) and the fixed values of Jiang et al. 2022.

/// Vacuum permeability μ0 = 4π·10⁻⁷ T·m/A, as in Table A.1 of Jiang et al. 2022
/// (the pre-2019 exact value; CODATA 2018 differs by 5.5·10⁻¹⁰ relative).
pub const MU0: f64 = 4.0e-7 * std::f64::consts::PI;

/// Boltzmann constant k_B = 1.380649·10⁻²³ J/K (exact, SI 2019).
pub const BOLTZMANN: f64 = 1.380649e-23;

/// Boltzmann constant as rounded in Table A.1 of Jiang et al. 2022:
/// 1.38·10⁻²³ J/K. [`crate::Rosensweig::paper`] uses it to reproduce the paper.
pub const BOLTZMANN_PAPER: f64 = 1.38e-23;

/// 0 °C in kelvin.
pub const ZERO_CELSIUS_K: f64 = 273.15;

/// The temperature at which Jiang et al. 2022 (App. A) evaluate τ_N, τ_B, χ_i
/// and ξ: 43 °C = 316.15 K.
pub const PAPER_TEMPERATURE_K: f64 = 43.0 + ZERO_CELSIUS_K;

/// Hergt–Dutz limit on the product H0·f of field amplitude (A/m) and
/// frequency (Hz) for patient comfort: 5·10⁹ A/(m·s).
pub const HERGT_DUTZ_LIMIT_A_PER_M_S: f64 = 5.0e9;

/// Brezovich's (more conservative) limit on H0·f: 4.85·10⁸ A/(m·s).
pub const BREZOVICH_LIMIT_A_PER_M_S: f64 = 4.85e8;
