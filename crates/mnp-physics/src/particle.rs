//! Validated descriptions of a magnetic particle, its carrier fluid and the
//! alternating magnetic field (AMF). Fields are private: every value has been
//! checked by a constructor or a `with_*` setter, so the models never see a
//! non-physical parameter.

use crate::error::{Result, non_negative, positive};
use std::f64::consts::PI;

/// Volume (m³) of a sphere of diameter `d` (m): π d³ / 6.
pub fn sphere_volume(diameter: f64) -> f64 {
    PI * diameter * diameter * diameter / 6.0
}

/// A spherical single-domain magnetic nanoparticle, optionally with a
/// non-magnetic shell (coating) that enlarges its hydrodynamic size.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Particle {
    core_diameter: f64,
    shell_thickness: f64,
    domain_magnetization: f64,
    anisotropy: f64,
    attempt_time: f64,
    density: f64,
}

impl Particle {
    /// A bare particle (no shell).
    ///
    /// - `core_diameter`: magnetic core diameter d (m), so V_M = π d³/6;
    /// - `domain_magnetization`: M_d (A/m);
    /// - `anisotropy`: anisotropy constant K (J/m³);
    /// - `attempt_time`: Néel attempt time τ0 (s);
    /// - `density`: particle density ρ_mnp (kg/m³), used for SAR/SLP.
    ///
    /// # Errors
    /// Any argument non-finite or ≤ 0.
    pub fn new(
        core_diameter: f64,
        domain_magnetization: f64,
        anisotropy: f64,
        attempt_time: f64,
        density: f64,
    ) -> Result<Self> {
        Ok(Self {
            core_diameter: positive("core diameter (m)", core_diameter)?,
            shell_thickness: 0.0,
            domain_magnetization: positive("domain magnetization M_d (A/m)", domain_magnetization)?,
            anisotropy: positive("anisotropy constant K (J/m^3)", anisotropy)?,
            attempt_time: positive("attempt time tau0 (s)", attempt_time)?,
            density: positive("particle density (kg/m^3)", density)?,
        })
    }

    /// The magnetite particle of Jiang et al. 2022: Table A.1 (d = 12 nm,
    /// M_d = 4.46·10⁵ A/m, K = 2.3·10⁴ J/m³, τ0 = 10⁻⁹ s) with the magnetite
    /// density of Table 1 (5200 kg/m³). V_H = V_M (no shell).
    pub fn table_a1() -> Self {
        Self {
            core_diameter: 12e-9,
            shell_thickness: 0.0,
            domain_magnetization: 4.46e5,
            anisotropy: 2.3e4,
            attempt_time: 1e-9,
            density: 5200.0,
        }
    }

    /// The same particle with another core diameter (m).
    ///
    /// # Errors
    /// A non-finite or non-positive diameter.
    pub fn with_core_diameter(mut self, core_diameter: f64) -> Result<Self> {
        self.core_diameter = positive("core diameter (m)", core_diameter)?;
        Ok(self)
    }

    /// The same particle with a non-magnetic shell of thickness `thickness`
    /// (m, ≥ 0): the hydrodynamic diameter becomes d + 2·thickness.
    ///
    /// # Errors
    /// A non-finite or negative thickness.
    pub fn with_shell_thickness(mut self, thickness: f64) -> Result<Self> {
        self.shell_thickness = non_negative("shell thickness (m)", thickness)?;
        Ok(self)
    }

    /// The same particle with another domain magnetization M_d (A/m).
    ///
    /// # Errors
    /// A non-finite or non-positive value.
    pub fn with_domain_magnetization(mut self, md: f64) -> Result<Self> {
        self.domain_magnetization = positive("domain magnetization M_d (A/m)", md)?;
        Ok(self)
    }

    /// The same particle with another anisotropy constant K (J/m³).
    ///
    /// # Errors
    /// A non-finite or non-positive value.
    pub fn with_anisotropy(mut self, k: f64) -> Result<Self> {
        self.anisotropy = positive("anisotropy constant K (J/m^3)", k)?;
        Ok(self)
    }

    /// The same particle with another attempt time τ0 (s).
    ///
    /// # Errors
    /// A non-finite or non-positive value.
    pub fn with_attempt_time(mut self, tau0: f64) -> Result<Self> {
        self.attempt_time = positive("attempt time tau0 (s)", tau0)?;
        Ok(self)
    }

    /// The same particle with another density (kg/m³).
    ///
    /// # Errors
    /// A non-finite or non-positive value.
    pub fn with_density(mut self, density: f64) -> Result<Self> {
        self.density = positive("particle density (kg/m^3)", density)?;
        Ok(self)
    }

    /// Magnetic core diameter d (m).
    pub fn core_diameter(&self) -> f64 {
        self.core_diameter
    }
    /// Shell thickness (m).
    pub fn shell_thickness(&self) -> f64 {
        self.shell_thickness
    }
    /// Hydrodynamic diameter d + 2·shell (m).
    pub fn hydrodynamic_diameter(&self) -> f64 {
        self.core_diameter + 2.0 * self.shell_thickness
    }
    /// Magnetic volume V_M = π d³/6 (m³).
    pub fn magnetic_volume(&self) -> f64 {
        sphere_volume(self.core_diameter)
    }
    /// Hydrodynamic volume V_H = π d_H³/6 (m³).
    pub fn hydrodynamic_volume(&self) -> f64 {
        sphere_volume(self.hydrodynamic_diameter())
    }
    /// Domain magnetization M_d (A/m).
    pub fn domain_magnetization(&self) -> f64 {
        self.domain_magnetization
    }
    /// Anisotropy constant K (J/m³).
    pub fn anisotropy(&self) -> f64 {
        self.anisotropy
    }
    /// Néel attempt time τ0 (s).
    pub fn attempt_time(&self) -> f64 {
        self.attempt_time
    }
    /// Particle density (kg/m³).
    pub fn density(&self) -> f64 {
        self.density
    }
}

/// The fluid (or tissue) around the particles, through its viscosity.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CarrierFluid {
    viscosity: f64,
}

impl CarrierFluid {
    /// A carrier of dynamic viscosity `viscosity` μ (Pa·s).
    ///
    /// # Errors
    /// A non-finite or non-positive viscosity.
    pub fn new(viscosity: f64) -> Result<Self> {
        Ok(Self {
            viscosity: positive("viscosity (Pa s)", viscosity)?,
        })
    }
    /// The carrier of Table A.1 of Jiang et al. 2022: μ = 6.92·10⁻⁴ Pa·s.
    pub fn table_a1() -> Self {
        Self { viscosity: 6.92e-4 }
    }
    /// Dynamic viscosity μ (Pa·s).
    pub fn viscosity(&self) -> f64 {
        self.viscosity
    }
}

/// A sinusoidal alternating magnetic field H(t) = H0 cos(2πft).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AcField {
    amplitude: f64,
    frequency: f64,
}

impl AcField {
    /// A field of amplitude `amplitude` H0 (A/m, ≥ 0) and frequency
    /// `frequency` f (Hz, > 0).
    ///
    /// # Errors
    /// A non-finite or negative amplitude; a non-finite or non-positive
    /// frequency.
    pub fn new(amplitude: f64, frequency: f64) -> Result<Self> {
        Ok(Self {
            amplitude: non_negative("field amplitude H0 (A/m)", amplitude)?,
            frequency: positive("field frequency f (Hz)", frequency)?,
        })
    }
    /// The field of Table A.1 of Jiang et al. 2022: H0 = 8·10³ A/m,
    /// f = 2·10⁵ Hz.
    pub fn table_a1() -> Self {
        Self {
            amplitude: 8e3,
            frequency: 2e5,
        }
    }
    /// Amplitude H0 (A/m).
    pub fn amplitude(&self) -> f64 {
        self.amplitude
    }
    /// Frequency f (Hz).
    pub fn frequency(&self) -> f64 {
        self.frequency
    }
    /// Angular frequency ω = 2πf (rad/s).
    pub fn angular_frequency(&self) -> f64 {
        2.0 * PI * self.frequency
    }
    /// The product H0·f (A/(m·s)), compared with clinical limits in
    /// [`crate::ValidityReport`].
    pub fn field_frequency_product(&self) -> f64 {
        self.amplitude * self.frequency
    }
}
