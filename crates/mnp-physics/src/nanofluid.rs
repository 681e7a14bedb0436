//! Effective thermal properties of tissue loaded with nanoparticles
//! (Jiang et al. 2022, Eqs. 2a and 2b; Table 1).

use crate::error::{Result, fraction, positive};

/// A homogeneous material's thermal properties.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Material {
    density: f64,
    specific_heat: f64,
    conductivity: f64,
}

impl Material {
    /// A material of density `density` ρ (kg/m³), specific heat
    /// `specific_heat` c (J/(kg·K)) and conductivity `conductivity`
    /// k (W/(m·K)).
    ///
    /// # Errors
    /// Any argument non-finite or ≤ 0.
    pub fn new(density: f64, specific_heat: f64, conductivity: f64) -> Result<Self> {
        Ok(Self {
            density: positive("density (kg/m^3)", density)?,
            specific_heat: positive("specific heat (J/(kg K))", specific_heat)?,
            conductivity: positive("thermal conductivity (W/(m K))", conductivity)?,
        })
    }
    /// Tissue of Table 1 (Jiang et al. 2022), shared by tumor and healthy
    /// tissue: ρ = 1052 kg/m³, c = 3800 J/(kg·K), k = 0.5 W/(m·K).
    pub fn tissue_table1() -> Self {
        Self {
            density: 1052.0,
            specific_heat: 3800.0,
            conductivity: 0.5,
        }
    }
    /// Magnetite particles of Table 1: ρ = 5200 kg/m³, c = 670 J/(kg·K),
    /// k = 6 W/(m·K).
    pub fn magnetite_table1() -> Self {
        Self {
            density: 5200.0,
            specific_heat: 670.0,
            conductivity: 6.0,
        }
    }
    /// Density ρ (kg/m³).
    pub fn density(&self) -> f64 {
        self.density
    }
    /// Specific heat c (J/(kg·K)).
    pub fn specific_heat(&self) -> f64 {
        self.specific_heat
    }
    /// Thermal conductivity k (W/(m·K)).
    pub fn conductivity(&self) -> f64 {
        self.conductivity
    }
    /// Volumetric heat capacity ρc (J/(m³·K)).
    pub fn volumetric_heat_capacity(&self) -> f64 {
        self.density * self.specific_heat
    }
    /// Thermal diffusivity α = k/(ρc) (m²/s).
    pub fn thermal_diffusivity(&self) -> f64 {
        self.conductivity / self.volumetric_heat_capacity()
    }
}

/// Volumetric heat capacity of the mixture (J/(m³·K)), Eq. 2a:
/// (ρc)_nf = φ(ρc)_mnp + (1 − φ)(ρc)_tis, at particle volume fraction
/// `volume_fraction` φ ∈ [0, 1].
///
/// # Errors
/// φ outside [0, 1].
pub fn mixture_heat_capacity(
    volume_fraction: f64,
    tissue: &Material,
    particles: &Material,
) -> Result<f64> {
    let phi = fraction("volume fraction phi", volume_fraction)?;
    Ok(
        phi * particles.volumetric_heat_capacity()
            + (1.0 - phi) * tissue.volumetric_heat_capacity(),
    )
}

/// Maxwell's effective conductivity (W/(m·K)), Eq. 2b:
/// k_nf = k_tis [k_mnp + 2k_tis − 2φ(k_tis − k_mnp)] / [k_mnp + 2k_tis + φ(k_tis − k_mnp)],
/// with the matrix conductivity `k_tissue`, the inclusion conductivity
/// `k_particles` (both W/(m·K)) and φ ∈ [0, 1]. It gives k_tis at φ = 0 and
/// k_mnp at φ = 1, and lies between them.
///
/// # Errors
/// φ outside [0, 1]; a conductivity non-finite or ≤ 0.
pub fn maxwell_conductivity(volume_fraction: f64, k_tissue: f64, k_particles: f64) -> Result<f64> {
    let phi = fraction("volume fraction phi", volume_fraction)?;
    let kt = positive("tissue conductivity (W/(m K))", k_tissue)?;
    let kp = positive("particle conductivity (W/(m K))", k_particles)?;
    Ok(kt * (kp + 2.0 * kt - 2.0 * phi * (kt - kp)) / (kp + 2.0 * kt + phi * (kt - kp)))
}

/// Effective properties of the tissue–particle mixture at one volume
/// fraction.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MixtureProperties {
    /// (ρc)_nf (J/(m³·K)), Eq. 2a.
    pub heat_capacity: f64,
    /// k_nf (W/(m·K)), Eq. 2b.
    pub conductivity: f64,
}

impl MixtureProperties {
    /// Thermal diffusivity α_nf = k_nf/(ρc)_nf (m²/s), which sets the local
    /// LBM relaxation time (Eq. B.5).
    pub fn thermal_diffusivity(&self) -> f64 {
        self.conductivity / self.heat_capacity
    }
}

/// Tissue loaded with particles: the property function φ ↦ ((ρc)_nf, k_nf)
/// of Eqs. 2a, 2b.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Nanofluid {
    /// The host tissue.
    pub tissue: Material,
    /// The particle material.
    pub particles: Material,
}

impl Nanofluid {
    /// Tissue and magnetite of Table 1 (Jiang et al. 2022).
    pub fn table1() -> Self {
        Self {
            tissue: Material::tissue_table1(),
            particles: Material::magnetite_table1(),
        }
    }

    /// The mixture's properties at volume fraction φ ∈ [0, 1].
    ///
    /// # Errors
    /// φ outside [0, 1].
    pub fn properties(&self, volume_fraction: f64) -> Result<MixtureProperties> {
        Ok(MixtureProperties {
            heat_capacity: mixture_heat_capacity(volume_fraction, &self.tissue, &self.particles)?,
            conductivity: maxwell_conductivity(
                volume_fraction,
                self.tissue.conductivity(),
                self.particles.conductivity(),
            )?,
        })
    }
}
