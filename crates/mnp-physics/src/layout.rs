//! Injection layouts: where a plan's sites sit (the circular and
//! elliptical patterns of Jiang et al. 2022, §3.1–3.2 and Table 4) and the
//! clouds and physical quantities of a plan (Eqs. 8, 11).
//!
//! ```
//! use mnp_physics::layout::{InjectionLayout, circular_sites};
//! use mnp_physics::InjectionReference;
//!
//! # fn main() -> mnp_physics::Result<()> {
//! let r = InjectionReference::paper();
//! // Four sites at 0.6 d0 from the centre, the first on the x axis.
//! let points = circular_sites(4, 0.6 * r.d0(), 0.0);
//! let plan = InjectionLayout::equal(&r, 0.7, 0.5, &points, vec![])?;
//! // Eq. 8: V_i = k_σ² k_φ φ0 per site.
//! assert!((plan.dose_ratio - 4.0 * 0.25 * 0.7).abs() < 1e-12);
//! # Ok(())
//! # }
//! ```

use crate::error::{PhysicsError, Result};
use crate::injection::{GaussianSite, InjectionCloud, InjectionReference, NormalizedInjection};
use std::f64::consts::PI;

/// Injection sites and clouds at one plan, with the physical quantities of
/// Eq. 11.
#[derive(Debug, Clone, PartialEq)]
pub struct InjectionLayout {
    /// The clouds (one Gaussian per site, Eq. 8).
    pub cloud: InjectionCloud,
    /// Dose ratio k_φ.
    pub k_phi: f64,
    /// Spread ratio k_σ.
    pub k_sigma: f64,
    /// Waiting time t_opt = k_σ²σ0²/(2D) (s), Eq. 11a.
    pub waiting_time_s: f64,
    /// Total injected volume V = Σ V_i (m², a 2D area), Eq. 11b.
    pub total_volume_m2: f64,
    /// V/φ0 = Σ w_i k_σ² k_φ (n k_σ² k_φ for equal sites): R_dose =
    /// 1 − (V/φ0)^(1/3) (Eq. 9d).
    pub dose_ratio: f64,
    /// Named distances and angles of the layout (mm and degrees), e.g.
    /// `d_mm`, `d_h_mm`, `d_v_mm`, `d_i_mm`, `beta_deg`.
    pub geometry: Vec<(&'static str, f64)>,
}

impl InjectionLayout {
    /// Clouds at `sites` (x, y in m; dose weight w ≥ 0): site i holds
    /// V_i = w_i k_σ² k_φ φ0 with σ = k_σ σ0 (Eq. 8).
    ///
    /// # Errors
    /// A negative or non-finite k_φ, k_σ ≤ 0, or a site the clouds refuse (a
    /// non-finite coordinate, a negative or non-finite weight).
    pub fn new(
        reference: &InjectionReference,
        k_phi: f64,
        k_sigma: f64,
        sites: &[(f64, f64, f64)],
        geometry: Vec<(&'static str, f64)>,
    ) -> Result<Self> {
        let k = NormalizedInjection::new(k_phi, k_sigma, 0.0)?;
        let cloud: Vec<GaussianSite> = sites
            .iter()
            .map(|&(x, y, w)| {
                let unit = reference.site(&k, x, y)?;
                GaussianSite::new(x, y, w * unit.volume(), unit.sigma())
            })
            .collect::<Result<_>>()?;
        let cloud = InjectionCloud::new(cloud);
        let total = cloud.total_volume();
        Ok(Self {
            k_phi,
            k_sigma,
            waiting_time_s: reference.plan(1, &k)?.waiting_time,
            total_volume_m2: total,
            dose_ratio: total / reference.phi0(),
            geometry,
            cloud,
        })
    }

    /// Equal clouds (weight 1) at `points` (m).
    ///
    /// # Errors
    /// As [`InjectionLayout::new`].
    pub fn equal(
        reference: &InjectionReference,
        k_phi: f64,
        k_sigma: f64,
        points: &[(f64, f64)],
        geometry: Vec<(&'static str, f64)>,
    ) -> Result<Self> {
        let sites: Vec<(f64, f64, f64)> = points.iter().map(|&(x, y)| (x, y, 1.0)).collect();
        Self::new(reference, k_phi, k_sigma, &sites, geometry)
    }
}

/// `n` sites evenly spaced in angle at `distance` (m) from the centre, the
/// first at `rotation_rad` from the x axis (Jiang et al. 2022, §3.1; Fig. 4
/// rotates four sites by 45°). One site at distance 0 is the central
/// injection.
pub fn circular_sites(n: usize, distance: f64, rotation_rad: f64) -> Vec<(f64, f64)> {
    (0..n)
        .map(|i| {
            let a = rotation_rad + 2.0 * PI * i as f64 / n as f64;
            (distance * a.cos(), distance * a.sin())
        })
        .collect()
}

/// The elliptical tumor's patterns (Jiang et al. 2022, §3.2, Table 4),
/// major axis along x: 1 site at the centre; 2 at (±d_h, 0); 4 adds
/// (0, ±d_v); 8 adds four at distance d_i on the lines at ±β from the major
/// axis. Distances in m, β in degrees.
///
/// # Errors
/// `n` other than 1, 2, 4 or 8.
pub fn elliptical_sites(
    n: usize,
    d_h: f64,
    d_v: f64,
    d_i: f64,
    beta_deg: f64,
) -> Result<Vec<(f64, f64)>> {
    if ![1, 2, 4, 8].contains(&n) {
        return Err(PhysicsError::InvalidParameter {
            name: "elliptical sites",
            value: n as f64,
            allowed: "1, 2, 4 or 8",
        });
    }
    let mut points = Vec::with_capacity(n);
    if n == 1 {
        points.push((0.0, 0.0));
    }
    if n >= 2 {
        points.extend([(d_h, 0.0), (-d_h, 0.0)]);
    }
    if n >= 4 {
        points.extend([(0.0, d_v), (0.0, -d_v)]);
    }
    if n == 8 {
        let (s, c) = beta_deg.to_radians().sin_cos();
        points.extend([
            (d_i * c, d_i * s),
            (-d_i * c, -d_i * s),
            (d_i * c, -d_i * s),
            (-d_i * c, d_i * s),
        ]);
    }
    Ok(points)
}
