//! Injection strategies on a patient's tumor: sites on the tumor's
//! principal axes (the 3D counterpart of the circular and elliptical
//! strategies of Jiang et al. 2022, Tables 2 and 4), or the user's own
//! sites in patient coordinates; and the clouds a plan puts there (Eq. 8
//! in 3D).

use crate::error::{Error, Result};
use crate::patient::anatomy::Anatomy;
use crate::treatment::strategy::K_SIGMA_MIN;
use mnp_physics::{
    CellGrid, CellGrid3, GaussianSite, GaussianSite3, InjectionCloud, InjectionCloud3,
    InjectionReference, NormalizedInjection,
};
use ndarray::Array3;

/// The shape of each site's particle cloud.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum CloudShape {
    /// A 3D Gaussian around the site (Eq. 8 in 3D): σ = k_σ σ0 and
    /// V_i = w_i k_σ³ k_φ V0 (m³) with the reference volume V0 of
    /// [`DoseReference`], so a site's peak is k_φ V0/((2π)^{3/2} σ0³) at
    /// any k_σ, as in 2D; R_dose = 1 − (Σ V_i/V0)^{1/3}.
    #[default]
    Point,
    /// The 2D cloud of Eq. 8 extruded along the grid's z axis: the same
    /// Gaussian in every z slice, V_i = w_i k_σ² k_φ φ0 per unit length
    /// (m²), R_dose as in 2D. A needle track through the block, and the
    /// paper's 2D model seen in 3D. Sites keep only their x and y: with
    /// [`PrincipalAxes`], a tumor whose long axis is z puts sites on top
    /// of each other; use it for blocks extruded in z.
    ExtrudedZ,
}

/// The reference volume V0 of a 3D site (k_φ = k_σ = 1), which sets the
/// dose scale of the search and of R_dose (Eq. 9d).
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub enum DoseReference {
    /// As much particle volume per tumor volume as the paper's reference
    /// dose φ0 gives its 10 mm circular tumor (Jiang et al. 2022):
    /// V0 = φ0 · V_tumor / (π (5 mm)²).
    #[default]
    TumorScaled,
    /// A 3D site whose peak is the 2D reference site's,
    /// V0 = φ0₃ = √(2π) σ0 φ0 ([`InjectionReference::phi0_3d`]).
    PeakMatched,
    /// A given V0 (m³).
    Volume(f64),
}

impl DoseReference {
    /// The paper's tumor radius r0 (m) of [`DoseReference::TumorScaled`].
    pub const PAPER_TUMOR_RADIUS_M: f64 = 5e-3;

    /// V0 (m³) for a tumor of `tumor_volume_m3`.
    ///
    /// # Errors
    /// A given volume that is not finite and > 0.
    pub fn volume(&self, reference: &InjectionReference, tumor_volume_m3: f64) -> Result<f64> {
        let v = match *self {
            Self::TumorScaled => {
                reference.phi0() * tumor_volume_m3
                    / (std::f64::consts::PI * Self::PAPER_TUMOR_RADIUS_M.powi(2))
            }
            Self::PeakMatched => reference.phi0_3d(),
            Self::Volume(v) => v,
        };
        if v.is_finite() && v > 0.0 {
            Ok(v)
        } else {
            Err(Error::Invalid {
                name: "reference volume V0 (m³)",
                reason: format!("must be finite and > 0, got {v}"),
            })
        }
    }
}

/// Where a plan puts its sites: positions in the voxel frame (m), dose
/// weights, and the geometry values to report.
#[derive(Debug, Clone, PartialEq)]
pub struct SitePlan {
    /// (centre in the voxel frame (m), dose weight w ≥ 0) per site.
    pub sites: Vec<([f64; 3], f64)>,
    /// Named geometry values (mm), e.g. ("d_1_mm", 3.2).
    pub geometry: Vec<(&'static str, f64)>,
}

/// A parametrization of the sites on a patient's tumor. The first two
/// variables are always k_φ and k_σ.
pub trait PatientStrategy: Send + Sync + std::fmt::Debug {
    /// A short description.
    fn name(&self) -> String;
    /// The variables' names, k_φ and k_σ first.
    fn variables(&self) -> Vec<&'static str>;
    /// The search box (default [0, 1], k_σ from [`K_SIGMA_MIN`]).
    fn bounds(&self) -> (Vec<f64>, Vec<f64>) {
        let d = self.variables().len();
        let mut lower = vec![0.0; d];
        lower[1] = K_SIGMA_MIN;
        (lower, vec![1.0; d])
    }
    /// The sites at `x` on `anatomy`.
    ///
    /// # Errors
    /// A wrong number of variables.
    fn sites(&self, anatomy: &Anatomy, x: &[f64]) -> Result<SitePlan>;
}

fn check_len(x: &[f64], expected: usize) -> Result<()> {
    if x.len() == expected {
        Ok(())
    } else {
        Err(Error::Shape {
            what: "injection variables",
            expected,
            found: x.len(),
        })
    }
}

/// `n` ∈ {1, 2, 4, 6, 8} sites on the tumor's principal axes (centroid
/// c, axes e₁, e₂, e₃ longest first, semi-axes a_i = √(5 λ_i)):
/// 1 at c; 2 at c ± d₁e₁; 4 adds c ± d₂e₂; 6 adds c ± d₃e₃; 8 at the
/// corners c ± d₁e₁ ± d₂e₂ ± d₃e₃, with d_i = k_i a_i. Variables
/// (k_φ, k_σ, k_1, …) with one k_i per axis used.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PrincipalAxes {
    n: usize,
}

impl PrincipalAxes {
    /// `n` ∈ {1, 2, 4, 6, 8} sites.
    ///
    /// # Errors
    /// Any other `n`.
    pub fn new(n: usize) -> Result<Self> {
        if ![1, 2, 4, 6, 8].contains(&n) {
            return Err(Error::Invalid {
                name: "principal-axes strategy",
                reason: format!("has 1, 2, 4, 6 or 8 sites, not {n}"),
            });
        }
        Ok(Self { n })
    }
    /// The number of axes searched.
    fn axes(&self) -> usize {
        match self.n {
            1 => 0,
            2 => 1,
            4 => 2,
            _ => 3,
        }
    }
}

impl PatientStrategy for PrincipalAxes {
    fn name(&self) -> String {
        format!("principal axes, {} site(s)", self.n)
    }
    fn variables(&self) -> Vec<&'static str> {
        let mut v = vec!["k_phi", "k_sigma"];
        v.extend(["k_1", "k_2", "k_3"].into_iter().take(self.axes()));
        v
    }
    fn sites(&self, anatomy: &Anatomy, x: &[f64]) -> Result<SitePlan> {
        check_len(x, 2 + self.axes())?;
        let g = anatomy.geometry();
        let d: Vec<f64> = (0..self.axes())
            .map(|a| x[2 + a] * g.semi_axes[a])
            .collect();
        let at = |s: [f64; 3]| -> [f64; 3] {
            std::array::from_fn(|c| {
                g.centroid[c] + (0..3).map(|a| s[a] * g.axes[a][c]).sum::<f64>()
            })
        };
        let mut offsets: Vec<[f64; 3]> = Vec::new();
        if self.n == 8 {
            for s in 0..8 {
                let sign = |b: usize| if s >> b & 1 == 0 { 1.0 } else { -1.0 };
                offsets.push([sign(0) * d[0], sign(1) * d[1], sign(2) * d[2]]);
            }
        } else if self.n == 1 {
            offsets.push([0.0; 3]);
        } else {
            for (a, &da) in d.iter().enumerate() {
                for s in [1.0, -1.0] {
                    let mut o = [0.0; 3];
                    o[a] = s * da;
                    offsets.push(o);
                }
            }
        }
        const NAMES: [&str; 3] = ["d_1_mm", "d_2_mm", "d_3_mm"];
        Ok(SitePlan {
            sites: offsets.into_iter().map(|o| (at(o), 1.0)).collect(),
            geometry: d
                .iter()
                .enumerate()
                .map(|(a, &v)| (NAMES[a], v * 1e3))
                .collect(),
        })
    }
}

/// The user's sites in patient coordinates (mm), each with a dose weight:
/// site i holds w_i times one site's dose. Variables (k_φ, k_σ).
#[derive(Debug, Clone, PartialEq)]
pub struct PatientSites {
    sites_mm: Vec<([f64; 3], f64)>,
}

impl PatientSites {
    /// Sites (patient mm) with weights w ≥ 0, not all zero.
    ///
    /// # Errors
    /// No site, a non-finite coordinate, a negative, non-finite or
    /// all-zero weight.
    pub fn new(sites_mm: Vec<([f64; 3], f64)>) -> Result<Self> {
        let bad = sites_mm
            .iter()
            .any(|(p, w)| p.iter().any(|v| !v.is_finite()) || !(w.is_finite() && *w >= 0.0));
        if sites_mm.is_empty() || bad || sites_mm.iter().all(|s| s.1 == 0.0) {
            return Err(Error::Invalid {
                name: "patient sites",
                reason: "need at least one site, finite coordinates (mm) and weights ≥ 0, \
                         not all zero"
                    .into(),
            });
        }
        Ok(Self { sites_mm })
    }
    /// The sites (patient mm, weight).
    pub fn list(&self) -> &[([f64; 3], f64)] {
        &self.sites_mm
    }
}

impl PatientStrategy for PatientSites {
    fn name(&self) -> String {
        format!("user-defined, {} site(s)", self.sites_mm.len())
    }
    fn variables(&self) -> Vec<&'static str> {
        vec!["k_phi", "k_sigma"]
    }
    fn sites(&self, anatomy: &Anatomy, x: &[f64]) -> Result<SitePlan> {
        check_len(x, 2)?;
        Ok(SitePlan {
            sites: self
                .sites_mm
                .iter()
                .map(|&(p, w)| (anatomy.patient_mm_to_frame(p), w))
                .collect(),
            geometry: Vec::new(),
        })
    }
}

/// The clouds of a plan: either 3D Gaussians or extruded 2D ones.
#[derive(Debug, Clone, PartialEq)]
pub enum PatientCloud {
    /// 3D Gaussian clouds.
    Point(InjectionCloud3),
    /// 2D Gaussian clouds in the x–y plane, the same in every z slice.
    ExtrudedZ(InjectionCloud),
}

impl PatientCloud {
    /// The clouds after `time` (s) more of spreading with diffusivity
    /// `diffusivity` (m²/s): σ² + 2Dt.
    ///
    /// # Errors
    /// A non-positive diffusivity or a negative time.
    pub fn spread(&self, diffusivity: f64, time: f64) -> Result<Self> {
        Ok(match self {
            Self::Point(c) => Self::Point(c.spread(diffusivity, time)?),
            Self::ExtrudedZ(c) => Self::ExtrudedZ(c.spread(diffusivity, time)?),
        })
    }

    /// The largest φ any cell can hold: the sum of the sites' peaks.
    pub fn peak_bound(&self) -> f64 {
        match self {
            Self::Point(c) => c.sites().iter().map(|s| s.peak_volume_fraction()).sum(),
            Self::ExtrudedZ(c) => c.sites().iter().map(|s| s.peak_volume_fraction()).sum(),
        }
    }

    /// φ averaged over each cell of `grid` (exact for Gaussians).
    ///
    /// # Errors
    /// Never for a valid grid (kept fallible).
    pub fn cell_average(&self, grid: &lbm_bioheat::Grid3) -> Result<Array3<f64>> {
        let (nx, ny, nz) = grid.shape();
        let h = grid.spacing();
        let o = grid.origin();
        Ok(match self {
            Self::Point(c) => c.evaluate_cell_average(&CellGrid3::new([nx, ny, nz], h, o)?),
            Self::ExtrudedZ(c) => {
                let plane =
                    c.evaluate_cell_average(&CellGrid::new(nx, ny, h[0], h[1], o[0], o[1])?);
                Array3::from_shape_fn((nx, ny, nz), |(i, j, _)| plane[[i, j]])
            }
        })
    }
}

/// A plan on a patient: clouds and the quantities of Eq. 11.
#[derive(Debug, Clone, PartialEq)]
pub struct PatientLayout {
    /// The clouds.
    pub cloud: PatientCloud,
    /// The sites in patient coordinates (mm) with their injected volumes
    /// (m³ for point clouds, m² per unit length for extruded ones).
    pub sites_mm: Vec<([f64; 3], f64)>,
    /// k_φ.
    pub k_phi: f64,
    /// k_σ.
    pub k_sigma: f64,
    /// Waiting time after injection t_opt = k_σ²σ0²/(2D) (s, Eq. 11a).
    pub waiting_time_s: f64,
    /// Total injected volume (m³ for point clouds, m² per unit length for
    /// extruded ones).
    pub total_volume: f64,
    /// Injected over the reference dose (V0 of [`DoseReference`] for point
    /// clouds, φ0 for extruded ones), the argument of R_dose (Eq. 9d).
    pub dose_ratio: f64,
    /// Named geometry values (mm).
    pub geometry: Vec<(&'static str, f64)>,
}

impl PatientLayout {
    /// The clouds of `plan` with k_φ and k_σ, shaped as `shape`; point
    /// clouds take the reference volume `reference_volume` (m³, V0).
    ///
    /// # Errors
    /// k_φ or k_σ outside the search box, or a cloud the physics refuses.
    pub fn new(
        reference: &InjectionReference,
        reference_volume: f64,
        anatomy: &Anatomy,
        shape: CloudShape,
        (k_phi, k_sigma): (f64, f64),
        plan: SitePlan,
    ) -> Result<Self> {
        let k = NormalizedInjection::new(k_phi, k_sigma, 0.0)?;
        let mut sites_mm = Vec::with_capacity(plan.sites.len());
        let (cloud, reference_dose) = match shape {
            CloudShape::Point => {
                let mut sites = Vec::with_capacity(plan.sites.len());
                let unit = k_sigma.powi(3) * k_phi * reference_volume;
                for &(c, w) in &plan.sites {
                    let site = GaussianSite3::new(c, w * unit, k_sigma * reference.sigma0())?;
                    sites_mm.push((anatomy.frame_to_patient_mm(c), site.volume()));
                    sites.push(site);
                }
                (
                    PatientCloud::Point(InjectionCloud3::new(sites)),
                    reference_volume,
                )
            }
            CloudShape::ExtrudedZ => {
                let mut sites = Vec::with_capacity(plan.sites.len());
                for &(c, w) in &plan.sites {
                    let unit = reference.site(&k, c[0], c[1])?;
                    let site = GaussianSite::new(c[0], c[1], w * unit.volume(), unit.sigma())?;
                    sites_mm.push((anatomy.frame_to_patient_mm(c), site.volume()));
                    sites.push(site);
                }
                (
                    PatientCloud::ExtrudedZ(InjectionCloud::new(sites)),
                    reference.phi0(),
                )
            }
        };
        let total: f64 = sites_mm.iter().map(|s| s.1).sum();
        Ok(Self {
            cloud,
            sites_mm,
            k_phi,
            k_sigma,
            waiting_time_s: reference.plan(1, &k)?.waiting_time,
            total_volume: total,
            dose_ratio: total / reference_dose,
            geometry: plan.geometry,
        })
    }
}
